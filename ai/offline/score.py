"""Match score of a CV against a job offer, from evidence found in the CV. Deterministic.

Every requirement of the offer (skill, experience, degree, language) is checked against the CV's
own text and reported with the lines of the CV that meet it, quoted as the CV says them.
Criteria the offer does not state are "not asked" (`None`) and carry no weight; the total is
`ai.scoring.weighted_total`, also applied to language-model output.

Experience is read from what each job was about (its title, and its lines matched against the
offer's title, tasks and skills), not from years alone, so another occupation scores low.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from ai.offline.facts import (
    CvText,
    as_dict,
    as_list,
    as_text,
    experience_span,
    iter_cv_texts,
    merged_months,
    title_coverage,
    today_utc,
)
from ai.offline.phrases import (
    EXPERIENCE_LABELS,
    LANGUAGE_DISPLAY,
    LANGUAGE_STATES,
    SUGGESTIONS,
)
from ai.offline.vocabulary import (
    LANGUAGE_STOPWORDS,
    canonical_language,
    canonical_skill,
    education_rank,
    field_groups,
    find_skills_in,
    fold,
    implied_skills,
    is_generic_skill,
    neighbour_occupations,
    occupations,
    skill_names,
)
from ai.scoring import (
    WEIGHTS,
    asked_criteria,
    cv_language_rank,
    language_gaps,
    round_half_up,
    unstated_language,
    wanted_rank,
    weighted_total,
)

__all__ = ["WEIGHTS", "score_match", "weighted_total"]

NICE_TO_HAVE_WEIGHT = 0.5
# Below this much requirement weight the soft-skills sub-score is blended with a neutral one,
# so one soft skill read in the offer cannot swing it between 0 and 100.
MIN_EVIDENCE_WEIGHT = 3.0
NEUTRAL_SCORE = 50
PARTIAL_SKILL_CREDIT = 0.5  # most words of a skill outside the vocabulary, in one CV line
LANGUAGE_WEIGHT = 2.0
C2_RANK = 6
LEVEL_YEARS = {"junior": 0, "mid": 2, "senior": 5, "lead": 7}
DEFAULT_TARGET_YEARS = 2
YEARS_SHARE = 0.4  # of the experience score, the rest is how close the closest job is
RELEVANT = 0.5  # a job this relevant counts as related work
LOOSE = 0.0  # a job this relevant or less adds no years
SKILLS_FOR_FULL_RELEVANCE = 4  # offer skills shown in one job that make it fully relevant
WORDS_FOR_FULL_RELEVANCE = 6  # distinct offer words in one job that make it fully relevant
WORDS_SHARE_CAP = 0.8  # words alone never make a job fully relevant
OCCUPATION_MATCH = 1.0  # a CV title of the offer's occupation, in any language or wording
NEIGHBOUR_MATCH = 0.4  # a CV title of a neighbouring occupation (a step up or down, next door)
# An offer naming fewer skills than this says little about them: their coverage leans on
# the experience score for the rest, so one missing tool does not decide the total.
SKILLS_FOR_FULL_WEIGHT = 4.0
DEGREE_STEP_PENALTY = 35
FIELD_MISMATCH_FACTOR = 0.4
NO_DEGREE_SCORE = 20
UNRANKED_DEGREE_SCORE = 50
MAX_SUGGESTIONS = 3
MAX_EVIDENCE = 3
MAX_LISTED = 3
MAX_STRENGTHS = 3  # the ranking of offers shows this many matches and gaps per offer
MAX_GAPS = 3
QUOTE_CHARS = 160
STEM = 6
SKILL_KINDS = {"hard_skills": "hard_skill", "tools": "tool", "methodologies": "methodology"}
_PATH = re.compile(r"^(\w+)(?:\[(\d+)\])?")
_WORD = re.compile(r"[^\W\d_]{3,}")
# Words of any job ad or CV that say nothing about the occupation.
GENERIC_WORDS = frozenset(
    {
        "work", "working", "team", "teams", "experience", "experienced", "years", "year",
        "skills", "skill", "ability", "able", "strong", "good", "excellent", "knowledge",
        "responsible", "responsibilities", "including", "within", "across", "ensure",
        "ensuring", "support", "supporting", "new", "other", "their", "they", "them", "all",
        "can", "must", "may", "not", "also", "such", "well", "more", "high", "level", "key",
        "role", "job", "position", "company", "client", "clients", "customer", "customers",
        "daily", "day", "based", "using", "use", "used", "help", "helping", "part", "full",
        "time", "great", "best", "make", "making", "provide", "providing", "join",
        "looking", "candidate", "required", "requirements", "preferred", "plus", "etc",
        "une", "sur", "par", "travail", "equipe", "equipes", "ans", "annee",
        "competences", "poste", "mission", "missions", "profil", "entreprise",
        "arbeit", "erfahrung", "jahre", "aufgaben", "kenntnisse", "unternehmen",
        "trabajo", "equipo", "experiencia", "anos", "empresa", "clientes", "puesto",
    }
)  # fmt: skip
_STOPWORDS = GENERIC_WORDS.union(*LANGUAGE_STOPWORDS.values())
# A "title" read from a pasted page's navigation (menus, breadcrumbs, sign-in links) names no job.
_NAVIGATION = re.compile(
    r"skip to (?:main )?content|sign in|log in|se connecter|creer un compte|anmelden"
    r"|iniciar sesion|my network|job alert|find a job|trouver un job|offres d'emploi"
)
_CRUMB = re.compile(r"\s[›»>|]\s|\s[›»>|]$")


@dataclass(frozen=True, slots=True)
class _Quote:
    text: str  # the CV's own words
    section: str  # header, summary, skills, experience, projects, education, extras, languages
    source: str  # the employer, school, project or entry the line belongs to ("" for none)

    def as_json(self) -> dict[str, str]:
        return {"quote": self.text, "section": self.section, "source": self.source}


@dataclass(frozen=True, slots=True)
class _Requirement:
    requirement: str
    kind: str
    required: bool
    weight: float
    credit: float  # 0..1: 1 is met, a language one level short gets part of the credit
    cv_evidence: tuple[_Quote, ...] = ()
    detail: Mapping[str, Any] = field(default_factory=dict)

    @property
    def met(self) -> bool:
        return self.credit >= 1


def _terms(text: str) -> frozenset[str]:
    """The words of a text that may tell an occupation, cut to a common stem."""
    return frozenset(w[:STEM] for w in _WORD.findall(fold(text)) if w not in _STOPWORDS)


def _place(cv: Mapping[str, Any], path: str) -> tuple[str, str, int | None]:
    m = _PATH.match(path)
    section, index = (m.group(1), m.group(2)) if m else ("", None)
    if index is None:
        return section, "", None
    entry = as_dict(as_list(cv.get(section))[int(index)])
    for key in ("company", "institution", "name", "title"):
        if as_text(entry.get(key)):
            return section, as_text(entry.get(key)), int(index)
    return section, "", int(index)


class _CvIndex:
    """Where each vocabulary skill appears in the CV, as quotes of the lines that name it."""

    def __init__(self, cv: Mapping[str, Any]) -> None:
        self.texts = list(iter_cv_texts(cv))
        self.places = {item.path: _place(cv, item.path) for item in self.texts}
        self.skills: dict[str, list[tuple[CvText, _Quote]]] = {}
        self.line_skills: dict[str, set[str]] = {}
        names = [item for item in self.texts if item.is_name]
        prose = [item for item in self.texts if not item.is_name]
        found = find_skills_in([item.text for item in names], lenient=True)
        found += find_skills_in([item.text for item in prose])
        for item, matches in zip(names + prose, found, strict=True):
            for match in matches:
                text = item.text if item.is_name else _cut(item.text, match.start, match.end)
                for name in (match.name, *implied_skills(match.name)):
                    self.skills.setdefault(name, []).append((item, self.quote(item, text)))
                    self.line_skills.setdefault(item.path, set()).add(name)
        # Evidence is listed in document order, whichever pass found it.
        order = {item.path: i for i, item in enumerate(self.texts)}
        for hits in self.skills.values():
            hits.sort(key=lambda hit: order[hit[0].path])
        self.line_terms = {item.path: _terms(item.text) for item in self.texts}

    def quote(self, item: CvText, text: str | None = None) -> _Quote:
        section, source, _ = self.places[item.path]
        return _Quote(item.text if text is None else text, section, source)

    def job_lines(self, job: int) -> list[CvText]:
        return [item for item in self.texts if self.places[item.path][0:3:2] == ("experience", job)]

    def find(self, name: str) -> tuple[float, list[_Quote]]:
        """How far the CV shows the skill (0..1), and the lines that show it."""
        keys = _skill_keys(name)
        if keys:
            hits = [quote for key in keys for _, quote in self.skills.get(key, [])]
            return float(bool(hits)), _unique(hits)
        # Not in the vocabulary: the words themselves, or most of them in one line.
        pattern = re.compile(rf"(?<!\w){re.escape(fold(name.strip()))}(?!\w)")
        exact = [
            self.quote(item, _cut(item.text, m.start(), m.end()))
            for item in self.texts
            if (m := pattern.search(fold(item.text)))
        ]
        if exact:
            return 1.0, _unique(exact)
        wanted = _terms(name)
        if len(wanted) < 2:
            return 0.0, []
        best, lines = 0.0, []
        for item in self.texts:
            share = len(wanted & self.line_terms[item.path]) / len(wanted)
            if share > best:
                best, lines = share, [self.quote(item, _cut(item.text, 0, 0))]
            elif share == best and share:
                lines.append(self.quote(item, _cut(item.text, 0, 0)))
        credit = 1.0 if best >= 1 else PARTIAL_SKILL_CREDIT if best >= 0.5 else 0.0
        return credit, _unique(lines) if credit else []


def _unique(quotes: Iterable[_Quote]) -> list[_Quote]:
    return list({(q.text, q.source): q for q in quotes}.values())


def _skill_keys(name: str) -> list[str]:
    canonical = canonical_skill(name)
    return [canonical] if canonical else skill_names(name, lenient=True)


def _cut(text: str, start: int, end: int) -> str:
    """The text, or the part of it around [start, end) when it is long, cut at spaces."""
    if len(text) <= QUOTE_CHARS:
        return text
    half = (QUOTE_CHARS - (end - start)) // 2
    left, right = max(0, start - half), min(len(text), end + half)
    left = text.rfind(" ", 0, left) + 1 if left > 0 else 0
    right_space = text.find(" ", right)
    right = len(text) if right_space == -1 else right_space
    return ("…" if left else "") + text[left:right].strip() + ("…" if right < len(text) else "")


def _offer_skills(offer: Mapping[str, Any]) -> list[tuple[str, str, bool]]:
    """(name, kind, required) of the offer's skills, required ones first, each once."""
    skills = as_dict(offer.get("skills"))
    seen: set[str] = set()
    found = []
    for required in (True, False):
        for category, kind in SKILL_KINDS.items():
            group = as_dict(skills.get(category))
            for name in as_list(group.get("required" if required else "nice_to_have")):
                name = as_text(name)
                key = fold(canonical_skill(name) or name)
                if name and key not in seen:
                    seen.add(key)
                    found.append((name, kind, required))
    return found


