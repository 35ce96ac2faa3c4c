from __future__ import annotations

from celery import shared_task

from ai.accounting import refresh_daily_call_counts
from cvs.services import refresh_daily_cv_counts
from telemetry.services import refresh_daily_event_counts


@shared_task(soft_time_limit=600, time_limit=660)
def refresh_daily_rollups() -> None:
    """Rebuild the daily roll-ups the staff dashboards read: events, model calls, CVs."""
    refresh_daily_event_counts()
    refresh_daily_call_counts()
    refresh_daily_cv_counts()
