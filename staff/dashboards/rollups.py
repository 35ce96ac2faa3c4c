"""Event counts of a period from the daily roll-ups for its whole past days and from the raw
events for the rest (today, the partial first day of the last 24 hours, days not rolled yet).

The figures are the ones the raw events give: events of staff accounts are taken out of the
roll-ups (which count everybody) by counting their raw events, which are few.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Count, F, Max, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from accounts.models import User
from staff.dashboards.blocks import CUSTOMER, Period, customer_rows
from telemetry.models import (
    DailyActiveUsers,
    DailyEventCount,
    DailyRollup,
    LastActivity,
    LastEventSeen,
    TelemetryEvent,
)
from telemetry.services import EVENT_ROLLUP, start_of

# What each group of the result holds; `last` is left out when staff events are taken away.
SUMS = ("n", "timed", "duration")


def rolled_span(period: Period) -> tuple[date, date] | None:
    """The whole days of the period the roll-ups hold, first and last, if any."""
    state = DailyRollup.objects.filter(name=EVENT_ROLLUP).values_list("through", flat=True)
    through = next(iter(state), None)
    if through is None:
        return None
    first = period.start
    if period.since is not None and period.since > start_of(first):
        first += timedelta(days=1)
    last = min(period.end, through)
    return (first, last) if first <= last else None


def event_counts(
    period: Period, by: tuple[str, ...], *, customers: bool, **where: Any
) -> dict[tuple[Any, ...], dict[str, Any]]:
    """Events of the period grouped by `by` (among day, type, category, status, error) and
    filtered by `where` (lookups on those fields): n, timed (with a duration), duration (their
    sum) and, without `customers`, last (the latest event)."""
    span = rolled_span(period)
    raw = TelemetryEvent.objects.filter(period.q("timestamp"), **where)
    groups: dict[tuple[Any, ...], dict[str, Any]] = {}
    if span is not None:
        rolled_q = Q(timestamp__gte=start_of(span[0]), timestamp__lt=start_of(span[1]) + DAY)
        raw = raw.exclude(rolled_q)
        rolled = (
            DailyEventCount.objects.filter(day__gte=span[0], day__lte=span[1], **where)
            .values(*by)
            .annotate(
                n=Sum("events"),
                timed=Sum("timed"),
                duration=Sum("duration_ms"),
                last=Max("last_at"),
            )
            .order_by()
        )
        _add(groups, rolled, by, 1)
        if customers:
            staff = TelemetryEvent.objects.filter(rolled_q, **where).filter(
                user__in=User.objects.exclude(CUSTOMER).values("pk")
            )
            _add(groups, _grouped(staff, by), by, -1)
    if customers:
        raw = raw.filter(customer_rows())
    _add(groups, _grouped(raw, by), by, 1)
    for row in groups.values():
        if customers:
            row.pop("last", None)
    return {key: row for key, row in groups.items() if row["n"]}


DAY = timedelta(days=1)


def _grouped(events: Any, by: tuple[str, ...]) -> Any:
    if "day" in by:
        events = events.annotate(day=TruncDate("timestamp"))
    return (
        events.values(*by)
        .annotate(
            n=Count("id"),
            timed=Count("duration_ms"),
            duration=Sum("duration_ms"),
            last=Max("timestamp"),
        )
        .order_by()
    )


def _add(
    groups: dict[tuple[Any, ...], dict[str, Any]], rows: Any, by: tuple[str, ...], sign: int
) -> None:
    for row in rows:
        key = tuple(row[field] for field in by)
        into = groups.setdefault(key, {**{f: row[f] for f in by}, "n": 0, "timed": 0,
                                       "duration": 0, "last": None})  # fmt: skip
        for name in SUMS:
            into[name] += sign * (row[name] or 0)
        if row["last"] is not None and (into["last"] is None or row["last"] > into["last"]):
            into["last"] = row["last"]


def _raw_from(period: Period) -> datetime | None:
    """Where the raw events take over from the per-user roll-ups, when they serve the period:
    those answer "who was active since a moment", so only for periods that run to today."""
    through = next(
        iter(DailyRollup.objects.filter(name=EVENT_ROLLUP).values_list("through", flat=True)),
        None,
    )
    if through is None or period.end < timezone.localdate():
        return None
    return start_of(through + DAY)


def _staff() -> Any:
    return User.objects.exclude(CUSTOMER).values("pk")


def active_users(period: Period) -> int:
    """Customers with at least one event in the period."""
    events = TelemetryEvent.objects.filter(period.q("timestamp"), user__isnull=False)
    raw_from = _raw_from(period)
    if raw_from is None:
        return events.filter(customer_rows()).values("user").distinct().count()
    since = LastActivity.objects.filter(last_at__gte=period.start_at)
    rolled = since.exclude(user__in=_staff()).count()
    # Today's users are few: the ones the roll-ups have not counted are found here.
    later = set(
        events.filter(timestamp__gte=raw_from)
        .filter(customer_rows())
        .values_list("user", flat=True)
        .distinct()
    )
    counted = set(since.filter(user__in=later).values_list("user", flat=True))
    return rolled + len(later - counted)


def users_by_type(period: Period) -> dict[tuple[str, str], int]:
    """Customers with at least one event of each type (and category) in the period."""
    events = TelemetryEvent.objects.filter(period.q("timestamp"), user__isnull=False)
    raw_from = _raw_from(period)
    if raw_from is None:
        rows = (
            events.filter(customer_rows())
            .values("type", "category")
            .annotate(n=Count("user", distinct=True))
            .order_by()
        )
        return {(row["type"], row["category"]): row["n"] for row in rows}
    since = LastEventSeen.objects.filter(last_at__gte=period.start_at)
    rolled = since.exclude(user__in=_staff()).values("type", "category").annotate(n=Count("id"))
    counts = {(row["type"], row["category"]): row["n"] for row in rolled.order_by()}
    # Today's (user, type) pairs are few: the ones the roll-ups have not counted are found here.
    later = set(
        events.filter(timestamp__gte=raw_from)
        .filter(customer_rows())
        .values_list("user", "type", "category")
        .distinct()
    )
    counted = set(
        since.filter(user__in={user for user, _, _ in later}).values_list(
            "user", "type", "category"
        )
    )
    for _, type_, category in later - counted:
        counts[(type_, category)] = counts.get((type_, category), 0) + 1
    return counts


def active_by_day(period: Period) -> dict[date, dict[str, int]]:
    """Customers with at least one event, per day of the period."""
    events = TelemetryEvent.objects.filter(period.q("timestamp"), user__isnull=False)
    span = rolled_span(period)
    days: dict[date, dict[str, int]] = {}

    def add(rows: Any, sign: int) -> None:
        for row in rows:
            into = days.setdefault(row["day"], {"n": 0})
            into["n"] += sign * row["n"]

    def per_day(rows: Any) -> Any:
        return (
            rows.annotate(day=TruncDate("timestamp"))
            .values("day")
            .annotate(n=Count("user", distinct=True))
            .order_by()
        )

    if span is not None:
        rolled_q = Q(timestamp__gte=start_of(span[0]), timestamp__lt=start_of(span[1]) + DAY)
        add(
            DailyActiveUsers.objects.filter(day__gte=span[0], day__lte=span[1]).values(
                "day", n=F("users")
            ),
            1,
        )
        # Staff accounts and customers are apart: a day's customers are everybody but staff.
        add(per_day(events.filter(rolled_q, user__in=_staff())), -1)
        events = events.exclude(rolled_q)
    add(per_day(events.filter(customer_rows())), 1)
    return {day: row for day, row in days.items() if row["n"]}
