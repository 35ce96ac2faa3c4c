"""The offline AI engine: job offer extraction, match scoring and CV tailoring without a model.

It is the default engine when no OpenAI key is configured, and its guards (`weighted_total`,
`invented_facts`) also check the model's output.
"""

from __future__ import annotations

from ai.offline.extract import detect_language, extract_job_offer, is_job_offer
from ai.offline.score import score_match, weighted_total
from ai.offline.tailor import TailorResult, invented_facts, tailor_cv
from ai.offline.vocabulary import SkillMatch, canonical_skill, find_skills

__all__ = [
    "SkillMatch",
    "TailorResult",
    "canonical_skill",
    "detect_language",
    "extract_job_offer",
    "find_skills",
    "invented_facts",
    "is_job_offer",
    "score_match",
    "tailor_cv",
    "weighted_total",
]
