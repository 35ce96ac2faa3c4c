"""The match score's criteria, their weights, and which of them a job offer asks for.

Shared by both engines: the stored total is always recomputed here from the sub-scores.
A criterion the offer does not state is "not asked" (`None` in the breakdown): it carries no
weight and the weights of the asked criteria are renormalised. Skills and experience show the
occupation fit; the other criteria (degree, soft skills, languages) can lift the total at most
`MAX_LIFT` points above it, so a CV of another trade never scores well on transferable criteria.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

WEIGHTS = {"technical_skills": 35, "experience": 30, "education": 20, "soft_skills_languages": 15}
CORE = ("technical_skills", "experience")
MAX_LIFT = 20
SKILL_GROUPS = ("hard_skills", "tools", "methodologies")


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


def asked_criteria(offer: Mapping[str, Any]) -> frozenset[str]:
    """The criteria the offer states: named skills, a degree, soft skills or languages.

    Experience is always asked: the offer's title and tasks say what the job is.
    """
    skills = _mapping(offer.get("skills"))
    education = _mapping(offer.get("education"))
    asked = {"experience"}
    if any(_filled(skills.get(group)) for group in SKILL_GROUPS):
        asked.add("technical_skills")
    if _filled(education.get("level")) or _filled(education.get("field")):
        asked.add("education")
    if _filled(skills.get("soft_skills")) or _filled(offer.get("languages")):
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


def weighted_total(breakdown: Mapping[str, Any]) -> int:
    """35/30/20/15 renormalised over the asked criteria, capped at the core fit + MAX_LIFT."""
    total = _mean(breakdown, tuple(WEIGHTS))
    if total is None:
        return 0
    core = _mean(breakdown, CORE)
    if core is not None:
        total = min(total, core + MAX_LIFT)
    return round_half_up(total)


def finish_breakdown(breakdown: Mapping[str, Any], offer: Mapping[str, Any]) -> dict[str, Any]:
    """Sub-scores rounded to 0..100, `None` ("not asked") for what the offer does not state."""
    asked = asked_criteria(offer)
    return {
        key: round_half_up(clamp_score(breakdown.get(key))) if key in asked else None
        for key in WEIGHTS
    }
