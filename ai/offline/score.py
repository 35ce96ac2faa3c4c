"""Match score of a CV against a job offer, from evidence found in the CV. Deterministic.

Every requirement of the offer (skill, experience, degree, language) is checked against the CV's
own text and reported with the quotes that meet it. Sub-scores are coverage ratios; the total
uses the product's fixed weights (see `weighted_total`), also applied to language-model output.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from ai.offline.facts import (
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
    canonical_language,
    canonical_skill,
    education_rank,
    field_groups,
    find_skills_in,
    fold,
    implied_skills,
    language_level,
    skill_names,
)

WEIGHTS = {"technical_skills": 35, "experience": 30, "education": 20, "soft_skills_languages": 15}
# A criterion the offer does not state neither lifts nor sinks the score.
NEUTRAL_SCORE = 70
NICE_TO_HAVE_WEIGHT = 0.5
# Below this much requirement weight a sub-score is blended with the neutral score, so one
# soft skill read in the offer cannot swing it between 0 and 100.
MIN_EVIDENCE_WEIGHT = 3.0
LANGUAGE_WEIGHT = 2.0
DEFAULT_LANGUAGE_RANK = 4  # B2, when the offer names a language without a level
CV_LANGUAGE_RANK = 4  # a CV written in a language shows at least working proficiency
UNKNOWN_LEVEL_RANK = 3
C2_RANK = 6
LEVEL_YEARS = {"junior": 0, "mid": 2, "senior": 5, "lead": 7}
DEFAULT_TARGET_YEARS = 2
YEARS_SHARE, TITLE_SHARE = 0.7, 0.3
OTHER_EXPERIENCE_SHARE = 0.5  # years in unrelated roles count half
RELEVANT_TITLE_COVERAGE = 0.5
DEGREE_STEP_PENALTY = 35
FIELD_MISMATCH_PENALTY = 10
MAX_SUGGESTIONS = 3
MAX_EVIDENCE = 3
MAX_LISTED = 3
QUOTE_CHARS = 140
_JOB_PATH = re.compile(r"experience\[(\d+)\]\.")
SKILL_KINDS = {"hard_skills": "hard_skill", "tools": "tool", "methodologies": "methodology"}
DOC_LANGUAGES = {"en": "English", "fr": "French", "de": "German", "es": "Spanish"}


@dataclass(frozen=True, slots=True)
class _Requirement:
    requirement: str
    kind: str
    required: bool
    weight: float
    credit: float  # 0..1: 1 is met, a language one level short gets part of the credit
    cv_evidence: tuple[str, ...] = ()
    detail: Mapping[str, Any] = field(default_factory=dict)

    @property
    def met(self) -> bool:
        return self.credit >= 1


def weighted_total(breakdown: Mapping[str, Any]) -> int:
    """round(0.35 technical + 0.30 experience + 0.20 education + 0.15 soft/languages)."""
    raw = sum(weight * _clamp(breakdown.get(key)) for key, weight in WEIGHTS.items())
    return _round(raw / 100)


def _clamp(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return 0.0
    try:
        number = float(value)
    except ValueError:
        return 0.0
    return 0.0 if math.isnan(number) else min(100.0, max(0.0, number))


def _round(value: float) -> int:
    # Half up like the product always did (JavaScript Math.round), not banker's rounding;
    # the epsilon absorbs float error such as 10.499999999 for 10.5.
    return math.floor(value + 0.5 + 1e-9)


class _CvIndex:
    """Where each vocabulary skill appears in the CV, as (path, quote) pairs."""

    def __init__(self, cv: Mapping[str, Any]) -> None:
        self.texts = list(iter_cv_texts(cv))
        self.skills: dict[str, list[tuple[str, str]]] = {}
        self.job_skills: dict[int, set[str]] = {}
        names = [item for item in self.texts if item.is_name]
        prose = [item for item in self.texts if not item.is_name]
        found = find_skills_in([item.text for item in names], lenient=True)
        found += find_skills_in([item.text for item in prose])
        for item, matches in zip(names + prose, found, strict=True):
            job = _JOB_PATH.match(item.path)
            for match in matches:
                quote = item.text if item.is_name else _quote(item.text, match.start, match.end)
                for name in (match.name, *implied_skills(match.name)):
                    self.skills.setdefault(name, []).append((item.path, quote))
                    if job:
                        self.job_skills.setdefault(int(job.group(1)), set()).add(name)
        # Evidence is listed in document order, whichever pass found it.
        order = {item.path: i for i, item in enumerate(self.texts)}
        for hits in self.skills.values():
            hits.sort(key=lambda hit: order[hit[0]])

    def find(self, name: str) -> list[tuple[str, str]]:
        keys = _skill_keys(name)
        if keys:
            found = [hit for key in keys for hit in self.skills.get(key, [])]
        else:
            # Not in the vocabulary: look for the words themselves.
            pattern = re.compile(rf"(?<!\w){re.escape(fold(name.strip()))}(?!\w)")
            found = [
                (item.path, _quote(item.text, m.start(), m.end()))
                for item in self.texts
                if (m := pattern.search(fold(item.text)))
            ]
        return list({path: (path, quote) for path, quote in found}.values())


def _skill_keys(name: str) -> list[str]:
    canonical = canonical_skill(name)
    return [canonical] if canonical else skill_names(name, lenient=True)


def _quote(text: str, start: int, end: int) -> str:
    if len(text) <= QUOTE_CHARS:
        return text
    half = (QUOTE_CHARS - (end - start)) // 2
    left, right = max(0, start - half), min(len(text), end + half)
    left = text.rfind(" ", 0, left) + 1 if left > 0 else 0
    right_space = text.find(" ", right)
    right = len(text) if right_space == -1 else right_space
    return ("…" if left else "") + text[left:right].strip() + ("…" if right < len(text) else "")


def _evidence_lines(hits: list[tuple[str, str]]) -> tuple[str, ...]:
    return tuple(f'{path}: "{quote}"' for path, quote in hits[:MAX_EVIDENCE])


def _skill_requirements(offer: Mapping[str, Any], index: _CvIndex) -> list[_Requirement]:
    skills = as_dict(offer.get("skills"))
    seen: set[str] = set()
    found: list[_Requirement] = []
    for required in (True, False):
        for category, kind in SKILL_KINDS.items():
            group = as_dict(skills.get(category))
            for name in as_list(group.get("required" if required else "nice_to_have")):
                name = as_text(name)
                key = fold(canonical_skill(name) or name)
                if not name or key in seen:
                    continue
                seen.add(key)
                hits = index.find(name)
                weight = 1.0 if required else NICE_TO_HAVE_WEIGHT
                found.append(
                    _Requirement(
                        name, kind, required, weight, float(bool(hits)), _evidence_lines(hits)
                    )
                )
    return found


def _soft_requirements(offer: Mapping[str, Any], index: _CvIndex) -> list[_Requirement]:
    found: list[_Requirement] = []
    for name in dict.fromkeys(
        as_text(n) for n in as_list(as_dict(offer.get("skills")).get("soft_skills"))
    ):
        if name:
            hits = index.find(name)
            found.append(
                _Requirement(
                    name, "soft_skill", True, 1.0, float(bool(hits)), _evidence_lines(hits)
                )
            )
    return found


def _language_requirements(cv: Mapping[str, Any], offer: Mapping[str, Any]) -> list[_Requirement]:
    found: list[_Requirement] = []
    for wanted in as_list(offer.get("languages")):
        wanted = as_dict(wanted)
        name = canonical_language(as_text(wanted.get("language"))) or as_text(
            wanted.get("language")
        )
        if not name:
            continue
        wanted_level = as_text(wanted.get("level"))
        want = (language_level(wanted_level) or ("", DEFAULT_LANGUAGE_RANK))[1]
        rank, cv_level, evidence = 0, "", []
        for i, spoken in enumerate(as_list(cv.get("languages"))):
            spoken = as_dict(spoken)
            if canonical_language(as_text(spoken.get("name"))) != name:
                continue
            level_text = as_text(spoken.get("level"))
            level_rank = (language_level(level_text) or ("", UNKNOWN_LEVEL_RANK))[1]
            if level_rank > rank:
                rank, cv_level = level_rank, level_text
            evidence.append(f'languages[{i}]: "{as_text(spoken.get("name"))} — {level_text}"')
        if not evidence and DOC_LANGUAGES.get(as_text(cv.get("language"))) == name:
            rank, evidence = CV_LANGUAGE_RANK, [f'language: "{cv.get("language")}"']
        required = as_text(wanted.get("requirement")) != "nice_to_have"
        label = f"{name} ({wanted_level})" if wanted_level else name
        found.append(
            _Requirement(
                label,
                "language",
                required,
                LANGUAGE_WEIGHT * (1.0 if required else NICE_TO_HAVE_WEIGHT),
                min(1.0, rank / want) if want else 1.0,
                tuple(evidence[:MAX_EVIDENCE]),
                {"language": name, "level": wanted_level, "cv_rank": rank, "cv_level": cv_level},
            )
        )
    return found


def _coverage(requirements: list[_Requirement]) -> int:
    total = sum(r.weight for r in requirements)
    met = sum(r.weight * r.credit for r in requirements)
    padding = max(0.0, MIN_EVIDENCE_WEIGHT - total)
    return _round((100 * met + NEUTRAL_SCORE * padding) / (total + padding))


@dataclass(frozen=True, slots=True)
class _Experience:
    score: int
    requirement: _Requirement | None
    relevant_years: float
    target: int | None


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
    offer_title = as_text(offer.get("title"))
    wanted = as_dict(offer.get("experience"))
    min_years = wanted.get("min_years")
    target = (
        min_years if isinstance(min_years, int) else LEVEL_YEARS.get(as_text(wanted.get("level")))
    )
    skill_keys = {key for r in tech if r.required for key in _skill_keys(r.requirement)}
    best_title = title_coverage(
        offer_title, as_text(as_dict(cv.get("header")).get("current_title"))
    )
    spans, relevant_spans, evidence = [], [], []
    for i, job in enumerate(as_list(cv.get("experience"))):
        job = as_dict(job)
        coverage = title_coverage(offer_title, as_text(job.get("title")))
        best_title = max(best_title, coverage)
        uses_skills = bool(skill_keys & index.job_skills.get(i, set()))
        span = experience_span(job, today=today)
        if span is None:
            continue
        spans.append(span)
        if all_relevant or coverage >= RELEVANT_TITLE_COVERAGE or uses_skills:
            relevant_spans.append(span)
            evidence.append(
                f'experience[{i}]: "{as_text(job.get("title"))} — {as_text(job.get("company"))} '
                f'({as_text(job.get("start_date"))} – {as_text(job.get("end_date"))})"'
            )
    total_years = merged_months(spans) / 12
    relevant_years = merged_months(relevant_spans) / 12
    effective = relevant_years + OTHER_EXPERIENCE_SHARE * (total_years - relevant_years)
    goal = DEFAULT_TARGET_YEARS if target is None else target
    years_part = 100.0 if goal <= 0 else min(100.0, 100 * effective / goal)
    title_part = 100 * best_title if offer_title else NEUTRAL_SCORE
    score = _round(YEARS_SHARE * years_part + TITLE_SHARE * title_part)
    requirement = None
    if target is not None:
        label = EXPERIENCE_LABELS.get(language, EXPERIENCE_LABELS["en"]).format(n=target)
        credit = 1.0 if effective >= target else (effective / target if target else 1.0)
        requirement = _Requirement(
            label, "experience", True, 1.0, credit, tuple(evidence[:MAX_EVIDENCE])
        )
    return _Experience(score, requirement, relevant_years, target)


def _education(cv: Mapping[str, Any], offer: Mapping[str, Any]) -> tuple[int, _Requirement | None]:
    wanted = as_dict(offer.get("education"))
    level, field_name = as_text(wanted.get("level")), as_text(wanted.get("field"))
    want = education_rank(level)
    schools = [as_dict(s) for s in as_list(cv.get("education"))]
    have, evidence, field_ok = None, [], not field_name
    field_words = set(re.findall(r"[^\W\d_]{4,}", fold(field_name)))
    wanted_groups = field_groups(field_name)
    for i, school in enumerate(schools):
        text = f"{as_text(school.get('degree'))} {as_text(school.get('field_of_study'))}".strip()
        rank = education_rank(text)
        if rank is not None and (have is None or rank > have):
            have = rank
        if field_words & set(re.findall(r"[^\W\d_]{4,}", fold(text))) or (
            wanted_groups & field_groups(text)
        ):
            field_ok = True
        if text:
            evidence.append(f'education[{i}]: "{text} — {as_text(school.get("institution"))}"')
    if want is None:
        score = (100 if schools else NEUTRAL_SCORE) if not field_name else (100 if field_ok else 80)
    elif have is None:
        score = 50 if schools else 20
    else:
        score = 100 if have >= want else max(20, 100 - DEGREE_STEP_PENALTY * (want - have))
    if field_name and not field_ok and schools:
        score = max(0, score - FIELD_MISMATCH_PENALTY)
    if not level and not field_name:
        return score, None
    label = " — ".join(part for part in (level, field_name) if part)
    return score, _Requirement(
        label, "education", True, 1.0, score / 100, tuple(evidence[:MAX_EVIDENCE])
    )


def score_match(
    cv: Mapping[str, Any], offer: Mapping[str, Any], *, today: date | None = None
) -> dict[str, Any]:
    """Score, breakdown, matching/missing skills, up to 3 suggestions and the evidence list."""
    today = today or today_utc()
    language = as_text(cv.get("language")) if as_text(cv.get("language")) in SUGGESTIONS else "en"
    index = _CvIndex(cv)
    tech = _skill_requirements(offer, index)
    soft = _soft_requirements(offer, index) + _language_requirements(cv, offer)
    experience = _experience(cv, offer, index, tech, today=today, language=language)
    education_score, education = _education(cv, offer)
    breakdown = {
        "technical_skills": _coverage(tech),
        "experience": experience.score,
        "education": education_score,
        "soft_skills_languages": _coverage(soft),
    }
    total = weighted_total(breakdown)
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
            breakdown, tech, soft, experience, all_relevant.score, education, language
        ),
        "evidence": [
            {
                "requirement": r.requirement,
                "kind": r.kind,
                "required": r.required,
                "met": r.met,
                "cv_evidence": list(r.cv_evidence),
            }
            for r in all_items
        ],
    }


def _closed(requirements: list[_Requirement], gaps: list[_Requirement]) -> list[_Requirement]:
    return [replace(r, credit=1.0) if r in gaps else r for r in requirements]


def _listing(names: list[str]) -> str:
    return ", ".join(names)


def _suggestions(
    breakdown: dict[str, int],
    tech: list[_Requirement],
    soft: list[_Requirement],
    experience: _Experience,
    experience_if_relevant: int,
    education: _Requirement | None,
    language: str,
) -> list[dict[str, str]]:
    texts = SUGGESTIONS[language]
    total = weighted_total(breakdown)
    candidates: list[tuple[int, int, str, str]] = []

    def consider(order: int, key: str, changes: dict[str, int], **values: Any) -> None:
        impact = weighted_total({**breakdown, **changes}) - total
        if impact >= 1:
            title, body = texts[key]
            candidates.append((impact, order, title.format(**values), body.format(**values)))

    for order, (key, required) in enumerate((("required_skills", True), ("nice_skills", False))):
        gaps = [r for r in tech if r.required is required and not r.met][:MAX_LISTED]
        if gaps:
            consider(order, key, {"technical_skills": _coverage(_closed(tech, gaps))},
                     skills=_listing([r.requirement for r in gaps]))  # fmt: skip
    soft_gaps = [r for r in soft if r.kind == "soft_skill" and not r.met][:MAX_LISTED]
    if soft_gaps:
        consider(2, "soft_skills", {"soft_skills_languages": _coverage(_closed(soft, soft_gaps))},
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
            {"soft_skills_languages": _coverage(_closed(soft, [gap]))},
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
