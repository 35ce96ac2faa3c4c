"""AI costs: spend per feature, model and user, cache savings and cost alerts.

Read from the calls themselves (not the per-user daily totals), so calls made by commands
(no user) and calls that failed (billed all the same) count. Each feature a user pays for has
one total, with the recorded steps it is made of beneath it (a tailoring is four calls).
"""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Case, CharField, Count, Max, Q, Sum, Value, When
from django.db.models.functions import TruncDate
from django.urls import reverse

from accounts.models import User
from ai.accounting import (
    OFFLINE_MODEL,
    PRODUCT_FEATURES,
    price_tokens,
    pricing_for,
)
from ai.models import CallStatus, OpenAIAlert, OpenAIAlertEvent, OpenAICall, OpenAIPricing
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

# A dated snapshot ("gpt-4o-mini-2024-07-18", "gpt-4-0613") is shown under its model's name.
DATED_SNAPSHOT = re.compile(r"-(?:\d{4}-\d{2}-\d{2}|\d{4})$")
STEP_PREFIX = "↳ "
FEATURES_TABLE = TableSpec(
    "features",
    "By feature",
    (
        ("feature", "Feature"),
        ("calls", "Calls", "int"),
        ("failed", "Failed", "int"),
        ("tasks", "Tasks", "int"),
        ("users", "Users", "int"),
        ("tokens", "Tokens", "int"),
        ("cost", "Spend", "usd"),
        ("per_task", "Per task", "usd"),
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
NO_USER = "(commands, no user)"
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


def base_model(model: str) -> str:
    """The model's name without a snapshot date: gpt-4o-mini-2024-07-18 -> gpt-4o-mini."""
    return DATED_SNAPSHOT.sub("", model)


def _product() -> Case:
    """The feature a user pays for, computed by the database from the recorded step."""
    whens = [When(feature_name=step, then=Value(paid)) for step, paid in PRODUCT_FEATURES.items()]
    return Case(*whens, default="feature_name", output_field=CharField())


def _feature_rows(calls: Any, cost: Decimal) -> list[dict[str, Any]]:
    """One row per paid feature, each followed by its steps when it has more than one."""
    sums = {
        "calls": Count("id"),
        "failed": Count("id", filter=~Q(status=CallStatus.OK)),
        "tasks": Count("task", distinct=True),
        "users": Count("user", distinct=True),
        "tokens": Sum("total_tokens"),
        "cost": Sum("estimated_cost"),
    }
    products = list(
        calls.annotate(product=_product()).values("product").annotate(**sums).order_by("-cost")
    )
    steps = list(calls.values("feature_name").annotate(**sums).order_by("-cost", "feature_name"))
    rows: list[dict[str, Any]] = []
    for product in products:
        name = product["product"]
        product["feature"] = feature_label(name)
        rows.append(product)
        own = [
            step
            for step in steps
            if PRODUCT_FEATURES.get(step["feature_name"], step["feature_name"]) == name
        ]
        if len(own) > 1:  # a feature made of one step is its own detail
            for step in own:
                step["feature"] = STEP_PREFIX + step["feature_name"]
                step["step"] = True
                rows.append(step)
    for row in rows:
        row["per_task"] = row["cost"] / row["tasks"] if row["tasks"] else None
        # A step's share is of the whole spend too: the steps of a feature add up to its share.
        row["share"] = pct(float(row["cost"] or 0), float(cost))
    return rows


def _model_rows(calls: Any, pricing: dict[str, OpenAIPricing]) -> list[dict[str, Any]]:
    """One row per model, dated snapshots added to their model's row."""
    raw = calls.values("model").annotate(
        calls=Count("id"),
        prompt=Sum("prompt_tokens"),
        cached=Sum("cached_tokens"),
        completion=Sum("completion_tokens"),
        cost=Sum("estimated_cost"),
    )
    grouped: dict[str, dict[str, Any]] = {}
    for row in raw:
        name = base_model(row["model"])
        into = grouped.setdefault(
            name,
            {"model": name, "calls": 0, "prompt": 0, "cached": 0, "completion": 0,
             "cost": Decimal(0), "saved": Decimal(0)},
        )  # fmt: skip
        for key in ("calls", "prompt", "cached", "completion", "cost"):
            into[key] += row[key] or 0
        into["saved"] += cache_savings(row["model"], row["cached"] or 0, pricing)
    return sorted(grouped.values(), key=lambda row: row["cost"], reverse=True)


def build(period: Period) -> Dashboard:
    calls = OpenAICall.objects.filter(period.q("created_at"))
    totals = calls.aggregate(
        cost=Sum("estimated_cost"),
        calls=Count("id"),
        failed=Count("id", filter=~Q(status=CallStatus.OK)),
        failed_cost=Sum("estimated_cost", filter=~Q(status=CallStatus.OK)),
        tokens=Sum("total_tokens"),
        cached=Sum("cached_tokens"),
        prompt=Sum("prompt_tokens"),
        users=Count("user", distinct=True),
    )
    cost = totals["cost"] or Decimal(0)
    daily = list(
        calls.annotate(day=TruncDate("created_at"), product=_product())
        .values("day", "product")
        .annotate(cost=Sum("estimated_cost"))
        .order_by("day")
    )
    # Grouped by user alone, the e-mails read for the ten rows only: joining every call to its
    # user first made the database group all the calls by e-mail too.
    by_user = list(
        calls.values("user_id")
        .annotate(calls=Count("id"), tokens=Sum("total_tokens"), cost=Sum("estimated_cost"))
        .order_by("-cost")[:10]
    )
    emails = dict(
        User.objects.filter(pk__in=[row["user_id"] for row in by_user]).values_list("pk", "email")
    )
    for row in by_user:
        row["user__email"] = emails.get(row["user_id"])
    pricing = {row.model_name: row for row in OpenAIPricing.objects.filter(is_active=True)}
    by_feature = _feature_rows(calls, cost)
    by_model = _model_rows(calls, pricing)
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

    count = totals["calls"] or 0
    savings = sum((row["saved"] for row in by_model), Decimal(0))
    for row in by_user:
        row["user_url"] = user_link(row)
        row["user__email"] = row["user__email"] or NO_USER
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
    features_seen = [row["product"] for row in by_feature if not row.get("step")]
    per_day: dict[str, dict[date, Decimal]] = defaultdict(dict)
    for row in daily:
        per_day[row["product"]][row["day"]] = row["cost"]
    kpis = [
        Kpi("AI spend", usd(cost), f"{count:,} calls by {totals['users'] or 0:,} users"),
        Kpi("Avg cost per call", usd(cost / count if count else 0), "all features"),
        Kpi(
            "Failed calls",
            f"{totals['failed'] or 0:,}",
            f"{usd(totals['failed_cost'] or 0)} billed for answers never used",
            "warn" if totals["failed"] else "",
        ),
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
            [row["user__email"] for row in by_user],
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
