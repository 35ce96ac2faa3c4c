"""E-mails: outcomes per day and per template, latest bounces and failures."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date
from typing import Any

from django.db.models import Count, F
from django.db.models.functions import TruncDate

from emails.models import EmailLog, EmailStatus
from staff.dashboards.blocks import (
    RECENT_ROWS,
    WHEN,
    Chart,
    Column,
    Dashboard,
    Kpi,
    Period,
    TableSpec,
    day_labels,
    pct,
    user_link,
)

EMAIL_PROBLEMS = (EmailStatus.BOUNCED, EmailStatus.FAILED, EmailStatus.COMPLAINED)
EMAIL_TONES = {
    EmailStatus.DELIVERED: "good",
    EmailStatus.SENT: "info",
    EmailStatus.BOUNCED: "warn",
    EmailStatus.FAILED: "bad",
    EmailStatus.COMPLAINED: "spam",
    EmailStatus.QUEUED: "muted",
}
# Queued last: it is a transient state, stacked on top of the outcomes.
STATUSES = [s for s in EmailStatus.values if s != EmailStatus.QUEUED] + [EmailStatus.QUEUED]

TEMPLATES_TABLE = TableSpec(
    "templates",
    "By template",
    (
        ("template", "Template"),
        ("total", "Total", "int"),
        *[(s, EmailStatus(s).label, "int") for s in STATUSES if s != EmailStatus.QUEUED],
        ("failure_rate", "Problem rate", "pct"),
    ),
    empty="No e-mail in this period.",
)

PROBLEMS_TABLE = TableSpec(
    "problems",
    "Latest bounces and failures",
    (
        WHEN,
        Column("recipient_email", "To", link="user_url"),
        ("template_name", "Template"),
        ("status", "Outcome", "badge"),
        ("message", "Error", "message"),
    ),
    empty="No bounce or failure in this period.",
)


def build(period: Period) -> Dashboard:
    logs = EmailLog.objects.filter(period.q("created_at"), is_test_email=False)
    daily = list(
        logs.annotate(day=TruncDate("created_at"))
        .values("day", "status")
        .annotate(n=Count("id"))
        .order_by("day")
    )
    by_template = list(
        logs.values("template_name", "status").annotate(n=Count("id")).order_by("template_name")
    )
    problems = list(
        logs.filter(status__in=EMAIL_PROBLEMS)
        .values("created_at", "recipient_email", "recipient_user_id", "template_name", "status")
        .annotate(message=F("error"))
        .order_by("-created_at")[:RECENT_ROWS]
    )

    per_day: dict[str, dict[date, int]] = defaultdict(dict)
    for row in daily:
        per_day[row["status"]][row["day"]] = row["n"]
    templates: dict[str, dict[str, Any]] = {}
    totals: Counter[str] = Counter()
    for row in by_template:
        entry = templates.setdefault(
            row["template_name"], {"template": row["template_name"], "total": 0}
        )
        entry[row["status"]] = entry.get(row["status"], 0) + row["n"]
        entry["total"] += row["n"]
        totals[row["status"]] += row["n"]
    for entry in templates.values():
        bad = sum(entry.get(s, 0) for s in EMAIL_PROBLEMS)
        entry["failure_rate"] = pct(bad, entry["total"])
    status_labels = dict(EmailStatus.choices)
    for row in problems:
        row["status"] = status_labels.get(row["status"], row["status"])
        row["user_url"] = user_link(row, "recipient_user_id")
    total = sum(totals.values())
    reached = totals[EmailStatus.SENT] + totals[EmailStatus.DELIVERED]
    kpis = [
        Kpi("E-mails", f"{total:,}", "sent or attempted in the period"),
        Kpi(
            "Delivered",
            f"{totals[EmailStatus.DELIVERED]:,}",
            f"{pct(reached, total) or 0:.1f} % sent or delivered",
            "good",
        ),
        Kpi(
            "Bounced",
            f"{totals[EmailStatus.BOUNCED]:,}",
            f"{pct(totals[EmailStatus.BOUNCED], total) or 0:.1f} %",
            "warn" if totals[EmailStatus.BOUNCED] else "",
        ),
        Kpi(
            "Failed",
            f"{totals[EmailStatus.FAILED]:,}",
            f"{totals[EmailStatus.COMPLAINED]:,} marked as spam",
            "bad" if totals[EmailStatus.FAILED] else "good",
        ),
    ]
    charts = [
        Chart(
            "emails-daily",
            "E-mails per day by outcome",
            "bar",
            day_labels(period),
            [
                {
                    "label": str(status_labels[status]),
                    "data": [per_day[status].get(day, 0) for day in period.days],
                    "tone": EMAIL_TONES.get(status, ""),
                }
                for status in STATUSES
                if status in per_day
            ],
            stacked=True,
            size="full",
        ),
    ]
    template_rows = sorted(templates.values(), key=lambda r: -r["total"])
    tables = [
        TEMPLATES_TABLE.build(template_rows),
        PROBLEMS_TABLE.build(problems),
    ]
    return Dashboard(kpis, charts, tables)
