"""The dashboards show the same figures from the daily roll-ups as from the raw events, model
calls and CVs, today's included."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from ai.models import DailyCallCount, DailyLastCalls, LastCallSeen, OpenAICall
from conftest import make_user
from cvs.models import CV, DailyCVCount
from jobs.models import BackgroundTask
from staff import dashboards
from staff.dashboards import Period
from staff.tasks import refresh_daily_rollups
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
BUILDERS = [
    dashboards.overview.build,
    dashboards.features.build,
    dashboards.errors.build,
    dashboards.ai_costs.build,
]
STEPS = ["cv_adaptation_classify", "cv_adaptation_experience", "improve_cv", "match_score"]
MODELS = ["gpt-4.1-mini", "gpt-4.1-mini-2025-04-14", "o4-mini"]
MADE = ["", "generate-cv", "import-pdf", "translate-cv", "create-template"]


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


def _calls(users: list[Any], *, count: int = 240) -> None:
    """Calls by users (staff too) and commands, some for tasks, of several steps, models and
    statuses, spread over the last few weeks with today: a task's calls may span midnight."""
    tasks = [
        BackgroundTask.objects.create(user=users[n % len(users)], type="generate-cv", title=f"T{n}")
        for n in range(3)
    ]
    now = timezone.now()
    rows = []
    for n in range(count):
        prompt = 100 + n
        rows.append(
            OpenAICall(
                user=users[n % len(users)] if n % 7 else None,
                task=tasks[n % 3] if n % 4 == 0 else None,
                feature_name=STEPS[n % len(STEPS)],
                model=MODELS[n % len(MODELS)],
                prompt_tokens=prompt,
                cached_tokens=prompt // 2 if n % 3 == 0 else 0,
                completion_tokens=n % 50,
                total_tokens=prompt + n % 50,
                estimated_cost=Decimal(n % 13) / 1000,
                status="failed" if n % 9 == 0 else "ok",
            )
        )
    OpenAICall.objects.bulk_create(rows)
    calls = list(OpenAICall.objects.order_by("pk"))
    for n, row in enumerate(calls):
        row.created_at = now - dt.timedelta(hours=n * 4 + n % 5, minutes=n % 40)
    OpenAICall.objects.bulk_update(calls, ["created_at"])


def _cvs(users: list[Any], *, count: int = 120) -> None:
    """CVs of each kind by customers and staff, created over the last few weeks and today."""
    now = timezone.now()
    for n in range(count):
        cv = CV.objects.create(
            user=users[n % len(users)],
            filename=f"cv-{n}.json",
            name=f"CV {n}",
            content={},
            created_by=MADE[n % len(MADE)],
        )
        CV.objects.filter(pk=cv.pk).update(created_at=now - dt.timedelta(hours=n * 7 + n % 3))


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
def test_roll_ups_give_the_figures_of_the_raw_rows(build, period, staff):
    users = [make_user(f"u{n}@example.org") for n in range(3)] + [staff]
    _events(users)
    _set_dates()
    _calls(users)
    _cvs(users)
    raw = _shown(build, period())

    refresh_daily_rollups()

    assert DailyEventCount.objects.exists()
    assert DailyCallCount.objects.exists() and DailyLastCalls.objects.exists()
    assert DailyCVCount.objects.exists()
    assert _shown(build, period()) == raw


@pytest.mark.parametrize("period", PERIODS)
@pytest.mark.parametrize("build", [dashboards.overview.build, dashboards.ai_costs.build])
def test_what_happens_today_after_a_roll_up_is_read_live(build, period, alice, staff):
    users = [alice, make_user("u1@example.org"), staff]
    _calls(users)
    _cvs(users)
    refresh_daily_rollups()
    newcomer = make_user("new@example.org")
    task = BackgroundTask.objects.create(user=alice, type="generate-cv", title="Today's")
    for user, step in [(alice, "match_score"), (newcomer, "improve_cv"), (alice, "translate_cv")]:
        OpenAICall.objects.create(
            user=user, task=task, feature_name=step, model="gpt-4.1", total_tokens=9,
            estimated_cost=Decimal("0.125"),
        )  # fmt: skip
    CV.objects.create(user=newcomer, filename="today.json", content={}, created_by="import-pdf")
    rolled = _shown(build, period())

    DailyRollup.objects.all().delete()  # the readers fall back to the raw rows

    assert _shown(build, period()) == rolled


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


def test_the_call_and_cv_roll_ups_add_up_to_the_rows_of_past_days(alice, bob):
    _calls([alice, bob])
    _cvs([alice, bob])
    today = timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time.min))

    refresh_daily_rollups()
    first = sorted(DailyCallCount.objects.values_list("day", "feature_name", "model", "calls"))
    refresh_daily_rollups()

    past = OpenAICall.objects.filter(created_at__lt=today)
    assert sorted(DailyCallCount.objects.values_list("day", "feature_name", "model", "calls")) == (
        first
    )
    assert sum(row[3] for row in first) == past.count()
    assert sum(DailyCallCount.objects.values_list("estimated_cost", flat=True)) == sum(
        past.values_list("estimated_cost", flat=True)
    )
    assert sum(DailyCVCount.objects.values_list("cvs", flat=True)) == (
        CV.objects.filter(created_at__lt=today).count()
    )
    # One row per user and step, each at its latest call before today.
    assert LastCallSeen.objects.get(
        user=alice, scope="step", feature_name="improve_cv"
    ).last_at == (
        past.filter(user=alice, feature_name="improve_cv").latest("created_at").created_at
    )
    assert LastCallSeen.objects.filter(last_at__gte=today).count() == 0
    assert DailyRollup.objects.get(name="calls").through == timezone.localdate() - dt.timedelta(1)


def test_events_removed_after_a_roll_up_leave_it_at_the_next_one(alice, bob):
    _events([alice, bob])
    _set_dates()
    refresh_daily_event_counts()

    bob.delete()  # an erased account takes its events along
    refresh_daily_event_counts()

    total = sum(DailyEventCount.objects.values_list("events", flat=True))
    today = timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time.min))
    assert total == TelemetryEvent.objects.filter(timestamp__lt=today).count()


def test_past_days_are_read_from_the_roll_ups_not_the_rows(alice):
    _calls([alice])
    _cvs([alice])
    refresh_daily_rollups()
    period = Period(dt.date(2000, 1, 1), timezone.localdate(), key="all")
    before = [_shown(dashboards.ai_costs.build, period), _shown(dashboards.overview.build, period)]
    today = timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time.min))

    # Rows removed behind the roll-ups' back (the next rebuild takes them out) still count.
    OpenAICall.objects.filter(created_at__lt=today).delete()
    CV.objects.filter(created_at__lt=today).delete()

    after = [_shown(dashboards.ai_costs.build, period), _shown(dashboards.overview.build, period)]
    assert after == before
