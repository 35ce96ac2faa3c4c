"""CV tailoring to a job offer without a language model, and the guard against invented facts.

Tailoring only selects, reorders and re-emphasises what the CV already says: it never writes a
new fact. Every difference from the source is listed as a change the user can review. A change's
`path` points into the tailored CV, except for removals, whose path is the item's place in the
source CV (it no longer exists in the result).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ai.offline.facts import (
    SENIORITY_WORDS,
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
    title_tokens,
    today_utc,
)
from ai.offline.phrases import REASONS, TAILORED_SUMMARY
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
MAX_SUMMARY_SKILLS = 4
MAX_SUMMARY_ROLES = 2
MIN_SHARED_SKILLS = 2  # required skills the CV shows before the summary is rewritten
MAX_KEPT_SUMMARY_SENTENCES = 2  # of the CV's own, after the rewritten opening
MAX_ADDED_SKILLS = 8
MAX_QUOTE = 100
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
# Gender marks of job ads ("(m/w/d)", "H/F", "Développeur(se)", "Entwickler*in"): not a title.
_GENDER_MARKS = re.compile(
    r"\s*[(\[]\s*[mwfhdx](?:\s*[/|,]\s*[mwfhdx])+\s*[)\]]"
    r"|\s+[-–]?\s*\b[mwfhdx](?:\s*/\s*[mwfhdx])+\b"
    r"|\((?:e|se|ne|euse|rice|trice|ice|le|fe|in|innen|a|o)\)"
    r"|[*:/·.](?:e|se|ne|euse|rice|in|innen|a)\b",
    re.IGNORECASE,
)
# Where an offer skill found outside the skills section comes from, best evidence first.
_EVIDENCE_KINDS = ("experience", "project", "extra", "summary")


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
    # (vocabulary name, the offer's wording, skills category, rank) of each skill it asks for
    asked: tuple[tuple[str, str, str, int], ...] = ()


@dataclass(frozen=True, slots=True)
class _Evidence:
    kind: str  # one of _EVIDENCE_KINDS
    where: str
    text: str


def _keys(name: str, *, lenient: bool = True) -> list[str]:
    canonical = canonical_skill(name) if lenient else None
    names = [canonical] if canonical else skill_names(name, lenient=lenient)
    return [key for found in names for key in (found, *implied_skills(found))]


def _offer_profile(offer: Mapping[str, Any]) -> _Offer:
    skills = as_dict(offer.get("skills"))
    priority: dict[str, int] = {}
    asked: dict[str, tuple[str, str, str, int]] = {}
    for kind, rank in (("required", 0), ("nice_to_have", 1)):
        for category in ("hard_skills", "tools", "methodologies"):
            for name in as_list(as_dict(skills.get(category)).get(kind)):
                keys = _offer_keys(as_text(name))
                if len(keys) == 1 and not keys[0].startswith("~"):
                    asked.setdefault(keys[0], (keys[0], as_text(name), category, rank))
                for key in keys:
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
    return _Offer(
        as_text(offer.get("title")),
        priority,
        _content_words(text),
        domains,
        tuple(sorted(asked.values(), key=lambda a: a[3])),
    )


def _direct_skills(text: str, *, is_name: bool) -> set[str]:
    """Vocabulary skills a text names itself (not the broader ones they imply)."""
    if is_name:
        canonical = canonical_skill(text)
        return {canonical} if canonical else set(skill_names(text, lenient=True))
    return set(skill_names(text))


def _quote(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MAX_QUOTE else text[: MAX_QUOTE - 1].rstrip() + "…"


def offer_headline(title: str, cv_titles: list[str]) -> str:
    """The offer's title as a CV headline: its own wording, without gender marks, and without a
    seniority word ("Senior") that none of the CV's titles uses."""
    cleaned = _GENDER_MARKS.sub("", title)
    known = {w for t in cv_titles for w in _WORD.findall(fold(t))}
    words = [
        w for w in cleaned.split()
        if not (fold(w.strip(",.-()")) in SENIORITY_WORDS and fold(w.strip(",.-()")) not in known)
    ]  # fmt: skip
    return " ".join(words).strip(" -–,/|")


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