def _is_generic(name: str, offer_title: str) -> bool:
    """A soft or transferable skill, unless the job is about it ("Customer Service Advisor")."""
    return is_generic_skill(name) and not (_terms(name) & _terms(offer_title))


def _skill_requirements(
    offer: Mapping[str, Any], index: _CvIndex, *, generic: bool = False
) -> list[_Requirement]:
    """The offer's hard skills, tools and methods; with `generic`, those that show no
    occupation instead (they count with the soft skills)."""
    found: list[_Requirement] = []
    title = _offer_title(offer)
    for name, kind, required in _offer_skills(offer):
        if _is_generic(name, title) is not generic:
            continue
        credit, hits = index.find(name)
        weight = 1.0 if required else NICE_TO_HAVE_WEIGHT
        found.append(_Requirement(name, kind, required, weight, credit, tuple(hits[:MAX_EVIDENCE])))
    return found


def _soft_requirements(offer: Mapping[str, Any], index: _CvIndex) -> list[_Requirement]:
    found: list[_Requirement] = []
    for name in dict.fromkeys(
        as_text(n) for n in as_list(as_dict(offer.get("skills")).get("soft_skills"))
    ):
        if name:
            credit, hits = index.find(name)
            found.append(
                _Requirement(name, "soft_skill", True, 1.0, credit, tuple(hits[:MAX_EVIDENCE]))
            )
    return found


