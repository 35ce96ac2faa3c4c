"""Revenue: pack sales, refunds and disputes, paying subscriptions."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, IntegerField, Q, Sum
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, TruncDate
from django.utils import timezone

from billing.models import (
    CreditPack,
    CreditTransaction,
    Subscription,
    SubscriptionStatus,
    TransactionType,
)
from staff.dashboards.blocks import (
    DEFAULT_CURRENCY,
    USER,
    WHEN,
    Chart,
    Dashboard,
    Kpi,
    Period,
    TableSpec,
    customer_owned,
    day_labels,
    money,
    pct,
    user_link,
)

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

PACKS_TABLE = TableSpec(
    "packs",
    "Credit packs",
    (
        ("pack", "Pack"),
        ("credits", "Credits", "int"),
        ("price", "List price", "eur"),
        ("active", "On sale", "bool"),
        ("sales", "Sold (period)", "int"),
        ("revenue", "Revenue (period)", "eur"),
    ),
)
PLANS_TABLE = TableSpec(
    "plans",
    "Paying subscriptions (now)",
    (
        ("plan", "Plan"),
        ("period", "Billing"),
        ("subscriptions", "Subscriptions", "int"),
        ("mrr", "MRR", "eur"),
    ),
    empty="No paying subscription.",
)
REFUNDS_TABLE = TableSpec(
    "refunds",
    "Refunds and disputes",
    (
        WHEN,
        USER,
        ("type", "Kind", "badge"),
        ("credits", "Credits taken back", "int"),
        ("value", "Amount", "eur"),
    ),
    empty="No refund or dispute in this period.",
)
DAILY_TABLE = TableSpec(
    "daily",
    "Day by day",
    (
        ("day", "Day", "date"),
        ("purchases", "Purchases", "int"),
        ("revenue", "Revenue", "eur"),
        ("refunds", "Refunds", "eur"),
    ),
)


@dataclass
class Purchases:
    """Pack sales of a period, valued at the amount paid (from Stripe) or the list price."""

    by_day: dict[date, dict[str, Any]]
    by_pack: dict[int, dict[str, Any]]
    total: Decimal
    count: int
    unpriced: int
    currency: str


def pack_sales(period: Period) -> Purchases:
    packs = {pack.credit_amount: pack for pack in CreditPack.objects.all()}
    rows = (
        CreditTransaction.objects.filter(period.q("created_at"), type=TransactionType.PURCHASE)
        .filter(customer_owned())
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
                "user_url": user_link(row),
            }
        )
    return result


def build(period: Period) -> Dashboard:
    purchases = pack_sales(period)
    packs = list(CreditPack.objects.order_by("credit_amount"))
    reversals = _reversals(period)
    buyers = (
        CreditTransaction.objects.filter(period.q("created_at"), type=TransactionType.PURCHASE)
        .filter(customer_owned())
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
            day_labels(period),
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
        PACKS_TABLE.build(pack_rows, note=note),
        PLANS_TABLE.build(plan_rows),
        REFUNDS_TABLE.build(reversals),
        DAILY_TABLE.build(daily),
    ]
    return Dashboard(kpis, charts, tables)
