"""An honest offline translation of a CV into en, fr, de or es.

Without a language model only the CV's vocabulary can be translated reliably, so this module
translates what a phrasebook knows and leaves the rest as written:

- skill names that are words rather than technologies (soft skills, methods, practices), when
  the phrasebook has a name in the target language that the skill vocabulary reads back as
  the same skill, so matching against offers keeps working;
- language names and level words ("Native" -> "Langue maternelle"; CEFR codes are kept);
- degree words (Bachelor, Master, Licence, Diplom...) and common fields of study, when they
  make up the whole field;
- common job titles, whole or split on "&", "/" and ",", with the seniority word moved to
  where the target language puts it and the source's grammatical gender kept;
- month names and "present" inside free text when they are part of a date ("Jan 2020",
  "2019 – present"), and the names of extra sections ("Interests" -> "Centres d'intérêt").

Names, e-mails, phone numbers, URLs, dates, employers, schools, places, project names and
technologies are never touched. Known limit: sentences (summary, descriptions,
responsibilities, extras) are kept in their original language; the caller should tell the
user which parts still need a translation of their own.
"""

from __future__ import annotations

import copy
import functools
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from ai.offline import vocabulary
from ai.offline.cv_parser import MONTHS, PRESENT_WORDS, heading_kind
from ai.offline.glossary import (
    DEGREES,
    EXTRA_NAMES,
    EXTRA_PREFIXES,
    FIELDS_OF_STUDY,
    LANGUAGE_NAMES,
    LEVEL_FILLERS,
    LEVEL_NAMES,
    MONTH_NAMES,
    ORDER,
    PRESENT_NAMES,
    SECTION_HEADINGS,
    SENIORITY,
    SKILL_GROUP_HEADINGS,
    SKILL_NAMES,
    TITLE_SPELLINGS,
    TITLES,
    VOLUNTEERING,
)
from ai.offline.vocabulary import fold
from cvdoc.document import LANGUAGES, normalize_cv

_TITLE_SEPARATORS = re.compile(r"(\s*[&/,|]\s*|\s+[-–—]\s+)")
_MONTH_BEFORE_YEAR = re.compile(
    r"(?<![\w])(?P<m>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
    r"(?P<sep>\s+(?:de\s+)?)(?P<y>(?:19|20)\d{2})\b"
)
_PRESENT_AFTER_DATE = re.compile(
    r"(?P<d>(?:19|20)\d{2}\s*[-–—]\s*)(?P<p>"
    + "|".join(re.escape(word) for word in sorted(PRESENT_WORDS, key=len, reverse=True))
    + r")\b"
)


# What a segment of the CV is, for the plan; sentences are the free text the glossaries
# cannot translate (a summary, a description, one bullet point).
HEADING, DATE, TITLE, SKILL, DEGREE, LANGUAGE, SENTENCE, BULLET, OTHER = (
    "heading", "date", "title", "skill", "degree", "language", "sentence", "bullet", "other"
)  # fmt: skip
TRANSLATED, KEPT, UNCHANGED = "translated", "kept", "unchanged"


@dataclass(frozen=True)
class Segment:
    """One text of the CV and what the offline translation does with it.

    `outcome` is TRANSLATED (it reads in the target language), KEPT (it stays in the source
    language) or UNCHANGED (the same in every language: names of technologies, CEFR codes).
    """

    path: str
    kind: str
    text: str
    outcome: str


