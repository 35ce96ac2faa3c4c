"""An import inside a function hides a dependency from a reader: each one says why it is there.

The layer contract (`lint-imports`, docs/architecture.md) counts these imports like the others;
this test asks for the one-line reason, on the import's line or the line above it.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = (
    "fitmycv", "staff", "cvs", "joboffers", "accounts", "billing", "emails", "jobs", "ai",
    "telemetry", "cvdoc", "core",
)  # fmt: skip


def _production_modules() -> list[Path]:
    paths = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).parts
            if "tests" in parts or "migrations" in parts:
                continue
            paths.append(path)
    return paths


def _local_imports(path: Path) -> list[tuple[int, str]]:
    source = path.read_text(encoding="utf-8")
    lines = source.splitlines()
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for inner in ast.walk(node):
            if isinstance(inner, ast.Import | ast.ImportFrom):
                line = lines[inner.lineno - 1]
                if "#" not in line and not _comment_above(lines, inner.lineno - 1):
                    found.append((inner.lineno, line.strip()))
    return found


def _comment_above(lines: list[str], index: int) -> bool:
    """A comment line right above the import, or above the block of imports it belongs to."""
    index -= 1
    while index >= 0 and lines[index].strip().startswith(("from ", "import ")):
        index -= 1
    return index >= 0 and lines[index].strip().startswith("#")


def test_every_function_local_import_gives_its_reason() -> None:
    unexplained = [
        f"{path.relative_to(ROOT)}:{lineno}: {line}"
        for path in _production_modules()
        for lineno, line in _local_imports(path)
    ]

    assert unexplained == [], "Say why each import is inside a function:\n" + "\n".join(unexplained)


def test_it_sees_an_unexplained_local_import(tmp_path: Path) -> None:
    module = tmp_path / "module.py"
    module.write_text(
        "def f():\n"
        "    import json\n"
        "    return json\n"
        "\n"
        "def g():\n"
        "    # the parser is slow to import and rarely needed\n"
        "    import json\n"
        "    import csv\n"
        "    return json, csv\n",
        encoding="utf-8",
    )

    assert _local_imports(module) == [(2, "import json")]
