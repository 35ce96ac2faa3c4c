"""Errors: failed background tasks and error events."""

from __future__ import annotations

from django.db.models import Count, Max, Q

from jobs.models import BackgroundTask, TaskStatus, TaskType
from staff.dashboards.blocks import (
    RECENT_ROWS,
    USER,
    WHEN,
    Chart,
    Dashboard,
    Kpi,
    Period,
    TableSpec,
    day_labels,
    day_series,
    group_by_day,
    pct,
    user_link,
)
from staff.dashboards.rollups import event_counts
from telemetry.models import EventStatus

MESSAGES_TABLE = TableSpec(
    "messages",
    "Failed tasks by message",
    (
        ("type", "Task"),
        ("error", "Message", "message"),
        ("n", "Failures", "int"),
        ("users", "Users", "int"),
        ("last", "Last seen", "datetime"),
    ),
    empty="No task failed in this period.",
)

RECENT_TABLE = TableSpec(
    "recent",
    "Latest failed tasks",
    (
        WHEN,
        USER,
        ("type", "Task"),
        ("step", "Step"),
        ("error", "Message", "message"),
    ),
    empty="No task failed in this period.",
)
EVENTS_TABLE = TableSpec(
    "events",
    "Error events",
    (
        ("type", "Event"),
        ("error", "Message", "message"),
        ("n", "Count", "int"),
        ("last", "Last seen", "datetime"),
    ),
    empty="No error event in this period.",
)


def build(period: Period) -> Dashboard:
    by_status = event_counts(period, ("status",), customers=False)
    event_totals = {
        "total": sum(row["n"] for row in by_status.values()),
        "errors": by_status.get((EventStatus.ERROR,), {}).get("n", 0),
    }
    # Queue self-tests are operator checks, not product failures.
    tasks = BackgroundTask.objects.filter(period.q("created_at")).exclude(type=TaskType.TEST)
    failed = tasks.filter(status=TaskStatus.FAILED)
    task_totals = tasks.aggregate(
        total=Count("id"),
        failed=Count("id", filter=Q(status=TaskStatus.FAILED)),
        cancelled=Count("id", filter=Q(status=TaskStatus.CANCELLED)),
    )
    events_by_day = {
        day: row
        for (day,), row in event_counts(
            period, ("day",), customers=False, status=EventStatus.ERROR
        ).items()
    }
    failed_by_day = group_by_day(failed, "created_at", n=Count("id"))
    by_type = list(failed.values("type").annotate(n=Count("id")).order_by("-n"))
    by_message = list(
        failed.values("type", "error")
        .annotate(n=Count("id"), users=Count("user", distinct=True), last=Max("created_at"))
        .order_by("-n", "-last")[:RECENT_ROWS]
    )
    recent_tasks = list(
        failed.values("created_at", "user_id", "user__email", "type", "step", "error").order_by(
            "-created_at"
        )[:RECENT_ROWS]
    )
    error_groups = event_counts(
        period, ("type", "error"), customers=False, status=EventStatus.ERROR
    )
    event_groups = sorted(
        error_groups.values(), key=lambda row: (-row["n"], -row["last"].timestamp())
    )[:RECENT_ROWS]
    task_labels = dict(TaskType.choices)
    for row in by_message + recent_tasks:
        row["type"] = task_labels.get(row["type"], row["type"])
        row["user_url"] = user_link(row)
    for row in by_message:
        row["error"] = row["error"] or "(no message)"

    error_rate = pct(event_totals["errors"], event_totals["total"])
    failure_rate = pct(task_totals["failed"], task_totals["total"])
    kpis = [
        Kpi(
            "Failed tasks",
            f"{task_totals['failed']:,}",
            f"of {task_totals['total']:,} tasks ({failure_rate or 0:.1f} %)",
            "bad" if task_totals["failed"] else "good",
        ),
        Kpi("Cancelled tasks", f"{task_totals['cancelled']:,}", "stopped by their users"),
        Kpi(
            "Error events",
            f"{event_totals['errors']:,}",
            f"{error_rate or 0:.1f} % of {event_totals['total']:,} events",
            "bad" if event_totals["errors"] else "good",
        ),
        Kpi(
            "System health",
            f"{max(0.0, 100 - 10 * (error_rate or 0)):.0f} / 100",
            "100 − 10 × error rate",
            "good" if (error_rate or 0) < 1 else "warn",
        ),
    ]
    charts = [
        Chart(
            "errors-daily",
            "Failures per day",
            "bar",
            day_labels(period),
            [
                {
                    "label": "Failed tasks",
                    "data": day_series(failed_by_day, period, "n"),
                    "tone": "bad",
                },
                {
                    "label": "Error events",
                    "data": day_series(events_by_day, period, "n"),
                    "tone": "warn",
                },
            ],
            stacked=True,
            size="major",
        ),
        Chart(
            "errors-by-type",
            "Failed tasks by kind",
            "doughnut",
            [str(task_labels.get(row["type"], row["type"])) for row in by_type],
            [{"label": "Failed tasks", "data": [row["n"] for row in by_type]}],
            size="minor",
        ),
    ]
    tables = [
        MESSAGES_TABLE.build(by_message),
        RECENT_TABLE.build(recent_tasks),
        EVENTS_TABLE.build(event_groups),
    ]
    return Dashboard(kpis, charts, tables)
