"""Every third-party module the code imports is a package we chose, not one pulled in by another.

A transitive package can vanish or jump a major version when its parent changes; naming it in
requirements.in keeps the lock honest about what the code relies on.
"""

from __future__ import annotations

import ast
import importlib.metadata
import re
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SKIPPED_DIRS = frozenset({".venv", ".git", "node_modules", "staticfiles", "var"})
# Files that only run under the dev tools may import what requirements-dev.in brings.
DEV_ONLY_DIRS = frozenset({"tests", "bench"})
DEV_ONLY_FILES = frozenset({"conftest.py", "testing.py"})


def _normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _requirement_names(path: Path) -> set[str]:
    names: set[str] = set()
    for raw in path.read_text().splitlines():
        line = raw.split("#", 1)[0].strip()
        if line.startswith("-r "):
            names |= _requirement_names(path.parent / line.split(maxsplit=1)[1])
        elif line and not line.startswith("-"):  # -c constraints name nothing we chose
            names.add(_normalize(re.split(r"[\[=<>!~;\s]", line, maxsplit=1)[0]))
    return names


def _python_files() -> Iterator[Path]:
    for path in sorted(ROOT.rglob("*.py")):
        if not SKIPPED_DIRS.intersection(path.relative_to(ROOT).parts):
            yield path


def _local_names(directory: Path) -> set[str]:
    return {p.stem if p.suffix == ".py" else p.name for p in directory.iterdir()}


def _imported_modules(path: Path) -> set[str]:
    modules: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            modules.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules.add(node.module.split(".")[0])
    return modules


def _is_dev_only(path: Path) -> bool:
    relative = path.relative_to(ROOT)
    return path.name in DEV_ONLY_FILES or bool(DEV_ONLY_DIRS.intersection(relative.parts[:-1]))


def missing_requirements() -> list[str]:
    runtime = _requirement_names(ROOT / "requirements.in")
    dev = _requirement_names(ROOT / "requirements-dev.in")
    distributions = importlib.metadata.packages_distributions()
    first_party = _local_names(ROOT)
    problems = []
    for path in _python_files():
        # Scripts run from their own directory import their neighbours (bench/_setup.py).
        local = first_party | _local_names(path.parent)
        allowed = dev if _is_dev_only(path) else runtime
        for module in sorted(_imported_modules(path) - local - set(sys.stdlib_module_names)):
            names = {_normalize(d) for d in distributions.get(module, [])}
            if not names & allowed:
                found = ", ".join(sorted(names)) or "not installed"
                problems.append(f"{path.relative_to(ROOT)}: {module} ({found})")
    return problems


def test_it_names_every_imported_package_in_the_requirements() -> None:
    assert missing_requirements() == []
