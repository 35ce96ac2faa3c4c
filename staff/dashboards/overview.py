"""Overview: users, activity, CVs, revenue, AI spend and failures at a glance."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db.models import Count, Q

from accounts.models import User
from ai.models import OpenAIAlertEvent
from billing.models import CreditTransaction, Subscription, TransactionType
from cvs.models import CreatedBy
from jobs.models import BackgroundTask, TaskStatus
from staff.dashboards import rollups
from staff.dashboards.blocks import (
    CUSTOMER,
    Chart,
    Dashboard,
    Kpi,
    Period,
    TableSpec,
    day_labels,
    day_series,
    group_by_day,
    money,
    pct,
    usd,
)
from staff.dashboards.revenue import PAID_PLAN, PAYING_SUBSCRIPTION, pack_sales
from staff.dashboards.rollups import event_counts
from telemetry.models import Feedback, FeedbackStatus

AI_CREATED = (CreatedBy.GENERATE_CV, CreatedBy.CREATE_TEMPLATE, CreatedBy.GENERATE_FROM_JOB_TITLE)
IMPORTED = (CreatedBy.IMPORT_PDF, CreatedBy.IMPORT_JSON_RESUME)

DAILY_TABLE = TableSpec(
    "daily",
    "Day by day",
    (
        ("day", "Day", "date"),
        ("signups", "Sign-ups", "int"),
        ("active", "Active users", "int"),
        ("cvs", "CVs created", "int"),
        ("ai_cvs", "CVs by AI", "int"),
        ("purchases", "Purchases", "int"),
        ("revenue", "Revenue", "eur"),
    ),
)


def build(period: Period) -> Dashboard:
    customers = User.objects.filter(CUSTOMER)
    # Counted on created_at, not id: the users' index on created_at answers these without
    # reading the table.
    users = customers.aggregate(
        total=Count("created_at"),
        new=Count("created_at", filter=period.q("created_at")),
        blocked=Count("created_at", filter=Q(is_active=False)),
    )
    # Conversion counts every customer who ever paid: a pack purchase or a paid plan. Counted
    # from the payers' side, which is small, not by joining every user to them.
    staff = rollups.staff_accounts()
    buyers = CreditTransaction.objects.filter(type=TransactionType.PURCHASE).exclude(user__in=staff)
    subscribers = Subscription.objects.filter(PAID_PLAN, status__in=PAYING_SUBSCRIPTION).exclude(
        user__in=staff
    )
    paying = buyers.values("user").order_by().union(subscribers.values("user").order_by()).count()
    signups = group_by_day(
        customers.filter(period.q("created_at")), "created_at", n=Count("created_at")
    )
    active_by_day = rollups.active_by_day(period)
    # Active means at least one recorded event (login, CV action...) in the period.
    active = rollups.active_users(period)
    cvs_by_day: dict[date, dict[str, int]] = {}
    for (day, created_by), n in rollups.cv_counts(period).items():
        into = cvs_by_day.setdefault(day, {"total": 0, "ai": 0, "imported": 0, "manual": 0})
        into["total"] += n
        kind = "ai" if created_by in AI_CREATED else "imported" if created_by in IMPORTED else ""
        if kind or created_by == "":
            into[kind or "manual"] += n
    purchases = pack_sales(period)
    tasks = BackgroundTask.objects.filter(period.q("created_at")).aggregate(
        total=Count("id"), failed=Count("id", filter=Q(status=TaskStatus.FAILED))
    )
    # The calls, not the per-user daily totals: commands' and failed calls cost too.
    ai_cost = sum((row["cost"] for row in rollups.call_counts(period, ("status",))), Decimal(0))
    open_feedback = Feedback.objects.filter(status=FeedbackStatus.NEW).count()
    alerts = OpenAIAlertEvent.objects.filter(period.q("created_at")).count()
    top = sorted(
        (
            {"type": type_, "n": row["n"]}
            for (type_,), row in event_counts(period, ("type",), customers=True).items()
        ),
        key=lambda row: (-row["n"], row["type"]),
    )[:8]

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
    labels = day_labels(period)
    charts = [
        Chart(
            "activity",
            "Sign-ups and active users per day",
            "line",
            labels,
            [
                {"label": "Sign-ups", "data": day_series(signups, period, "n")},
                {"label": "Active users", "data": day_series(active_by_day, period, "n")},
            ],
            size="full",
        ),
        Chart(
            "cvs",
            "CVs created per day",
            "bar",
            labels,
            [
                {"label": "Tailored by AI", "data": day_series(cvs_by_day, period, "ai")},
                {"label": "Imported", "data": day_series(cvs_by_day, period, "imported")},
                {"label": "Written by hand", "data": day_series(cvs_by_day, period, "manual")},
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
    table = DAILY_TABLE.build(daily)
    return Dashboard(kpis, charts, [table])
