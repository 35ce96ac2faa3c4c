"""Daily roll-ups of the product events, read by the staff dashboards for whole past days."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db import connection, transaction
from django.db.models import Count, Max, Sum, Value
from django.db.models.functions import TruncDate
from django.utils import timezone

from telemetry.models import (
    DailyActiveUsers,
    DailyEventCount,
    DailyLastSeen,
    DailyRollup,
    LastActivity,
    LastEventSeen,
    TelemetryEvent,
)

EVENT_ROLLUP = "events"
BATCH_SIZE = 2_000


def start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def refresh_daily_event_counts(*, today: date | None = None) -> date:
    """Rebuild the daily event counts of every day before today; returns the last day rolled.

    The whole table is rebuilt in one transaction, so running it again gives the same rows
    and events removed since (an erased account's) leave the counts too. Readers see either
    the old rows or the new ones."""
    today = today or timezone.localdate()
    through = today - timedelta(days=1)
    grouped = (
        TelemetryEvent.objects.filter(timestamp__lt=start_of(today))
        .annotate(day=TruncDate("timestamp"))
        .values("day", "type", "category", "status", "error")
        .annotate(
            events=Count("id"),
            timed=Count("duration_ms"),
            duration=Sum("duration_ms"),
            last_at=Max("timestamp"),
        )
        .order_by()
    )
    rows = [
        DailyEventCount(
            day=row["day"],
            type=row["type"],
            category=row["category"],
            status=row["status"],
            error=row["error"],
            events=row["events"],
            timed=row["timed"],
            duration_ms=row["duration"] or 0,
            last_at=row["last_at"],
        )
        for row in grouped.iterator(chunk_size=BATCH_SIZE)
    ]
    past = TelemetryEvent.objects.filter(timestamp__lt=start_of(today), user__isnull=False)
    active = [
        DailyActiveUsers(day=row["day"], users=row["users"])
        for row in past.annotate(day=TruncDate("timestamp"))
        .values("day")
        .annotate(users=Count("user", distinct=True))
        .order_by()
    ]
    # One row per user and type: too many to pass through Python, copied inside the database.
    seen_sql, seen_params = (
        past.values("user", "type", "category")
        .annotate(last=Max("timestamp"))
        .order_by()
        .query.sql_with_params()
    )
    last_sql, last_params = (
        past.values("user").annotate(last=Max("timestamp")).order_by().query.sql_with_params()
    )
    with transaction.atomic():
        DailyEventCount.objects.all().delete()
        DailyEventCount.objects.bulk_create(rows, batch_size=BATCH_SIZE)
        DailyActiveUsers.objects.all().delete()
        DailyActiveUsers.objects.bulk_create(active, batch_size=BATCH_SIZE)
        LastEventSeen.objects.all().delete()
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {LastEventSeen._meta.db_table} (user_id, type, category, last_at) "
                f"{seen_sql}",
                seen_params,
            )
            LastActivity.objects.all().delete()
            cursor.execute(
                f"INSERT INTO {LastActivity._meta.db_table} (user_id, last_at) {last_sql}",
                last_params,
            )
        DailyLastSeen.objects.all().delete()
        by_type = (
            LastEventSeen.objects.annotate(day=TruncDate("last_at"))
            .values("day", "type", "category")
            .annotate(users=Count("id"))
            .order_by()
        )
        by_day = (
            LastActivity.objects.annotate(day=TruncDate("last_at"))
            .values("day")
            .annotate(type=Value(""), category=Value(""), users=Count("id"))
            .order_by()
        )
        DailyLastSeen.objects.bulk_create(
            [DailyLastSeen(**row) for rows in (by_type, by_day) for row in rows],
            batch_size=BATCH_SIZE,
        )
    with connection.cursor() as cursor:
        # Rewritten tables need fresh planner statistics, or the dashboards' queries on them
        # are planned for the old row counts.
        rewritten = (DailyEventCount, DailyActiveUsers, LastEventSeen, LastActivity, DailyLastSeen)
        for model in rewritten:
            cursor.execute(f"ANALYZE {model._meta.db_table}")
        DailyRollup.objects.update_or_create(
            name=EVENT_ROLLUP, defaults={"through": through, "refreshed_at": timezone.now()}
        )
    return through
