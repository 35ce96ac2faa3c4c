"""CV tailoring to a job offer without a language model, and the guard against invented facts.

Tailoring only selects, reorders and re-emphasises what the CV already says: it never writes a
new fact. Every difference from the source is listed as a change the user can review. A change's
`path` points into the tailored CV, except for removals, whose path is the item's place in the
source CV (it no longer exists in the result).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ai.offline.facts import (
    as_dict,
    as_list,
    as_text,
    experience_months,
    experience_span,
    experience_years,
    is_current,
    month_index,
    skill_item_name,
    title_closeness,
    title_coverage,
    today_utc,
)
from ai.offline.phrases import REASONS, SUMMARY_TEMPLATES
from ai.offline.vocabulary import (
    SKILL_DOMAINS,
    canonical_skill,
    fold,
    implied_skills,
    skill_names,
)

MAX_SKILLS_PER_CATEGORY = 12
OLD_EXPERIENCE_YEARS = 10
MIN_KEPT_EXPERIENCES = 2
MAX_SUMMARY_SENTENCES = 4
MAX_SUMMARY_SKILLS = 3
CLOSE_TITLE = 0.6
RELEVANT_TITLE_COVERAGE = 0.5
SKILL_WEIGHT = 3  # an offer skill in a line counts more than a shared word
MIN_WORD_LENGTH = 5
MIN_JOB_RELEVANCE = 2  # one shared word ("customers") is chance; a skill scores 3
STOPWORDS = frozenset(
    {
        "about", "their", "there", "these", "those", "which", "while", "where", "with", "within",
        "without", "would", "could", "should", "other", "after", "before", "under", "between",
        "using", "through", "dans", "avec", "pour", "sans", "sont", "leurs", "notre", "votre",
        "entre", "aussi", "comme", "cette", "selon", "durch", "unter", "einer", "eines", "einem",
        "nicht", "sowie", "ihrer", "unsere", "werden", "desde", "sobre", "hasta", "para",
        "nuestro", "nuestra", "tambien", "como"
    }
)  # fmt: skip
SKILL_CATEGORIES = ("hard_skills", "tools", "methodologies", "soft_skills")
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+(?=[A-ZÀ-ÖØ-Þ(\"“«¿¡0-9])")
_WORD = re.compile(r"[^\W\d_]+")
_NUMBER = re.compile(r"\d+")
_URL = re.compile(r"(?:https?://|www\.)[^\s<>\"'()\[\]]+", re.IGNORECASE)
# The lookbehind starts a match only at the start of a run of address characters: without
# it, a long run with no "@" (1 MB from a broken model) costs quadratic time.
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


@dataclass(slots=True)
class TailorResult:
    cv: dict[str, Any]
    changes: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _Offer:
    title: str
    priority: Mapping[str, int]  # skill key -> 0 when required, 1 when nice to have or soft
    words: frozenset[str]
    domains: frozenset[str]


def _keys(name: str, *, lenient: bool = True) -> list[str]:
    canonical = canonical_skill(name) if lenient else None
    names = [canonical] if canonical else skill_names(name, lenient=lenient)
    return [key for found in names for key in (found, *implied_skills(found))]


def _offer_profile(offer: Mapping[str, Any]) -> _Offer:
    skills = as_dict(offer.get("skills"))
    priority: dict[str, int] = {}
    for kind, rank in (("required", 0), ("nice_to_have", 1)):
        for category in ("hard_skills", "tools", "methodologies"):
            for name in as_list(as_dict(skills.get(category)).get(kind)):
                for key in _offer_keys(as_text(name)):
                    priority.setdefault(key, rank)
                    # An offer asking for Django REST Framework makes Django relevant too.
                    for implied in implied_skills(key):
                        priority.setdefault(implied, rank)
    for name in as_list(skills.get("soft_skills")):
        for key in _offer_keys(as_text(name)):
            priority.setdefault(key, 1)
    text = " ".join(
        [as_text(offer.get("title"))] + [as_text(r) for r in as_list(offer.get("responsibilities"))]
    )
    domains = frozenset(SKILL_DOMAINS[key] for key in priority if key in SKILL_DOMAINS)
    return _Offer(as_text(offer.get("title")), priority, _content_words(text), domains)


def _offer_keys(name: str) -> list[str]:
    """Vocabulary names for an offer skill, or "~words" for a skill the vocabulary lacks."""
    if not name:
        return []
    canonical = canonical_skill(name)
    if canonical:
        return [canonical]
    return skill_names(name, lenient=True) or [f"~{fold(name)}"]


def _content_words(text: str) -> frozenset[str]:
    return frozenset(
        w for w in _WORD.findall(fold(text)) if len(w) >= MIN_WORD_LENGTH and w not in STOPWORDS
    )


def _relevance(text: str, offer: _Offer) -> int:
    """How much a line speaks to the offer: its skills, then the words it shares."""
    keys = set(_keys(text, lenient=False))
    folded = fold(text)
    # Offer skills outside the vocabulary are matched as plain words.
    keys |= {
        key
        for key in offer.priority
        if key.startswith("~") and re.search(rf"(?<!\w){re.escape(key[1:])}(?!\w)", folded)
    }
    return SKILL_WEIGHT * len(keys & offer.priority.keys()) + len(
        _content_words(text) & offer.words
    )


def _skill_rank(name: str, offer: _Offer) -> int | None:
    ranks = [offer.priority[key] for key in _keys(name) if key in offer.priority]
    literal = f"~{fold(name.strip())}"
    if literal in offer.priority:
        ranks.append(offer.priority[literal])
    return min(ranks) if ranks else None


class _Tailor:
    def __init__(self, source: Mapping[str, Any], offer: Mapping[str, Any], today: date) -> None:
        self.source = source
        self.cv: dict[str, Any] = copy.deepcopy(dict(source))
        self.offer = _offer_profile(offer)
        self.today = today
        language = as_text(source.get("language"))
        self.language = language if language in REASONS else "en"
        self.changes: list[dict[str, Any]] = []

    def record(
        self, path: str, change_type: str, before: Any, after: Any, reason: str, **values: Any
    ) -> None:
        self.changes.append(
            {
                "section": re.split(r"[.\[]", path, maxsplit=1)[0],
                "path": path,
                "change_type": change_type,
                "before": before,
                "after": after,
                "reason": REASONS[self.language][reason].format(**values),
            }
        )

    def run(self) -> TailorResult:
        self.skills()
        self.experience()
        self.projects()
        self.title()
        self.summary()
        return TailorResult(self.cv, self.changes)

    def skills(self) -> None:
        skills = self.cv.get("skills")
        if not isinstance(skills, dict):
            return
        for category in SKILL_CATEGORIES:
            items = as_list(skills.get(category))
            if items:
                skills[category] = self.skill_list(items, f"skills.{category}")

    def skill_list(self, items: list[Any], path: str) -> list[Any]:
        names = [skill_item_name(item) for item in items]
        ranks = [_skill_rank(name, self.offer) for name in names]
        dropped: set[int] = set()
        excess = len(items) - MAX_SKILLS_PER_CATEGORY
        if excess > 0:
            # Only skills of a domain the offer does not touch go, the CV's last ones first.
            unrelated = [
                i for i, rank in enumerate(ranks) if rank is None and self.other_domain(names[i])
            ]
            dropped = set(unrelated[len(unrelated) - min(excess, len(unrelated)) :])
            for i in sorted(dropped):
                self.record(
                    f"{path}[{i}]", "removed", copy.deepcopy(items[i]), None, "skill_removed"
                )
        kept = [i for i in range(len(items)) if i not in dropped]
        order = sorted(kept, key=lambda i: (ranks[i] is None, ranks[i] or 0, i))
        if order != kept:
            self.record(path, "reordered", [names[i] for i in kept], [names[i] for i in order],
                        "skills_reordered")  # fmt: skip
        return [items[i] for i in order]

    def other_domain(self, name: str) -> bool:
        """True for a known skill of a field the offer does not touch (Photography for a
        backend job). Unknown skills, office tools and soft skills are never judged."""
        domain = SKILL_DOMAINS.get(canonical_skill(name) or "")
        return domain is not None and bool(self.offer.domains) and domain not in self.offer.domains

    def reorder_lines(self, lines: list[Any], path: str, *, names: bool = False) -> list[Any]:
        if names:
            ranks = [_skill_rank(as_text(line), self.offer) for line in lines]
            order = sorted(range(len(lines)), key=lambda i: (ranks[i] is None, ranks[i] or 0, i))
        else:
            scores = [_relevance(as_text(line), self.offer) for line in lines]
            order = sorted(range(len(lines)), key=lambda i: (-scores[i], i))
        if order == list(range(len(lines))):
            return lines
        reordered = [lines[i] for i in order]
        self.record(path, "reordered", list(lines), list(reordered), "items_reordered")
        return reordered

    def experience(self) -> None:
        jobs = as_list(self.cv.get("experience"))
        if not jobs:
            return
        order = sorted(range(len(jobs)), key=lambda i: self.recency(jobs[i], i))
        cutoff = (self.today.year - OLD_EXPERIENCE_YEARS) * 12 + self.today.month
        kept = list(order)
        for i in reversed(order[1:]):
            job = as_dict(jobs[i])
            end = month_index(job.get("end_date"), today=self.today, is_end=True)
            if (
                len(kept) > MIN_KEPT_EXPERIENCES
                and not is_current(job)
                and end is not None
                and end <= cutoff
                and not self.job_is_relevant(job)
            ):
                kept.remove(i)
                self.record(f"experience[{i}]", "removed", copy.deepcopy(jobs[i]), None,
                            "experience_removed", years=OLD_EXPERIENCE_YEARS)  # fmt: skip
        if kept != sorted(kept):
            self.record("experience", "reordered", [_label(jobs[i]) for i in sorted(kept)],
                        [_label(jobs[i]) for i in kept], "experience_reordered")  # fmt: skip
        self.cv["experience"] = [jobs[i] for i in kept]
        for n, job in enumerate(self.cv["experience"]):
            if not isinstance(job, dict):
                continue
            for key, names in (("responsibilities", False), ("deliverables", False),
                               ("skills_used", True)):  # fmt: skip
                lines = as_list(job.get(key))
                if len(lines) > 1:
                    job[key] = self.reorder_lines(lines, f"experience[{n}].{key}", names=names)

    def recency(self, job: Any, index: int) -> tuple[int, int, int, int]:
        job = as_dict(job)
        start = month_index(job.get("start_date"), today=self.today, is_end=False) or 0
        end = month_index(job.get("end_date"), today=self.today, is_end=True) or start
        return (0 if is_current(job) else 1, -end, -start, index)

    def job_is_relevant(self, job: Mapping[str, Any]) -> bool:
        """An offer skill, a close title or a few of the offer's words keep an old job."""
        if title_coverage(self.offer.title, as_text(job.get("title"))) >= RELEVANT_TITLE_COVERAGE:
            return True
        text = "\n".join(_job_texts(job))
        return _relevance(text, self.offer) >= MIN_JOB_RELEVANCE

    def projects(self) -> None:
        for n, project in enumerate(as_list(self.cv.get("projects"))):
            if isinstance(project, dict) and len(as_list(project.get("tech_stack"))) > 1:
                project["tech_stack"] = self.reorder_lines(
                    project["tech_stack"], f"projects[{n}].tech_stack", names=True
                )

    def title(self) -> None:
        header = self.cv.get("header")
        if not isinstance(header, dict) or not self.offer.title:
            return
        current = as_text(header.get("current_title"))
        best, best_score = None, title_closeness(self.offer.title, current)
        for job in as_list(self.cv.get("experience")):
            title = as_text(as_dict(job).get("title"))
            score = title_closeness(self.offer.title, title)
            if score >= CLOSE_TITLE and score > best_score:
                best, best_score = title, score
        if best and fold(best) != fold(current):
            header["current_title"] = best
            self.record("header.current_title", "modified", current, best, "title")

    def summary(self) -> None:
        summary = self.cv.get("summary")
        description = as_text(as_dict(summary).get("description"))
        if description:
            self.select_sentences(description)
        else:
            self.compose_summary()

    def select_sentences(self, description: str) -> None:
        sentences = _SENTENCE_END.split(description)
        if len(sentences) < 2:
            return
        # The opening sentence usually introduces the person; it keeps its place.
        first, rest = sentences[0], sentences[1:]
        scores = [_relevance(sentence, self.offer) for sentence in rest]
        if not any(scores):
            return
        order = sorted(range(len(rest)), key=lambda i: (-scores[i], i))
        while len(order) + 1 > MAX_SUMMARY_SENTENCES and scores[order[-1]] == 0:
            order.pop()
        if order == list(range(len(rest))):
            return
        after = " ".join([first] + [rest[i] for i in order])
        reason = "summary_selected" if len(order) < len(rest) else "summary_reordered"
        self.cv["summary"]["description"] = after
        self.record("summary.description", "modified", description, after, reason)

    def compose_summary(self) -> None:
        title = as_text(as_dict(self.cv.get("header")).get("current_title"))
        years = experience_years(self.cv, today=self.today)
        skills = as_dict(self.cv.get("skills"))
        matching = [
            skill_item_name(item)
            for category in ("hard_skills", "tools")
            for item in as_list(skills.get(category))
            if _skill_rank(skill_item_name(item), self.offer) is not None
        ][:MAX_SUMMARY_SKILLS]
        several, one, bare, skills_line = SUMMARY_TEMPLATES[self.language]
        parts = []
        if title:
            template = several if years > 1 else one if years == 1 else bare
            parts.append(template.format(title=title, years=years))
        if matching:
            parts.append(skills_line.format(skills=", ".join(matching)))
        if not parts:
            return
        text = " ".join(parts)
        if not isinstance(self.cv.get("summary"), dict):
            self.cv["summary"] = {}
        self.cv["summary"]["description"] = text
        self.record("summary.description", "added", "", text, "summary_added")


