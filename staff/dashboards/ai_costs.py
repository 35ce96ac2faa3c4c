"""AI costs: spend per feature, model and user, cache savings and cost alerts."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

from django.db.models import Count, Max, Sum
from django.urls import reverse

from ai.accounting import OFFLINE_MODEL, price_tokens, pricing_for
from ai.models import OpenAIAlert, OpenAIAlertEvent, OpenAIPricing, OpenAIUsage
from staff.dashboards.blocks import (
    USER,
    WHEN,
    Chart,
    Column,
    Dashboard,
    Kpi,
    Period,
    TableSpec,
    day_labels,
    feature_label,
    pct,
    usd,
    user_link,
)

FEATURES_TABLE = TableSpec(
    "features",
    "By feature",
    (
        ("feature", "Feature"),
        ("calls", "Calls", "int"),
        ("users", "Users", "int"),
        ("tokens", "Tokens", "int"),
        ("cost", "Spend", "usd"),
        ("per_call", "Per call", "usd"),
        ("share", "Share", "pct"),
    ),
)

MODELS_TABLE = TableSpec(
    "models",
    "By model",
    (
        ("model", "Model"),
        ("calls", "Calls", "int"),
        ("prompt", "Prompt tokens", "int"),
        ("cached", "Cached tokens", "int"),
        ("completion", "Completion tokens", "int"),
        ("cost", "Spend", "usd"),
        ("saved", "Saved by cache", "usd"),
    ),
)
USERS_TABLE = TableSpec(
    "users",
    "Top users",
    (
        USER,
        ("calls", "Calls", "int"),
        ("tokens", "Tokens", "int"),
        ("cost", "Spend", "usd"),
    ),
)
ALERTS_TABLE = TableSpec(
    "alerts",
    "Cost alerts",
    (
        Column("name", "Alert", link="url"),
        ("type", "Scope"),
        ("feature", "Feature"),
        ("threshold", "Threshold", "usd"),
        ("enabled", "Enabled", "bool"),
        ("fired", "Fired (period)", "int"),
        ("last", "Last fired", "datetime"),
    ),
    empty="No alert is set up.",
)
FIRED_TABLE = TableSpec(
    "fired",
    "Alerts fired in the period",
    (
        WHEN,
        ("alert__name", "Alert"),
        ("period_key", "Period"),
        USER,
        ("value", "Spend", "usd"),
        ("alert__threshold", "Threshold", "usd"),
    ),
    empty="No alert fired in this period.",
)


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


def build(period: Period) -> Dashboard:
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
        row["user_url"] = user_link(row)
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
        row["user_url"] = user_link(row)
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
            day_labels(period),
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
        FEATURES_TABLE.build(by_feature),
        MODELS_TABLE.build(by_model),
        USERS_TABLE.build(by_user),
        ALERTS_TABLE.build(alert_rows),
        FIRED_TABLE.build(fired),
    ]
    return Dashboard(kpis, charts, tables)