def _language_requirement(
    cv: Mapping[str, Any], name: str, wanted_level: str, *, required: bool
) -> _Requirement:
    want = wanted_rank(wanted_level)
    rank, cv_level = cv_language_rank(cv, name)
    evidence = [
        _Quote(as_text(spoken.get("name")), "languages", as_text(spoken.get("level")))
        for spoken in map(as_dict, as_list(cv.get("languages")))
        if canonical_language(as_text(spoken.get("name"))) == name
    ]
    label = f"{name} ({wanted_level})" if wanted_level else name
    return _Requirement(
        label,
        "language",
        required,
        LANGUAGE_WEIGHT * (1.0 if required else NICE_TO_HAVE_WEIGHT),
        min(1.0, rank / want) if want else 1.0,
        tuple(evidence[:MAX_EVIDENCE]),
        {"language": name, "level": wanted_level, "cv_rank": rank, "cv_level": cv_level},
    )


def _language_requirements(cv: Mapping[str, Any], offer: Mapping[str, Any]) -> list[_Requirement]:
    """The languages the offer names, and the one it is written in when the CV lacks it."""
    found: list[_Requirement] = []
    for wanted in as_list(offer.get("languages")):
        wanted = as_dict(wanted)
        name = canonical_language(as_text(wanted.get("language"))) or as_text(
            wanted.get("language")
        )
        if not name:
            continue
        required = as_text(wanted.get("requirement")) != "nice_to_have"
        found.append(
            _language_requirement(cv, name, as_text(wanted.get("level")), required=required)
        )
    own = unstated_language(cv, offer)
    if own is not None:
        found.append(_language_requirement(cv, own, "", required=True))
    return found


