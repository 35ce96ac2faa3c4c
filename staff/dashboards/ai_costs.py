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

from django.db.models import Count, Max
from django.urls import reverse

from accounts.models import User
from ai.accounting import OFFLINE_MODEL, price_tokens, pricing_for, product_feature
from ai.models import (
    CallScope,
    CallStatus,
    OpenAIAlert,
    OpenAIAlertEvent,
    OpenAIPricing,
)
from staff.dashboards import rollups
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


def _feature_rows(
    calls: list[dict[str, Any]], people: dict[tuple[str, str], dict[str, int]], cost: Decimal
) -> list[dict[str, Any]]:
    """One row per paid feature, each followed by its steps when it has more than one."""
    by: dict[tuple[str, str], dict[str, Any]] = {}
    for call in calls:
        step = call["feature_name"]
        for scope, name in ((CallScope.FEATURE, product_feature(step)), (CallScope.STEP, step)):
            row = by.setdefault(
                (scope, name),
                {"name": name, "calls": 0, "failed": 0, "tokens": 0, "cost": Decimal(0)},
            )
            row["calls"] += call["calls"]
            row["failed"] += call["calls"] if call["status"] != CallStatus.OK else 0
            row["tokens"] += call["tokens"]
            row["cost"] += call["cost"]
    for key, row in by.items():
        row.update(people.get(key) or {"users": 0, "tasks": 0})

    def ranked(scope: str) -> list[dict[str, Any]]:
        rows = [row for (kind, _), row in by.items() if kind == scope]
        return sorted(rows, key=lambda row: (-row["cost"], row["name"]))

    rows: list[dict[str, Any]] = []
    steps = ranked(CallScope.STEP)
    for product in ranked(CallScope.FEATURE):
        name = product["product"] = product["name"]
        product["feature"] = feature_label(name)
        rows.append(product)
        own = [step for step in steps if product_feature(step["name"]) == name]
        if len(own) > 1:  # a feature made of one step is its own detail
            for step in own:
                step["feature"] = STEP_PREFIX + step["name"]
                step["step"] = True
                rows.append(step)
    for row in rows:
        row["per_task"] = row["cost"] / row["tasks"] if row["tasks"] else None
        # A step's share is of the whole spend too: the steps of a feature add up to its share.
        row["share"] = pct(float(row["cost"] or 0), float(cost))
    return rows


def _model_rows(
    calls: list[dict[str, Any]], pricing: dict[str, OpenAIPricing]
) -> list[dict[str, Any]]:
    """One row per model, dated snapshots added to their model's row."""
    grouped: dict[str, dict[str, Any]] = {}
    cached_by_model: dict[str, int] = defaultdict(int)
    for row in calls:
        name = base_model(row["model"])
        into = grouped.setdefault(
            name,
            {"model": name, "calls": 0, "prompt": 0, "cached": 0, "completion": 0,
             "cost": Decimal(0), "saved": Decimal(0)},
        )  # fmt: skip
        for key in ("calls", "prompt", "cached", "completion", "cost"):
            into[key] += row[key] or 0
        cached_by_model[row["model"]] += row["cached"] or 0
    for model, cached in cached_by_model.items():
        grouped[base_model(model)]["saved"] += cache_savings(model, cached, pricing)
    return sorted(grouped.values(), key=lambda row: (-row["cost"], row["model"]))


def build(period: Period) -> Dashboard:
    # Sums from the daily roll-ups, people from the per-user ones (staff.dashboards.rollups).
    call_rows = rollups.call_counts(period, ("feature_name", "model", "status"))
    people = rollups.callers(period)
    cost = sum((row["cost"] for row in call_rows), Decimal(0))
    failed = [row for row in call_rows if row["status"] != CallStatus.OK]
    totals = {
        "calls": sum(row["calls"] for row in call_rows),
        "failed": sum(row["calls"] for row in failed),
        "failed_cost": sum((row["cost"] for row in failed), Decimal(0)),
        "tokens": sum(row["tokens"] for row in call_rows),
        "cached": sum(row["cached"] for row in call_rows),
        "prompt": sum(row["prompt"] for row in call_rows),
        "users": people.get((CallScope.ANY, ""), {}).get("users", 0),
    }
    per_day: dict[str, dict[date, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for row in rollups.call_counts(period, ("day", "feature_name")):
        per_day[product_feature(row["feature_name"])][row["day"]] += row["cost"]
    # The e-mails read for the ten rows only: joining every call to its user first made the
    # database group all the calls by e-mail too.
    by_user = rollups.top_spenders(period, 10)
    emails = dict(
        User.objects.filter(pk__in=[row["user_id"] for row in by_user]).values_list("pk", "email")
    )
    for row in by_user:
        row["user__email"] = emails.get(row["user_id"])
    pricing = {row.model_name: row for row in OpenAIPricing.objects.filter(is_active=True)}
    by_feature = _feature_rows(call_rows, people, cost)
    by_model = _model_rows(call_rows, pricing)
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
