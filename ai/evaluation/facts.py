"""What a tailoring or a translation kept of the source CV's facts, and what it invented.

A fact is an employer, a school, or the dates of an entry. Tailoring keeps a fact when the
result still holds it, or when it removed the entry and said so in its list of changes (the
user reviews every removal). It invents a fact when the result names an employer, school,
number, URL or e-mail the source lacks (`ai.offline.invented_facts`, the guard the gateway
applies), or a job title or a date the source lacks.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator, Mapping
from typing import Any

from ai.offline import invented_facts
from ai.offline.facts import as_dict, as_list, as_text, iter_cv_texts
from ai.offline.vocabulary import fold

DATED_SECTIONS = (("experience", "company"), ("education", "institution"), ("projects", "name"))
# The entries of a CV: what "share of entries touched" counts.
ENTRY_SECTIONS = ("experience", "education", "projects")
_NUMBER = re.compile(r"\d+")

Fact = tuple[str, ...]


def source_facts(cv: Mapping[str, Any]) -> Iterator[Fact]:
    """Employers, schools, and each dated entry as (section, name, start, end)."""
    for job in as_list(cv.get("experience")):
        if as_text(as_dict(job).get("company")):
            yield ("employer", as_text(job["company"]))
    for school in as_list(cv.get("education")):
        if as_text(as_dict(school).get("institution")):
            yield ("school", as_text(school["institution"]))
    for section, key in DATED_SECTIONS:
        for item in map(as_dict, as_list(cv.get(section))):
            if item.get("start_date") or item.get("end_date"):
                dates = (as_text(item.get("start_date")), as_text(item.get("end_date")))
                yield ("dates", section, as_text(item.get(key)), *dates)


def removed_facts(changes: list[dict[str, Any]]) -> set[Fact]:
    """Facts of the entries a tailoring removed and said so in its list of changes."""
    removed: dict[str, list[Any]] = {}
    for change in changes:
        section = str(change.get("path", "")).split("[")[0]
        if change.get("change_type") == "removed" and isinstance(change.get("before"), dict):
            removed.setdefault(section, []).append(change["before"])
    return set(source_facts(removed))


def facts_kept(
    source: Mapping[str, Any], result: Mapping[str, Any], changes: list[dict[str, Any]]
) -> dict[str, Any]:
    """The source's facts the result lost (and whether it said so) and the facts it invented."""
    facts = list(source_facts(source))
    present = set(source_facts(result))
    announced = removed_facts(changes)
    missing = [fact for fact in facts if fact not in present]
    invented = sorted(
        {*invented_facts(source, result), *_invented_titles_and_dates(source, result)}
    )
    lost = [fact for fact in missing if fact not in announced]
    kept = (len(facts) - len(missing)) / len(facts) * 100 if facts else 100.0
    return {
        "facts": len(facts),
        "missing": [" / ".join(fact) for fact in missing],
        "missing_announced": len(missing) - len(lost),
        "lost": [" / ".join(fact) for fact in lost],
        "invented": invented,
        # An invented fact spoils the result as much as a dropped one: 100 only when clean.
        "kept_pct": kept if not invented else min(kept, 99.9),
    }


def _invented_titles_and_dates(source: Mapping[str, Any], result: Mapping[str, Any]) -> set[str]:
    titles = {fold(t) for t in _values(source, "experience", "title")}
    titles.add(fold(as_text(as_dict(source.get("header")).get("current_title"))))
    found = {f"title: {t}" for t in _values(result, "experience", "title") if fold(t) not in titles}
    for section, _ in DATED_SECTIONS:
        known = {d for key in ("start_date", "end_date") for d in _values(source, section, key)}
        found |= {
            f"date: {d}"
            for key in ("start_date", "end_date")
            for d in _values(result, section, key)
            if d not in known
        }
    return found


def _values(cv: Mapping[str, Any], section: str, key: str) -> list[str]:
    values = (as_text(as_dict(item).get(key)) for item in as_list(cv.get(section)))
    return [value for value in values if value]


def entries_touched(source: Mapping[str, Any], result: Mapping[str, Any]) -> tuple[int, int]:
    """(entries of the source that the result changed or dropped, entries of the source)."""
    total = touched = 0
    for section in ENTRY_SECTIONS:
        after = [as_dict(item) for item in as_list(result.get(section))]
        for item in map(as_dict, as_list(source.get(section))):
            total += 1
            twin = next((other for other in after if _same_entry(item, other)), None)
            touched += twin is None or dict(twin) != dict(item)
    return touched, total


def _same_entry(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    keys = ("company", "institution", "name", "start_date", "end_date")
    return all(a.get(key) == b.get(key) for key in keys)


def prose_segments(cv: Mapping[str, Any], *, min_words: int) -> list[str]:
    """The CV's free texts (titles, summary, duties, degrees...) of at least `min_words` words;
    skill names and proper names are left out: they are not translated."""
    return [
        item.text
        for item in iter_cv_texts(cv)
        if not item.is_name and len(item.text.split()) >= min_words
    ]


def names(cv: Mapping[str, Any]) -> set[str]:
    """The names a translation must copy as they are: the person, the e-mail, the phone, the
    employers and the schools."""
    header = as_dict(cv.get("header"))
    contact = as_dict(header.get("contact"))
    found = {as_text(header.get("full_name")), as_text(contact.get("email"))}
    found.add(as_text(contact.get("phone")))
    found |= set(_values(cv, "experience", "company"))
    found |= set(_values(cv, "education", "institution"))
    return found - {""}


def numbers(cv: Any) -> Counter[str]:
    """Every run of digits in the CV's texts, with its count."""
    return Counter(n for text in _strings(cv) for n in _NUMBER.findall(text))


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for key, item in value.items():
            if key != "language":  # the language code is the one thing a translation changes
                yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)
