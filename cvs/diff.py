"""What changed between two CV contents, entry by entry and word by word.

Each section is cut into entries named as the reader knows them (an experience is "Software
Engineer at Acme", a skill group is "Tools"); the entries of the two sides are paired, then the
lines of each pair are compared word by word. Field names never reach the page.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from cvdoc.document import DEFAULT_SECTION_ORDER
from cvs.export import (
    LEVEL_LABELS,
    SECTION_TITLES,
    SKILL_GROUP_TITLES,
    SKILL_GROUPS,
    format_period,
    location_text,
)

_TOKEN = re.compile(r"\S+|\s+")


@dataclass(frozen=True)
class Segment:
    kind: str  # "same", "ins", "del"
    text: str


@dataclass(frozen=True)
class LineDiff:
    kind: str  # "same", "changed", "added", "removed"
    segments: list[Segment]


@dataclass(frozen=True)
class EntryDiff:
    label: str
    kind: str  # "same", "changed", "added", "removed"
    lines: list[LineDiff]


@dataclass(frozen=True)
class SectionDiff:
    section: str
    title: str
    entries: list[EntryDiff] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return any(entry.kind != "same" for entry in self.entries)

    @property
    def changed_entries(self) -> list[EntryDiff]:
        return [entry for entry in self.entries if entry.kind != "same"]

    @property
    def unchanged_entries(self) -> list[EntryDiff]:
        return [entry for entry in self.entries if entry.kind == "same"]


@dataclass(frozen=True)
class _Entry:
    key: str
    label: str
    lines: list[str]


def diff_words(before: str, after: str) -> list[Segment]:
    """`after` with the words that changed from `before` marked as inserted or deleted."""
    old, new = _TOKEN.findall(before), _TOKEN.findall(after)
    ops = difflib.SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes()
    # Runs of (unchanged?, old text, new text). A lone space between two changes joins them, so
    # a rewritten phrase reads as one deletion and one insertion rather than word by word.
    runs: list[tuple[bool, str, str]] = []
    for index, (op, i1, i2, j1, j2) in enumerate(ops):
        old_text, new_text = "".join(old[i1:i2]), "".join(new[j1:j2])
        same = op == "equal" and not (
            old_text.isspace() and 0 < index < len(ops) - 1 and runs and not runs[-1][0]
        )
        if runs and not same and not runs[-1][0]:
            runs[-1] = (False, runs[-1][1] + old_text, runs[-1][2] + new_text)
        else:
            runs.append((same, old_text, new_text))
    segments: list[Segment] = []
    for same, old_text, new_text in runs:
        if same:
            segments.append(Segment("same", new_text))
            continue
        changed = old_text or new_text
        if changed.isspace():
            segments.append(Segment("same", new_text))
            continue
        # Spaces at the edge of a pure insertion or deletion stay outside the mark.
        lead = (
            changed[: len(changed) - len(changed.lstrip())] if not (old_text and new_text) else ""
        )
        trail = changed[len(changed.rstrip()) :] if not (old_text and new_text) else ""
        if lead:
            segments.append(Segment("same", lead))
        if old_text:
            segments.append(Segment("del", old_text.strip() if lead or trail else old_text))
        if new_text:
            segments.append(Segment("ins", new_text.strip() if lead or trail else new_text))
        if trail:
            segments.append(Segment("same", trail))
    return segments


def _diff_lines(before: list[str], after: list[str]) -> list[LineDiff]:
    rows: list[LineDiff] = []
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            rows.extend(LineDiff("same", [Segment("same", line)]) for line in after[j1:j2])
            continue
        old, new = before[i1:i2], after[j1:j2]
        for k in range(max(len(old), len(new))):
            if k < len(old) and k < len(new):
                rows.append(LineDiff("changed", diff_words(old[k], new[k])))
            elif k < len(old):
                rows.append(LineDiff("removed", [Segment("del", old[k])]))
            else:
                rows.append(LineDiff("added", [Segment("ins", new[k])]))
    return rows


def _text_lines(*values: Any) -> list[str]:
    """Non-empty lines of the given texts; a description's paragraphs become separate lines."""
    lines: list[str] = []
    for value in values:
        if isinstance(value, list):
            lines.extend(_text_lines(*value))
        elif value not in (None, ""):
            lines.extend(line.strip() for line in str(value).splitlines() if line.strip())
    return lines


def _key(*parts: Any) -> str:
    return " ".join(" ".join(str(part or "").casefold().split()) for part in parts).strip()


def _header(node: dict[str, Any], language: str) -> list[_Entry]:
    contact = node.get("contact") or {}
    links = [
        f"{link.get('label')}: {link.get('url')}" if link.get("label") else link.get("url")
        for link in contact.get("links") or []
    ]
    lines = _text_lines(
        node.get("full_name"),
        node.get("current_title"),
        contact.get("email"),
        contact.get("phone"),
        location_text(contact.get("location") or {}),
        links,
    )
    return [_Entry("header", node.get("full_name") or SECTION_TITLES[language]["header"], lines)]


