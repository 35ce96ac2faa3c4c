from __future__ import annotations

from celery import shared_task

from telemetry.services import refresh_daily_event_counts


@shared_task(soft_time_limit=600, time_limit=660)
def refresh_daily_rollups() -> None:
    refresh_daily_event_counts()