def line_relevance(lines: list[str], offer: Mapping[str, Any]) -> list[int]:
    """How much each line speaks to the offer, as tailoring ranks lines: 3 for each offer
    skill it names, 1 for each other word it shares with the offer's title and tasks."""
    profile = _offer_profile(offer)
    return [_relevance(line, profile) for line in lines]


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
        evidenced = self.title()
        self.summary(evidenced)
        return TailorResult(self.cv, self.changes)

    def skills(self) -> None:
        skills = self.cv.get("skills")
        if not isinstance(skills, dict):
            return
        added = self.evidenced_skills(skills)
        for category in SKILL_CATEGORIES:
            items = as_list(skills.get(category))
            if items or added.get(category):
                skills[category] = self.skill_list(
                    items, f"skills.{category}", added.get(category, [])
                )

    def evidenced_skills(self, skills: Mapping[str, Any]) -> dict[str, list[tuple[Any, int, str]]]:
        """Skills the offer asks for that the CV shows outside its skills section, as
        {category: [(new item, rank, reason)]}: never one the CV does not show."""
        if not self.offer.asked:
            return {}
        present = {
            key
            for category in SKILL_CATEGORIES
            for item in as_list(skills.get(category))
            for key in _keys(skill_item_name(item))
        }
        wanted = [a for a in self.offer.asked if a[0] not in present]
        if not wanted:
            return {}
        found: dict[str, _Evidence] = {}
        for text, is_name in self.evidence_texts():
            for key in _direct_skills(text.text, is_name=is_name):
                found.setdefault(key, text)
        added: dict[str, list[tuple[Any, int, str]]] = {}
        count = 0
        for key, name, category, rank in wanted:
            evidence = found.get(key)
            if evidence is None or count >= MAX_ADDED_SKILLS:
                continue
            item: Any = name if category == "methodologies" else {"name": name, "proficiency": None}
            reason = REASONS[self.language][f"skill_from_{evidence.kind}"].format(
                where=evidence.where, text=_quote(evidence.text)
            )
            added.setdefault(category, []).append((item, rank, reason))
            count += 1
        return added

    def evidence_texts(self) -> Iterator[tuple[_Evidence, bool]]:
        """The CV's texts outside its skills section, best evidence first: recent jobs, then
        projects, additional information and the summary. True marks a skill-list item."""
        jobs = as_list(self.source.get("experience"))
        for i in sorted(range(len(jobs)), key=lambda i: self.recency(jobs[i], i)):
            job = as_dict(jobs[i])
            where = self.role(job)
            for key in ("skills_used", "responsibilities", "deliverables", "description"):
                for line in as_list(job.get(key)) if key != "description" else [job.get(key)]:
                    if as_text(line):
                        yield _Evidence("experience", where, as_text(line)), key == "skills_used"
        for project in as_list(self.source.get("projects")):
            project = as_dict(project)
            where = as_text(project.get("name"))
            for line in as_list(project.get("tech_stack")):
                if as_text(line):
                    yield _Evidence("project", where, as_text(line)), True
            for key in ("role", "summary"):
                if as_text(project.get(key)):
                    yield _Evidence("project", where, as_text(project.get(key))), False
        for extra in as_list(self.source.get("extras")):
            extra = as_dict(extra)
            name = as_text(extra.get("name"))
            for text in (name, as_text(extra.get("summary"))):
                if text:
                    yield _Evidence("extra", name, text), False
        description = as_text(as_dict(self.source.get("summary")).get("description"))
        for sentence in _SENTENCE_END.split(description) if description else []:
            yield _Evidence("summary", "", sentence), False

    def role(self, job: Mapping[str, Any]) -> str:
        """ "Backend Developer at Beta Payments", in the CV's language."""
        title, company = as_text(job.get("title")), as_text(job.get("company"))
        if title and company:
            return TAILORED_SUMMARY[self.language]["role"].format(title=title, company=company)
        return title or company

    def skill_list(
        self,
        items: list[Any],
        path: str,
        added: list[tuple[Any, int, str]] = [],  # noqa: B006
    ) -> list[Any]:
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
        result = [items[i] for i in order]
        result_ranks = [ranks[i] for i in order]
        # Each new skill goes after the listed ones of the same or a higher priority; positions
        # only grow, so an earlier addition's path stays right.
        for item, rank, reason in sorted(added, key=lambda a: a[1]):
            position = sum(1 for r in result_ranks if r is not None and r <= rank)
            result.insert(position, item)
            result_ranks.insert(position, rank)
            self.changes.append(
                {
                    "section": "skills",
                    "path": f"{path}[{position}]",
                    "change_type": "added",
                    "before": None,
                    "after": copy.deepcopy(item),
                    "reason": reason,
                }
            )
        return result

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
        # Jobs related to the offer come first, each group most recent first.
        relevant = {i: not isinstance(jobs[i], dict) or self.job_is_relevant(jobs[i]) for i in kept}
        by_relevance = sorted(kept, key=lambda i: not relevant[i])
        reason = "experience_reordered" if by_relevance == kept else "experience_relevant_first"
        kept = by_relevance
        if kept != sorted(kept):
            self.record("experience", "reordered", [_label(jobs[i]) for i in sorted(kept)],
                        [_label(jobs[i]) for i in kept], reason)  # fmt: skip
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
        projects = as_list(self.cv.get("projects"))
        scores = [_relevance("\n".join(_strings(p)), self.offer) for p in projects]
        order = sorted(range(len(projects)), key=lambda i: (-scores[i], i))
        names = [as_text(as_dict(p).get("name")) for p in projects]
        if order != list(range(len(projects))) and all(names):
            self.cv["projects"] = [projects[i] for i in order]
            self.record("projects", "reordered", names, [names[i] for i in order],
                        "projects_reordered")  # fmt: skip
        for n, project in enumerate(as_list(self.cv.get("projects"))):
            if isinstance(project, dict) and len(as_list(project.get("tech_stack"))) > 1:
                project["tech_stack"] = self.reorder_lines(
                    project["tech_stack"], f"projects[{n}].tech_stack", names=True
                )

    def title(self) -> bool:
        """The headline: the offer's title when the CV shows that role, else the CV's own title
        closest to it. True when it is (or already was) the offer's title."""
        header = self.cv.get("header")
        if not isinstance(header, dict) or not self.offer.title:
            return False
        current = as_text(header.get("current_title"))
        if self.offer_title(header, current):
            return True
        best, best_score = None, title_closeness(self.offer.title, current)
        for job in as_list(self.cv.get("experience")):
            title = as_text(as_dict(job).get("title"))
            score = title_closeness(self.offer.title, title)
            if score >= CLOSE_TITLE and score > best_score:
                best, best_score = title, score
        if best and fold(best) != fold(current):
            header["current_title"] = best
            self.record("header.current_title", "modified", current, best, "title")
        return False

    def offer_title(
        self, header: dict[str, Any], current: str, *, from_source: bool = False
    ) -> bool:
        """Take the offer's title when a CV title names the same role, or a job's title shares
        its role and the job's own lines name the rest ("Software Engineer" whose job is the
        "Backend team" for a "Backend Engineer"). The jobs are the tailored CV's, or with
        `from_source` the source's, most recent first (another engine rewrote the others)."""
        cv = self.source if from_source else self.cv
        jobs = [as_dict(job) for job in as_list(cv.get("experience"))]
        if from_source:
            jobs = [
                jobs[i] for i in sorted(range(len(jobs)), key=lambda i: self.recency(jobs[i], i))
            ]
        headline = offer_headline(
            self.offer.title, [current, *(as_text(job.get("title")) for job in jobs)]
        )
        wanted = title_tokens(headline)
        if not wanted or _NUMBER.search(headline):
            return False
        if fold(headline) == fold(current):
            return True
        reason: tuple[str, dict[str, str]] | None = None
        if wanted <= title_tokens(current):
            reason = ("title_offer_current", {"title": current})
        for job in jobs:
            if reason is not None:
                break
            own = title_tokens(as_text(job.get("title")))
            if wanted <= own:
                reason = ("title_offer", {"role": self.role(job)})
            elif len(wanted & own) * 2 >= len(wanted):
                missing, quotes = wanted - own, []
                for line in _job_texts(job):
                    found = missing & title_tokens(line)
                    if found and line != as_text(job.get("title")):
                        missing -= found
                        quotes.append(_quote(line))
                if not missing:
                    evidence = " / ".join(quotes)
                    reason = ("title_offer_terms", {"role": self.role(job), "evidence": evidence})
        if reason is None:
            return False
        header["current_title"] = headline
        self.record("header.current_title", "modified", current, headline, reason[0], **reason[1])
        return True

    def summary(self, evidenced_title: bool = False) -> None:
        summary = self.cv.get("summary")
        description = as_text(as_dict(summary).get("description"))
        if self.rewrite_summary(description, evidenced_title):
            return
        if description:
            self.select_sentences(description)
        else:
            self.compose_summary()

    def offer_skills_shown(self) -> list[str]:
        """Names of the tailored CV's skills the offer asks for, required ones first."""
        skills = as_dict(self.cv.get("skills"))
        ranked = [
            (rank, n, skill_item_name(item))
            for category in ("hard_skills", "tools", "methodologies")
            for item in as_list(skills.get(category))
            if (rank := _skill_rank(skill_item_name(item), self.offer)) is not None
            for n in [0]
        ]
        names = [name for _, _, name in sorted(ranked, key=lambda r: r[0])]
        return list(dict.fromkeys(names))[:MAX_SUMMARY_SKILLS]

    def rewrite_summary(self, description: str, evidenced_title: bool) -> bool:
        """A summary led by what the offer asks for, built only from the CV's facts: its
        headline, years of experience from its dates, the offer's skills it shows and its
        most relevant roles, then its own sentences closest to the offer."""
        skills = self.offer_skills_shown()
        # Named by the offer itself, not only implied (PostgreSQL for SQL).
        required = [n for n in skills if self.offer.priority.get(canonical_skill(n) or "") == 0]
        # One skill in common is not enough to retell the CV around this offer.
        if len(required) < MIN_SHARED_SKILLS and not evidenced_title:
            return False
        words = TAILORED_SUMMARY[self.language]
        parts = self.opening(words)
        if skills:
            parts.append(words["skills"].format(skills=self.join(skills)))
        jobs = [as_dict(job) for job in as_list(self.cv.get("experience"))]
        relevant = [job for job in jobs if self.job_is_relevant(job) and self.role(job)]
        roles = list(dict.fromkeys(self.role(job) for job in relevant))[:MAX_SUMMARY_ROLES]
        if roles:
            parts.append(words["roles"].format(roles=self.join(roles)))
        if description:
            own = _SENTENCE_END.split(description)
            scores = [_relevance(sentence, self.offer) for sentence in own]
            best = sorted((i for i in range(len(own)) if scores[i]), key=lambda i: -scores[i])
            parts += [own[i] for i in best[:MAX_KEPT_SUMMARY_SENTENCES]]
        after = " ".join(parts)
        if not after or after == description:
            return False
        probe = {**self.cv, "summary": {**as_dict(self.cv.get("summary")), "description": after}}
        if invented_facts(self.source, probe, today=self.today):
            return False  # never: every part comes from the CV, but the guard costs little
        if not isinstance(self.cv.get("summary"), dict):
            self.cv["summary"] = {}
        self.cv["summary"]["description"] = after
        change_type = "modified" if description else "added"
        self.record("summary.description", change_type, description, after, "summary_rewritten")
        return True

    def opening(self, words: Mapping[str, str]) -> list[str]:
        title = as_text(as_dict(self.cv.get("header")).get("current_title"))
        if not title:
            return []
        years = experience_years(self.cv, today=self.today)
        template = words["years"] if years > 1 else words["year"] if years == 1 else words["bare"]
        return [template.format(title=title, years=years)]

    def join(self, names: list[str]) -> str:
        if len(names) < 2:
            return "".join(names)
        return f"{', '.join(names[:-1])} {TAILORED_SUMMARY[self.language]['and']} {names[-1]}"

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
        """A missing summary for an offer the CV shows nothing of: its title and years."""
        parts = self.opening(TAILORED_SUMMARY[self.language])
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


