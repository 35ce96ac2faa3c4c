"""Product events: one TelemetryEvent row per key action, plus per-user feature aggregates.

`record_event` is called from views, services and tasks right after the action succeeded (or
failed). It must never break the action it describes: every failure is logged and swallowed,
and the writes run inside a savepoint so a failed insert leaves the caller's transaction usable.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from telemetry.models import EventCategory, EventStatus, FeatureUsage, TelemetryEvent

logger = logging.getLogger(__name__)

# Authentication
USER_REGISTERED = "USER_REGISTERED"
USER_LOGIN = "USER_LOGIN"
USER_LOGOUT = "USER_LOGOUT"
EMAIL_VERIFIED = "EMAIL_VERIFIED"
PASSWORD_RESET = "PASSWORD_RESET"
# CV management
CV_CREATED = "CV_CREATED"
CV_IMPORTED = "CV_IMPORTED"
CV_GENERATED = "CV_GENERATED"
CV_TEMPLATE_CREATED = "CV_TEMPLATE_CREATED"
CV_GENERATED_FROM_JOB_TITLE = "CV_GENERATED_FROM_JOB_TITLE"
CV_EDITED = "CV_EDITED"
CV_EXPORTED = "CV_EXPORTED"
CV_TRANSLATED = "CV_TRANSLATED"
CV_DELETED = "CV_DELETED"
CV_RESTORED = "CV_RESTORED"
CV_IMPROVED = "CV_IMPROVED"
CV_CHANGES_REVIEWED = "CV_CHANGES_REVIEWED"
MATCH_SCORE_CALCULATED = "MATCH_SCORE_CALCULATED"
CV_COVER_LETTER_WRITTEN = "CV_COVER_LETTER_WRITTEN"
# Background jobs
JOB_OFFER_EXTRACTED = "JOB_OFFER_EXTRACTED"
TASK_FAILED = "TASK_FAILED"
TASK_CANCELLED = "TASK_CANCELLED"
# Billing
PURCHASE = "PURCHASE"
SUBSCRIPTION_STARTED = "SUBSCRIPTION_STARTED"
SUBSCRIPTION_CANCELLED = "SUBSCRIPTION_CANCELLED"
CREDITS_GRANTED = "CREDITS_GRANTED"
# Interaction
FEEDBACK_SENT = "FEEDBACK_SENT"
PAGE_VIEW = "PAGE_VIEW"

# Events that stand for one use of a product feature; the names match billing's feature keys
# so usage and credit costs line up in the dashboards.
EVENT_FEATURES: dict[str, str] = {
    CV_CREATED: "create_cv_manual",
    CV_EDITED: "edit_cv",
    CV_IMPORTED: "import_pdf",
    CV_GENERATED: "gpt_cv_generation",
    CV_TEMPLATE_CREATED: "gpt_cv_generation",
    CV_GENERATED_FROM_JOB_TITLE: "generate_from_job_title",
    CV_EXPORTED: "export_cv",
    CV_TRANSLATED: "translate_cv",
    MATCH_SCORE_CALCULATED: "match_score",
    CV_IMPROVED: "optimize_cv",
    CV_COVER_LETTER_WRITTEN: "cover_letter",
}

EXACT_CATEGORIES: dict[str, str] = {
    EMAIL_VERIFIED: EventCategory.AUTH,
    PASSWORD_RESET: EventCategory.AUTH,
    MATCH_SCORE_CALCULATED: EventCategory.CV_MANAGEMENT,
    PURCHASE: EventCategory.BILLING,
    PAGE_VIEW: EventCategory.NAVIGATION,
}
PREFIX_CATEGORIES: tuple[tuple[str, str], ...] = (
    ("CV_", EventCategory.CV_MANAGEMENT),
    ("USER_", EventCategory.AUTH),
    ("JOB_", EventCategory.JOB_PROCESSING),
    ("TASK_", EventCategory.JOB_PROCESSING),
    ("CREDITS_", EventCategory.BILLING),
    ("SUBSCRIPTION_", EventCategory.BILLING),
)
MAX_TYPE_LENGTH = 50
MAX_ERROR_LENGTH = 4000


def category_for(type: str) -> str:
    """The category a type belongs to; anything unknown counts as an interaction."""
    if type in EXACT_CATEGORIES:
        return EXACT_CATEGORIES[type]
    for prefix, category in PREFIX_CATEGORIES:
        if type.startswith(prefix):
            return category
    return EventCategory.INTERACTION


def record_event(
    type: str,
    *,
    user: Any = None,
    category: str | None = None,
    metadata: dict[str, Any] | None = None,
    device_id: str = "",
    duration_ms: int | None = None,
    status: str = EventStatus.SUCCESS,
    error: str = "",
) -> None:
    """Store one product event; a successful feature event also counts one use of it.

    `user` is a User or its id (tasks know only the id; loading the row would cost a query).
    """
    user_id = user if isinstance(user, int) else getattr(user, "pk", None)
    try:
        with transaction.atomic():
            now = timezone.now()
            TelemetryEvent.objects.create(
                user_id=user_id,
                type=type[:MAX_TYPE_LENGTH],
                category=category or category_for(type),
                metadata=metadata or {},
                device_id=device_id[:100],
                duration_ms=max(duration_ms, 0) if duration_ms is not None else None,
                status=status,
                error=error[:MAX_ERROR_LENGTH],
            )
            feature = EVENT_FEATURES.get(type)
            if feature and user_id is not None and status == EventStatus.SUCCESS:
                _count_feature_use(user_id, feature, duration_ms=duration_ms or 0, now=now)
    except Exception:
        # Telemetry is best effort: losing an event is better than failing the user's action.
        logger.exception("Telemetry event %s was not recorded", type)


def _count_feature_use(user_id: int, feature: str, *, duration_ms: int, now: Any) -> None:
    """Add one use to the user's FeatureUsage row, creating it on first use.

    The increment is an UPDATE ... SET usage_count = usage_count + 1, so concurrent uses are
    applied one after the other by the database. When two first uses race, the loser's INSERT
    hits the unique (user, feature) constraint and it falls back to the UPDATE.
    """
    increments = {
        "usage_count": F("usage_count") + 1,
        "total_duration_ms": F("total_duration_ms") + max(duration_ms, 0),
        "last_used_at": now,
        "updated_at": now,
    }
    rows = FeatureUsage.objects.filter(user_id=user_id, feature_name=feature)
    if rows.update(**increments):
        return
    try:
        with transaction.atomic():
            FeatureUsage.objects.create(
                user_id=user_id,
                feature_name=feature,
                usage_count=1,
                total_duration_ms=max(duration_ms, 0),
                last_used_at=now,
            )
    except IntegrityError:
        rows.update(**increments)
