"""Output models of every model call, and their strict JSON Schemas.

OpenAI's strict structured outputs accept a subset of JSON Schema (core.jsonschema): every
property required, optional data as `X | None`, and no bounds (`minimum`, `maxLength`...).
Bounds are therefore enforced in code by the gateway (clamping, capping).
"""

from __future__ import annotations

import hashlib
import json
from functools import cache
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from core.jsonschema import strict_json_schema

SkillCategory = Literal["hard_skills", "tools", "soft_skills", "methodologies"]


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


# --- Job offer extraction (the JobOffer.content contract) -------------------------------------


class OfferExperience(_Out):
    min_years: float | None
    max_years: float | None
    level: Literal["junior", "mid", "senior", "lead"] | None


class OfferLocation(_Out):
    city: str | None
    country: str | None
    remote: Literal["full", "hybrid", "none"] | None


class OfferSalary(_Out):
    min: float | None
    max: float | None
    currency: str | None
    period: Literal["year", "month", "day", "hour"] | None


class RequiredAndNice(_Out):
    required: list[str]
    nice_to_have: list[str]


class OfferSkills(_Out):
    hard_skills: RequiredAndNice
    tools: RequiredAndNice
    methodologies: RequiredAndNice
    soft_skills: list[str]


class OfferEducation(_Out):
    level: str | None
    field: str | None


class OfferLanguage(_Out):
    language: str
    level: str | None
    requirement: Literal["required", "nice_to_have"]


class OfferRole(_Out):
    """One role of a posting for several: its own title, skills and tasks."""

    title: str
    skills: OfferSkills
    responsibilities: list[str]


class JobOfferOut(_Out):
    title: str | None
    company: str | None
    contract: (
        Literal[
            "CDI", "CDD", "Freelance", "Stage", "Alternance", "Permanent", "Fixed-term",
            "Internship",
        ]
        | None
    )  # fmt: skip
    experience: OfferExperience
    location: OfferLocation
    salary: OfferSalary | None
    skills: OfferSkills
    education: OfferEducation
    languages: list[OfferLanguage]
    responsibilities: list[str]
    benefits: list[str]
    language: Literal["fr", "en", "de", "es"]
    roles: list[OfferRole] | None  # a posting for several roles; null for one job


# --- Match score ----------------------------------------------------------------------------


class ScoreBreakdown(_Out):
    technical_skills: int
    experience: int
    education: int
    soft_skills_languages: int


class Suggestion(_Out):
    title: str
    suggestion: str
    priority: Literal["high", "medium", "low"]
    impact: str


class MatchScoreOut(_Out):
    match_score: int  # discarded: the total is recomputed in code from the breakdown
    score_breakdown: ScoreBreakdown
    suggestions: list[Suggestion]
    missing_skills: list[str]
    matching_skills: list[str]


# --- Tailoring ------------------------------------------------------------------------------


class ExperienceDecision(_Out):
    index: int
    action: Literal["keep", "remove", "move_to_projects"]
    reason: str


class TailorClassifyOut(_Out):
    experiences: list[ExperienceDecision]


class TextChange(_Out):
    value: str
    reason: str


class ListChange(_Out):
    value: list[str]
    reason: str


class TailorExperienceOut(_Out):
    """Only what changes; null means "keep as it is"."""

    title: TextChange | None
    description: TextChange | None
    responsibilities: ListChange | None
    deliverables: ListChange | None
    skills_used: ListChange | None


class SkillMatch(_Out):
    category: SkillCategory
    cv_skill: str
    offer_skill: str | None
    score: int
    reason: str


class TailorSkillsOut(_Out):
    matches: list[SkillMatch]


class TailorSummaryOut(_Out):
    description: str
    reason: str


# --- Cover letter ---------------------------------------------------------------------------


class CoverLetterOut(_Out):
    subject: str
    greeting: str
    paragraphs: list[str]
    sign_off: str


# --- Improvement ----------------------------------------------------------------------------


class ExperienceImprovement(_Out):
    index: int
    description: TextChange | None
    responsibilities: ListChange | None
    deliverables: ListChange | None


class NewProject(_Out):
    name: str
    role: str
    summary: str
    tech_stack: list[str]
    reason: str


class ImproveCvOut(_Out):
    experiences: list[ExperienceImprovement]
    new_projects: list[NewProject]
    summary: TextChange | None


@cache
def strict_schema(model: type[BaseModel]) -> dict[str, Any]:
    """`model`'s JSON Schema, self-contained and fit for strict structured outputs."""
    return strict_json_schema(model.model_json_schema())


def schema_fingerprint(schema: dict[str, Any]) -> str:
    """A short hash recorded with each call, so answers can be traced to the schema version."""
    canonical = json.dumps(schema, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()[:12]
