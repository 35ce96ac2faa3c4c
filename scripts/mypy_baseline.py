"""Run mypy and hold every package to its standard: strict packages clean, the others at most at
their baseline, a count of errors per file that can only shrink.

    python scripts/mypy_baseline.py           # check (CI, `make typecheck`)
    python scripts/mypy_baseline.py --update  # lower the baseline after fixing errors

The strict packages are the modules of the [[tool.mypy.overrides]] entry in pyproject.toml that
sets disallow_untyped_defs: any error in them fails, and they never appear in the baseline.
Any other file fails when it has more errors than mypy-baseline.json allows (a file missing
from it allows none), and also when it has fewer: the committed baseline must match, so an
improvement is kept. `--update` only ever lowers counts and drops files that reached zero; it
refuses to raise one, so a new error has to be fixed, not recorded.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tomllib
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "mypy-baseline.json"
# mypy's default output: "path/to/file.py:12: error: message  [code]"
ERROR_LINE = re.compile(r"^(?P<path>[^:\s]+\.pyi?):\d+(?::\d+)?: error: ")


def strict_packages() -> tuple[str, ...]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    for override in config["tool"]["mypy"].get("overrides", []):
        if override.get("disallow_untyped_defs"):
            modules = override["module"]
            modules = [modules] if isinstance(modules, str) else modules
            return tuple(m.removesuffix(".*") for m in modules)
    return ()


def run_mypy() -> tuple[Counter[str], dict[str, list[str]]]:
    """Errors per file, and the error lines themselves, from mypy over the configured files."""
    proc = subprocess.run(
        [sys.executable, "-m", "mypy", "--no-error-summary", "--no-pretty", "--no-color-output"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    counts: Counter[str] = Counter()
    lines: dict[str, list[str]] = {}
    unparsed = []
    for line in proc.stdout.splitlines():
        match = ERROR_LINE.match(line)
        if match:
            path = Path(match["path"]).as_posix()
            counts[path] += 1
            lines.setdefault(path, []).append(line)
        elif ": error: " in line:  # a configuration or command error, not a file's
            unparsed.append(line)
    if proc.returncode not in (0, 1) or unparsed or (proc.returncode == 1 and not counts):
        sys.stderr.write(proc.stdout + proc.stderr)
        sys.exit(f"mypy did not run cleanly (exit status {proc.returncode}).")
    return counts, lines


def is_strict(path: str, strict: tuple[str, ...]) -> bool:
    # Production code of a strict package; its tests are held to the baseline like the rest.
    return path.split("/", 1)[0] in strict and "/tests/" not in path


def load_baseline() -> dict[str, int]:
    if not BASELINE.exists():
        return {}
    baseline: dict[str, int] = json.loads(BASELINE.read_text(encoding="utf-8"))
    return baseline


def write_baseline(baseline: dict[str, int]) -> None:
    text = json.dumps(dict(sorted(baseline.items())), indent=2)
    BASELINE.write_text(text + "\n", encoding="utf-8")


def check(counts: Counter[str], lines: dict[str, list[str]], strict: tuple[str, ...]) -> int:
    baseline = load_baseline()
    failed = False
    strict_errors = sorted(path for path in counts if is_strict(path, strict))
    if strict_errors:
        failed = True
        print(f"Strict packages ({', '.join(strict)}) must have no mypy error:")
        for path in strict_errors:
            print("\n".join(lines[path]))
    listed_strict = sorted(path for path in baseline if is_strict(path, strict))
    if listed_strict:
        failed = True
        print(f"{BASELINE.name} lists files of strict packages; remove them:")
        print("\n".join(f"  {path}" for path in listed_strict))
    worse = sorted(
        path
        for path in counts
        if not is_strict(path, strict) and counts[path] > baseline.get(path, 0)
    )
    for path in worse:
        failed = True
        print(f"\n{path}: {counts[path]} errors, the baseline allows {baseline.get(path, 0)}:")
        print("\n".join(lines[path]))
    better = sorted(
        path
        for path, allowed in baseline.items()
        if not is_strict(path, strict) and counts.get(path, 0) < allowed
    )
    if better:
        failed = True
        print(f"\nFewer errors than {BASELINE.name} records, well done. Lock the gain in:")
        for path in better:
            print(f"  {path}: {baseline[path]} -> {counts.get(path, 0)}")
        print("Run `python scripts/mypy_baseline.py --update` and commit mypy-baseline.json.")
    total = sum(counts[p] for p in counts if not is_strict(p, strict))
    print(f"\nmypy: {total} baselined errors (baseline {sum(baseline.values())}), ", end="")
    print(f"{sum(counts[p] for p in strict_errors)} in strict packages.")
    return 1 if failed else 0


def update(counts: Counter[str], strict: tuple[str, ...]) -> int:
    """Lower the baseline to the current counts; refuse to raise any."""
    baseline = load_baseline()
    first_run = not BASELINE.exists()
    raised = sorted(
        path
        for path in counts
        if not is_strict(path, strict) and counts[path] > baseline.get(path, 0)
    )
    if raised and not first_run:
        print("The baseline only shrinks; fix the new errors in:")
        print("\n".join(f"  {path}: {baseline.get(path, 0)} -> {counts[path]}" for path in raised))
        return 1
    lowered = {
        path: count
        for path, count in counts.items()
        if not is_strict(path, strict) and count and (first_run or path in baseline)
    }
    write_baseline(lowered)
    print(f"{BASELINE.name}: {sum(baseline.values())} -> {sum(lowered.values())} errors.")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--update", action="store_true", help="lower the baseline (never raise)")
    args = parser.parse_args()
    strict = strict_packages()
    counts, lines = run_mypy()
    return update(counts, strict) if args.update else check(counts, lines, strict)


if __name__ == "__main__":
    sys.exit(main())
