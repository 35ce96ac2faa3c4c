"""Event counts of a period from the daily roll-ups for its whole past days and from the raw
events for the rest (today, the partial first day of the last 24 hours, days not rolled yet).

The figures are the ones the raw events give: events of staff accounts are taken out of the
roll-ups (which count everybody) by counting their raw events, which are few.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, F, Max, OuterRef, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from accounts.models import User
from ai.accounting import CALL_ROLLUP, call_sums, product_feature, product_of_step
from ai.models import (
    CallScope,
    DailyCallCount,
    DailyLastCalls,
    LastCallSeen,
    OpenAICall,
    UserCallTotal,
)
from cvs.models import CV, DailyCVCount
from cvs.services import CV_ROLLUP
from staff.dashboards.blocks import CUSTOMER, Period
from telemetry.models import (
    DailyActiveUsers,
    DailyEventCount,
    DailyLastSeen,
    DailyRollup,
    LastActivity,
    LastEventSeen,
    TelemetryEvent,
)
from telemetry.services import EVENT_ROLLUP, start_of

# What each group of the result holds; `last` is left out when staff events are taken away.
SUMS = ("n", "timed", "duration")


def rolled_span(period: Period, rollup: str = EVENT_ROLLUP) -> tuple[date, date] | None:
    """The whole days of the period the roll-ups hold, first and last, if any."""
    state = DailyRollup.objects.filter(name=rollup).values_list("through", flat=True)
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
        raw = raw.filter(_outside("timestamp", period, span))
        # The latest event is not shown for customers: not read at all (thousands of dates).
        latest = {} if customers else {"last": Max("last_at")}
        rolled = (
            DailyEventCount.objects.filter(day__gte=span[0], day__lte=span[1], **where)
            .values(*by)
            .annotate(n=Sum("events"), timed=Sum("timed"), duration=Sum("duration_ms"), **latest)
            .order_by()
        )
        _add(groups, rolled, by, 1)
        if customers:
            staff = TelemetryEvent.objects.filter(rolled_q, **where).filter(
                user__in=staff_accounts()
            )
            _add(groups, _grouped(staff, by, latest=False), by, -1)
    if customers:
        raw = raw.exclude(user__in=staff_accounts())
    _add(groups, _grouped(raw, by, latest=not customers), by, 1)
    for row in groups.values():
        if customers:
            row.pop("last", None)
    return {key: row for key, row in groups.items() if row["n"]}


DAY = timedelta(days=1)


def _grouped(events: Any, by: tuple[str, ...], *, latest: bool) -> Any:
    if "day" in by:
        events = events.annotate(day=TruncDate("timestamp"))
    return (
        events.values(*by)
        .annotate(
            n=Count("id"),
            timed=Count("duration_ms"),
            duration=Sum("duration_ms"),
            **({"last": Max("timestamp")} if latest else {}),
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
        last = row.get("last")
        if last is not None and (into["last"] is None or last > into["last"]):
            into["last"] = last


def _raw_from(period: Period, rollup: str = EVENT_ROLLUP) -> datetime | None:
    """Where the raw events take over from the per-user roll-ups, when they serve the period:
    those answer "who was active since a moment", so only for periods that run to today."""
    through = next(
        iter(DailyRollup.objects.filter(name=rollup).values_list("through", flat=True)),
        None,
    )
    if through is None or period.end < timezone.localdate():
        return None
    return start_of(through + DAY)


def staff_accounts() -> Any:
    """Staff accounts, found through their partial index: rows of customers or of nobody are
    the rows of none of these (cheaper than joining every row to its user)."""
    return User.objects.exclude(CUSTOMER).values("pk")


def _first_whole_day(period: Period) -> date:
    """The first day the period holds whole (the last 24 hours start within a day)."""
    return period.start if period.start_at == start_of(period.start) else period.start + DAY


def _seen_since(period: Period, rows: Any, *, per_type: bool) -> dict[tuple[str, str], int]:
    """Customers whose latest event before today (of each type, or of any type) is in the
    period: whole days from the per-day tallies, the partial first day from the per-user
    `rows`, and staff accounts' rows taken away (they are few)."""
    first = _first_whole_day(period)
    counts: dict[tuple[str, str], int] = defaultdict(int)
    tallies = DailyLastSeen.objects.filter(day__gte=first)
    tallies = tallies.exclude(type="") if per_type else tallies.filter(type="")
    for row in tallies.values("type", "category").annotate(n=Sum("users")).order_by():
        counts[(row["type"], row["category"])] += row["n"]
    since = rows.filter(last_at__gte=period.start_at)
    fields = ("type", "category") if per_type else ()

    def grouped(qs: Any, sign: int) -> None:
        if not fields:
            counts[("", "")] += sign * qs.count()
            return
        for row in qs.values(*fields).annotate(n=Count("pk")).order_by():
            counts[(row["type"], row["category"])] += sign * row["n"]

    if period.start_at < start_of(first):
        grouped(since.filter(last_at__lt=start_of(first)), 1)
    grouped(since.filter(user__in=staff_accounts()), -1)
    return counts