def tailor_headline_and_skills(
    source: Mapping[str, Any],
    tailored: Mapping[str, Any],
    offer: Mapping[str, Any],
    *,
    today: date | None = None,
) -> TailorResult:
    """`tailored` (a CV another engine tailored from `source`) with the offer's title as its
    headline when the CV shows that role, and the skills the offer asks for that the source
    shows outside its skills section added at the end of their list, each as a change."""
    tailor = _Tailor(source, offer, today or today_utc())
    tailor.cv = copy.deepcopy(dict(tailored))
    skills = tailor.cv.get("skills")
    if isinstance(skills, dict):
        for category, added in tailor.evidenced_skills(skills).items():
            items = skills[category] = as_list(skills.get(category))
            for item, _, reason in added:
                tailor.changes.append(
                    {"section": "skills", "path": f"skills.{category}[{len(items)}]",
                     "change_type": "added", "before": None, "after": copy.deepcopy(item),
                     "reason": reason}
                )  # fmt: skip
                items.append(item)
    header = tailor.cv.get("header")
    if isinstance(header, dict) and tailor.offer.title:
        tailor.offer_title(header, as_text(header.get("current_title")), from_source=True)
    return TailorResult(tailor.cv, tailor.changes)


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
    # Durations computed from dates are facts as long as the dates are (checked as numbers).
    derived = {years for cv in (source_cv, result_cv) for years in _derived_years(cv, today)}
    found |= unknown_literals(
        "\n".join(_strings(result_cv)), "\n".join(_strings(source_cv)), derived
    )
    return sorted(found)


