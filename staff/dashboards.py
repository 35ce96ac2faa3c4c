"""The staff dashboards' numbers: every figure is an aggregate computed by the database.

Each dashboard function takes a Period and returns a Dashboard (KPI cards, chart series and
tables) built from a fixed number of queries, whatever the amount of data: group by day with
TruncDate, count and sum with filtered aggregates, and never one query per row. Events and
accounts of staff are left out of the product analytics (AI costs keep them: they are spent).
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode, urlsplit

from django.db.models import (
    Avg,
    Count,
    Exists,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, TruncDate
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from accounts.models import Role, User
from accounts.onboarding import STEPS, normalise
from ai.accounting import OFFLINE_MODEL, price_tokens, pricing_for
from ai.models import OpenAIAlert, OpenAIAlertEvent, OpenAIPricing, OpenAIUsage
from billing.models import (
    CreditBalance,
    CreditPack,
    CreditTransaction,
    Feature,
    Subscription,
    SubscriptionStatus,
    TransactionType,
)
from cvs.models import CV, CreatedBy
from emails.models import EmailLog, EmailStatus
from joboffers.models import JobOffer
from jobs.models import BackgroundTask, TaskStatus, TaskType
from telemetry.events import EVENT_FEATURES
from telemetry.models import EventStatus, FeatureUsage, Feedback, FeedbackStatus, TelemetryEvent

CUSTOMER = Q(role=Role.USER, is_superuser=False)
AI_CREATED = (CreatedBy.GENERATE_CV, CreatedBy.CREATE_TEMPLATE, CreatedBy.GENERATE_FROM_JOB_TITLE)
IMPORTED = (CreatedBy.IMPORT_PDF, CreatedBy.IMPORT_JSON_RESUME)
# A tailoring task reports 25 % once the offer is read: a failure below that happened while
# the offer was being fetched or extracted.
EXTRACTION_DONE_PROGRESS = 25
PAYING_SUBSCRIPTION = (
    SubscriptionStatus.ACTIVE,
    SubscriptionStatus.TRIALING,
    SubscriptionStatus.PAST_DUE,
)
PAID_PLAN = Q(plan__price_monthly__gt=0) | Q(plan__price_yearly__gt=0)
PAID_SUBSCRIPTION = Q(subscription__plan__price_monthly__gt=0) | Q(
    subscription__plan__price_yearly__gt=0
)
MONEY_REVERSALS = (TransactionType.PAYMENT_REFUND, TransactionType.CHARGEBACK)
EMAIL_PROBLEMS = (EmailStatus.BOUNCED, EmailStatus.FAILED, EmailStatus.COMPLAINED)
EMAIL_TONES = {
    EmailStatus.DELIVERED: "good",
    EmailStatus.SENT: "info",
    EmailStatus.BOUNCED: "warn",
    EmailStatus.FAILED: "bad",
    EmailStatus.COMPLAINED: "spam",
    EmailStatus.QUEUED: "muted",
}
CURRENCY_SYMBOLS = {"eur": "€", "usd": "$", "gbp": "£"}
DEFAULT_CURRENCY = "eur"
RECENT_ROWS = 30
MAX_EXTRACTION_ROWS = 5000
MAX_TIMING_ROWS = 2000
TOP_SERIES = 5
CREDIT_BUCKETS = ((0, 0), (1, 5), (6, 20), (21, 50), (51, None))


# --- Periods and the shapes a dashboard is made of ------------------------------------------


@dataclass(frozen=True)
class Period:
    """Whole days from `start` to `end` (both included), in the site's time zone."""

    start: date
    end: date
    key: str = "custom"

    @classmethod
    def last_days(cls, days: int, *, key: str = "custom") -> Period:
        end = timezone.localdate()
        return cls(end - timedelta(days=days - 1), end, key=key)

    @property
    def start_at(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.start, time.min))

    @property
    def end_at(self) -> datetime:
        """The first instant after the period (exclusive bound)."""
        return timezone.make_aware(datetime.combine(self.end + timedelta(days=1), time.min))

    @property
    def days(self) -> list[date]:
        return [self.start + timedelta(days=n) for n in range((self.end - self.start).days + 1)]

    @property
    def label(self) -> str:
        return f"{self.start:%d %b %Y} – {self.end:%d %b %Y}"

    def q(self, field: str) -> Q:
        return Q(**{f"{field}__gte": self.start_at, f"{field}__lt": self.end_at})

    def q_dates(self, field: str) -> Q:
        return Q(**{f"{field}__gte": self.start, f"{field}__lte": self.end})


@dataclass
class Kpi:
    label: str
    value: str
    hint: str = ""
    tone: str = ""  # "", "good", "warn" or "bad": the card's accent


@dataclass
class Column:
    key: str
    label: str
    kind: str = "text"
    link: str = ""  # key of the row's URL for this cell, if the cell links somewhere


@dataclass
class Cell:
    display: str
    kind: str
    url: str = ""


@dataclass
class Row:
    id: Any
    cells: list[Cell]


@dataclass
class Table:
    key: str
    title: str
    columns: list[Column]
    rows: list[dict[str, Any]]
    note: str = ""
    empty: str = "Nothing in this period."
    select: str = ""  # key of a row id to show a checkbox for (bulk actions)

    @property
    def html_rows(self) -> list[Row]:
        return [
            Row(
                row.get(self.select) if self.select else None,
                [
                    Cell(
                        display_value(row.get(col.key), col.kind),
                        col.kind,
                        row.get(col.link, "") if col.link else "",
                    )
                    for col in self.columns
                ],
            )
            for row in self.rows
        ]

    def csv_rows(self) -> Iterable[list[Any]]:
        yield [col.label for col in self.columns]
        for row in self.rows:
            yield [csv_value(row.get(col.key), col.kind) for col in self.columns]


@dataclass
class Chart:
    id: str
    title: str
    type: str  # line, bar or doughnut
    labels: list[str]
    datasets: list[dict[str, Any]]
    stacked: bool = False
    horizontal: bool = False
    unit: str = ""  # "eur", "usd" or "%" for tooltips and axes
    size: str = "half"  # share of the row: full, half, major (2/3) or minor (1/3)
    short: bool = False

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "type": self.type,
            "labels": self.labels,
            "datasets": [
                {
                    "label": ds["label"],
                    "data": [_number(v) for v in ds["data"]],
                    # Optional colour meaning ("good", "bad", "warn"), per series or per slice.
                    "tone": ds.get("tone", ""),
                    "tones": ds.get("tones", []),
                }
                for ds in self.datasets
            ],
            "stacked": self.stacked,
            "horizontal": self.horizontal,
            "unit": self.unit,
        }


@dataclass
class Dashboard:
    kpis: list[Kpi] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def charts_json(self) -> list[dict[str, Any]]:
        return [chart.as_json() for chart in self.charts]

    def table(self, key: str | None) -> Table | None:
        if not self.tables:
            return None
        if not key:
            return self.tables[0]
        return next((t for t in self.tables if t.key == key), None)


# --- Formatting ------------------------------------------------------------------------------


def _number(value: Any) -> float | int | None:
    if value is None:
        return None
    if isinstance(value, Decimal):
        return float(value)
    return value


def money(value: Any, currency: str = DEFAULT_CURRENCY) -> str:
    amount = Decimal(value or 0)
    symbol = CURRENCY_SYMBOLS.get(currency.lower(), currency.upper() + " ")
    sign = "-" if amount < 0 else ""
    return f"{sign}{symbol}{abs(amount):,.2f}"


def usd(value: Any) -> str:
    amount = Decimal(value or 0)
    # AI spend per row is often a fraction of a cent: show enough digits to compare.
    places = 2 if abs(amount) >= 1 else 4
    return f"${amount:,.{places}f}"


def pct(part: float, whole: float) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def display_value(value: Any, kind: str) -> str:
    if value is None or value == "":
        return "—"
    if kind == "int":
        return f"{int(value):,}"
    if kind == "eur":
        return money(value)
    if kind == "usd":
        return usd(value)
    if kind == "pct":
        return f"{value:.1f} %"
    if kind == "ms":
        return f"{value / 1000:.1f} s" if value >= 1000 else f"{value:.0f} ms"
    if kind == "date":
        return f"{value:%Y-%m-%d}"
    if kind == "datetime":
        return f"{timezone.localtime(value):%Y-%m-%d %H:%M}"
    if kind == "bool":
        return "yes" if value else "no"
    if kind == "rating":
        return "★" * int(value) + "☆" * (5 - int(value))
    return str(value)