def _coverage(
    requirements: list[_Requirement], *, padded: bool = False,
    lean_on: int | None = None, min_weight: float = MIN_EVIDENCE_WEIGHT,
) -> int | None:  # fmt: skip
    """Weighted share of requirements met; with little requirement weight, blended with a
    neutral score (`padded`) or with another sub-score (`lean_on`)."""
    if not requirements:
        return None
    total = sum(r.weight for r in requirements)
    met = sum(r.weight * r.credit for r in requirements)
    filler = NEUTRAL_SCORE if lean_on is None else lean_on
    padding = max(0.0, min_weight - total) if padded or lean_on is not None else 0.0
    return round_half_up((100 * met + filler * padding) / (total + padding))


def _skills_coverage(tech: list[_Requirement], experience: int) -> int | None:
    # An offer whose named skills all show no occupation leaves the skills to the experience.
    if not tech:
        return experience
    return _coverage(tech, lean_on=experience, min_weight=SKILLS_FOR_FULL_WEIGHT)


@dataclass(frozen=True, slots=True)
class _Experience:
    score: int
    requirement: _Requirement | None
    relevant_years: float
    target: int | None


def _offer_title(offer: Mapping[str, Any]) -> str:
    """The offer's job title, or "" when what was read as one is the page's navigation."""
    title = as_text(offer.get("title"))
    folded = fold(title)
    if _NAVIGATION.search(folded) or len(_CRUMB.findall(folded)) >= 2:
        return ""
    return title


def _offer_terms(offer: Mapping[str, Any]) -> frozenset[str]:
    texts = [_offer_title(offer)]
    texts += [as_text(t) for t in as_list(offer.get("responsibilities"))]
    texts += [name for name, _, _ in _offer_skills(offer)]
    return frozenset().union(*(_terms(text) for text in texts))


