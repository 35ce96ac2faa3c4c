"""Job-offer extraction failures, grouped by site."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode, urlsplit

from django.db.models import Count, IntegerField, OuterRef, Q, Subquery
from django.db.models.fields.json import KT
from django.db.models.functions import Cast

from joboffers.models import JobOffer
from jobs.models import BackgroundTask, TaskStatus, TaskType
from staff.dashboards.blocks import (
    RECENT_ROWS,
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
    pct,
    user_link,
)

# A tailoring task reports 25 % once the offer is read: a failure below that happened while
# the offer was being fetched or extracted.
EXTRACTION_DONE_PROGRESS = 25
MAX_EXTRACTION_ROWS = 5000

DOMAINS_TABLE = TableSpec(
    "domains",
    "Failing sites",
    (
        Column("domain", "Site", link="domain_url"),
        ("n", "Failures", "int"),
        ("share", "Share", "pct"),
        ("last", "Last failure", "datetime"),
        ("error", "Last message", "message"),
    ),
    empty="No extraction failed in this period.",
)

RECENT_TABLE = TableSpec(
    "recent",
    "Latest failures",
    (
        WHEN,
        USER,
        ("domain", "Site"),
        ("url", "Offer"),
        ("type", "Task"),
        ("error", "Message", "message"),
    ),
    empty="No extraction failed in this period.",
)


def offer_domain(url: str, source_type: str | None) -> str:
    if source_type == "pdf":
        return "(PDF upload)"
    if source_type == "text":
        return "(pasted text)"
    host = (urlsplit(url or "").hostname or "").lower()
    host = host.removeprefix("www.")
    return host or "(unknown)"


def build(period: Period, *, domain: str = "") -> Dashboard:
    offers = JobOffer.objects.filter(pk=OuterRef("offer_pk"))
    failed = (
        BackgroundTask.objects.filter(period.q("created_at"), status=TaskStatus.FAILED)
        .filter(
            Q(type=TaskType.EXTRACT_JOB_OFFER)
            | Q(type=TaskType.GENERATE_CV, progress__lt=EXTRACTION_DONE_PROGRESS)
        )
        .annotate(offer_pk=Cast(KT("payload__offer_id"), IntegerField()))
    )
    rows = list(
        failed.annotate(
            url=Subquery(offers.values("source_value")[:1]),
            source_type=Subquery(offers.values("source_type")[:1]),
        )
        .values("created_at", "user_id", "user__email", "type", "error", "url", "source_type")
        .order_by("-created_at")[:MAX_EXTRACTION_ROWS]
    )
    failed_by_day = group_by_day(failed, "created_at", n=Count("id"))
    succeeded_by_day = group_by_day(
        JobOffer.objects.filter(period.q("extracted_at")), "extracted_at", n=Count("id")
    )
    successes = sum(row["n"] for row in succeeded_by_day.values())
    failures = sum(row["n"] for row in failed_by_day.values())

    task_labels = dict(TaskType.choices)
    # A URL's host cannot be parsed the same way in SQLite and PostgreSQL: the failures
    # (bounded by MAX_EXTRACTION_ROWS) are grouped by site here, still from one query.
    domains: dict[str, dict[str, Any]] = {}
    for row in rows:
        row["domain"] = offer_domain(row["url"], row["source_type"])
        row["type"] = task_labels.get(row["type"], row["type"])
        row["user_url"] = user_link(row)
        row["domain_url"] = "?" + _query(domain=row["domain"], period=period)
        group = domains.setdefault(
            row["domain"],
            {
                "domain": row["domain"],
                "domain_url": row["domain_url"],
                "n": 0,
                "last": row["created_at"],
                "error": row["error"],
            },
        )
        group["n"] += 1
    domain_rows = sorted(domains.values(), key=lambda r: (-r["n"], r["domain"]))
    for group in domain_rows:
        group["share"] = pct(group["n"], len(rows))
    recent = [row for row in rows if not domain or row["domain"] == domain][:RECENT_ROWS]
    top = domain_rows[0]["domain"] if domain_rows else "—"
    kpis = [
        Kpi(
            "Failed extractions",
            f"{failures:,}",
            "offer reading tasks and tailoring that failed on the offer",
            "bad" if failures else "good",
        ),
        Kpi("Offers read", f"{successes:,}", "extracted in the period", "good"),
        Kpi(
            "Failure rate",
            f"{pct(failures, failures + successes) or 0:.1f} %",
            "failures / (failures + offers read)",
        ),
        Kpi("Most failing site", top, f"{len(domain_rows):,} sources failed"),
    ]
    charts = [
        Chart(
            "extractions-daily",
            "Offers read and failures per day",
            "bar",
            day_labels(period),
            [
                {
                    "label": "Read",
                    "data": day_series(succeeded_by_day, period, "n"),
                    "tone": "good",
                },
                {"label": "Failed", "data": day_series(failed_by_day, period, "n"), "tone": "bad"},
            ],
            stacked=True,
            size="major",
        ),
        Chart(
            "extractions-domains",
            "Failures by site",
            "bar",
            [row["domain"] for row in domain_rows[:10]],
            [
                {
                    "label": "Failures",
                    "data": [row["n"] for row in domain_rows[:10]],
                    "tone": "bad",
                }
            ],
            horizontal=True,
            size="minor",
        ),
    ]
    note = ""
    if len(rows) == MAX_EXTRACTION_ROWS:
        note = f"Sites are counted over the latest {MAX_EXTRACTION_ROWS:,} failures."
    tables = [
        DOMAINS_TABLE.build(domain_rows, note=note),
        RECENT_TABLE.build(recent, title=f"Latest failures on {domain}" if domain else ""),
    ]
    return Dashboard(kpis, charts, tables, extra={"domain": domain})


def _query(*, period: Period, **params: str) -> str:
    base = {"period": period.key}
    if period.key == "custom":
        base |= {"start": period.start.isoformat(), "end": period.end.isoformat()}
    return urlencode(base | params)