@dataclass(frozen=True)
class TranslationPlan:
    """Which segments of a CV an offline translation into `target` translates, before it runs."""

    source: str
    target: str
    segments: tuple[Segment, ...]

    def count(self, outcome: str, kind: str | None = None) -> int:
        return sum(
            1
            for segment in self.segments
            if segment.outcome == outcome and (kind is None or segment.kind == kind)
        )

    @property
    def translated(self) -> dict[str, int]:
        """Translated segments by kind."""
        return dict(Counter(s.kind for s in self.segments if s.outcome == TRANSLATED))

    @property
    def kept(self) -> dict[str, int]:
        """Segments left in the source language, by kind."""
        return dict(Counter(s.kind for s in self.segments if s.outcome == KEPT))

    @property
    def coverage(self) -> float:
        """The share of language-bearing segments that end up in the target language."""
        done, kept = self.count(TRANSLATED), self.count(KEPT)
        return done / (done + kept) if done + kept else 1.0

    @property
    def kept_paths(self) -> list[str]:
        return [segment.path for segment in self.segments if segment.outcome == KEPT]

    def as_dict(self) -> dict[str, Any]:
        """The plan in plain JSON (stored on the translated CV)."""
        return {
            "source": self.source,
            "target": self.target,
            "coverage": round(self.coverage, 3),
            "translated": self.translated,
            "kept": self.kept,
            "summary_kept": any(
                s.outcome == KEPT and s.path == "summary.description" for s in self.segments
            ),
        }


def translation_plan(cv: dict[str, Any], target: str) -> TranslationPlan:
    """What `translate_cv(cv, target)` will translate and what stays in the source language.

    Headings and the dates of entries are written by the export in the CV's language, so they
    always count as translated; sentences and bullet points never are (only their month names).
    """
    if target not in LANGUAGES:
        raise ValueError(f"cannot translate into {target!r}; choose one of {', '.join(LANGUAGES)}")
    doc = normalize_cv(cv)
    source = str(doc.get("language") or "en")
    segments = list(_segments(doc))
    if source == target:
        segments = [
            Segment(s.path, s.kind, s.text, UNCHANGED if s.outcome == UNCHANGED else TRANSLATED)
            for s in segments
        ]
    return TranslationPlan(source=source, target=target, segments=tuple(segments))


def _segments(doc: dict[str, Any]) -> Iterator[Segment]:
    def known(ok: bool) -> str:
        return TRANSLATED if ok else KEPT

    for section in doc.get("section_order") or SECTION_HEADINGS:
        if section in SECTION_HEADINGS and doc.get(section) and _has_content(doc[section]):
            yield Segment(f"{section}", HEADING, for_language(SECTION_HEADINGS[section], "en"),
                          TRANSLATED)  # fmt: skip
    header = doc["header"]
    if header["current_title"]:
        yield Segment("header.current_title", TITLE, header["current_title"],
                      known(_title_known(header["current_title"])))  # fmt: skip
    if doc["summary"]["description"]:
        yield Segment("summary.description", SENTENCE, doc["summary"]["description"], KEPT)
    skills = doc["skills"]
    for group in SKILL_GROUP_HEADINGS:
        if skills[group]:
            yield Segment(f"skills.{group}", HEADING, group, TRANSLATED)
        for index, skill in enumerate(skills[group]):
            name = skill["name"] if isinstance(skill, dict) else skill
            outcome = _skill_outcome(name)
            if outcome == KEPT and (group == "tools" or not re.search(r"[a-z]{2}\s", name)):
                outcome = UNCHANGED  # a product's name, or one capitalised word or code
            yield Segment(f"skills.{group}[{index}]", SKILL, name, outcome)
    for index, item in enumerate(doc["experience"]):
        path = f"experience[{index}]"
        if item["title"]:
            yield Segment(f"{path}.title", TITLE, item["title"], known(_title_known(item["title"])))
        if item["start_date"] or item["end_date"]:
            yield Segment(f"{path}.dates", DATE, item["start_date"], TRANSLATED)
        if item["description"]:
            yield Segment(f"{path}.description", SENTENCE, item["description"], KEPT)
        for key in ("responsibilities", "deliverables"):
            for number, text in enumerate(item[key]):
                if text.strip():
                    yield Segment(f"{path}.{key}[{number}]", BULLET, text, KEPT)
        for number, name in enumerate(item["skills_used"]):
            outcome = _skill_outcome(name)
            if outcome == KEPT and " " not in name:
                outcome = UNCHANGED  # one word: a product's or a technology's name
            yield Segment(f"{path}.skills_used[{number}]", SKILL, name, outcome)
    for index, item in enumerate(doc["education"]):
        path = f"education[{index}]"
        if item["start_date"] or item["end_date"]:
            yield Segment(f"{path}.dates", DATE, item["end_date"], TRANSLATED)
        for key, forms in (("degree", _degree_forms()), ("field_of_study", _field_forms())):
            if item[key]:
                yield Segment(f"{path}.{key}", DEGREE, item[key],
                              known(fold(item[key]).strip() in forms))  # fmt: skip
    for index, item in enumerate(doc["languages"]):
        path = f"languages[{index}]"
        if item["name"]:
            yield Segment(f"{path}.name", LANGUAGE, item["name"], _language_outcome(item["name"]))
        if item["level"]:
            yield Segment(f"{path}.level", LANGUAGE, item["level"], _level_outcome(item["level"]))
    for index, item in enumerate(doc["extras"]):
        path = f"extras[{index}]"
        if item["name"]:
            yield Segment(f"{path}.name", HEADING, item["name"],
                          known(_extra_name(item["name"], "en") != item["name"]
                                or _extra_name(item["name"], "fr") != item["name"]))  # fmt: skip
        if item["summary"]:
            yield Segment(f"{path}.summary", SENTENCE, item["summary"], KEPT)
    for index, item in enumerate(doc["projects"]):
        path = f"projects[{index}]"
        if item["role"]:
            yield Segment(f"{path}.role", TITLE, item["role"], known(_title_known(item["role"])))
        if item["summary"]:
            yield Segment(f"{path}.summary", SENTENCE, item["summary"], KEPT)


