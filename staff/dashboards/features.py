"""Feature usage: uses, errors and durations per feature and per event type."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from django.db.models import Count, Max, Sum

from staff.dashboards.blocks import (
    Chart,
    Dashboard,
    Kpi,
    Period,
    TableSpec,
    day_labels,
    feature_label,
    pct,
)
from staff.dashboards.rollups import event_counts, staff_accounts
from staff.dashboards.rollups import users_by_type as users_per_type
from telemetry.events import EVENT_FEATURES
from telemetry.models import EventStatus, FeatureUsage

TOP_SERIES = 5

FEATURES_TABLE = TableSpec(
    "features",
    "Features",
    (
        ("feature", "Feature"),
        ("uses", "Uses (period)", "int"),
        ("errors", "Errors (period)", "int"),
        ("error_rate", "Error rate", "pct"),
        ("avg_ms", "Avg duration", "ms"),
        ("uses_all", "Uses (all time)", "int"),
        ("users_all", "Users (all time)", "int"),
        ("last", "Last used", "datetime"),
    ),
)

EVENTS_TABLE = TableSpec(
    "events",
    "Events by type",
    (
        ("type", "Type"),
        ("category", "Category"),
        ("n", "Events", "int"),
        ("users", "Users", "int"),
        ("avg_ms", "Avg duration", "ms"),
        ("errors", "Errors", "int"),
    ),
)


def build(period: Period) -> Dashboard:
    # Counts from the daily roll-ups, people from the per-user ones (see staff.dashboards.rollups).
    users_by_type = users_per_type(period)
    by_type_status = event_counts(period, ("type", "category", "status"), customers=True)
    types: dict[tuple[str, str], dict[str, Any]] = {}
    for (type_, category, status), row in by_type_status.items():
        into = types.setdefault(
            (type_, category),
            {"type": type_, "category": category, "n": 0, "errors": 0, "timed": 0, "duration": 0},
        )
        into["n"] += row["n"]
        into["timed"] += row["timed"]
        into["duration"] += row["duration"]
        if status == EventStatus.ERROR:
            into["errors"] += row["n"]
    by_type = sorted(types.values(), key=lambda row: (-row["n"], row["type"]))
    for row in by_type:
        row["users"] = users_by_type.get((row["type"], row["category"]), 0)
        row["avg_ms"] = row["duration"] / row["timed"] if row["timed"] else None
    feature_types = list(EVENT_FEATURES)
    per_day = [
        {"day": day, "type": type_, "n": row["n"]}
        for (day, type_), row in event_counts(
            period,
            ("day", "type"),
            customers=True,
            type__in=feature_types,
            status=EventStatus.SUCCESS,
        ).items()
    ]
    usage = list(
        # Staff rows left out through the staff index: joining every row to its user cost more.
        FeatureUsage.objects.exclude(user__in=staff_accounts())
        .values("feature_name")
        .annotate(
            # One row per user and feature (a unique constraint): rows are users.
            users=Count("id"),
            uses=Sum("usage_count"),
            duration=Sum("total_duration_ms"),
            last=Max("last_used_at"),
        )
        .order_by("-uses", "feature_name")
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
    top = sorted(daily, key=lambda name: (-sum(daily[name].values()), name))[:TOP_SERIES]
    all_time = {row["feature_name"]: row for row in usage}
    names = sorted(set(in_period) | set(all_time), key=lambda n: (-in_period[n]["uses"], n))
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
            day_labels(period),
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
        FEATURES_TABLE.build(feature_rows),
        EVENTS_TABLE.build(by_type),
    ]
    return Dashboard(kpis, charts, tables)
