"""Typed access to the Setting table.

`SETTINGS` declares every product setting with its type, default, category and description.
`get_setting(name)` returns the parsed value: the row's value when a row exists, else the
default below (the seed's and reference product's values). The whole table is cached as one
entry in the shared cache and the entry is dropped whenever a Setting row is saved or deleted,
so staff edits apply to every process without a restart. Each process also keeps the table for
LOCAL_SECONDS, so a page that reads several settings makes no cache round trip for them: a
staff edit reaches the other processes within that delay.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from core.models import Setting, SettingCategory

CACHE_KEY = "fitmycv:settings:v1"
CACHE_SECONDS = 300
LOCAL_SECONDS = 2.0


@dataclass
class _LocalRows:
    """This process's copy of the table and when it goes stale (time.monotonic())."""

    rows: dict[str, str] | None = None
    expires: float = 0.0


_local = _LocalRows()


@dataclass(frozen=True)
class SettingSpec:
    type: type
    default: Any
    category: str
    description: str = ""
    minimum: int | None = None
    maximum: int | None = None
    choices: tuple[str, ...] = ()


def _model(default: str, description: str) -> SettingSpec:
    return SettingSpec(str, default, SettingCategory.AI_MODELS, description)


def _cost(default: int, description: str) -> SettingSpec:
    return SettingSpec(int, default, SettingCategory.CREDITS, description, 0, 1000)


def _flag(description: str, default: bool = True) -> SettingSpec:
    return SettingSpec(bool, default, SettingCategory.FEATURES, description)


C = SettingCategory
# The sections of a CV document (cvdoc.document.SECTION_NAMES, which this layer cannot import;
# a test keeps the two equal).
SECTION_NAMES = (
    "header",
    "summary",
    "skills",
    "experience",
    "education",
    "languages",
    "extras",
    "projects",
)
SETTINGS: dict[str, SettingSpec] = {
    # AI model per pipeline phase
    "model_extract_job_offer": _model("o4-mini", "Job offer extraction"),
    "model_cv_generation": _model("gpt-4.1-mini", "Template CV and CV from a job title"),
    "model_cv_classify": _model("gpt-4o", "Tailoring: keep/remove/move experiences"),
    "model_cv_batch_experience": _model("o4-mini", "Tailoring: experiences"),
    "model_cv_batch_skills": _model("o4-mini", "Tailoring: skills"),
    "model_cv_batch_summary": _model("o4-mini", "Tailoring: summary"),
    "model_match_score": _model("gpt-4.1-mini", "Match score"),
    "model_improve_cv": _model("gpt-4.1", "Improve from suggestions"),
    "model_translate_cv": _model("gpt-4.1-mini", "Translation"),
    "model_import_pdf": _model("gpt-4.1-mini", "PDF import"),
    "model_generate_from_job_title": _model("gpt-4.1-mini", "CV from a job title"),
    "model_cover_letter": _model("gpt-4.1-mini", "Cover letter"),
    # Credit cost per feature (0 = free)
    "credits_create_cv_manual": _cost(0, "Create a blank CV"),
    "credits_export_cv": _cost(1, "PDF or DOCX export"),
    "credits_match_score": _cost(1, "Match score"),
    "credits_translate_cv": _cost(1, "Translation"),
    "credits_translate_offline": _cost(
        0, "Translation by the offline engine (headings, dates and glossary words only)"
    ),
    "credits_gpt_cv_generation": _cost(3, "Tailored CV, per job offer"),
    "credits_optimize_cv": _cost(2, "Improve from suggestions"),
    "credits_generate_from_job_title": _cost(1, "CV from a job title"),
    "credits_import_pdf": _cost(2, "PDF import"),
    "credits_rerank_offers": _cost(
        2, "The ten best-ranked offers scored again by the AI model (only with a provider)"
    ),
    "credits_cover_letter": _cost(1, "Cover letter, per job offer"),
    "welcome_credits": _cost(15, "Credits granted at sign-up"),
    "referral_referrer_credits": _cost(10, "Credits for the referrer when the referred user pays"),
    "referral_referred_credits": _cost(5, "Credits for the referred user on first payment"),
    # Feature flags, enforced on the server
    "feature_manual_cv": _flag("Create CVs by hand"),
    "feature_ai_generation": _flag("Tailor CVs to job offers"),
    "feature_import": _flag("Import CVs from PDF"),
    "feature_export": _flag("Export to PDF and DOCX"),
    "feature_match_score": _flag("Match score"),
    "feature_optimize": _flag("Improve from suggestions"),
    "feature_history": _flag("Link history"),
    "feature_search_bar": _flag("CV from a job title"),
    "feature_translate": _flag("Translation"),
    "feature_language_switcher": _flag("Interface language switcher"),
    "feature_edit_mode": _flag("CV editor"),
    "feature_feedback": _flag("Feedback form"),
    "feature_cover_letter": _flag("Cover letters"),
    # System
    "registration_enabled": SettingSpec(bool, True, C.SYSTEM, "New accounts can sign up"),
    "maintenance_mode": SettingSpec(bool, False, C.SYSTEM, "Only staff can use the site"),
    "subscription_mode_enabled": SettingSpec(
        bool, False, C.SYSTEM, "Subscriptions with monthly quotas (off: credits only)"
    ),
    "cv_max_versions": SettingSpec(int, 5, C.SYSTEM, "Versions kept per CV", 1, 100),
    # Background tasks
    "tasks_max_generations_per_user": SettingSpec(
        int, 3, C.TASKS, "Tailoring tasks running at once per user", 1, 20
    ),
    "tasks_max_other_per_user": SettingSpec(
        int, 1, C.TASKS, "Other tasks of one type running at once per user", 1, 20
    ),
    "tasks_max_running_global": SettingSpec(
        int, 64, C.TASKS, "Tasks running at once across all users", 1, 1000
    ),
    # Reading job offers (free, but each reading is a model call)
    "offer_reads_per_minute": SettingSpec(
        int, 10, C.TASKS, "Job offers one user may have read per minute", 1, 1000
    ),
    "offer_reads_per_day": SettingSpec(
        int, 100, C.TASKS, "Job offers one user may have read per 24 h", 1, 100000
    ),
    # PDF import
    "pdf_max_pages": SettingSpec(int, 10, C.PDF_IMPORT, "Most pages in an imported PDF", 1, 50),
    "pdf_max_size_mb": SettingSpec(int, 10, C.PDF_IMPORT, "Largest PDF upload (MB)", 1, 50),
    # CV display
    "cv_section_order": SettingSpec(
        list,
        list(SECTION_NAMES),
        C.CV_DISPLAY,
        "Order of the sections of new CVs (and so of their exports)",
        choices=SECTION_NAMES,
    ),
    # Data retention (e-mails)
    "retention_enabled": SettingSpec(
        bool, False, C.RETENTION, "Delete accounts inactive past the retention period"
    ),
    "retention_months": SettingSpec(
        int, 36, C.RETENTION, "Months of inactivity before an account is deleted", 1, 240
    ),
    # Feedback
    "feedback_max_per_day": SettingSpec(int, 10, C.GENERAL, "Feedback per user per 24 h", 1, 100),
}


