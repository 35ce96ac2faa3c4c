"""User accounts: the searchable list, its summary and one user's activity."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, F, Max, OuterRef, Q, QuerySet, Subquery, Sum

from accounts.models import User
from ai.models import OpenAIUsage
from billing.models import CreditBalance, CreditTransaction, TransactionType
from cvs.models import CV
from joboffers.models import JobOffer
from staff.dashboards.blocks import (
    CUSTOMER,
    WHEN,
    Chart,
    Column,
    Dashboard,
    Kpi,
    Period,
    TableSpec,
    feature_label,
    staff_url,
    usd,
)
from telemetry.models import FeatureUsage, TelemetryEvent

CREDIT_BUCKETS = ((0, 0), (1, 5), (6, 20), (21, 50), (51, None))

USERS_TABLE = TableSpec(
    "users",
    "Users",
    (
        Column("email", "E-mail", link="url"),
        ("name", "Name"),
        ("role", "Role", "badge"),
        ("state", "Status", "badge"),
        ("balance", "Credits", "int"),
        ("cv_count", "CVs", "int"),
        ("paid", "Paid", "bool"),
        ("created_at", "Signed up", "datetime"),
        ("last_login", "Last login", "datetime"),
    ),
    empty="No user matches.",
)
LEDGER_TABLE = TableSpec(
    "ledger",
    "Credit ledger (latest 20)",
    (
        WHEN,
        ("type", "Kind", "badge"),
        ("amount", "Credits", "int"),
        ("detail", "Detail"),
    ),
    empty="No credit movement yet.",
)
USAGE_TABLE = TableSpec(
    "usage",
    "Feature usage",
    (
        ("feature", "Feature"),
        ("usage_count", "Uses", "int"),
        ("avg_ms", "Avg duration", "ms"),
        ("last_used_at", "Last used", "datetime"),
    ),
    empty="No feature used yet.",
)
EVENTS_TABLE = TableSpec(
    "events",
    "Latest events",
    (
        ("timestamp", "When", "datetime"),
        ("type", "Event"),
        ("status", "Status", "badge"),
        ("error", "Error", "message"),
    ),
    empty="No event recorded.",
)


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


def user_rows(users: Iterable[User]) -> list[dict[str, Any]]:
    return [
        {
            "id": user.pk,
            "url": staff_url("user_detail", user.pk),
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
    ledger_table = LEDGER_TABLE.build(
        [
            {
                **row,
                "type": type_labels.get(row["type"], row["type"]),
                "detail": feature_label(row["feature_name"])
                if row["feature_name"]
                else str((row["metadata"] or {}).get("reason", "")),
            }
            for row in ledger
        ]
    )
    usage_table = USAGE_TABLE.build(
        [
            {
                **row,
                "feature": feature_label(row["feature_name"]),
                "avg_ms": row["total_duration_ms"] / row["usage_count"]
                if row["usage_count"] and row["total_duration_ms"]
                else None,
            }
            for row in usage
        ]
    )
    events_table = EVENTS_TABLE.build(events)
    kpis = [
        Kpi("Credits", f"{stats['balance'] or 0:,}", f"{stats['purchased'] or 0:,} purchased"),
        Kpi("CVs", f"{counts['cvs']:,}", f"{counts['offers']:,} job offers"),
        Kpi("AI spend", usd(counts["ai_cost"]), "all time"),
    ]
    return {"kpis": kpis, "tables": [ledger_table, usage_table, events_table]}