def _title_match(offer_title: str, cv_title: str) -> float:
    """How far a CV title names the offer's job: shared words, or the same occupation."""
    if not offer_title or not cv_title:
        return 0.0
    wanted, held = occupations(offer_title), occupations(cv_title)
    kin = OCCUPATION_MATCH if wanted & held else 0.0
    if not kin and neighbour_occupations(wanted, held):
        kin = NEIGHBOUR_MATCH
    return max(title_coverage(offer_title, cv_title), kin)


def _job_relevance(
    index: _CvIndex, job: int, title: str, offer_title: str, skill_keys: set[str],
    offer_terms: frozenset[str],
) -> tuple[float, list[_Quote]]:  # fmt: skip
    """How far a job was the offer's kind of work (0..1), and the lines that show it."""
    lines = index.job_lines(job)
    title_part = _title_match(offer_title, title)
    shown_skills: set[str] = set()
    words: set[str] = set()
    scored = []
    for item in lines:
        skills = skill_keys & index.line_skills.get(item.path, set())
        hits = offer_terms & index.line_terms[item.path]
        shown_skills |= skills
        words |= hits
        scored.append((len(skills) * 2 + len(hits), item))
    skills_part = min(1.0, len(shown_skills) / min(SKILLS_FOR_FULL_RELEVANCE, len(skill_keys) or 1))
    words_part = min(WORDS_SHARE_CAP, len(words) / WORDS_FOR_FULL_RELEVANCE)
    wanted, held = occupations(offer_title), occupations(title)
    if held and not wanted and not title_part:
        # A job of a known trade, for an offer whose title names none of it: the words any
        # long posting shares with any CV ("assess", "manage") do not make it the offer's work.
        words_part = 0.0
    if wanted and held and not wanted & held:
        words_part = 0.0  # another occupation: shared words do not make the job relevant
        if not neighbour_occupations(wanted, held):
            skills_part = 0.0  # nor do tools that many trades use (a CRM, a spreadsheet)
    relevance = max(title_part, skills_part if skill_keys else 0.0, words_part)
    best = sorted((s for s in scored if s[0] > 0), key=lambda s: -s[0])
    quotes = [index.quote(item, _cut(item.text, 0, 0)) for _, item in best[:2]]
    return relevance, quotes


def _experience(
    cv: Mapping[str, Any],
    offer: Mapping[str, Any],
    index: _CvIndex,
    tech: list[_Requirement],
    *,
    today: date,
    language: str,
    all_relevant: bool = False,
) -> _Experience:
    offer_title = _offer_title(offer)
    wanted = as_dict(offer.get("experience"))
    min_years = wanted.get("min_years")
    target = (
        min_years if isinstance(min_years, int) else LEVEL_YEARS.get(as_text(wanted.get("level")))
    )
    skill_keys = {key for r in tech for key in _skill_keys(r.requirement)}
    terms = _offer_terms(offer)
    headline = as_text(as_dict(cv.get("header")).get("current_title"))
    best = _title_match(offer_title, headline)
    spans, weighted_months, evidence = [], 0.0, []
    for i, job in enumerate(as_list(cv.get("experience"))):
        job = as_dict(job)
        relevance, quotes = _job_relevance(
            index, i, as_text(job.get("title")), offer_title, skill_keys, terms
        )
        relevance = 1.0 if all_relevant else relevance
        best = max(best, relevance)
        span = experience_span(job, today=today)
        if span is not None:
            spans.append(span)
            # Loosely related jobs count little, unrelated ones nothing.
            share = max(0.0, (relevance - LOOSE) / (1 - LOOSE))
            weighted_months += share * (span[1] - span[0])
        if relevance >= RELEVANT:
            evidence += quotes[:1]
    relevant_years = min(weighted_months, merged_months(spans)) / 12
    goal = DEFAULT_TARGET_YEARS if target is None else target
    years_part = 1.0 if goal <= 0 and best >= RELEVANT else min(1.0, relevant_years / max(goal, 1))
    # Years only count for work of the offer's kind: no fit, no experience score.
    score = round_half_up(100 * (YEARS_SHARE * years_part + (1 - YEARS_SHARE) * best))
    requirement = None
    if target is not None:
        label = EXPERIENCE_LABELS.get(language, EXPERIENCE_LABELS["en"]).format(n=target)
        credit = 1.0 if relevant_years >= target else (relevant_years / target if target else 1.0)
        requirement = _Requirement(
            label, "experience", True, 1.0, credit, tuple(evidence[:MAX_EVIDENCE])
        )
    return _Experience(score, requirement, relevant_years, target)