def unknown_literals(text: str, known_text: str, derived_numbers: Iterable[int]) -> set[str]:
    """The numbers, URLs and e-mail addresses of `text` that `known_text` does not state, as
    "kind: value" strings. A number may also be one of `derived_numbers` (durations computed
    from a CV's own dates); "07" and "7" are the same number."""
    numbers = set(_NUMBER.findall(known_text))
    numbers |= {str(int(n)) for n in numbers}
    numbers |= {str(n) for n in derived_numbers}
    found = {
        f"number: {n}"
        for n in _NUMBER.findall(text)
        if n not in numbers and str(int(n)) not in numbers
    }
    urls = {_url_key(u) for u in _URL.findall(known_text)}
    found |= {f"url: {u}" for u in _URL.findall(text) if _url_key(u) not in urls}
    emails = {e.lower() for e in _EMAIL.findall(known_text)}
    found |= {f"email: {e}" for e in _EMAIL.findall(text) if e.lower() not in emails}
    return found


def _derived_years(cv: Mapping[str, Any], today: date) -> set[int]:
    """Whole years of experience, overall and per job, computed from the CV's own dates."""
    years = {experience_years(cv, today=today), experience_months(cv, today=today) // 12}
    for job in as_list(cv.get("experience")):
        span = experience_span(as_dict(job), today=today)
        if span is not None:
            years.add((span[1] - span[0]) // 12)
    return years
