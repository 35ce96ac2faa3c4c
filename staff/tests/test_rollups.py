"""The dashboards show the same figures from the daily roll-ups as from the raw events."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from conftest import make_user
from staff import dashboards
from staff.dashboards import Period
from telemetry.models import (
    DailyActiveUsers,
    DailyEventCount,
    DailyRollup,
    LastActivity,
    LastEventSeen,
    TelemetryEvent,
)
from telemetry.services import refresh_daily_event_counts

pytestmark = pytest.mark.django_db

TYPES = ["CV_EDITED", "CV_GENERATED", "PAGE_VIEW", "USER_LOGIN"]
BUILDERS = [dashboards.overview.build, dashboards.features.build, dashboards.errors.build]


def _events(users: list[Any], *, days: int = 40) -> None:
    """Events by customers, staff and nobody, of each type and status; `_set_dates` dates them."""
    rows = []
    for n in range(days * 7):
        failed = n % 5 == 0
        rows.append(
            TelemetryEvent(
                user=users[n % len(users)] if n % 6 else None,
                type=TYPES[n % len(TYPES)],
                category="cv_management",
                duration_ms=(n * 37) % 900 if n % 3 else None,
                status="error" if failed else "success",
                error=f"Failure {n % 2}" if failed else "",
            )
        )
    TelemetryEvent.objects.bulk_create(rows)


def _shown(build: Any, period: Period) -> Any:
    board = build(period)
    return (
        [(k.label, k.value, k.hint) for k in board.kpis],
        board.charts_json,
        [[cell.display for cell in row.cells] for t in board.tables for row in t.html_rows],
    )


def _set_dates() -> None:
    """Spread the events over the last few weeks, today included."""
    now = timezone.now()
    events = list(TelemetryEvent.objects.order_by("pk"))
    for n, event in enumerate(events):
        event.timestamp = now - dt.timedelta(hours=n * 5 + n % 3, minutes=n % 50)
    TelemetryEvent.objects.bulk_update(events, ["timestamp"])


PERIODS = [
    lambda: Period.last_hours(24, key="24h"),
    lambda: Period.last_days(7, key="7d"),
    lambda: Period.last_days(30, key="30d"),
    lambda: Period(timezone.localdate() - dt.timedelta(days=20), timezone.localdate()
                   - dt.timedelta(days=3)),
    lambda: Period(dt.date(2000, 1, 1), timezone.localdate(), key="all"),
]  # fmt: skip


@pytest.mark.parametrize("period", PERIODS)
@pytest.mark.parametrize("build", BUILDERS)
def test_roll_ups_give_the_figures_of_the_raw_events(build, period, staff):
    users = [make_user(f"u{n}@example.org") for n in range(3)] + [staff]
    _events(users)
    _set_dates()
    raw = _shown(build, period())

    refresh_daily_event_counts()

    assert DailyEventCount.objects.exists()
    assert _shown(build, period()) == raw


def test_the_roll_up_holds_whole_past_days_only_and_is_rebuilt_the_same(alice):
    _events([alice])
    _set_dates()
    today = timezone.localdate()

    def rows() -> tuple[list[Any], ...]:
        return (
            sorted(DailyEventCount.objects.values_list("day", "type", "status", "error", "events")),
            sorted(LastEventSeen.objects.values_list("user", "type", "last_at")),
            sorted(DailyActiveUsers.objects.values_list("day", "users")),
            sorted(LastActivity.objects.values_list("user", "last_at")),
        )

    through = refresh_daily_event_counts()
    first, seen, active, last = rows()
    refresh_daily_event_counts()
    again = rows()

    assert through == today - dt.timedelta(days=1)
    assert (first, seen, active, last) == again
    assert len(last) == len({user for user, _, _ in seen})
    assert len(seen) == len({(user, type_) for user, type_, _ in seen}) > 0
    assert max(last for _, _, last in seen) < timezone.make_aware(
        dt.datetime.combine(today, dt.time.min)
    )
    assert max(row[0] for row in first) < today
    past = TelemetryEvent.objects.filter(timestamp__lt=timezone.make_aware(
        dt.datetime.combine(today, dt.time.min)
    )).count()  # fmt: skip
    assert sum(row[4] for row in first) == past
    assert DailyRollup.objects.get(name="events").through == through


def test_events_removed_after_a_roll_up_leave_it_at_the_next_one(alice, bob):
    _events([alice, bob])
    _set_dates()
    refresh_daily_event_counts()

    bob.delete()  # an erased account takes its events along
    refresh_daily_event_counts()

    total = sum(DailyEventCount.objects.values_list("events", flat=True))
    today = timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time.min))
    assert total == TelemetryEvent.objects.filter(timestamp__lt=today).count()