def active_users(period: Period) -> int:
    """Customers with at least one event in the period."""
    events = TelemetryEvent.objects.filter(period.q("timestamp"), user__isnull=False)
    raw_from = _raw_from(period)
    if raw_from is None:
        return (
            events.exclude(user__in=staff_accounts()).values("user").order_by().distinct().count()
        )
    rolled = _seen_since(period, LastActivity.objects.all(), per_type=False)[("", "")]
    # Today's users the roll-ups have not counted, found by the database: an anti-join on the
    # per-user rows' unique index.
    counted = LastActivity.objects.filter(user=OuterRef("user"), last_at__gte=period.start_at)
    later = (
        events.filter(timestamp__gte=raw_from)
        .exclude(user__in=staff_accounts())
        .exclude(Exists(counted))
        .aggregate(n=Count("user", distinct=True))["n"]
    )
    return rolled + later


def users_by_type(period: Period) -> dict[tuple[str, str], int]:
    """Customers with at least one event of each type (and category) in the period."""
    events = TelemetryEvent.objects.filter(period.q("timestamp"), user__isnull=False)
    raw_from = _raw_from(period)
    if raw_from is None:
        rows = (
            events.exclude(user__in=staff_accounts())
            .values("type", "category")
            .annotate(n=Count("user", distinct=True))
            .order_by()
        )
        return {(row["type"], row["category"]): row["n"] for row in rows}
    counts = _seen_since(period, LastEventSeen.objects.all(), per_type=True)
    # Today's (user, type) pairs the roll-ups have not counted, found by the database.
    counted = LastEventSeen.objects.filter(
        user=OuterRef("user"),
        type=OuterRef("type"),
        category=OuterRef("category"),
        last_at__gte=period.start_at,
    )
    later = (
        events.filter(timestamp__gte=raw_from)
        .exclude(user__in=staff_accounts())
        .exclude(Exists(counted))
        .values("type", "category")
        .annotate(n=Count("user", distinct=True))
        .order_by()
    )
    for row in later:
        counts[(row["type"], row["category"])] += row["n"]
    return {key: n for key, n in counts.items() if n}


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
        add(per_day(events.filter(rolled_q, user__in=staff_accounts())), -1)
        events = events.filter(_outside("timestamp", period, span))
    add(per_day(events.exclude(user__in=staff_accounts())), 1)
    return {day: row for day, row in days.items() if row["n"]}


def _outside(field: str, period: Period, span: tuple[date, date]) -> Q:
    """The rows of the period outside the rolled days: two ranges the index reads apart (a
    range less a range would read every row of the period from the index)."""
    return Q(**{f"{field}__gte": period.start_at, f"{field}__lt": start_of(span[0])}) | Q(
        **{f"{field}__gte": start_of(span[1]) + DAY, f"{field}__lt": period.end_at}
    )


CALL_SUMS = tuple(call_sums(rolled=False))
# The calls' cost has six places. SQLite sums decimals as floats and leaves the sum unrounded
# (1.314000000000001): sums are brought back to the column's places before they are added,
# so rolled and raw figures agree to the cent on every database.
COST_PLACES = Decimal("0.000001")