def _education(
    cv: Mapping[str, Any], offer: Mapping[str, Any]
) -> tuple[int | None, _Requirement | None]:
    wanted = as_dict(offer.get("education"))
    level, field_name = as_text(wanted.get("level")), as_text(wanted.get("field"))
    if not level and not field_name:
        return None, None  # not asked: no points for free
    want = education_rank(level)
    schools = [as_dict(s) for s in as_list(cv.get("education"))]
    have, evidence, field_ok = None, [], not field_name
    field_words = set(re.findall(r"[^\W\d_]{4,}", fold(field_name)))
    wanted_groups = field_groups(field_name)
    for school in schools:
        degree, subject = as_text(school.get("degree")), as_text(school.get("field_of_study"))
        text = f"{degree} {subject}".strip()
        rank = education_rank(text)
        if rank is not None and (have is None or rank > have):
            have = rank
        matches_field = bool(
            field_words & set(re.findall(r"[^\W\d_]{4,}", fold(text)))
            or wanted_groups & field_groups(text)
        )
        field_ok = field_ok or matches_field
        institution = as_text(school.get("institution"))
        for part in (degree, subject):
            if part and (rank is not None or matches_field):
                evidence.append(_Quote(part, "education", institution))
    if not schools:
        score = NO_DEGREE_SCORE
    elif want is None:
        score = 100
    elif have is None:
        score = UNRANKED_DEGREE_SCORE
    else:
        score = (
            100 if have >= want else max(NO_DEGREE_SCORE, 100 - DEGREE_STEP_PENALTY * (want - have))
        )
    if not field_ok and schools:
        score = round_half_up(score * FIELD_MISMATCH_FACTOR)
    label = " — ".join(part for part in (level, field_name) if part)
    return score, _Requirement(
        label, "education", True, 1.0, score / 100, tuple(_unique(evidence)[:MAX_EVIDENCE])
    )


def score_match(
    cv: Mapping[str, Any], offer: Mapping[str, Any], *, today: date | None = None
) -> dict[str, Any]:
    """Score, breakdown, matching/missing skills, up to 3 suggestions and the evidence list.

    A posting for several roles (`roles`: each a title, with its own skills or responsibilities
    when it states them) is scored for the role that fits the CV best.
    """
    today = today or today_utc()
    roles = [as_dict(r) for r in as_list(offer.get("roles")) if as_text(as_dict(r).get("title"))]
    if not roles:
        return _score_offer(cv, offer, today=today)
    results = [_score_offer(cv, _role_offer(offer, role), today=today) for role in roles]
    return max(results, key=lambda result: result["match_score"])  # the first of equals


def _role_offer(offer: Mapping[str, Any], role: Mapping[str, Any]) -> dict[str, Any]:
    """The offer narrowed to one of its roles; what the role does not state is the offer's."""
    narrowed = {**offer, "title": as_text(role.get("title"))}
    skills = role.get("skills")
    if isinstance(skills, list) and any(as_text(name) for name in skills):
        # A plain list of names: the role's required skills, soft skills kept from the offer.
        base = as_dict(offer.get("skills"))
        named = {"required": [as_text(n) for n in skills if as_text(n)], "nice_to_have": []}
        empty: dict[str, list[str]] = {"required": [], "nice_to_have": []}
        skills = {"hard_skills": named, "tools": empty, "methodologies": empty,
                  "soft_skills": as_list(base.get("soft_skills"))}  # fmt: skip
    if isinstance(skills, Mapping) and any(
        as_list(as_dict(skills.get(group)).get("required")) for group in SKILL_KINDS
    ):
        narrowed["skills"] = skills
    for key in ("responsibilities", "experience", "education"):
        if role.get(key):
            narrowed[key] = role[key]
    return narrowed