def _has_content(value: Any) -> bool:
    if isinstance(value, dict):
        return any(_has_content(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_content(v) for v in value)
    return bool(value)


def _skill_outcome(name: str) -> str:
    canonical = vocabulary.canonical_skill(name)
    if canonical in SKILL_NAMES:
        return TRANSLATED
    # A skill the vocabulary knows but the glossary does not is a technology or a method
    # whose name is international (Python, Scrum); an unknown one may be words.
    return UNCHANGED if canonical is not None else KEPT


def _title_known(title: str) -> bool:
    parts = _TITLE_SEPARATORS.split(title)[::2]
    words = [part for part in parts if part.strip()]
    return bool(words) and all(
        fold(_without_seniority(part)) in _title_forms() or part.strip().isupper() for part in words
    )


def _language_outcome(name: str) -> str:
    canonical = vocabulary.canonical_language(name)
    if canonical in LANGUAGE_NAMES and len(fold(name).split()) == 1:
        return TRANSLATED
    return KEPT


def _level_outcome(level: str) -> str:
    if not re.sub(r"\b[ABC][12]\b|[^\w]+", "", level):
        return UNCHANGED  # CEFR codes only
    changed = any(translate_level(level, language) != level for language in ORDER)
    return TRANSLATED if changed else KEPT


def translate_cv(cv: dict[str, Any], target: str) -> dict[str, Any]:
    """A copy of `cv` in the `target` language, as far as the phrasebooks go (see above)."""
    if target not in LANGUAGES:
        raise ValueError(f"cannot translate into {target!r}; choose one of {', '.join(LANGUAGES)}")
    out = copy.deepcopy(normalize_cv(cv))
    out["language"] = target
    header = out["header"]
    titles = [header["current_title"], *(item["title"] for item in out["experience"])]
    # One title written in the feminine ("Développeuse") settles the gender of the others.
    feminine = any(_is_feminine(title) for title in titles)
    header["current_title"] = translate_title(header["current_title"], target, feminine=feminine)
    out["summary"]["description"] = _free_text(out["summary"]["description"], target)
    skills = out["skills"]
    for group in ("hard_skills", "tools"):
        for skill in skills[group]:
            skill["name"] = translate_skill(skill["name"], target)
    for group in ("soft_skills", "methodologies"):
        skills[group] = [translate_skill(name, target) for name in skills[group]]
    for item in out["experience"]:
        item["title"] = translate_title(item["title"], target, feminine=feminine)
        if fold(item["department_or_client"]) in {fold(name) for name in VOLUNTEERING}:
            item["department_or_client"] = for_language(VOLUNTEERING, target)
        item["description"] = _free_text(item["description"], target)
        for key in ("responsibilities", "deliverables"):
            item[key] = [_free_text(text, target) for text in item[key]]
        item["skills_used"] = [translate_skill(name, target) for name in item["skills_used"]]
    for item in out["education"]:
        item["degree"] = _lookup(item["degree"], _degree_forms(), target)
        item["field_of_study"] = _lookup(item["field_of_study"], _field_forms(), target)
    for item in out["languages"]:
        item["name"] = translate_language_name(item["name"], target)
        item["level"] = translate_level(item["level"], target)
    for item in out["extras"]:
        item["name"] = _extra_name(item["name"], target)
        item["summary"] = _free_text(item["summary"], target)
    for item in out["projects"]:
        item["role"] = translate_title(item["role"], target, feminine=feminine)
        item["summary"] = _free_text(item["summary"], target)
    return normalize_cv(out)


def for_language(row: tuple[str, ...], target: str) -> str:
    """The cell of a phrasebook row (en, fr, de, es) for `target`."""
    return row[ORDER.index(target)]


def translate_skill(name: str, target: str) -> str:
    """The target-language name of a non-technical skill; technologies stay as written.

    Only a field that is the skill's own name is translated; a detail in brackets stays as
    written ("Accessibility (WCAG 2.1)" -> "Accessibilité (WCAG 2.1)"), and a phrase that
    merely mentions the skill is left alone.
    """
    head, bracket, detail = name.partition(" (")
    canonical = vocabulary.canonical_skill(head)
    if canonical not in SKILL_NAMES:
        return name
    names = (canonical, *SKILL_NAMES[canonical])
    if fold(head.strip()) not in {fold(known) for known in names}:
        return name
    return for_language(names, target) + (bracket + detail if bracket else "")


def translate_language_name(name: str, target: str) -> str:
    canonical = vocabulary.canonical_language(name)
    # Only a field that is just the language's name: "English (US)" keeps its detail.
    if canonical not in LANGUAGE_NAMES or len(fold(name).split()) != 1:
        return name
    return for_language((canonical, *LANGUAGE_NAMES[canonical]), target)


def translate_level(level: str, target: str) -> str:
    """Level words become the target's ("courant (C1)" -> "Fluent (C1)"); CEFR codes stay.

    A level with words the phrasebook does not know stays as written.
    """
    # The vocabulary reads "fliessend" but not "fließend" (its folding keeps lengths).
    written = level.replace("ß", "ss")
    found = [item for item in vocabulary.find_language_levels(written) if item[0] in LEVEL_NAMES]
    if not found:
        return level
    rest = written
    for _, _, start, end in reversed(found):
        rest = rest[:start] + " " + rest[end:]
    leftover = re.sub(r"\b[ABC][12]\b|[^\w]+", " ", rest).split()
    if any(fold(word) not in LEVEL_FILLERS for word in leftover):
        return level
    out = written
    for label, _, start, end in reversed(found):
        out = out[:start] + for_language(LEVEL_NAMES[label], target) + out[end:]
    for filler in sorted(LEVEL_FILLERS, key=len, reverse=True):
        out = re.sub(rf"\s*\b{filler}\b", "", out, flags=re.IGNORECASE)
    return out.strip()


def translate_title(title: str, target: str, *, feminine: bool = False) -> str:
    """A known job title in the target language; each part of "Co-Founder & CTO" alone.

    The feminine form is used when the title itself is feminine, or when `feminine` is set
    and the title is the same for both ("Stagiaire").
    """
    parts = _TITLE_SEPARATORS.split(title)
    return "".join(
        part if index % 2 else _title_part(part, target, feminine)
        for index, part in enumerate(parts)
    )


def _is_feminine(title: str) -> bool:
    for part in _TITLE_SEPARATORS.split(title)[::2]:
        match = _title_forms().get(fold(_without_seniority(part)))
        if match is not None and match[1]:
            return True
    return False


def _without_seniority(part: str) -> str:
    return " ".join(word for word in part.split() if fold(word) not in SENIORITY)


def _title_part(part: str, target: str, feminine: bool) -> str:
    seniority = [word for word in part.split() if fold(word) in SENIORITY]
    match = _title_forms().get(fold(_without_seniority(part)))
    if match is None:
        return part
    row, written_feminine = match
    forms = for_language(row, target).split("|")
    translated = forms[-1] if written_feminine or feminine else forms[0]
    if not seniority:
        return translated
    level = " ".join(seniority)
    if target in ("fr", "es"):
        return f"{translated} {level.lower()}"
    return f"{level[:1].upper()}{level[1:]} {translated}"


@functools.cache
def _title_forms() -> dict[str, tuple[tuple[str, str, str, str], bool]]:
    """Every spelling of every title, folded, with its row and whether it is feminine."""
    forms: dict[str, tuple[tuple[str, str, str, str], bool]] = {}
    for row in TITLES:
        for cell in row:
            masculine, _, feminine = cell.partition("|")
            forms.setdefault(fold(masculine), (row, False))
            if feminine:
                forms.setdefault(fold(feminine), (row, True))
    by_english = {row[0]: row for row in TITLES}
    for spelling, (english, is_feminine) in TITLE_SPELLINGS.items():
        forms.setdefault(spelling, (by_english[english], is_feminine))
    return forms


@functools.cache
def _degree_forms() -> dict[str, tuple[str, ...]]:
    forms: dict[str, tuple[str, ...]] = {}
    for row, spellings in DEGREES:
        for spelling in (*(fold(cell) for cell in row), *spellings):
            forms.setdefault(spelling, row)
    return forms


@functools.cache
def _field_forms() -> dict[str, tuple[str, ...]]:
    return {fold(cell): row for row in FIELDS_OF_STUDY for cell in row}


def _lookup(text: str, forms: dict[str, tuple[str, ...]], target: str) -> str:
    row = forms.get(fold(text).strip())
    return for_language(row, target) if row else text


def _extra_name(name: str, target: str) -> str:
    prefix, colon, rest = name.partition(":")
    if colon and prefix in EXTRA_PREFIXES and rest.strip():
        spacing = " : " if target == "fr" else ": "
        return for_language(EXTRA_PREFIXES[prefix], target) + spacing + rest.strip()
    kind = heading_kind(name)
    if kind not in EXTRA_NAMES:
        return name
    translated = for_language(EXTRA_NAMES[kind], target)
    return translated.upper() if name.isupper() else translated


def _free_text(text: str, target: str) -> str:
    """Only the date words of a sentence: "since Jan 2020" -> "since janv. 2020"."""
    if not text:
        return text

    def month(match: re.Match[str]) -> str:
        number = MONTHS[match.group("m")]
        return f"{MONTH_NAMES[target][number - 1]} {match.group('y')}"

    def present(match: re.Match[str]) -> str:
        return text[match.start("d") : match.end("d")] + PRESENT_NAMES[target]

    text = _replace_folded(_MONTH_BEFORE_YEAR, text, month)
    return _replace_folded(_PRESENT_AFTER_DATE, text, present)


def _replace_folded(
    pattern: re.Pattern[str], text: str, replace: Callable[[re.Match[str]], str]
) -> str:
    # Match on the folded text (same length as the original) and splice into the original.
    out, last = [], 0
    for match in pattern.finditer(fold(text)):
        out += [text[last : match.start()], replace(match)]
        last = match.end()
    out.append(text[last:])
    return "".join(out)