def csv_value(value: Any, kind: str) -> Any:
    if value is None:
        return ""
    if kind == "datetime":
        return timezone.localtime(value).isoformat(timespec="seconds")
    if kind == "date":
        return value.isoformat()
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        # A spreadsheet would run this cell as a formula (user text: comments, e-mails).
        return "'" + value
    return value


def _staff_url(name: str, *args: Any) -> str:
    return reverse(f"staff:{name}", args=args)


def _user_link(row: dict[str, Any], key: str = "user_id") -> str:
    return _staff_url("user_detail", row[key]) if row.get(key) else ""


def _by_day(qs: QuerySet[Any], field: str, **aggregates: Any) -> dict[date, dict[str, Any]]:
    rows = qs.annotate(day=TruncDate(field)).values("day").annotate(**aggregates).order_by("day")
    return {row["day"]: row for row in rows}


def _series(by_day: dict[date, dict[str, Any]], period: Period, key: str) -> list[Any]:
    return [(by_day.get(day) or {}).get(key) or 0 for day in period.days]


def _labels(period: Period) -> list[str]:
    return [day.isoformat() for day in period.days]


def _customer_rows(prefix: str = "user") -> Q:
    """Rows of customers, or of no user at all (anonymous events)."""
    return Q(**{f"{prefix}__isnull": True}) | Q(
        **{f"{prefix}__role": Role.USER, f"{prefix}__is_superuser": False}
    )


def _customer_owned(prefix: str = "user") -> Q:
    return Q(**{f"{prefix}__role": Role.USER, f"{prefix}__is_superuser": False})


def feature_label(name: str) -> str:
    labels = dict(Feature.choices)
    return str(labels.get(name, name.replace("_", " ").capitalize()))


# --- Money in the ledger -----------------------------------------------------------------------


@dataclass
class Purchases:
    """Pack sales of a period, valued at the amount paid (from Stripe) or the list price."""

    by_day: dict[date, dict[str, Any]]
    by_pack: dict[int, dict[str, Any]]
    total: Decimal
    count: int
    unpriced: int
    currency: str


def _purchases(period: Period) -> Purchases:
    packs = {pack.credit_amount: pack for pack in CreditPack.objects.all()}
    rows = (
        CreditTransaction.objects.filter(period.q("created_at"), type=TransactionType.PURCHASE)
        .filter(_customer_owned())
        .annotate(
            day=TruncDate("created_at"),
            paid=Cast(KT("metadata__amount_paid"), IntegerField()),
            currency=KT("metadata__currency"),
        )
        .values("day", "amount", "currency")
        .annotate(
            n=Count("id"),
            paid_cents=Sum("paid"),
            unpaid=Count("id", filter=Q(paid__isnull=True)),
        )
        .order_by("day")
    )
    by_day: dict[date, dict[str, Any]] = defaultdict(lambda: {"n": 0, "revenue": Decimal(0)})
    by_pack: dict[int, dict[str, Any]] = defaultdict(lambda: {"n": 0, "revenue": Decimal(0)})
    currencies: Counter[str] = Counter()
    unpriced = 0
    for row in rows:
        pack = packs.get(row["amount"])
        revenue = Decimal(row["paid_cents"] or 0) / 100
        if row["unpaid"]:
            # Purchases recorded without the amount Stripe charged count at the list price.
            if pack is not None:
                revenue += pack.price * row["unpaid"]
            else:
                unpriced += row["unpaid"]
        for bucket in (by_day[row["day"]], by_pack[row["amount"]]):
            bucket["n"] += row["n"]
            bucket["revenue"] += revenue
        currencies[(row["currency"] or (pack.price_currency if pack else "")).lower()] += row["n"]
    return Purchases(
        by_day=dict(by_day),
        by_pack=dict(by_pack),
        total=sum((b["revenue"] for b in by_day.values()), Decimal(0)),
        count=sum(b["n"] for b in by_day.values()),
        unpriced=unpriced,
        currency=(currencies.most_common(1)[0][0] if currencies else "") or DEFAULT_CURRENCY,
    )


REVERSAL_FIELDS = (
    "created_at",
    "user_id",
    "user__email",
    "type",
    "amount",
    "purchased",
    "purchase_metadata",
)


def _reversals(period: Period) -> list[dict[str, Any]]:
    """Refunded and disputed payments, valued pro rata of the purchase they take back."""
    packs = dict(CreditPack.objects.values_list("credit_amount", "price"))
    rows = (
        CreditTransaction.objects.filter(period.q("created_at"), type__in=MONEY_REVERSALS)
        .annotate(
            purchased=F("related_transaction__amount"),
            purchase_metadata=F("related_transaction__metadata"),
        )
        .values(*REVERSAL_FIELDS)
        .order_by("-created_at")
    )
    result = []
    for row in rows:
        row["paid"] = (row.pop("purchase_metadata") or {}).get("amount_paid")
        credits = -row["amount"]
        if row["paid"] is not None and row["purchased"]:
            value = Decimal(row["paid"]) / 100 * credits / row["purchased"]
        else:
            price = packs.get(row["purchased"] or credits)
            value = price * credits / (row["purchased"] or credits) if price else None
        result.append(
            {
                **row,
                "credits": credits,
                "value": value.quantize(Decimal("0.01")) if value is not None else None,
                "type": TransactionType(row["type"]).label,
                "user_url": _user_link(row),
            }
        )
    return result


# --- Overview ---------------------------------------------------------------------------------