def _label(job: Any) -> str:
    job = as_dict(job)
    return (
        f"{as_text(job.get('title'))} — {as_text(job.get('company'))} "
        f"({as_text(job.get('start_date'))} – {as_text(job.get('end_date'))})"
    )


def _job_texts(job: Mapping[str, Any]) -> Iterator[str]:
    for key in ("title", "description"):
        yield as_text(job.get(key))
    for key in ("responsibilities", "deliverables", "skills_used"):
        yield from (as_text(line) for line in as_list(job.get(key)))


def tailor_cv(
    cv: Mapping[str, Any], offer: Mapping[str, Any], *, today: date | None = None
) -> TailorResult:
    """The CV reordered and trimmed for `offer`, and the list of changes made."""
    return _Tailor(cv, offer, today or today_utc()).run()


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, bool) or value is None:
        return
    elif isinstance(value, int | float):
        yield str(value)
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)


def _names(cv: Mapping[str, Any], section: str, *keys: str) -> list[str]:
    return [
        as_text(as_dict(item).get(key))
        for item in as_list(cv.get(section))
        for key in keys
        if as_text(as_dict(item).get(key))
    ]


def _url_key(url: str) -> str:
    url = re.sub(r"^(?:https?://)?(?:www\.)?", "", url.strip().rstrip(".,;:!?").lower())
    return url.rstrip("/")


