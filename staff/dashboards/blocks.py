"""The building blocks of the staff dashboards: periods, KPI cards, charts, tables and
their formatting, and the query helpers every dashboard shares."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from html import escape
from typing import Any

from django.db.models import Q, QuerySet
from django.db.models.functions import TruncDate
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator, slugify

from accounts.models import Role
from billing.models import Feature

CUSTOMER = Q(role=Role.USER, is_superuser=False)
CURRENCY_SYMBOLS = {"eur": "€", "usd": "$", "gbp": "£"}
DEFAULT_CURRENCY = "eur"
RECENT_ROWS = 30


@dataclass(frozen=True)
class Period:
    """Whole days from `start` to `end` (both included), in the site's time zone.

    With `since`, rows with a time start there instead (the last 24 hours); rows kept per day
    cover the whole days from `start`."""

    start: date
    end: date
    key: str = "custom"
    since: datetime | None = None

    @classmethod
    def last_days(cls, days: int, *, key: str = "custom") -> Period:
        end = timezone.localdate()
        return cls(end - timedelta(days=days - 1), end, key=key)

    @classmethod
    def last_hours(cls, hours: int, *, key: str) -> Period:
        since = timezone.now() - timedelta(hours=hours)
        return cls(timezone.localdate(since), timezone.localdate(), key=key, since=since)

    @property
    def start_at(self) -> datetime:
        if self.since is not None:
            return self.since
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
        if self.since is not None:
            local = timezone.localtime(self.since)
            return f"{local:%d %b %Y %H:%M} – {timezone.localtime():%d %b %Y %H:%M}"
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


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: str = "text"  # how values show: text, int, eur, usd, pct, ms, date, datetime...
    link: str = ""  # key of the row's URL for this cell, if the cell links somewhere


# A column as data: (key, label) or (key, label, kind), or a Column for a linked cell.
ColumnSpec = Column | tuple[str, str] | tuple[str, str, str]
# Columns many tables share.
WHEN = Column("created_at", "When", "datetime")
USER = Column("user__email", "User", link="user_url")


@dataclass
class Cell:
    display: str
    kind: str
    url: str = ""

    @property
    def html(self) -> str:
        """The cell's markup, every value escaped (plain str: `Row.html` marks the row safe)."""
        text = escape(str(self.display))
        if self.url:
            inner = f'<a href="{escape(str(self.url))}">{text}</a>'
        elif self.kind == "message":
            short = escape(Truncator(self.display).chars(180))
            inner = f'<span class="dash-message" title="{text}">{short}</span>'
        else:
            inner = text
        if self.kind == "badge":
            inner = f'<span class="dash-badge badge-{escape(slugify(self.display))}">{inner}</span>'
        return f'<td class="col-{escape(self.kind)}">{inner}</td>'


@dataclass
class Row:
    id: Any
    cells: list[Cell]

    @property
    def html(self) -> SafeString:
        """The row's cells. Built here, not by a template loop: a year of days is thousands of
        cells, and the template engine took longer over them than the figures took to count."""
        return mark_safe("".join(cell.html for cell in self.cells))  # each value is escaped


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


@dataclass(frozen=True)
class TableSpec:
    """A table's layout, declared once as data; `build` fills it with the rows of a period."""

    key: str
    title: str
    columns: tuple[ColumnSpec, ...]
    empty: str = "Nothing in this period."
    select: str = ""

    def build(self, rows: list[dict[str, Any]], *, title: str = "", note: str = "") -> Table:
        columns = [spec if isinstance(spec, Column) else Column(*spec) for spec in self.columns]
        return Table(
            self.key,
            title or self.title,
            columns,
            rows,
            note=note,
            empty=self.empty,
            select=self.select,
        )


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


def staff_url(name: str, *args: Any) -> str:
    return reverse(f"staff:{name}", args=args)


def user_link(row: dict[str, Any], key: str = "user_id") -> str:
    return staff_url("user_detail", row[key]) if row.get(key) else ""


def group_by_day(qs: QuerySet[Any], field: str, **aggregates: Any) -> dict[date, dict[str, Any]]:
    rows = qs.annotate(day=TruncDate(field)).values("day").annotate(**aggregates).order_by("day")
    return {row["day"]: row for row in rows}


def day_series(by_day: dict[date, dict[str, Any]], period: Period, key: str) -> list[Any]:
    return [(by_day.get(day) or {}).get(key) or 0 for day in period.days]


def day_labels(period: Period) -> list[str]:
    return [day.isoformat() for day in period.days]


def customer_rows(prefix: str = "user") -> Q:
    """Rows of customers, or of no user at all (anonymous events)."""
    return Q(**{f"{prefix}__isnull": True}) | Q(
        **{f"{prefix}__role": Role.USER, f"{prefix}__is_superuser": False}
    )


def customer_owned(prefix: str = "user") -> Q:
    return Q(**{f"{prefix}__role": Role.USER, f"{prefix}__is_superuser": False})


def feature_label(name: str) -> str:
    labels = dict(Feature.choices)
    return str(labels.get(name, name.replace("_", " ").capitalize()))