def _score_offer(cv: Mapping[str, Any], offer: Mapping[str, Any], *, today: date) -> dict[str, Any]:
    language = as_text(cv.get("language")) if as_text(cv.get("language")) in SUGGESTIONS else "en"
    index = _CvIndex(cv)
    tech = _skill_requirements(offer, index)
    soft = (
        _soft_requirements(offer, index)
        + _skill_requirements(offer, index, generic=True)
        + _language_requirements(cv, offer)
    )
    experience = _experience(cv, offer, index, tech, today=today, language=language)
    education_score, education = _education(cv, offer)
    asked = asked_criteria(offer, cv)
    gaps = set(language_gaps(cv, offer))
    blocking = [r for r in soft if r.kind == "language" and r.detail["language"] in gaps]
    breakdown: dict[str, int | None] = {
        "technical_skills": _skills_coverage(tech, experience.score),
        "experience": experience.score,
        "education": education_score,
        "soft_skills_languages": _coverage(soft, padded=True),
    }
    breakdown = {key: value if key in asked else None for key, value in breakdown.items()}
    total = _capped_total(breakdown, blocking)
    skill_items = [r for r in tech + soft if r.kind != "language"]
    others = [r for r in (experience.requirement, education) if r is not None]
    all_items = tech + soft + others
    all_relevant = _experience(
        cv, offer, index, tech, today=today, language=language, all_relevant=True
    )
    return {
        "match_score": total,
        "score_breakdown": breakdown,
        "matching_skills": sorted((r.requirement for r in skill_items if r.met), key=str.casefold),
        "missing_skills": sorted(
            (r.requirement for r in skill_items if not r.met and r.required), key=str.casefold
        )
        + sorted(
            (r.requirement for r in skill_items if not r.met and not r.required), key=str.casefold
        ),
        "suggestions": _suggestions(
            breakdown, tech, soft, experience, all_relevant.score, education, language, blocking
        ),
        **_strengths_and_gaps(breakdown, tech, soft, experience.requirement, education, blocking),
        "evidence": [
            {
                "requirement": r.requirement,
                "kind": r.kind,
                "required": r.required,
                "met": r.met,
                "cv_evidence": [quote.as_json() for quote in r.cv_evidence],
            }
            for r in all_items
        ],
    }


def _strengths_and_gaps(
    breakdown: Mapping[str, int | None],
    tech: list[_Requirement],
    soft: list[_Requirement],
    experience: _Requirement | None,
    education: _Requirement | None,
    blocking: list[_Requirement],
) -> dict[str, list[dict[str, Any]]]:
    """The MAX_STRENGTHS requirements met that carry the most points, each with the CV's line
    that shows it, and the MAX_GAPS unmet ones that cost the most (a blocking language first).

    A requirement carries its criterion's share of the total (the weights renormalised over the
    asked criteria) split by the requirements' weights within the criterion.
    """
    groups = {
        "technical_skills": tech,
        "soft_skills_languages": soft,
        "experience": [experience] if experience else [],
        "education": [education] if education else [],
    }
    asked = sum(WEIGHTS[key] for key, value in breakdown.items() if value is not None) or 1
    shares: list[tuple[_Requirement, float]] = []
    for key, requirements in groups.items():
        within = sum(r.weight for r in requirements)
        if breakdown.get(key) is None or not within:
            continue
        shares += [(r, 100 * WEIGHTS[key] / asked * r.weight / within) for r in requirements]
    strengths = sorted(
        ((r, share * r.credit) for r, share in shares if r.met and r.cv_evidence),
        key=lambda pair: -pair[1],
    )
    gaps = sorted(
        ((r, share * (1 - r.credit)) for r, share in shares if not r.met),
        key=lambda pair: (pair[0] not in blocking, not pair[0].required, -pair[1]),
    )
    return {
        "strengths": [
            {"requirement": r.requirement, "kind": r.kind, **r.cv_evidence[0].as_json()}
            for r, _ in strengths[:MAX_STRENGTHS]
        ],
        "gaps": [
            {
                "requirement": r.requirement,
                "kind": r.kind,
                "required": r.required,
                "blocking": r in blocking,
            }
            for r, _ in gaps[:MAX_GAPS]
        ],
    }