def _summed(name: str, value: Any) -> Any:
    if name != "cost":
        return value or 0
    return Decimal(value or 0).quantize(COST_PLACES)


def call_counts(period: Period, by: tuple[str, ...]) -> list[dict[str, Any]]:
    """Model calls of the period grouped by `by` (among day, feature_name, model, status):
    calls, prompt, cached, completion, tokens and cost. Everybody's: staff spend too."""
    span = rolled_span(period, CALL_ROLLUP)
    raw = OpenAICall.objects.filter(period.q("created_at"))
    groups: dict[tuple[Any, ...], dict[str, Any]] = {}

    def add(rows: Any) -> None:
        for row in rows:
            key = tuple(row[field] for field in by)
            into = groups.setdefault(
                key, {**{f: row[f] for f in by}, **dict.fromkeys(CALL_SUMS, 0)}
            )
            for name in CALL_SUMS:
                into[name] += _summed(name, row[name])

    if span is not None:
        raw = raw.filter(_outside("created_at", period, span))
        add(
            DailyCallCount.objects.filter(day__gte=span[0], day__lte=span[1])
            .values(*by)
            .annotate(**call_sums(rolled=True))
            .order_by()
        )
    if "day" in by:
        raw = raw.annotate(day=TruncDate("created_at"))
    add(raw.values(*by).annotate(**call_sums(rolled=False)).order_by())
    return [row for row in groups.values() if row["calls"]]


def callers(period: Period) -> dict[tuple[str, str], dict[str, int]]:
    """Users and tasks with calls in the period, by (scope, name): per recorded step
    ("step", step), per paid feature ("feature", feature) and, users only, ("any", "")."""
    calls = OpenAICall.objects.filter(period.q("created_at"))
    counts: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: {"users": 0, "tasks": 0})
    raw_from = _raw_from(period, CALL_ROLLUP)
    if raw_from is None:
        scopes = (
            (CallScope.STEP, calls.values(name=F("feature_name"))),
            (CallScope.FEATURE, calls.values(name=product_of_step())),
        )
        for scope, rows in scopes:
            for row in rows.annotate(
                users=Count("user", distinct=True), tasks=Count("task", distinct=True)
            ).order_by():
                counts[(scope, row["name"])] = {"users": row["users"], "tasks": row["tasks"]}
        everyone = calls.aggregate(users=Count("user", distinct=True))["users"]
        counts[(CallScope.ANY, "")] = {"users": everyone, "tasks": 0}
        return dict(counts)

    def add(rows: Any) -> None:
        for row in rows:
            into = counts[(row["scope"], row["feature_name"])]
            into["users"] += row["users"]
            into["tasks"] += row["tasks"]

    # Whole days count from the per-day tallies; the partial first day of the last 24 hours
    # from the per-user rows themselves.
    first_day = _first_whole_day(period)
    add(
        DailyLastCalls.objects.filter(day__gte=first_day)
        .values("scope", "feature_name")
        .annotate(users=Sum("users"), tasks=Sum("tasks"))
        .order_by()
    )
    if period.start_at < start_of(first_day):
        add(
            LastCallSeen.objects.filter(
                last_at__gte=period.start_at, last_at__lt=start_of(first_day)
            )
            .values("scope", "feature_name")
            .annotate(users=Count("user"), tasks=Count("task"))
            .order_by()
        )
    # Today's callers are few: the ones the roll-ups have not counted are found here.
    later: set[tuple[str, int | Any, str, str]] = set()
    for user, task, step in (
        calls.filter(created_at__gte=raw_from)
        .values_list("user", "task", "feature_name")
        .order_by()
        .distinct()
    ):
        for scope, name in ((CallScope.STEP, step), (CallScope.FEATURE, product_feature(step))):
            if user is not None:
                later.add(("user", user, scope, name))
            if task is not None:
                later.add(("task", task, scope, name))
        if user is not None:
            later.add(("user", user, CallScope.ANY, ""))
    if not later:
        return dict(counts)
    users = {owner for kind, owner, _, _ in later if kind == "user"}
    tasks = {owner for kind, owner, _, _ in later if kind == "task"}
    counted = set()
    for user, task, seen, name in LastCallSeen.objects.filter(
        Q(user__in=users) | Q(task__in=tasks), last_at__gte=period.start_at
    ).values_list("user", "task", "scope", "feature_name"):
        counted.add(("user", user, seen, name) if user is not None else ("task", task, seen, name))
    for kind, _, seen, name in later - counted:
        counts[(seen, name)]["users" if kind == "user" else "tasks"] += 1
    return dict(counts)