def overview(period: Period) -> Dashboard:
    customers = User.objects.filter(CUSTOMER)
    users = customers.aggregate(
        total=Count("id"),
        new=Count("id", filter=period.q("created_at")),
        blocked=Count("id", filter=Q(is_active=False)),
    )
    # Conversion counts every customer who ever paid: a pack purchase or a paid plan.
    paying = (
        customers.filter(
            Q(credit_transactions__type=TransactionType.PURCHASE)
            | Q(subscription__status__in=PAYING_SUBSCRIPTION) & PAID_SUBSCRIPTION
        )
        .distinct()
        .count()
    )
    signups = _by_day(customers.filter(period.q("created_at")), "created_at", n=Count("id"))
    events = TelemetryEvent.objects.filter(period.q("timestamp")).filter(_customer_rows())
    active_by_day = _by_day(
        events.filter(user__isnull=False), "timestamp", n=Count("user", distinct=True)
    )
    # Active means at least one recorded event (login, CV action...) in the period.
    active = events.aggregate(n=Count("user", distinct=True))["n"]
    cvs = CV.objects.filter(period.q("created_at")).filter(_customer_owned())
    cvs_by_day = _by_day(
        cvs,
        "created_at",
        total=Count("id"),
        ai=Count("id", filter=Q(created_by__in=AI_CREATED)),
        imported=Count("id", filter=Q(created_by__in=IMPORTED)),
        manual=Count("id", filter=Q(created_by="")),
    )
    purchases = _purchases(period)
    tasks = BackgroundTask.objects.filter(period.q("created_at")).aggregate(
        total=Count("id"), failed=Count("id", filter=Q(status=TaskStatus.FAILED))
    )
    ai_cost = OpenAIUsage.objects.filter(period.q_dates("date")).aggregate(
        cost=Sum("estimated_cost")
    )["cost"] or Decimal(0)
    open_feedback = Feedback.objects.filter(status=FeedbackStatus.NEW).count()
    alerts = OpenAIAlertEvent.objects.filter(period.q("created_at")).count()
    top = list(events.values("type").annotate(n=Count("id")).order_by("-n", "type")[:8])

    cv_total = sum(row["total"] for row in cvs_by_day.values())
    cv_ai = sum(row["ai"] for row in cvs_by_day.values())
    kpis = [
        Kpi("Users", f"{users['total']:,}", f"{users['new']:,} new in the period"),
        Kpi("Active users", f"{active:,}", "did something in the period"),
        Kpi(
            "CVs created",
            f"{cv_total:,}",
            f"{cv_ai:,} by AI ({pct(cv_ai, cv_total) or 0:.0f} %)",
        ),
        Kpi(
            "Paying users",
            f"{pct(paying, users['total']) or 0:.1f} %",
            f"{paying:,} of {users['total']:,} ever paid",
            "good" if paying else "",
        ),
        Kpi(
            "Revenue",
            money(purchases.total, purchases.currency),
            f"{purchases.count:,} pack purchases",
        ),
        Kpi("AI cost", usd(ai_cost), "OpenAI spend in the period"),
        Kpi(
            "Failed tasks",
            f"{tasks['failed']:,}",
            f"{pct(tasks['failed'], tasks['total']) or 0:.1f} % of {tasks['total']:,} tasks",
            "bad" if tasks["failed"] else "good",
        ),
        Kpi(
            "Feedback to triage",
            f"{open_feedback:,}",
            f"{alerts:,} cost alerts fired" if alerts else "no cost alert fired",
            "warn" if open_feedback or alerts else "",
        ),
    ]
    labels = _labels(period)
    charts = [
        Chart(
            "activity",
            "Sign-ups and active users per day",
            "line",
            labels,
            [
                {"label": "Sign-ups", "data": _series(signups, period, "n")},
                {"label": "Active users", "data": _series(active_by_day, period, "n")},
            ],
            size="full",
        ),
        Chart(
            "cvs",
            "CVs created per day",
            "bar",
            labels,
            [
                {"label": "Tailored by AI", "data": _series(cvs_by_day, period, "ai")},
                {"label": "Imported", "data": _series(cvs_by_day, period, "imported")},
                {"label": "Written by hand", "data": _series(cvs_by_day, period, "manual")},
                {
                    "label": "Other (translations, improvements)",
                    "data": [
                        row["total"] - row["ai"] - row["imported"] - row["manual"]
                        for row in (
                            cvs_by_day.get(day) or {"total": 0, "ai": 0, "imported": 0, "manual": 0}
                            for day in period.days
                        )
                    ],
                },
            ],
            stacked=True,
        ),
        Chart(
            "top-events",
            "Most frequent actions",
            "bar",
            [row["type"] for row in top],
            [{"label": "Events", "data": [row["n"] for row in top]}],
            horizontal=True,
        ),
    ]
    daily = [
        {
            "day": day,
            "signups": (signups.get(day) or {}).get("n", 0),
            "active": (active_by_day.get(day) or {}).get("n", 0),
            "cvs": (cvs_by_day.get(day) or {}).get("total", 0),
            "ai_cvs": (cvs_by_day.get(day) or {}).get("ai", 0),
            "purchases": (purchases.by_day.get(day) or {}).get("n", 0),
            "revenue": (purchases.by_day.get(day) or {}).get("revenue", Decimal(0)),
        }
        for day in reversed(period.days)
    ]
    table = Table(
        "daily",
        "Day by day",
        [
            Column("day", "Day", "date"),
            Column("signups", "Sign-ups", "int"),
            Column("active", "Active users", "int"),
            Column("cvs", "CVs created", "int"),
            Column("ai_cvs", "CVs by AI", "int"),
            Column("purchases", "Purchases", "int"),
            Column("revenue", "Revenue", "eur"),
        ],
        daily,
    )
    return Dashboard(kpis, charts, [table])


# --- Feature usage ----------------------------------------------------------------------------


def features(period: Period) -> Dashboard:
    events = TelemetryEvent.objects.filter(period.q("timestamp")).filter(_customer_rows())
    by_type = list(
        events.values("type", "category")
        .annotate(
            n=Count("id"),
            users=Count("user", distinct=True),
            avg_ms=Avg("duration_ms"),
            errors=Count("id", filter=Q(status=EventStatus.ERROR)),
        )
        .order_by("-n", "type")
    )
    feature_types = list(EVENT_FEATURES)
    per_day = (
        events.filter(type__in=feature_types, status=EventStatus.SUCCESS)
        .annotate(day=TruncDate("timestamp"))
        .values("day", "type")
        .annotate(n=Count("id"))
        .order_by("day")
    )
    usage = list(
        FeatureUsage.objects.filter(_customer_owned())
        .values("feature_name")
        .annotate(
            users=Count("user", distinct=True),
            uses=Sum("usage_count"),
            duration=Sum("total_duration_ms"),
            last=Max("last_used_at"),
        )
        .order_by("-uses")
    )

    in_period: dict[str, dict[str, Any]] = defaultdict(
        lambda: {"uses": 0, "errors": 0, "duration": 0.0, "timed": 0}
    )
    for row in by_type:
        feature = EVENT_FEATURES.get(row["type"])
        if feature:
            bucket = in_period[feature]
            bucket["uses"] += row["n"] - row["errors"]
            bucket["errors"] += row["errors"]
            if row["avg_ms"] is not None:
                bucket["duration"] += row["avg_ms"] * row["n"]
                bucket["timed"] += row["n"]
    daily: dict[str, dict[date, int]] = defaultdict(lambda: defaultdict(int))
    for row in per_day:
        daily[EVENT_FEATURES[row["type"]]][row["day"]] += row["n"]
    top = sorted(daily, key=lambda name: -sum(daily[name].values()))[:TOP_SERIES]
    all_time = {row["feature_name"]: row for row in usage}
    names = sorted(set(in_period) | set(all_time), key=lambda n: -in_period[n]["uses"])
    feature_rows = [
        {
            "feature": feature_label(name),
            "uses": in_period[name]["uses"],
            "errors": in_period[name]["errors"],
            "error_rate": pct(
                in_period[name]["errors"], in_period[name]["uses"] + in_period[name]["errors"]
            ),
            "avg_ms": (
                in_period[name]["duration"] / in_period[name]["timed"]
                if in_period[name]["timed"]
                else None
            ),
            "users_all": (all_time.get(name) or {}).get("users", 0),
            "uses_all": (all_time.get(name) or {}).get("uses", 0),
            "last": (all_time.get(name) or {}).get("last"),
        }
        for name in names
    ]
    total_uses = sum(row["uses"] for row in feature_rows)
    total_errors = sum(row["errors"] for row in feature_rows)
    most = feature_rows[0]["feature"] if feature_rows and feature_rows[0]["uses"] else "—"
    kpis = [
        Kpi("Feature uses", f"{total_uses:,}", "successful uses in the period"),
        Kpi("Most used", most, "in the period"),
        Kpi(
            "Feature errors",
            f"{total_errors:,}",
            f"{pct(total_errors, total_uses + total_errors) or 0:.1f} % of attempts",
            "bad" if total_errors else "good",
        ),
        Kpi("Event types", f"{len(by_type):,}", f"{sum(r['n'] for r in by_type):,} events"),
    ]
    charts = [
        Chart(
            "feature-uses",
            "Uses per feature in the period",
            "bar",
            [row["feature"] for row in feature_rows],
            [
                {"label": "Uses", "data": [row["uses"] for row in feature_rows]},
                {
                    "label": "Errors",
                    "data": [row["errors"] for row in feature_rows],
                    "tone": "bad",
                },
            ],
            stacked=True,
            horizontal=True,
        ),
        Chart(
            "feature-daily",
            f"Top {TOP_SERIES} features per day",
            "line",
            _labels(period),
            [
                {
                    "label": feature_label(name),
                    "data": [daily[name].get(day, 0) for day in period.days],
                }
                for name in top
            ],
        ),
    ]
    tables = [
        Table(
            "features",
            "Features",
            [
                Column("feature", "Feature"),
                Column("uses", "Uses (period)", "int"),
                Column("errors", "Errors (period)", "int"),
                Column("error_rate", "Error rate", "pct"),
                Column("avg_ms", "Avg duration", "ms"),
                Column("uses_all", "Uses (all time)", "int"),
                Column("users_all", "Users (all time)", "int"),
                Column("last", "Last used", "datetime"),
            ],
            feature_rows,
        ),
        Table(
            "events",
            "Events by type",
            [
                Column("type", "Type"),
                Column("category", "Category"),
                Column("n", "Events", "int"),
                Column("users", "Users", "int"),
                Column("avg_ms", "Avg duration", "ms"),
                Column("errors", "Errors", "int"),
            ],
            by_type,
        ),
    ]
    return Dashboard(kpis, charts, tables)


# --- Errors and failed tasks --------------------------------------------------------------------


