"""The match score's criteria, their weights, and which of them a job offer asks for.

Shared by both engines: the stored total is always recomputed here from the sub-scores.
A criterion the offer does not state is "not asked" (`None` in the breakdown): it carries no
weight and the weights of the asked criteria are renormalised. Skills and experience show the
occupation fit; the other criteria (degree, soft skills, languages) can lift the total at most
`MAX_LIFT` points above it, so a CV of another trade never scores well on transferable criteria.

A required language the CV lacks is a blocking gap, as a recruiter reads it: the total is capped
at `LANGUAGE_GAP_CAP` however well the rest fits. An offer written in a language asks for it even
when it does not say so (`unstated_language`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

WEIGHTS = {"technical_skills": 35, "experience": 30, "education": 20, "soft_skills_languages": 15}
CORE = ("technical_skills", "experience")
MAX_LIFT = 20
SKILL_GROUPS = ("hard_skills", "tools", "methodologies")
DOC_LANGUAGES = {"en": "English", "fr": "French", "de": "German", "es": "Spanish"}
DEFAULT_LANGUAGE_RANK = 4  # B2, when the offer names a language without a level
CV_LANGUAGE_RANK = 4  # a CV written in a language shows at least working proficiency
UNKNOWN_LEVEL_RANK = 3
# Below this level (B2), and below the level asked, a required language is a blocking gap.
BLOCKING_LANGUAGE_RANK = 4
LANGUAGE_GAP_CAP = 45


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _filled(value: Any) -> bool:
    if isinstance(value, str):
        return bool(value.strip())
    if isinstance(value, list | tuple):
        return any(_filled(item) for item in value)
    if isinstance(value, Mapping):
        return any(_filled(item) for item in value.values())
    return value is not None and not isinstance(value, bool)


def cv_document_language(cv: Mapping[str, Any]) -> str:
    """The language the CV is written in: its `language` field, else read from its text."""
    code = cv.get("language")
    if isinstance(code, str) and code in DOC_LANGUAGES:
        return code
    # The offline engine imports this module: importing it at the top would be circular.
    from ai.offline.extract import detect_language
    from ai.offline.facts import iter_cv_texts

    return detect_language(" ".join(item.text for item in iter_cv_texts(cv)))


def cv_language_rank(cv: Mapping[str, Any], name: str) -> tuple[int, str]:
    """The CV's best level in a language as a rank (0 none .. 7 native) and as it is written."""
    # The offline engine imports this module: importing it at the top would be circular.
    from ai.offline.vocabulary import canonical_language, language_level

    rank, written, listed = 0, "", False
    for spoken in cv.get("languages") or []:
        spoken = _mapping(spoken)
        if canonical_language(str(spoken.get("name") or "")) != name:
            continue
        listed = True
        level = str(spoken.get("level") or "").strip()
        level_rank = (language_level(level) or ("", UNKNOWN_LEVEL_RANK))[1]
        if level_rank > rank:
            rank, written = level_rank, level
    if not listed and DOC_LANGUAGES.get(cv_document_language(cv)) == name:
        rank = CV_LANGUAGE_RANK  # the CV itself is written in it
    return rank, written


def wanted_rank(level: str) -> int:
    # The offline engine imports this module: importing it at the top would be circular.
    from ai.offline.vocabulary import language_level

    return (language_level(level) or ("", DEFAULT_LANGUAGE_RANK))[1]


def unstated_language(cv: Mapping[str, Any], offer: Mapping[str, Any]) -> str | None:
    """The offer's own language when the offer does not name it and the CV lacks it."""
    # The offline engine imports this module: importing it at the top would be circular.
    from ai.offline.vocabulary import canonical_language

    own = DOC_LANGUAGES.get(str(offer.get("language") or ""))
    if own is None:
        return None
    for wanted in offer.get("languages") or []:
        if canonical_language(str(_mapping(wanted).get("language") or "")) == own:
            return None
    return own if cv_language_rank(cv, own)[0] < DEFAULT_LANGUAGE_RANK else None


def language_gaps(cv: Mapping[str, Any], offer: Mapping[str, Any]) -> list[str]:
    """Required languages the CV shows below the level asked and below working command."""
    # The offline engine imports this module: importing it at the top would be circular.
    from ai.offline.vocabulary import canonical_language

    gaps = []
    for wanted in offer.get("languages") or []:
        wanted = _mapping(wanted)
        raw = str(wanted.get("language") or "").strip()
        name = canonical_language(raw) or raw
        if not name or wanted.get("requirement") == "nice_to_have":
            continue
        want = wanted_rank(str(wanted.get("level") or ""))
        if cv_language_rank(cv, name)[0] < min(want, BLOCKING_LANGUAGE_RANK):
            gaps.append(name)
    own = unstated_language(cv, offer)
    if own is not None and cv_language_rank(cv, own)[0] < BLOCKING_LANGUAGE_RANK:
        gaps.append(own)
    return gaps


def asked_criteria(offer: Mapping[str, Any], cv: Mapping[str, Any] | None = None) -> frozenset[str]:
    """The criteria the offer states: named skills, a degree, soft skills or languages.

    Experience is always asked: the offer's title and tasks say what the job is. With the CV,
    the offer's own language is asked when the CV lacks it.
    """
    skills = _mapping(offer.get("skills"))
    education = _mapping(offer.get("education"))
    asked = {"experience"}
    if any(_filled(skills.get(group)) for group in SKILL_GROUPS):
        asked.add("technical_skills")
    if _filled(education.get("level")) or _filled(education.get("field")):
        asked.add("education")
    if (
        _filled(skills.get("soft_skills"))
        or _filled(offer.get("languages"))
        or (cv is not None and unstated_language(cv, offer))
    ):
        asked.add("soft_skills_languages")
    return frozenset(asked)


def clamp_score(value: Any) -> float:
    """A sub-score as 0..100; anything that is not a number counts 0."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return 0.0
    try:
        number = float(value)
    except ValueError:
        return 0.0
    return 0.0 if math.isnan(number) else min(100.0, max(0.0, number))


def round_half_up(value: float) -> int:
    # Half up like the product always did (JavaScript Math.round), not banker's rounding;
    # the epsilon absorbs float error such as 10.499999999 for 10.5.
    return math.floor(value + 0.5 + 1e-9)


def _mean(breakdown: Mapping[str, Any], keys: tuple[str, ...]) -> float | None:
    asked = {key: WEIGHTS[key] for key in keys if breakdown.get(key) is not None}
    if not asked:
        return None
    return sum(w * clamp_score(breakdown[key]) for key, w in asked.items()) / sum(asked.values())


def weighted_total(breakdown: Mapping[str, Any], *, language_gap: bool = False) -> int:
    """35/30/20/15 renormalised over the asked criteria, capped at the core fit + MAX_LIFT.

    With a blocking language gap (`language_gaps`) the total is at most LANGUAGE_GAP_CAP.
    """
    total = _mean(breakdown, tuple(WEIGHTS))
    if total is None:
        return 0
    core = _mean(breakdown, CORE)
    if core is not None:
        total = min(total, core + MAX_LIFT)
    if language_gap:
        total = min(total, LANGUAGE_GAP_CAP)
    return round_half_up(total)


def finish_breakdown(
    breakdown: Mapping[str, Any], offer: Mapping[str, Any], cv: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """Sub-scores rounded to 0..100, `None` ("not asked") for what the offer does not state."""
    asked = asked_criteria(offer, cv)
    return {
        key: round_half_up(clamp_score(breakdown.get(key))) if key in asked else None
        for key in WEIGHTS
    }
