"""Onboarding: how far new users get through the guided tour."""

from __future__ import annotations

import statistics

from django.db.models import Count, Q
from django.db.models.fields.json import KT
from django.utils.dateparse import parse_datetime

from accounts.models import User
from accounts.onboarding import STEPS, normalise
from staff.dashboards.blocks import (
    CUSTOMER,
    RECENT_ROWS,
    Chart,
    Column,
    Dashboard,
    Kpi,
    Period,
    TableSpec,
    pct,
    staff_url,
)

MAX_TIMING_ROWS = 2000

FUNNEL_TABLE = TableSpec(
    "funnel",
    "Funnel",
    (
        ("step", "Step"),
        ("users", "Users", "int"),
        ("share", "Of sign-ups", "pct"),
        ("drop", "Lost since previous step", "pct"),
    ),
)

USERS_TABLE = TableSpec(
    "users",
    "Latest sign-ups",
    (
        Column("email", "User", link="url"),
        ("created_at", "Signed up", "datetime"),
        ("state", "Tour", "badge"),
        ("done", "Steps done", "int"),
        ("current", "Current step"),
    ),
    empty="Nobody signed up in this period.",
)


def build(period: Period) -> Dashboard:
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
                "url": staff_url("user_detail", row["id"]),
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
        FUNNEL_TABLE.build(funnel),
        USERS_TABLE.build(state_rows),
    ]
    return Dashboard(kpis, charts, tables)
