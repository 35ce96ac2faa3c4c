"""Side-by-side comparison of two CV contents, section by section."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

from cvdoc.document import DEFAULT_SECTION_ORDER


@dataclass(frozen=True)
class DiffRow:
    kind: str  # "same", "changed", "added", "removed"
    left: str
    right: str


@dataclass(frozen=True)
class SectionDiff:
    section: str
    rows: list[DiffRow]

    @property
    def changed(self) -> bool:
        return any(row.kind != "same" for row in self.rows)


def _lines(node: Any, prefix: str = "") -> list[str]:
    """One readable line per fact, labelled with its field, in document order."""
    if isinstance(node, dict):
        lines: list[str] = []
        for key, value in node.items():
            label = f"{prefix}{key.replace('_', ' ')}"
            lines.extend(_lines(value, f"{label} › " if isinstance(value, dict) else label))
        return lines
    if isinstance(node, list):
        lines = []
        for item in node:
            if isinstance(item, dict):
                lines.extend(_lines(item, prefix + " › " if prefix else ""))
                lines.append("")  # blank line between entries keeps the alignment readable
            elif item not in (None, ""):
                lines.append(f"{prefix}: {item}" if prefix else str(item))
        return lines
    if node in (None, ""):
        return []
    return [f"{prefix}: {node}" if prefix else str(node)]


def diff_cvs(before: dict[str, Any], after: dict[str, Any]) -> list[SectionDiff]:
    sections = []
    for section in DEFAULT_SECTION_ORDER:
        left = _lines(before.get(section) or {}, "")
        right = _lines(after.get(section) or {}, "")
        rows: list[DiffRow] = []
        matcher = difflib.SequenceMatcher(a=left, b=right, autojunk=False)
        for op, i1, i2, j1, j2 in matcher.get_opcodes():
            if op == "equal":
                rows.extend(DiffRow("same", line, line) for line in left[i1:i2])
            elif op == "delete":
                rows.extend(DiffRow("removed", line, "") for line in left[i1:i2])
            elif op == "insert":
                rows.extend(DiffRow("added", "", line) for line in right[j1:j2])
            else:
                old, new = left[i1:i2], right[j1:j2]
                for k in range(max(len(old), len(new))):
                    a = old[k] if k < len(old) else ""
                    b = new[k] if k < len(new) else ""
                    kind = "changed" if a and b else ("removed" if a else "added")
                    rows.append(DiffRow(kind, a, b))
        sections.append(SectionDiff(section, [r for r in rows if r.left or r.right]))
    return sections