def _capped_total(breakdown: Mapping[str, int | None], blocking: list[_Requirement]) -> int:
    return weighted_total(breakdown, language_gap=bool(blocking))


def _closed(requirements: list[_Requirement], gaps: list[_Requirement]) -> list[_Requirement]:
    return [replace(r, credit=1.0) if r in gaps else r for r in requirements]


def _listing(names: list[str]) -> str:
    return ", ".join(names)


def _suggestions(
    breakdown: dict[str, int | None],
    tech: list[_Requirement],
    soft: list[_Requirement],
    experience: _Experience,
    experience_if_relevant: int,
    education: _Requirement | None,
    language: str,
    blocking: list[_Requirement],
) -> list[dict[str, str]]:
    texts = SUGGESTIONS[language]
    total = _capped_total(breakdown, blocking)
    candidates: list[tuple[int, int, str, str]] = []

    def consider(
        order: int, key: str, changes: dict[str, int | None],
        closes: _Requirement | None = None, **values: Any,
    ) -> None:  # fmt: skip
        still_blocking = [r for r in blocking if r is not closes]
        impact = _capped_total({**breakdown, **changes}, still_blocking) - total
        if impact >= 1:
            title, body = texts[key]
            candidates.append((impact, order, title.format(**values), body.format(**values)))

    for order, (key, required) in enumerate((("required_skills", True), ("nice_skills", False))):
        gaps = [r for r in tech if r.required is required and not r.met][:MAX_LISTED]
        if gaps:
            closed_skills = _skills_coverage(_closed(tech, gaps), experience.score)
            consider(order, key, {"technical_skills": closed_skills},
                     skills=_listing([r.requirement for r in gaps]))  # fmt: skip
    soft_gaps = [r for r in soft if r.kind != "language" and not r.met][:MAX_LISTED]
    if soft_gaps:
        closed = _coverage(_closed(soft, soft_gaps), padded=True)
        consider(2, "soft_skills", {"soft_skills_languages": closed},
                 skills=_listing([r.requirement for r in soft_gaps]))  # fmt: skip
    for gap in (r for r in soft if r.kind == "language" and not r.met):
        # A native, bilingual or C2 speaker is never told to improve that language.
        if gap.detail["cv_rank"] >= C2_RANK:
            continue
        name = LANGUAGE_DISPLAY.get(language, {}).get(
            gap.detail["language"], gap.detail["language"]
        )
        state = LANGUAGE_STATES[language]["lower" if gap.detail["cv_rank"] else "missing"]
        consider(
            3,
            "language",
            {"soft_skills_languages": _coverage(_closed(soft, [gap]), padded=True)},
            gap,
            language=name,
            level=f" ({gap.detail['level']})" if gap.detail["level"] else "",
            state=state.format(cv_level=gap.detail["cv_level"]),
        )
    if experience.target:
        consider(4, "experience", {"experience": experience_if_relevant},
                 target=experience.target, years=math.floor(experience.relevant_years))  # fmt: skip
    if education is not None and not education.met:
        consider(5, "education", {"education": 100}, education=education.requirement)
    candidates.sort(key=lambda c: (-c[0], c[1]))
    return [
        {
            "title": title,
            "suggestion": body,
            "priority": "high" if impact >= 6 else "medium" if impact >= 3 else "low",
            "impact": f"+{impact} points",
        }
        for impact, _, title, body in candidates[:MAX_SUGGESTIONS]
    ]