def invented_facts(
    source_cv: Mapping[str, Any], result_cv: Mapping[str, Any], *, today: date | None = None
) -> list[str]:
    """Employers, schools, extras, numbers, URLs and emails in `result_cv` that `source_cv` does
    not have. Numbers may also be durations computed from the source's own dates."""
    today = today or today_utc()
    found: set[str] = set()
    for kind, section, keys in (
        ("employer", "experience", ("company", "department_or_client")),
        ("school", "education", ("institution",)),
        ("extra", "extras", ("name",)),
    ):
        known = {fold(name) for name in _names(source_cv, section, *keys)}
        found |= {f"{kind}: {n}" for n in _names(result_cv, section, *keys) if fold(n) not in known}
    source_text = "\n".join(_strings(source_cv))
    result_text = "\n".join(_strings(result_cv))
    numbers = set(_NUMBER.findall(source_text))
    numbers |= {str(int(n)) for n in numbers}
    # Durations computed from dates are facts as long as the dates are (checked as numbers).
    numbers |= {str(years) for cv in (source_cv, result_cv) for years in _derived_years(cv, today)}
    found |= {
        f"number: {n}"
        for n in _NUMBER.findall(result_text)
        if n not in numbers and str(int(n)) not in numbers
    }
    urls = {_url_key(u) for u in _URL.findall(source_text)}
    found |= {f"url: {u}" for u in _URL.findall(result_text) if _url_key(u) not in urls}
    emails = {e.lower() for e in _EMAIL.findall(source_text)}
    found |= {f"email: {e}" for e in _EMAIL.findall(result_text) if e.lower() not in emails}
    return sorted(found)


def _derived_years(cv: Mapping[str, Any], today: date) -> set[int]:
    """Whole years of experience, overall and per job, computed from the CV's own dates."""
    years = {experience_years(cv, today=today), experience_months(cv, today=today) // 12}
    for job in as_list(cv.get("experience")):
        span = experience_span(as_dict(job), today=today)
        if span is not None:
            years.add((span[1] - span[0]) // 12)
    return years
