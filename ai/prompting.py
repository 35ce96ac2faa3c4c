"""Prompt files: Markdown with includes, variables and a version header.

Syntax, kept deliberately small:
* `<!-- version: 3 -->` on the first line: the prompt's version, recorded with every call;
* `{{> _shared/rules.md }}` includes another file of the prompts folder (recursively; a cycle
  is an error);
* `{{ name }}` is replaced by a variable. A variable the prompt uses but the caller did not give,
  or one given but never used, is an error: a renamed variable must not silently vanish.
"""

from __future__ import annotations

import functools
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path

PROMPTS_DIR = Path(__file__).resolve().parent / "prompts"
VERSION_LINE = re.compile(r"\A\s*<!--\s*version:\s*(\d+)\s*-->[ \t]*\n?")
INCLUDE = re.compile(r"\{\{>\s*([\w./-]+?)\s*\}\}")
VARIABLE = re.compile(r"\{\{\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*\}\}")
MAX_INCLUDE_DEPTH = 10


class PromptError(Exception):
    """A prompt file is missing, malformed, or rendered with the wrong variables."""


@dataclass(frozen=True)
class RenderedPrompt:
    name: str
    text: str
    version: int
    # Versions of the included fragments, so a change to a shared rule is visible too.
    includes: dict[str, int] = field(default_factory=dict)

    def metadata(self) -> dict[str, object]:
        return {"prompt": self.name, "prompt_version": self.version, "includes": self.includes}


# path -> (mtime_ns, version, body): re-read when the file changes, so edits apply without a
# restart in development while production reads each file once.
_cache: dict[Path, tuple[int, int | None, str]] = {}
_cache_lock = threading.Lock()


def render(
    name: str, variables: dict[str, str] | None = None, *, directory: Path = PROMPTS_DIR
) -> RenderedPrompt:
    """Render `<directory>/<name>.md` with `variables`."""
    variables = variables or {}
    includes: dict[str, int] = {}
    version, body = _read(f"{name}.md", directory)
    if version is None:
        raise PromptError(f"{name}.md has no '<!-- version: N -->' first line")
    text = _expand(body, directory=directory, stack=[f"{name}.md"], includes=includes)
    used = set(VARIABLE.findall(text))
    missing = sorted(used - variables.keys())
    if missing:
        raise PromptError(f"{name}: missing variables {', '.join(missing)}")
    unknown = sorted(variables.keys() - used)
    if unknown:
        raise PromptError(f"{name}: unknown variables {', '.join(unknown)}")
    # One pass: a value containing "{{ x }}" (user or scraped text) is never expanded again.
    rendered = VARIABLE.sub(lambda m: str(variables[m.group(1)]), text)
    return RenderedPrompt(
        name=name, text=rendered.strip() + "\n", version=version, includes=includes
    )


def prompt_versions(*, directory: Path = PROMPTS_DIR) -> dict[str, int]:
    """The version of every prompt (by name) and shared fragment (by path, `_shared/x.md`):
    what an evaluation run measured. PromptError when a prompt or fragment has no version."""
    root = directory.resolve()
    versions: dict[str, int] = {}
    for path in sorted(root.rglob("*.md")):
        relative = path.relative_to(root).as_posix()
        version, _ = _read(relative, directory)
        if version is None:
            raise PromptError(f"{relative} has no '<!-- version: N -->' first line")
        versions[relative if "/" in relative else path.stem] = version
    return versions


def _expand(body: str, *, directory: Path, stack: list[str], includes: dict[str, int]) -> str:
    if len(stack) > MAX_INCLUDE_DEPTH:
        raise PromptError(f"includes nested too deep: {' -> '.join(stack)}")

    def include(match: re.Match[str]) -> str:
        target = match.group(1)
        if target in stack:
            raise PromptError(f"include cycle: {' -> '.join([*stack, target])}")
        version, text = _read(target, directory)
        includes[target] = version or 0
        return _expand(text, directory=directory, stack=[*stack, target], includes=includes).strip()

    return INCLUDE.sub(include, body)


@functools.lru_cache(maxsize=1024)
def _resolve(relative: str, directory: Path) -> Path:
    """Where a prompt file is: resolved once per name, as a model call renders five files and
    resolving walks every folder of the path (the file's edits are still seen, by its mtime)."""
    root = directory.resolve()
    path = (root / relative).resolve()
    if not path.is_relative_to(root) or path.suffix != ".md":
        raise PromptError(f"{relative}: prompts are .md files inside {root.name}/")
    return path


def _read(relative: str, directory: Path) -> tuple[int | None, str]:
    path = _resolve(relative, directory)
    try:
        mtime = path.stat().st_mtime_ns
    except FileNotFoundError:
        raise PromptError(f"no prompt file {relative}") from None
    with _cache_lock:
        cached = _cache.get(path)
    if cached is not None and cached[0] == mtime:
        return cached[1], cached[2]
    raw = path.read_text(encoding="utf-8")
    match = VERSION_LINE.match(raw)
    version = int(match.group(1)) if match else None
    body = raw[match.end() :] if match else raw
    with _cache_lock:
        _cache[path] = (mtime, version, body)
    return version, body
