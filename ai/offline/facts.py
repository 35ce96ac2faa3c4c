"""Facts read from a CV document: its texts with their paths, experience dates and titles."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from ai.offline.vocabulary import fold

PRESENT_WORDS = frozenset(
    {
        "present", "current", "now", "today", "ongoing", "aujourd'hui", "actuel", "en cours",
        "heute", "bis heute", "aktuell", "actualidad", "actualmente", "presente", "hoy",
    }
)  # fmt: skip
TITLE_STOPWORDS = frozenset(
    {
        "a", "an", "the", "of", "and", "for", "in", "at", "to", "with", "de", "du", "des", "d",
        "la", "le", "les", "l", "et", "en", "pour", "der", "die", "das", "und", "fur", "im",
        "y", "el", "los", "del", "h", "f", "m", "w", "x", "e", "se", "ne", "euse", "rice",
        "ice", "innen", "o", "as",
    }
)  # fmt: skip
SENIORITY_WORDS = frozenset(
    {
        "senior", "junior", "jr", "sr", "lead", "principal", "staff", "head", "chief", "confirme",
        "confirmee", "experimente", "experimentee", "debutant", "debutante", "mid", "level",
        "intermediate", "ii", "iii", "i", "iv",
    }
)  # fmt: skip
# Role words that name the same job in different languages or styles.
ROLE_SYNONYMS = {
    **dict.fromkeys(
        ("developer", "developpeur", "developpeuse", "entwickler", "entwicklerin",
         "desarrollador", "desarrolladora", "programmer", "programmeur", "programmeuse",
         "programador", "programadora", "engineer", "ingenieur", "ingenieure",
         "ingeniero", "ingeniera", "dev", "swe"), "dev"),
    **dict.fromkeys(("manager", "responsable", "gerente", "leiter", "leiterin"), "manager"),
    **dict.fromkeys(("product", "produit", "producto", "produkt"), "product"),
    **dict.fromkeys(("project", "projet", "proyecto", "projekt"), "project"),
    **dict.fromkeys(("data", "donnees", "datos", "daten"), "data"),
    **dict.fromkeys(("designer", "concepteur", "conceptrice", "disenador", "disenadora"),
                    "designer"),
    **dict.fromkeys(("sales", "commercial", "commerciale", "vendeur", "vendeuse", "vertrieb",
                     "ventas", "vendedor", "vendedora"), "sales"),
    **dict.fromkeys(("accountant", "comptable", "buchhalter", "buchhalterin", "contable"),
                    "accountant"),
    **dict.fromkeys(("analyst", "analyste", "analista"), "analyst"),
    **dict.fromkeys(("consultant", "consultante", "consultor", "consultora", "berater",
                     "beraterin"), "consultant"),
    **dict.fromkeys(("software", "logiciel", "logiciels"), "software"),
    **dict.fromkeys(("recruiter", "recruteur", "recruteuse", "reclutador", "reclutadora"),
                    "recruiter"),
}  # fmt: skip
_TITLE_JOINS = (
    (re.compile(r"\bback[\s-]?end\b"), "backend"),
    (re.compile(r"\bfront[\s-]?end\b"), "frontend"),
    (re.compile(r"\bfull[\s-]?stack\b"), "fullstack"),
)
_DATE_RE = re.compile(r"^\s*(\d{4})(?:-(\d{1,2}))?")
_WORD_RE = re.compile(r"[^\W\d_]+")


@dataclass(frozen=True, slots=True)
class CvText:
    path: str
    text: str
    is_name: bool  # a skill-list item ("go", "react"): matched without case/context rules


def today_utc() -> date:
    """Today's date for "present" end dates; month precision makes the time zone irrelevant."""
    return datetime.now(UTC).date()


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def as_dict(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def as_text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def skill_item_name(item: Any) -> str:
    """Skills are {"name", "proficiency"} dicts, but older documents hold plain strings."""
    return as_text(item.get("name")) if isinstance(item, Mapping) else as_text(item)


def iter_cv_texts(cv: Mapping[str, Any]) -> Iterator[CvText]:
    """Every text of the CV that may show a skill or a fact, with its path in the document."""
    header = as_dict(cv.get("header"))
    yield from _texts("header.current_title", header.get("current_title"))
    yield from _texts("summary.description", as_dict(cv.get("summary")).get("description"))
    skills = as_dict(cv.get("skills"))
    for category in ("hard_skills", "tools", "methodologies", "soft_skills"):
        for i, item in enumerate(as_list(skills.get(category))):
            suffix = ".name" if isinstance(item, Mapping) else ""
            yield from _texts(f"skills.{category}[{i}]{suffix}", skill_item_name(item), True)
    for i, job in enumerate(as_list(cv.get("experience"))):
        job = as_dict(job)
        yield from _texts(f"experience[{i}].title", job.get("title"))
        yield from _texts(f"experience[{i}].description", job.get("description"))
        for field in ("responsibilities", "deliverables"):
            for j, line in enumerate(as_list(job.get(field))):
                yield from _texts(f"experience[{i}].{field}[{j}]", line)
        for j, name in enumerate(as_list(job.get("skills_used"))):
            yield from _texts(f"experience[{i}].skills_used[{j}]", name, True)
    for i, project in enumerate(as_list(cv.get("projects"))):
        project = as_dict(project)
        for field in ("name", "role", "summary"):
            yield from _texts(f"projects[{i}].{field}", project.get(field))
        for j, name in enumerate(as_list(project.get("tech_stack"))):
            yield from _texts(f"projects[{i}].tech_stack[{j}]", name, True)
    for i, school in enumerate(as_list(cv.get("education"))):
        school = as_dict(school)
        for field in ("degree", "field_of_study"):
            yield from _texts(f"education[{i}].{field}", school.get(field))
    for i, extra in enumerate(as_list(cv.get("extras"))):
        extra = as_dict(extra)
        for field in ("name", "summary"):
            yield from _texts(f"extras[{i}].{field}", extra.get(field))


def _texts(path: str, value: Any, is_name: bool = False) -> Iterator[CvText]:
    text = as_text(value)
    if text:
        yield CvText(path, text, is_name)


def month_index(value: Any, *, today: date, is_end: bool) -> int | None:
    """Months since year 0 for a CV date; an end date counts its whole month."""
    text = as_text(value)
    if is_end and fold(text) in PRESENT_WORDS:
        return today.year * 12 + today.month
    m = _DATE_RE.match(text)
    if m is None:
        return None
    year = int(m.group(1))
    month = min(max(int(m.group(2)), 1), 12) if m.group(2) else 12 if is_end else 1
    return year * 12 + month - 1 + (1 if is_end else 0)


def experience_span(job: Mapping[str, Any], *, today: date) -> tuple[int, int] | None:
    """[start, end) in months. An unknown end counts one month: never overstate experience."""
    start = month_index(job.get("start_date"), today=today, is_end=False)
    if start is None:
        return None
    end = month_index(job.get("end_date"), today=today, is_end=True)
    end = start + 1 if end is None else end
    return (start, end) if end > start else None


def is_current(job: Mapping[str, Any]) -> bool:
    return fold(as_text(job.get("end_date"))) in PRESENT_WORDS


def merged_months(spans: list[tuple[int, int]]) -> int:
    """Total months covered, counting overlapping jobs once."""
    total, covered_until = 0, None
    for start, end in sorted(spans):
        if covered_until is not None and start < covered_until:
            start = covered_until
        if end > start:
            total += end - start
            covered_until = end
    return total


def experience_months(cv: Mapping[str, Any], *, today: date) -> int:
    spans = [experience_span(as_dict(job), today=today) for job in as_list(cv.get("experience"))]
    return merged_months([span for span in spans if span is not None])


def experience_years(cv: Mapping[str, Any], *, today: date) -> int:
    """Whole years of experience from the CV's dates, rounded down."""
    return experience_months(cv, today=today) // 12


@functools.lru_cache(maxsize=512)
def title_tokens(title: str) -> frozenset[str]:
    folded = fold(title)
    for regex, joined in _TITLE_JOINS:
        folded = regex.sub(joined, folded)
    tokens: set[str] = set()
    for word in _WORD_RE.findall(folded):
        if word in TITLE_STOPWORDS or word in SENIORITY_WORDS:
            continue
        if word.endswith(("entwickler", "entwicklerin")):
            tokens.add("dev")
        tokens.add(ROLE_SYNONYMS.get(word, word))
    return frozenset(tokens)


def title_coverage(offer_title: str, cv_title: str) -> float:
    """Share of the offer title's words that the CV title also has (0..1)."""
    wanted = title_tokens(offer_title)
    return len(wanted & title_tokens(cv_title)) / len(wanted) if wanted else 0.0


def title_closeness(offer_title: str, cv_title: str) -> float:
    """Jaccard similarity of the two titles' words, ignoring seniority (0..1)."""
    a, b = title_tokens(offer_title), title_tokens(cv_title)
    return len(a & b) / len(a | b) if a and b else 0.0