def parse_value(name: str, raw: str) -> Any:
    """Parse a stored text value into the declared type; raise ValueError with a clear message."""
    spec = SETTINGS[name]
    if spec.type is bool:
        lowered = raw.strip().lower()
        if lowered in ("1", "true", "yes", "on"):
            return True
        if lowered in ("0", "false", "no", "off"):
            return False
        raise ValueError(f"{name} must be 1 or 0 (true or false), not {raw!r}")
    if spec.type is int:
        try:
            number = int(raw.strip())
        except ValueError:
            raise ValueError(f"{name} must be a whole number, not {raw!r}") from None
        if spec.minimum is not None and number < spec.minimum:
            raise ValueError(f"{name} must be at least {spec.minimum}")
        if spec.maximum is not None and number > spec.maximum:
            raise ValueError(f"{name} must be at most {spec.maximum}")
        return number
    if spec.type is list:
        try:
            names = json.loads(raw)
        except (json.JSONDecodeError, RecursionError):  # "[[[[..." nested past the stack
            raise ValueError(f"{name} must be a JSON list") from None
        if not isinstance(names, list) or not all(isinstance(v, str) for v in names):
            raise ValueError(f"{name} must be a JSON list of names")
        unknown = [v for v in names if spec.choices and v not in spec.choices]
        if unknown:
            raise ValueError(
                f"{name} accepts only these names: {', '.join(spec.choices)} "
                f"(not {', '.join(unknown)})"
            )
        repeated = sorted({v for v in names if names.count(v) > 1})
        if repeated:
            raise ValueError(f"{name} names each section once ({', '.join(repeated)} repeated)")
        return names
    text = raw.strip()
    if not text:
        raise ValueError(f"{name} cannot be empty")
    if spec.choices and text not in spec.choices:
        raise ValueError(f"{name} must be one of {', '.join(spec.choices)}")
    return text


def format_value(name: str, value: Any) -> str:
    """The stored text form of a typed value (the inverse of parse_value)."""
    spec = SETTINGS[name]
    if spec.type is bool:
        return "1" if value else "0"
    if spec.type is list:
        return json.dumps(value)
    return str(value)


def _load_rows() -> dict[str, str]:
    now = time.monotonic()
    if _local.rows is not None and now < _local.expires:
        return _local.rows
    rows: dict[str, str] | None = cache.get(CACHE_KEY)
    if rows is None:
        rows = dict(Setting.objects.values_list("name", "value"))
        cache.set(CACHE_KEY, rows, CACHE_SECONDS)
    _local.rows, _local.expires = rows, now + LOCAL_SECONDS
    return rows


def get_setting(name: str) -> Any:
    """The typed value of a setting; the declared default when the row is missing or invalid."""
    spec = SETTINGS[name]  # KeyError for an undeclared name: a typo must fail loudly
    raw = _load_rows().get(name)
    if raw is None:
        return spec.default
    try:
        return parse_value(name, raw)
    except ValueError:
        # Rows are validated on save (admin form, seed); a bad row edited in SQL must not
        # take the site down, so fall back to the default.
        return spec.default


def invalidate_settings_cache() -> None:
    _local.rows, _local.expires = None, 0.0
    cache.delete(CACHE_KEY)


def forget_local_settings() -> None:
    """Drop this process's copy (tests, which roll the table back without signals)."""
    _local.rows, _local.expires = None, 0.0


@receiver([post_save, post_delete], sender=Setting)
def _drop_cached_settings(**kwargs: Any) -> None:
    invalidate_settings_cache()
