"""The staff dashboards' numbers: every figure is an aggregate computed by the database.

Each dashboard module has a `build` function that takes a Period and returns a Dashboard (KPI
cards, chart series and tables) built from a fixed number of queries, whatever the amount of
data: group by day with TruncDate, count and sum with filtered aggregates, and never one query
per row. Events and accounts of staff are left out of the product analytics (AI costs keep
them: they are spent).
"""

from __future__ import annotations

from staff.dashboards import (
    ai_costs,
    emails,
    errors,
    extractions,
    features,
    feedback,
    onboarding,
    overview,
    revenue,
    users,
)
from staff.dashboards.ai_costs import cache_savings
from staff.dashboards.blocks import Column, Dashboard, Kpi, Period, Table, TableSpec
from staff.dashboards.users import (
    USERS_TABLE,
    user_activity,
    user_rows,
    users_queryset,
    users_summary,
)

__all__ = [
    "USERS_TABLE",
    "Column",
    "Dashboard",
    "Kpi",
    "Period",
    "Table",
    "TableSpec",
    "ai_costs",
    "cache_savings",
    "emails",
    "errors",
    "extractions",
    "features",
    "feedback",
    "onboarding",
    "overview",
    "revenue",
    "user_activity",
    "user_rows",
    "users",
    "users_queryset",
    "users_summary",
]