def cv_counts(period: Period) -> dict[tuple[date, str], int]:
    """Customers' CVs created in the period, per day and way they were made (`created_by`)."""
    span = rolled_span(period, CV_ROLLUP)
    raw = CV.objects.filter(period.q("created_at"))
    counts: dict[tuple[date, str], int] = defaultdict(int)

    def add(rows: Any, sign: int) -> None:
        for row in rows:
            counts[(row["day"], row["created_by"])] += sign * row["n"]

    def per_day(cvs: Any) -> Any:
        return (
            cvs.annotate(day=TruncDate("created_at"))
            .values("day", "created_by")
            .annotate(n=Count("id"))
            .order_by()
        )

    if span is not None:
        rolled_q = Q(created_at__gte=start_of(span[0]), created_at__lt=start_of(span[1]) + DAY)
        add(
            DailyCVCount.objects.filter(day__gte=span[0], day__lte=span[1])
            .values("day", "created_by")
            .annotate(n=Sum("cvs"))
            .order_by(),
            1,
        )
        # The roll-ups count everybody's CVs; staff accounts are few, their CVs taken away.
        add(per_day(CV.objects.filter(rolled_q, user__in=staff_accounts())), -1)
        raw = raw.filter(_outside("created_at", period, span))
    add(per_day(raw.exclude(user__in=staff_accounts())), 1)
    return {key: n for key, n in counts.items() if n}


def top_spenders(period: Period, limit: int) -> list[dict[str, Any]]:
    """The users (None: commands) who spent most on calls in the period: user_id, calls,
    tokens and cost, the most first."""
    calls = OpenAICall.objects.filter(period.q("created_at"))
    # COUNT(*): the covering index on (user, created_at) answers without reading the table.
    sums = {"calls": Count("*"), "tokens": Sum("total_tokens"), "cost": Sum("estimated_cost")}
    raw_from = _raw_from(period, CALL_ROLLUP)
    # The per-user totals hold every call before today: they serve periods that start before
    # the first call (all time); a shorter period reads its calls.
    if raw_from is None or OpenAICall.objects.filter(created_at__lt=period.start_at).exists():
        ranked: list[dict[str, Any]] = list(
            calls.values("user_id").annotate(**sums).order_by("-cost", "user_id")[:limit]
        )
        return ranked
    later = {
        row["user_id"]: row
        for row in calls.filter(created_at__gte=raw_from).values("user_id").annotate(**sums)
        .order_by()
    }  # fmt: skip
    totals = UserCallTotal.objects.values(
        "user_id", "calls", tokens=F("total_tokens"), cost=F("estimated_cost")
    )
    # Whoever is not among the first `limit` without calls today, nor called today, cannot
    # pass those `limit`: their total is final and no higher.
    ids = [user for user in later if user is not None]
    today = Q(user__in=ids) | Q(user__isnull=True) if None in later else Q(user__in=ids)
    rows: dict[int | None, dict[str, Any]] = {
        row["user_id"]: dict(row)
        for row in [*totals.order_by("-estimated_cost", "user")[: limit + len(later)],
                    *totals.filter(today)]
    }  # fmt: skip
    for user, row in later.items():
        into = rows.setdefault(user, {"user_id": user, "calls": 0, "tokens": 0, "cost": 0})
        for name in ("calls", "tokens", "cost"):
            into[name] += _summed(name, row[name])
    return sorted(
        rows.values(),
        key=lambda row: (-row["cost"], row["user_id"] is None, row["user_id"] or 0),
    )[:limit]