def errors(period: Period) -> Dashboard:
    events = TelemetryEvent.objects.filter(period.q("timestamp"))
    error_events = events.filter(status=EventStatus.ERROR)
    event_totals = events.aggregate(
        total=Count("id"), errors=Count("id", filter=Q(status=EventStatus.ERROR))
    )
    # Queue self-tests are operator checks, not product failures.
    tasks = BackgroundTask.objects.filter(period.q("created_at")).exclude(type=TaskType.TEST)
    failed = tasks.filter(status=TaskStatus.FAILED)
    task_totals = tasks.aggregate(
        total=Count("id"),
        failed=Count("id", filter=Q(status=TaskStatus.FAILED)),
        cancelled=Count("id", filter=Q(status=TaskStatus.CANCELLED)),
    )
    events_by_day = _by_day(error_events, "timestamp", n=Count("id"))
    failed_by_day = _by_day(failed, "created_at", n=Count("id"))
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
    event_groups = list(
        error_events.values("type", "error")
        .annotate(n=Count("id"), last=Max("timestamp"))
        .order_by("-n", "-last")[:RECENT_ROWS]
    )
    task_labels = dict(TaskType.choices)
    for row in by_message + recent_tasks:
        row["type"] = task_labels.get(row["type"], row["type"])
        row["user_url"] = _user_link(row)
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
            _labels(period),
            [
                {
                    "label": "Failed tasks",
                    "data": _series(failed_by_day, period, "n"),
                    "tone": "bad",
                },
                {
                    "label": "Error events",
                    "data": _series(events_by_day, period, "n"),
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
        Table(
            "messages",
            "Failed tasks by message",
            [
                Column("type", "Task"),
                Column("error", "Message", "message"),
                Column("n", "Failures", "int"),
                Column("users", "Users", "int"),
                Column("last", "Last seen", "datetime"),
            ],
            by_message,
            empty="No task failed in this period.",
        ),
        Table(
            "recent",
            "Latest failed tasks",
            [
                Column("created_at", "When", "datetime"),
                Column("user__email", "User", link="user_url"),
                Column("type", "Task"),
                Column("step", "Step"),
                Column("error", "Message", "message"),
            ],
            recent_tasks,
            empty="No task failed in this period.",
        ),
        Table(
            "events",
            "Error events",
            [
                Column("type", "Event"),
                Column("error", "Message", "message"),
                Column("n", "Count", "int"),
                Column("last", "Last seen", "datetime"),
            ],
            event_groups,
            empty="No error event in this period.",
        ),
    ]
    return Dashboard(kpis, charts, tables)


# --- Job-offer extraction failures ------------------------------------------------------------


def offer_domain(url: str, source_type: str | None) -> str:
    if source_type == "pdf":
        return "(PDF upload)"
    if source_type == "text":
        return "(pasted text)"
    host = (urlsplit(url or "").hostname or "").lower()
    host = host.removeprefix("www.")
    return host or "(unknown)"


def extractions(period: Period, *, domain: str = "") -> Dashboard:
    offers = JobOffer.objects.filter(pk=OuterRef("offer_pk"))
    failed = (
        BackgroundTask.objects.filter(period.q("created_at"), status=TaskStatus.FAILED)
        .filter(
            Q(type=TaskType.EXTRACT_JOB_OFFER)
            | Q(type=TaskType.GENERATE_CV, progress__lt=EXTRACTION_DONE_PROGRESS)
        )
        .annotate(offer_pk=Cast(KT("payload__offer_id"), IntegerField()))
    )
    rows = list(
        failed.annotate(
            url=Subquery(offers.values("source_value")[:1]),
            source_type=Subquery(offers.values("source_type")[:1]),
        )
        .values("created_at", "user_id", "user__email", "type", "error", "url", "source_type")
        .order_by("-created_at")[:MAX_EXTRACTION_ROWS]
    )
    failed_by_day = _by_day(failed, "created_at", n=Count("id"))
    succeeded_by_day = _by_day(
        JobOffer.objects.filter(period.q("extracted_at")), "extracted_at", n=Count("id")
    )
    successes = sum(row["n"] for row in succeeded_by_day.values())
    failures = sum(row["n"] for row in failed_by_day.values())

    task_labels = dict(TaskType.choices)
    # A URL's host cannot be parsed the same way in SQLite and PostgreSQL: the failures
    # (bounded by MAX_EXTRACTION_ROWS) are grouped by site here, still from one query.
    domains: dict[str, dict[str, Any]] = {}
    for row in rows:
        row["domain"] = offer_domain(row["url"], row["source_type"])
        row["type"] = task_labels.get(row["type"], row["type"])
        row["user_url"] = _user_link(row)
        row["domain_url"] = "?" + _query(domain=row["domain"], period=period)
        group = domains.setdefault(
            row["domain"],
            {
                "domain": row["domain"],
                "domain_url": row["domain_url"],
                "n": 0,
                "last": row["created_at"],
                "error": row["error"],
            },
        )
        group["n"] += 1
    domain_rows = sorted(domains.values(), key=lambda r: (-r["n"], r["domain"]))
    for group in domain_rows:
        group["share"] = pct(group["n"], len(rows))
    recent = [row for row in rows if not domain or row["domain"] == domain][:RECENT_ROWS]
    top = domain_rows[0]["domain"] if domain_rows else "—"
    kpis = [
        Kpi(
            "Failed extractions",
            f"{failures:,}",
            "offer reading tasks and tailoring that failed on the offer",
            "bad" if failures else "good",
        ),
        Kpi("Offers read", f"{successes:,}", "extracted in the period", "good"),
        Kpi(
            "Failure rate",
            f"{pct(failures, failures + successes) or 0:.1f} %",
            "failures / (failures + offers read)",
        ),
        Kpi("Most failing site", top, f"{len(domain_rows):,} sources failed"),
    ]
    charts = [
        Chart(
            "extractions-daily",
            "Offers read and failures per day",
            "bar",
            _labels(period),
            [
                {"label": "Read", "data": _series(succeeded_by_day, period, "n"), "tone": "good"},
                {"label": "Failed", "data": _series(failed_by_day, period, "n"), "tone": "bad"},
            ],
            stacked=True,
            size="major",
        ),
        Chart(
            "extractions-domains",
            "Failures by site",
            "bar",
            [row["domain"] for row in domain_rows[:10]],
            [
                {
                    "label": "Failures",
                    "data": [row["n"] for row in domain_rows[:10]],
                    "tone": "bad",
                }
            ],
            horizontal=True,
            size="minor",
        ),
    ]
    note = ""
    if len(rows) == MAX_EXTRACTION_ROWS:
        note = f"Sites are counted over the latest {MAX_EXTRACTION_ROWS:,} failures."
    tables = [
        Table(
            "domains",
            "Failing sites",
            [
                Column("domain", "Site", link="domain_url"),
                Column("n", "Failures", "int"),
                Column("share", "Share", "pct"),
                Column("last", "Last failure", "datetime"),
                Column("error", "Last message", "message"),
            ],
            domain_rows,
            note=note,
            empty="No extraction failed in this period.",
        ),
        Table(
            "recent",
            f"Latest failures on {domain}" if domain else "Latest failures",
            [
                Column("created_at", "When", "datetime"),
                Column("user__email", "User", link="user_url"),
                Column("domain", "Site"),
                Column("url", "Offer"),
                Column("type", "Task"),
                Column("error", "Message", "message"),
            ],
            recent,
            empty="No extraction failed in this period.",
        ),
    ]
    return Dashboard(kpis, charts, tables, extra={"domain": domain})


def _query(*, period: Period, **params: str) -> str:
    base = {"period": period.key}
    if period.key == "custom":
        base |= {"start": period.start.isoformat(), "end": period.end.isoformat()}
    return urlencode(base | params)


# --- AI costs --------------------------------------------------------------------------------


def cache_savings(model: str, cached_tokens: int, pricing: dict[str, OpenAIPricing]) -> Decimal:
    """What cached prompt tokens saved: their price as plain input, less what they cost cached."""
    if model == OFFLINE_MODEL or not cached_tokens:
        return Decimal(0)
    price = pricing_for(model, pricing.values())
    plain = price_tokens(price, prompt_tokens=cached_tokens, cached_tokens=0, completion_tokens=0)
    cached = price_tokens(
        price, prompt_tokens=cached_tokens, cached_tokens=cached_tokens, completion_tokens=0
    )
    return max(plain - cached, Decimal(0))


def ai_costs(period: Period) -> Dashboard:
    usage = OpenAIUsage.objects.filter(period.q_dates("date"))
    totals = usage.aggregate(
        cost=Sum("estimated_cost"),
        calls=Sum("calls_count"),
        tokens=Sum("total_tokens"),
        cached=Sum("cached_tokens"),
        prompt=Sum("prompt_tokens"),
        users=Count("user", distinct=True),
    )
    daily = list(
        usage.values("date", "feature_name").annotate(cost=Sum("estimated_cost")).order_by("date")
    )
    by_feature = list(
        usage.values("feature_name")
        .annotate(
            calls=Sum("calls_count"),
            tokens=Sum("total_tokens"),
            cost=Sum("estimated_cost"),
            users=Count("user", distinct=True),
        )
        .order_by("-cost")
    )
    by_model = list(
        usage.values("model")
        .annotate(
            calls=Sum("calls_count"),
            prompt=Sum("prompt_tokens"),
            cached=Sum("cached_tokens"),
            completion=Sum("completion_tokens"),
            cost=Sum("estimated_cost"),
        )
        .order_by("-cost")
    )
    by_user = list(
        usage.values("user_id", "user__email")
        .annotate(calls=Sum("calls_count"), tokens=Sum("total_tokens"), cost=Sum("estimated_cost"))
        .order_by("-cost")[:10]
    )
    pricing = {row.model_name: row for row in OpenAIPricing.objects.filter(is_active=True)}
    alerts = list(
        OpenAIAlert.objects.annotate(
            fired=Count("events", filter=period.q("events__created_at")),
            last=Max("events__created_at"),
        ).order_by("-enabled", "name")
    )
    fired = list(
        OpenAIAlertEvent.objects.filter(period.q("created_at"))
        .values(
            "created_at",
            "alert__name",
            "user_id",
            "user__email",
            "value",
            "alert__threshold",
            "period_key",
        )
        .order_by("-created_at")[:20]
    )

    cost = totals["cost"] or Decimal(0)
    calls = totals["calls"] or 0
    savings = Decimal(0)
    for row in by_model:
        row["saved"] = cache_savings(row["model"], row["cached"] or 0, pricing)
        row["per_call"] = row["cost"] / row["calls"] if row["calls"] else None
        savings += row["saved"]
    for row in by_feature:
        row["per_call"] = row["cost"] / row["calls"] if row["calls"] else None
        row["share"] = pct(float(row["cost"] or 0), float(cost))
        row["feature"] = feature_label(row["feature_name"])
    for row in by_user:
        row["user_url"] = _user_link(row)
    alert_rows = [
        {
            "name": alert.name,
            "type": alert.get_type_display(),
            "feature": alert.feature_name,
            "threshold": alert.threshold,
            "enabled": alert.enabled,
            "fired": alert.fired,
            "last": alert.last,
            "url": reverse("admin:ai_openaialert_change", args=[alert.pk]),
        }
        for alert in alerts
    ]
    for row in fired:
        row["user_url"] = _user_link(row)
    features_seen = [row["feature_name"] for row in by_feature]
    per_day: dict[str, dict[date, Decimal]] = defaultdict(dict)
    for row in daily:
        per_day[row["feature_name"]][row["date"]] = row["cost"]
    kpis = [
        Kpi("AI spend", usd(cost), f"{calls:,} calls by {totals['users'] or 0:,} users"),
        Kpi("Avg cost per call", usd(cost / calls if calls else 0), "all features"),
        Kpi(
            "Tokens",
            f"{totals['tokens'] or 0:,}",
            f"{pct(totals['cached'] or 0, totals['prompt'] or 0) or 0:.0f} % of prompt cached",
        ),
        Kpi("Saved by caching", usd(savings), "cached prompt tokens × price difference", "good"),
        Kpi(
            "Alerts fired",
            f"{sum(a['fired'] for a in alert_rows):,}",
            f"{sum(1 for a in alert_rows if a['enabled'])} of {len(alert_rows)} alerts enabled",
            "bad" if fired else "",
        ),
    ]
    charts = [
        Chart(
            "ai-daily",
            "Spend per day by feature (USD)",
            "bar",
            _labels(period),
            [
                {
                    "label": feature_label(name),
                    "data": [per_day[name].get(day, 0) for day in period.days],
                }
                for name in features_seen
            ],
            stacked=True,
            unit="usd",
            size="full",
        ),
        Chart(
            "ai-models",
            "Spend by model",
            "doughnut",
            [row["model"] for row in by_model],
            [{"label": "USD", "data": [row["cost"] for row in by_model]}],
            unit="usd",
        ),
        Chart(
            "ai-users",
            "Top 10 users by spend",
            "bar",
            [row["user__email"] or "(no user)" for row in by_user],
            [{"label": "USD", "data": [row["cost"] for row in by_user]}],
            horizontal=True,
            unit="usd",
        ),
    ]
    tables = [
        Table(
            "features",
            "By feature",
            [
                Column("feature", "Feature"),
                Column("calls", "Calls", "int"),
                Column("users", "Users", "int"),
                Column("tokens", "Tokens", "int"),
                Column("cost", "Spend", "usd"),
                Column("per_call", "Per call", "usd"),
                Column("share", "Share", "pct"),
            ],
            by_feature,
        ),
        Table(
            "models",
            "By model",
            [
                Column("model", "Model"),
                Column("calls", "Calls", "int"),
                Column("prompt", "Prompt tokens", "int"),
                Column("cached", "Cached tokens", "int"),
                Column("completion", "Completion tokens", "int"),
                Column("cost", "Spend", "usd"),
                Column("saved", "Saved by cache", "usd"),
            ],
            by_model,
        ),
        Table(
            "users",
            "Top users",
            [
                Column("user__email", "User", link="user_url"),
                Column("calls", "Calls", "int"),
                Column("tokens", "Tokens", "int"),
                Column("cost", "Spend", "usd"),
            ],
            by_user,
        ),
        Table(
            "alerts",
            "Cost alerts",
            [
                Column("name", "Alert", link="url"),
                Column("type", "Scope"),
                Column("feature", "Feature"),
                Column("threshold", "Threshold", "usd"),
                Column("enabled", "Enabled", "bool"),
                Column("fired", "Fired (period)", "int"),
                Column("last", "Last fired", "datetime"),
            ],
            alert_rows,
            empty="No alert is set up.",
        ),
        Table(
            "fired",
            "Alerts fired in the period",
            [
                Column("created_at", "When", "datetime"),
                Column("alert__name", "Alert"),
                Column("period_key", "Period"),
                Column("user__email", "User", link="user_url"),
                Column("value", "Spend", "usd"),
                Column("alert__threshold", "Threshold", "usd"),
            ],
            fired,
            empty="No alert fired in this period.",
        ),
    ]
    return Dashboard(kpis, charts, tables)


# --- Feedback ---------------------------------------------------------------------------------


def feedback(period: Period, *, status: str = "", bugs: str = "") -> Dashboard:
    in_period = period.q("created_at")
    counts = Feedback.objects.aggregate(
        total=Count("id", filter=in_period),
        bugs=Count("id", filter=in_period & Q(is_bug_report=True)),
        rating=Avg("rating", filter=in_period),
        new=Count("id", filter=Q(status=FeedbackStatus.NEW)),
        reviewed=Count("id", filter=Q(status=FeedbackStatus.REVIEWED)),
        resolved=Count("id", filter=Q(status=FeedbackStatus.RESOLVED)),
    )
    listed = Feedback.objects.filter(in_period)
    by_day = _by_day(
        listed,
        "created_at",
        bugs=Count("id", filter=Q(is_bug_report=True)),
        other=Count("id", filter=Q(is_bug_report=False)),
    )
    ratings = dict(
        listed.filter(rating__isnull=False)
        .values_list("rating")
        .annotate(n=Count("id"))
        .values_list("rating", "n")
    )
    if status:
        listed = listed.filter(status=status)
    if bugs in ("1", "0"):
        listed = listed.filter(is_bug_report=bugs == "1")
    rows = list(
        listed.values(
            "id",
            "created_at",
            "user_id",
            "user__email",
            "rating",
            "is_bug_report",
            "comment",
            "page_url",
            "current_cv_id",
            "status",
        ).order_by("-created_at")[:100]
    )
    labels = dict(FeedbackStatus.choices)
    for row in rows:
        row["user_url"] = _user_link(row)
        row["kind"] = "Bug" if row["is_bug_report"] else "Feedback"
        row["status_label"] = labels[row["status"]]
        row["admin_url"] = reverse("admin:telemetry_feedback_change", args=[row["id"]])
    kpis = [
        Kpi("Feedback", f"{counts['total']:,}", "received in the period"),
        Kpi(
            "Average rating",
            f"{counts['rating']:.1f} / 5" if counts["rating"] else "—",
            "in the period",
            "good" if (counts["rating"] or 0) >= 4 else "warn" if counts["rating"] else "",
        ),
        Kpi("Bug reports", f"{counts['bugs']:,}", "in the period", "bad" if counts["bugs"] else ""),
        Kpi("New", f"{counts['new']:,}", "waiting for triage", "warn" if counts["new"] else "good"),
        Kpi(
            "Reviewed / resolved",
            f"{counts['reviewed']:,} / {counts['resolved']:,}",
            "all time",
        ),
    ]
    charts = [
        Chart(
            "feedback-daily",
            "Feedback per day",
            "bar",
            _labels(period),
            [
                {"label": "Feedback", "data": _series(by_day, period, "other")},
                {"label": "Bug reports", "data": _series(by_day, period, "bugs"), "tone": "bad"},
            ],
            stacked=True,
            size="major",
        ),
        Chart(
            "feedback-ratings",
            "Ratings",
            "bar",
            ["★1", "★2", "★3", "★4", "★5"],
            [
                {
                    "label": "Feedback",
                    "data": [ratings.get(n, 0) for n in range(1, 6)],
                    "tone": "warn",
                }
            ],
            size="minor",
        ),
    ]
    table = Table(
        "feedback",
        "Feedback",
        [
            Column("created_at", "When", "datetime"),
            Column("user__email", "User", link="user_url"),
            Column("kind", "Kind", "badge"),
            Column("rating", "Rating", "rating"),
            Column("comment", "Comment", "message"),
            Column("page_url", "Page"),
            Column("status_label", "Status", "badge", link="admin_url"),
        ],
        rows,
        empty="No feedback matches.",
        select="id",
    )
    return Dashboard(kpis, charts, [table], extra={"status": status, "bugs": bugs})


# --- Users --------------------------------------------------------------------------------------


def users_queryset(*, q: str = "", role: str = "", state: str = "") -> QuerySet[User]:
    # A subquery keeps one row per user: a JOIN on CVs would need a GROUP BY of every column.
    cvs = CV.objects.filter(user=OuterRef("pk")).values("user").annotate(n=Count("id")).values("n")
    users = User.objects.annotate(
        balance=F("credit_balance__balance"),
        cv_count=Subquery(cvs),
        paid=Exists(
            CreditTransaction.objects.filter(user=OuterRef("pk"), type=TransactionType.PURCHASE)
        ),
    ).order_by("-created_at")
    if q:
        users = users.filter(Q(email__icontains=q) | Q(name__icontains=q))
    if role:
        users = users.filter(role=role)
    if state == "active":
        users = users.filter(is_active=True)
    elif state == "blocked":
        users = users.filter(is_active=False)
    return users


USER_COLUMNS = [
    Column("email", "E-mail", link="url"),
    Column("name", "Name"),
    Column("role", "Role", "badge"),
    Column("state", "Status", "badge"),
    Column("balance", "Credits", "int"),
    Column("cv_count", "CVs", "int"),
    Column("paid", "Paid", "bool"),
    Column("created_at", "Signed up", "datetime"),
    Column("last_login", "Last login", "datetime"),
]


def user_rows(users: Iterable[User]) -> list[dict[str, Any]]:
    return [
        {
            "id": user.pk,
            "url": _staff_url("user_detail", user.pk),
            "email": user.email,
            "name": user.name,
            "role": user.get_role_display() + (" (superuser)" if user.is_superuser else ""),
            "state": "Active" if user.is_active else "Blocked",
            "balance": user.balance or 0,
            "cv_count": user.cv_count or 0,
            "paid": user.paid,
            "created_at": user.created_at,
            "last_login": user.last_login,
        }
        for user in users
    ]


def users_summary() -> Dashboard:
    week = Period.last_days(7)
    counts = User.objects.aggregate(
        total=Count("id"),
        staff=Count("id", filter=~CUSTOMER),
        blocked=Count("id", filter=Q(is_active=False)),
        new=Count("id", filter=week.q("created_at")),
        seen=Count("id", filter=week.q("last_login")),
    )
    buckets = {
        f"b{index}": Count(
            "id",
            filter=Q(balance__gte=low) & (Q(balance__lte=high) if high is not None else Q()),
        )
        for index, (low, high) in enumerate(CREDIT_BUCKETS)
    }
    spread = CreditBalance.objects.aggregate(**buckets, total=Sum("balance"))
    labels = [
        str(low) if low == high else f"{low}+" if high is None else f"{low}–{high}"
        for low, high in CREDIT_BUCKETS
    ]
    kpis = [
        Kpi("Accounts", f"{counts['total']:,}", f"{counts['staff']:,} staff"),
        Kpi("New this week", f"{counts['new']:,}", "signed up in the last 7 days"),
        Kpi("Signed in this week", f"{counts['seen']:,}", "last login in the last 7 days"),
        Kpi(
            "Blocked",
            f"{counts['blocked']:,}",
            "cannot sign in",
            "bad" if counts["blocked"] else "",
        ),
        Kpi("Credits held", f"{spread['total'] or 0:,}", "sum of all balances"),
    ]
    charts = [
        Chart(
            "credit-spread",
            "Accounts by credit balance",
            "bar",
            labels,
            [
                {
                    "label": "Accounts",
                    "data": [spread[f"b{index}"] for index in range(len(CREDIT_BUCKETS))],
                }
            ],
            size="full",
            short=True,
        )
    ]
    return Dashboard(kpis, charts, [])


# --- Onboarding -------------------------------------------------------------------------------


def onboarding(period: Period) -> Dashboard:
    signed_up = User.objects.filter(CUSTOMER).filter(period.q("created_at"))
    completed_q = Q(onboarding_state__has_completed=True)
    skipped_q = Q(onboarding_state__is_skipped=True) & ~completed_q
    started_q = Q(onboarding_state__timestamps__has_key="started_at") | Q(
        onboarding_state__current_step__gt=0
    )
    steps = {
        # Matching the quoted key inside the JSON list works the same on SQLite and PostgreSQL.
        f"step_{index}": Count(
            "id",
            filter=Q(onboarding_state__completed_steps__icontains=f'"{step.key}"') | completed_q,
        )
        for index, step in enumerate(STEPS)
    }
    counts = signed_up.aggregate(
        total=Count("id"),
        started=Count("id", filter=started_q | completed_q | skipped_q),
        completed=Count("id", filter=completed_q),
        skipped=Count("id", filter=skipped_q),
        **steps,
    )
    timings = list(
        signed_up.filter(completed_q)
        .annotate(
            started=KT("onboarding_state__timestamps__started_at"),
            finished=KT("onboarding_state__timestamps__completed_at"),
        )
        .values_list("started", "finished")
        .order_by("-created_at")[:MAX_TIMING_ROWS]
    )
    recent = list(
        signed_up.values("id", "email", "created_at", "onboarding_state").order_by("-created_at")[
            :RECENT_ROWS
        ]
    )

    total = counts["total"]
    # Skipped and completed tours are exclusive by construction of completed_q/skipped_q.
    in_progress = counts["started"] - counts["completed"] - counts["skipped"]
    minutes = [
        (finished - started).total_seconds() / 60
        for started, finished in (
            (parse_datetime(a or ""), parse_datetime(b or "")) for a, b in timings
        )
        if started and finished and finished >= started
    ]
    median = statistics.median(minutes) if minutes else None
    funnel = [
        {
            "step": f"{index + 1}. {step.label}",
            "users": counts[f"step_{index}"],
            "share": pct(counts[f"step_{index}"], total),
        }
        for index, step in enumerate(STEPS)
    ]
    previous = total
    for row in funnel:
        row["drop"] = pct(previous - row["users"], previous) if previous else None
        previous = row["users"]
    state_rows = []
    for row in recent:
        state = normalise(row["onboarding_state"])
        if state["has_completed"]:
            label = "Completed"
        elif state["is_skipped"]:
            label = "Skipped"
        elif state["completed_steps"] or state["timestamps"].get("started_at"):
            label = "In progress"
        else:
            label = "Not started"
        state_rows.append(
            {
                "email": row["email"],
                "url": _staff_url("user_detail", row["id"]),
                "created_at": row["created_at"],
                "state": label,
                "done": len(state["completed_steps"]),
                "current": str(STEPS[state["current_step"]].label),
            }
        )
    completion = pct(counts["completed"], total)
    kpis = [
        Kpi("Signed up", f"{total:,}", "new accounts in the period"),
        Kpi(
            "Started the tour",
            f"{counts['started']:,}",
            f"{pct(counts['started'], total) or 0:.0f} % of sign-ups",
        ),
        Kpi(
            "Completed",
            f"{counts['completed']:,}",
            f"{completion or 0:.0f} % of sign-ups",
            "good" if (completion or 0) >= 40 else "warn" if total else "",
        ),
        Kpi("Skipped", f"{counts['skipped']:,}", f"{pct(counts['skipped'], total) or 0:.0f} %"),
        Kpi("In progress", f"{in_progress:,}", f"{total - counts['started']:,} not started"),
        Kpi(
            "Median time to complete",
            f"{median:.0f} min" if median is not None else "—",
            f"over {len(minutes):,} completed tours",
        ),
    ]
    charts = [
        Chart(
            "onboarding-funnel",
            "Users who did each step",
            "bar",
            ["Signed up", *[str(step.label) for step in STEPS]],
            [{"label": "Users", "data": [total, *[row["users"] for row in funnel]]}],
            horizontal=True,
            size="major",
        ),
        Chart(
            "onboarding-states",
            "Where new users are",
            "doughnut",
            ["Completed", "Skipped", "In progress", "Not started"],
            [
                {
                    "label": "Users",
                    "data": [
                        counts["completed"],
                        counts["skipped"],
                        in_progress,
                        total - counts["started"],
                    ],
                    "tones": ["good", "warn", "info", "muted"],
                }
            ],
            size="minor",
        ),
    ]
    tables = [
        Table(
            "funnel",
            "Funnel",
            [
                Column("step", "Step"),
                Column("users", "Users", "int"),
                Column("share", "Of sign-ups", "pct"),
                Column("drop", "Lost since previous step", "pct"),
            ],
            funnel,
        ),
        Table(
            "users",
            "Latest sign-ups",
            [
                Column("email", "User", link="url"),
                Column("created_at", "Signed up", "datetime"),
                Column("state", "Tour", "badge"),
                Column("done", "Steps done", "int"),
                Column("current", "Current step"),
            ],
            state_rows,
            empty="Nobody signed up in this period.",
        ),
    ]
    return Dashboard(kpis, charts, tables)


# --- Revenue --------------------------------------------------------------------------------------


def revenue(period: Period) -> Dashboard:
    purchases = _purchases(period)
    packs = list(CreditPack.objects.order_by("credit_amount"))
    reversals = _reversals(period)
    buyers = (
        CreditTransaction.objects.filter(period.q("created_at"), type=TransactionType.PURCHASE)
        .filter(_customer_owned())
        .aggregate(n=Count("user", distinct=True))["n"]
    )
    plans = list(
        Subscription.objects.filter(PAID_PLAN, status__in=PAYING_SUBSCRIPTION)
        .values(
            "plan__name",
            "plan__tier",
            "plan__price_currency",
            "billing_period",
            "plan__price_monthly",
            "plan__price_yearly",
        )
        .annotate(n=Count("id"))
        .order_by("plan__tier", "billing_period")
    )
    movements = Subscription.objects.aggregate(
        new=Count("id", filter=period.q("created_at") & PAID_PLAN),
        cancelled=Count("id", filter=period.q("canceled_at") & PAID_PLAN),
        paying=Count("id", filter=Q(status__in=PAYING_SUBSCRIPTION) & PAID_PLAN),
    )

    currency = purchases.currency
    mrr = Decimal(0)
    plan_rows = []
    for row in plans:
        monthly = (
            row["plan__price_yearly"] / 12
            if row["billing_period"] == "yearly"
            else row["plan__price_monthly"]
        )
        row_mrr = (monthly * row["n"]).quantize(Decimal("0.01"))
        mrr += row_mrr
        plan_rows.append(
            {
                "plan": row["plan__name"],
                "period": row["billing_period"],
                "subscriptions": row["n"],
                "mrr": row_mrr,
            }
        )
    refunded = sum((row["value"] or Decimal(0) for row in reversals), Decimal(0))
    net = purchases.total - refunded
    # Churn of the period: cancellations over the paying base they came from.
    churn = pct(movements["cancelled"], movements["paying"] + movements["cancelled"])
    pack_rows = []
    for pack in packs:
        sold = purchases.by_pack.get(pack.credit_amount) or {"n": 0, "revenue": Decimal(0)}
        pack_rows.append(
            {
                "pack": pack.name,
                "credits": pack.credit_amount,
                "price": pack.price,
                "active": pack.is_active,
                "sales": sold["n"],
                "revenue": sold["revenue"],
            }
        )
    known = {pack.credit_amount for pack in packs}
    for amount, sold in sorted(purchases.by_pack.items()):
        if amount not in known:
            pack_rows.append(
                {
                    "pack": f"{amount} credits (no such pack)",
                    "credits": amount,
                    "price": None,
                    "active": False,
                    "sales": sold["n"],
                    "revenue": sold["revenue"],
                }
            )
    refunds_by_day: dict[date, Decimal] = defaultdict(Decimal)
    for row in reversals:
        refunds_by_day[timezone.localtime(row["created_at"]).date()] += row["value"] or 0
    daily = [
        {
            "day": day,
            "purchases": (purchases.by_day.get(day) or {}).get("n", 0),
            "revenue": (purchases.by_day.get(day) or {}).get("revenue", Decimal(0)),
            "refunds": refunds_by_day.get(day, Decimal(0)),
        }
        for day in reversed(period.days)
    ]
    kpis = [
        Kpi("Pack revenue", money(purchases.total, currency), f"{purchases.count:,} purchases"),
        Kpi(
            "Net revenue",
            money(net, currency),
            f"after {money(refunded, currency)} refunded or disputed",
            "warn" if refunded else "good",
        ),
        Kpi(
            "Paying customers",
            f"{buyers:,}",
            f"ARPPU {money(purchases.total / buyers if buyers else 0, currency)}",
        ),
        Kpi("MRR", money(mrr, currency), f"ARR {money(mrr * 12, currency)}"),
        Kpi(
            "Subscriptions",
            f"{movements['paying']:,}",
            f"+{movements['new']:,} new, −{movements['cancelled']:,} cancelled"
            + (f" (churn {churn:.1f} %)" if churn is not None else ""),
        ),
    ]
    charts = [
        Chart(
            "revenue-daily",
            "Revenue per day",
            "bar",
            _labels(period),
            [
                {"label": "Packs sold", "data": [row["revenue"] for row in reversed(daily)]},
                {
                    "label": "Refunds",
                    "data": [-row["refunds"] for row in reversed(daily)],
                    "tone": "bad",
                },
            ],
            stacked=True,
            unit=currency,
            size="full",
        ),
        Chart(
            "revenue-packs",
            "Revenue by pack",
            "doughnut",
            [row["pack"] for row in pack_rows if row["sales"]],
            [{"label": "Revenue", "data": [row["revenue"] for row in pack_rows if row["sales"]]}],
            unit=currency,
        ),
        Chart(
            "revenue-plans",
            "Subscriptions by plan",
            "doughnut",
            [f"{row['plan']} ({row['period']})" for row in plan_rows],
            [{"label": "Subscriptions", "data": [row["subscriptions"] for row in plan_rows]}],
        ),
    ]
    note = "Purchases without the amount charged by Stripe are counted at the pack's list price."
    if purchases.unpriced:
        note += f" {purchases.unpriced} purchases match no pack and count as 0."
    tables = [
        Table(
            "packs",
            "Credit packs",
            [
                Column("pack", "Pack"),
                Column("credits", "Credits", "int"),
                Column("price", "List price", "eur"),
                Column("active", "On sale", "bool"),
                Column("sales", "Sold (period)", "int"),
                Column("revenue", "Revenue (period)", "eur"),
            ],
            pack_rows,
            note=note,
        ),
        Table(
            "plans",
            "Paying subscriptions (now)",
            [
                Column("plan", "Plan"),
                Column("period", "Billing"),
                Column("subscriptions", "Subscriptions", "int"),
                Column("mrr", "MRR", "eur"),
            ],
            plan_rows,
            empty="No paying subscription.",
        ),
        Table(
            "refunds",
            "Refunds and disputes",
            [
                Column("created_at", "When", "datetime"),
                Column("user__email", "User", link="user_url"),
                Column("type", "Kind", "badge"),
                Column("credits", "Credits taken back", "int"),
                Column("value", "Amount", "eur"),
            ],
            reversals,
            empty="No refund or dispute in this period.",
        ),
        Table(
            "daily",
            "Day by day",
            [
                Column("day", "Day", "date"),
                Column("purchases", "Purchases", "int"),
                Column("revenue", "Revenue", "eur"),
                Column("refunds", "Refunds", "eur"),
            ],
            daily,
        ),
    ]
    return Dashboard(kpis, charts, tables)


# --- E-mails -----------------------------------------------------------------------------------


def emails(period: Period) -> Dashboard:
    logs = EmailLog.objects.filter(period.q("created_at"), is_test_email=False)
    daily = list(
        logs.annotate(day=TruncDate("created_at"))
        .values("day", "status")
        .annotate(n=Count("id"))
        .order_by("day")
    )
    by_template = list(
        logs.values("template_name", "status").annotate(n=Count("id")).order_by("template_name")
    )
    problems = list(
        logs.filter(status__in=EMAIL_PROBLEMS)
        .values("created_at", "recipient_email", "recipient_user_id", "template_name", "status")
        .annotate(message=F("error"))
        .order_by("-created_at")[:RECENT_ROWS]
    )

    # Queued last: it is a transient state, stacked on top of the outcomes.
    statuses = [s for s in EmailStatus.values if s != EmailStatus.QUEUED] + [EmailStatus.QUEUED]
    per_day: dict[str, dict[date, int]] = defaultdict(dict)
    for row in daily:
        per_day[row["status"]][row["day"]] = row["n"]
    templates: dict[str, dict[str, Any]] = {}
    totals: Counter[str] = Counter()
    for row in by_template:
        entry = templates.setdefault(
            row["template_name"], {"template": row["template_name"], "total": 0}
        )
        entry[row["status"]] = entry.get(row["status"], 0) + row["n"]
        entry["total"] += row["n"]
        totals[row["status"]] += row["n"]
    for entry in templates.values():
        bad = sum(entry.get(s, 0) for s in EMAIL_PROBLEMS)
        entry["failure_rate"] = pct(bad, entry["total"])
    status_labels = dict(EmailStatus.choices)
    for row in problems:
        row["status"] = status_labels.get(row["status"], row["status"])
        row["user_url"] = _user_link(row, "recipient_user_id")
    total = sum(totals.values())
    reached = totals[EmailStatus.SENT] + totals[EmailStatus.DELIVERED]
    kpis = [
        Kpi("E-mails", f"{total:,}", "sent or attempted in the period"),
        Kpi(
            "Delivered",
            f"{totals[EmailStatus.DELIVERED]:,}",
            f"{pct(reached, total) or 0:.1f} % sent or delivered",
            "good",
        ),
        Kpi(
            "Bounced",
            f"{totals[EmailStatus.BOUNCED]:,}",
            f"{pct(totals[EmailStatus.BOUNCED], total) or 0:.1f} %",
            "warn" if totals[EmailStatus.BOUNCED] else "",
        ),
        Kpi(
            "Failed",
            f"{totals[EmailStatus.FAILED]:,}",
            f"{totals[EmailStatus.COMPLAINED]:,} marked as spam",
            "bad" if totals[EmailStatus.FAILED] else "good",
        ),
    ]
    charts = [
        Chart(
            "emails-daily",
            "E-mails per day by outcome",
            "bar",
            _labels(period),
            [
                {
                    "label": str(status_labels[status]),
                    "data": [per_day[status].get(day, 0) for day in period.days],
                    "tone": EMAIL_TONES.get(status, ""),
                }
                for status in statuses
                if status in per_day
            ],
            stacked=True,
            size="full",
        ),
    ]
    template_rows = sorted(templates.values(), key=lambda r: -r["total"])
    tables = [
        Table(
            "templates",
            "By template",
            [
                Column("template", "Template"),
                Column("total", "Total", "int"),
                *[
                    Column(status, str(status_labels[status]), "int")
                    for status in statuses
                    if status != EmailStatus.QUEUED
                ],
                Column("failure_rate", "Problem rate", "pct"),
            ],
            template_rows,
            empty="No e-mail in this period.",
        ),
        Table(
            "problems",
            "Latest bounces and failures",
            [
                Column("created_at", "When", "datetime"),
                Column("recipient_email", "To", link="user_url"),
                Column("template_name", "Template"),
                Column("status", "Outcome", "badge"),
                Column("message", "Error", "message"),
            ],
            problems,
            empty="No bounce or failure in this period.",
        ),
    ]
    return Dashboard(kpis, charts, tables)


# --- One user ----------------------------------------------------------------------------------


def user_activity(user: User) -> dict[str, Any]:
    """What staff see on a user's page: balance, ledger, usage and latest events."""
    ledger = list(
        CreditTransaction.objects.filter(user=user)
        .values("created_at", "type", "amount", "feature_name", "metadata")
        .order_by("-created_at")[:20]
    )
    usage = list(
        FeatureUsage.objects.filter(user=user)
        .values("feature_name", "usage_count", "total_duration_ms", "last_used_at")
        .order_by("-usage_count")
    )
    events = list(
        TelemetryEvent.objects.filter(user=user)
        .values("timestamp", "type", "status", "error")
        .order_by("-timestamp")[:20]
    )
    stats = User.objects.filter(pk=user.pk).aggregate(
        balance=Max("credit_balance__balance"),
        purchased=Max("credit_balance__total_purchased"),
    )
    counts = {
        "cvs": CV.objects.filter(user=user).count(),
        "offers": JobOffer.objects.filter(user=user).count(),
        "ai_cost": OpenAIUsage.objects.filter(user=user).aggregate(c=Sum("estimated_cost"))["c"]
        or Decimal(0),
    }
    type_labels = dict(TransactionType.choices)
    ledger_table = Table(
        "ledger",
        "Credit ledger (latest 20)",
        [
            Column("created_at", "When", "datetime"),
            Column("type", "Kind", "badge"),
            Column("amount", "Credits", "int"),
            Column("detail", "Detail"),
        ],
        [
            {
                **row,
                "type": type_labels.get(row["type"], row["type"]),
                "detail": feature_label(row["feature_name"])
                if row["feature_name"]
                else str((row["metadata"] or {}).get("reason", "")),
            }
            for row in ledger
        ],
        empty="No credit movement yet.",
    )
    usage_table = Table(
        "usage",
        "Feature usage",
        [
            Column("feature", "Feature"),
            Column("usage_count", "Uses", "int"),
            Column("avg_ms", "Avg duration", "ms"),
            Column("last_used_at", "Last used", "datetime"),
        ],
        [
            {
                **row,
                "feature": feature_label(row["feature_name"]),
                "avg_ms": row["total_duration_ms"] / row["usage_count"]
                if row["usage_count"] and row["total_duration_ms"]
                else None,
            }
            for row in usage
        ],
        empty="No feature used yet.",
    )
    events_table = Table(
        "events",
        "Latest events",
        [
            Column("timestamp", "When", "datetime"),
            Column("type", "Event"),
            Column("status", "Status", "badge"),
            Column("error", "Error", "message"),
        ],
        events,
        empty="No event recorded.",
    )
    kpis = [
        Kpi("Credits", f"{stats['balance'] or 0:,}", f"{stats['purchased'] or 0:,} purchased"),
        Kpi("CVs", f"{counts['cvs']:,}", f"{counts['offers']:,} job offers"),
        Kpi("AI spend", usd(counts["ai_cost"]), "all time"),
    ]
    return {"kpis": kpis, "tables": [ledger_table, usage_table, events_table]}
