"""Feedback and bug reports, with their triage status."""

from __future__ import annotations

from django.db.models import Avg, Count, Q
from django.urls import reverse

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
    day_series,
    group_by_day,
    user_link,
)
from telemetry.models import Feedback, FeedbackStatus

FEEDBACK_TABLE = TableSpec(
    "feedback",
    "Feedback",
    (
        WHEN,
        USER,
        ("kind", "Kind", "badge"),
        ("rating", "Rating", "rating"),
        ("comment", "Comment", "message"),
        ("page_url", "Page"),
        Column("status_label", "Status", "badge", link="admin_url"),
    ),
    empty="No feedback matches.",
    select="id",
)


def build(period: Period, *, status: str = "", bugs: str = "") -> Dashboard:
    in_period = period.q("created_at")
    counts = Feedback.objects.aggregate(
        total=Count("id", filter=in_period),
        bugs=Count("id", filter=in_period & Q(is_bug_report=True)),
        rating=Avg("rating", filter=in_period),
        new=Count("id", filter=Q(status=FeedbackStatus.NEW)),
        reviewed=Count("id", filter=Q(status=FeedbackStatus.REVIEWED)),
        resolved=Count("id", filter=Q(status=FeedbackStatus.RESOLVED)),
    )
    listed = Feedback.objects.filter(in_period)
    by_day = group_by_day(
        listed,
        "created_at",
        bugs=Count("id", filter=Q(is_bug_report=True)),
        other=Count("id", filter=Q(is_bug_report=False)),
    )
    ratings = dict(
        listed.filter(rating__isnull=False)
        .values_list("rating")
        .annotate(n=Count("id"))
        .values_list("rating", "n")
    )
    if status:
        listed = listed.filter(status=status)
    if bugs in ("1", "0"):
        listed = listed.filter(is_bug_report=bugs == "1")
    rows = list(
        listed.values(
            "id",
            "created_at",
            "user_id",
            "user__email",
            "rating",
            "is_bug_report",
            "comment",
            "page_url",
            "current_cv_id",
            "status",
        ).order_by("-created_at")[:100]
    )
    labels = dict(FeedbackStatus.choices)
    for row in rows:
        row["user_url"] = user_link(row)
        row["kind"] = "Bug" if row["is_bug_report"] else "Feedback"
        row["status_label"] = labels[row["status"]]
        row["admin_url"] = reverse("admin:telemetry_feedback_change", args=[row["id"]])
    kpis = [
        Kpi("Feedback", f"{counts['total']:,}", "received in the period"),
        Kpi(
            "Average rating",
            f"{counts['rating']:.1f} / 5" if counts["rating"] else "—",
            "in the period",
            "good" if (counts["rating"] or 0) >= 4 else "warn" if counts["rating"] else "",
        ),
        Kpi("Bug reports", f"{counts['bugs']:,}", "in the period", "bad" if counts["bugs"] else ""),
        Kpi("New", f"{counts['new']:,}", "waiting for triage", "warn" if counts["new"] else "good"),
        Kpi(
            "Reviewed / resolved",
            f"{counts['reviewed']:,} / {counts['resolved']:,}",
            "all time",
        ),
    ]
    charts = [
        Chart(
            "feedback-daily",
            "Feedback per day",
            "bar",
            day_labels(period),
            [
                {"label": "Feedback", "data": day_series(by_day, period, "other")},
                {"label": "Bug reports", "data": day_series(by_day, period, "bugs"), "tone": "bad"},
            ],
            stacked=True,
            size="major",
        ),
        Chart(
            "feedback-ratings",
            "Ratings",
            "bar",
            ["★1", "★2", "★3", "★4", "★5"],
            [
                {
                    "label": "Feedback",
                    "data": [ratings.get(n, 0) for n in range(1, 6)],
                    "tone": "warn",
                }
            ],
            size="minor",
        ),
    ]
    table = FEEDBACK_TABLE.build(rows)
    return Dashboard(kpis, charts, [table], extra={"status": status, "bugs": bugs})