def _skill_line(skill: Any, language: str) -> str:
    if not isinstance(skill, dict):
        return str(skill)
    level = skill.get("proficiency")
    if isinstance(level, int) and 0 <= level < len(LEVEL_LABELS[language]):
        return f"{skill.get('name')} ({LEVEL_LABELS[language][level]})"
    return str(skill.get("name") or "")


def _skills(node: dict[str, Any], language: str) -> list[_Entry]:
    return [
        _Entry(
            group,
            SKILL_GROUP_TITLES[language][group],
            _text_lines([_skill_line(skill, language) for skill in node.get(group) or []]),
        )
        for group in SKILL_GROUPS
        if node.get(group)
    ]


def _experience(item: dict[str, Any], language: str) -> _Entry:
    title, company = item.get("title") or "", item.get("company") or ""
    label = _("%(title)s at %(company)s") % {"title": title, "company": company}
    lines = _text_lines(
        item.get("department_or_client"),
        format_period(item.get("start_date") or "", item.get("end_date") or "", language),
        location_text(item.get("location") or {}),
        item.get("description"),
        item.get("responsibilities"),
        item.get("deliverables"),
        ", ".join(item.get("skills_used") or []),
    )
    return _Entry(_key(title, company), label, lines)


def _education(item: dict[str, Any], language: str) -> _Entry:
    degree = ", ".join(p for p in (item.get("degree"), item.get("field_of_study")) if p)
    institution = item.get("institution") or ""
    label = f"{degree} — {institution}" if degree else institution
    lines = _text_lines(
        format_period(item.get("start_date") or "", item.get("end_date") or "", language),
        location_text(item.get("location") or {}),
    )
    return _Entry(_key(institution, degree), label, lines)


def _named(item: dict[str, Any], language: str) -> _Entry:
    """Languages, extras and projects: entries known by their name."""
    lines = _text_lines(
        item.get("level"),
        item.get("role"),
        format_period(item.get("start_date") or "", item.get("end_date") or "", language),
        item.get("summary"),
        ", ".join(item.get("tech_stack") or []),
        item.get("url"),
    )
    return _Entry(_key(item.get("name")), str(item.get("name") or ""), lines)


def _entries(section: str, node: Any, language: str) -> list[_Entry]:
    if section == "header":
        return _header(node or {}, language) if node else []
    if section == "summary":
        lines = _text_lines((node or {}).get("description"))
        return [_Entry("summary", SECTION_TITLES[language]["summary"], lines)] if lines else []
    if section == "skills":
        return _skills(node or {}, language)
    build = {"experience": _experience, "education": _education}.get(section, _named)
    return [build(item, language) for item in node or [] if isinstance(item, dict)]


def _diff_entry(before: _Entry | None, after: _Entry | None) -> EntryDiff:
    if before is None:
        assert after is not None
        return EntryDiff(after.label, "added", _diff_lines([], after.lines))
    if after is None:
        return EntryDiff(before.label, "removed", _diff_lines(before.lines, []))
    # A renamed entry (a new job title) shows the rename as its first line.
    old = before.lines if before.label == after.label else [before.label, *before.lines]
    new = after.lines if before.label == after.label else [after.label, *after.lines]
    lines = _diff_lines(old, new)
    kind = "same" if all(line.kind == "same" for line in lines) else "changed"
    return EntryDiff(after.label, kind, lines)


def _pair(before: list[_Entry], after: list[_Entry]) -> list[EntryDiff]:
    """Entries paired by name; where names differ in place, paired by position (a rename)."""
    result: list[EntryDiff] = []
    matcher = difflib.SequenceMatcher(
        a=[e.key for e in before], b=[e.key for e in after], autojunk=False
    )
    for _op, i1, i2, j1, j2 in matcher.get_opcodes():
        old, new = before[i1:i2], after[j1:j2]
        for k in range(max(len(old), len(new))):
            result.append(
                _diff_entry(old[k] if k < len(old) else None, new[k] if k < len(new) else None)
            )
    return result


def diff_cvs(before: dict[str, Any], after: dict[str, Any], *, language: str) -> list[SectionDiff]:
    """Every section of the document, its entries compared; `language` names the headings."""
    language = language if language in SECTION_TITLES else "en"
    return [
        SectionDiff(
            section,
            SECTION_TITLES[language].get(section, section.title()),
            _pair(
                _entries(section, before.get(section), language),
                _entries(section, after.get(section), language),
            ),
        )
        for section in DEFAULT_SECTION_ORDER
    ]
