from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.utils import timezone

from ai.accounting import price_call
from ai.models import OpenAICall, OpenAIPricing
from billing.models import CreditPack, CreditTransaction
from conftest import make_user
from joboffers.models import JobOffer
from jobs.models import BackgroundTask
from staff import dashboards
from staff.dashboards import Period
from staff.dashboards.blocks import Cell, Row
from staff.tasks import refresh_daily_rollups
from telemetry.models import TelemetryEvent

pytestmark = pytest.mark.django_db

BASE = "/admin/dashboards/"
# Page → most SQL queries it may run (session, user and settings included), whatever the data.
PAGES = {
    "overview": 31,
    "features": 17,
    "errors": 17,
    "extractions": 6,
    "ai-costs": 22,
    "feedback": 7,
    "users": 7,
    "onboarding": 6,
    "revenue": 11,
    "emails": 6,
    "settings": 4,
}
TITLES = {
    "overview": "Sign-ups and active users per day",
    "features": "Uses per feature in the period",
    "errors": "Failed tasks by message",
    "extractions": "Failing sites",
    "ai-costs": "Spend per day by feature",
    "feedback": "Mark the selected messages as",
    "users": "Accounts by credit balance",
    "onboarding": "Users who did each step",
    "revenue": "Credit packs",
    "emails": "E-mails per day by outcome",
    "settings": "model_cv_generation",
}


@pytest.mark.parametrize("page", PAGES)
def test_it_shows_each_dashboard_to_staff(page, seed_activity, staff_client):
    seed_activity(6)

    response = staff_client.get(f"{BASE}{page}/")

    assert response.status_code == 200
    assert TITLES[page] in response.content.decode()
    assert b'href="/admin/dashboards/overview/"' in response.content


@pytest.mark.parametrize("page", PAGES)
def test_it_hides_each_dashboard_from_users(page, alice_client):
    assert alice_client.get(f"{BASE}{page}/").status_code == 404


@pytest.mark.parametrize("page", PAGES)
def test_it_sends_anonymous_visitors_to_log_in(page, client):
    response = client.get(f"{BASE}{page}/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/admin/dashboards/")


@pytest.mark.parametrize("page", [p for p in PAGES if p != "settings"])
def test_it_rejects_post_on_dashboards(page, staff_client):
    assert staff_client.post(f"{BASE}{page}/").status_code == 405


@pytest.mark.parametrize("rows", [1, 30])
@pytest.mark.parametrize("page", PAGES)
def test_query_count_does_not_grow_with_the_data(
    page, rows, seed_activity, staff_client, django_assert_max_num_queries
):
    seed_activity(rows)
    refresh_daily_rollups()  # the pages read whole past days from the roll-ups

    with django_assert_max_num_queries(PAGES[page]):
        response = staff_client.get(f"{BASE}{page}/?period=90d")

    assert response.status_code == 200


def test_the_index_of_the_admin_links_the_dashboards(staff_client):
    response = staff_client.get("/admin/")

    assert b'id="dashboards-module"' in response.content
    assert b'href="/admin/dashboards/revenue/"' in response.content


def _csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_each_table_downloads_as_csv(seed_activity, staff_client):
    seed_activity(3)

    response = staff_client.get(f"{BASE}ai-costs/?period=7d&format=csv&table=models")

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    rows = _csv(response)
    assert rows[0][:3] == ["Model", "Calls", "Prompt tokens"]
    assert rows[1][:3] == ["gpt-4.1-mini", "3", "3000"]


def test_the_overview_csv_has_one_row_per_day(staff_client):
    response = staff_client.get(f"{BASE}overview/?period=7d&format=csv")

    rows = _csv(response)
    assert rows[0][0] == "Day"
    assert len(rows) == 1 + 7
    assert rows[1][0] == timezone.localdate().isoformat()


def test_an_unknown_table_is_not_found(staff_client):
    assert staff_client.get(f"{BASE}errors/?format=csv&table=nope").status_code == 404


def test_csv_cells_cannot_run_as_formulas(alice, staff_client):
    from telemetry.models import Feedback

    Feedback.objects.create(user=alice, rating=1, comment='=HYPERLINK("http://x")')

    rows = _csv(staff_client.get(f"{BASE}feedback/?format=csv"))

    assert rows[1][4] == '\'=HYPERLINK("http://x")'


def test_a_custom_period_is_used(staff_client):
    response = staff_client.get(
        f"{BASE}overview/?period=custom&start=2026-01-01&end=2026-01-10&format=csv"
    )

    rows = _csv(response)
    assert [row[0] for row in rows[1:]][0] == "2026-01-10"
    assert len(rows) == 1 + 10


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("start=2026-02-10&end=2026-02-01", "The start date must be on or before the end date."),
        ("start=2020-01-01&end=2022-01-01", "A custom period is at most 366 days."),
        ("start=2026-02-10", "Choose both dates of a custom period."),
        ("start=yesterday&end=2026-02-01", "Enter a valid date."),
    ],
)
def test_a_bad_custom_period_is_refused(query, message, staff_client):
    response = staff_client.get(f"{BASE}overview/?period=custom&{query}")

    assert response.status_code == 400
    assert message in response.content.decode()


def test_a_period_ending_in_the_future_is_refused(staff_client):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)

    response = staff_client.get(
        f"{BASE}overview/?period=custom&start=2026-01-01&end={tomorrow.isoformat()}"
    )

    assert response.status_code == 400


def test_the_overview_counts_customers_not_staff(alice, bob, staff):
    CreditTransaction.objects.create(
        user=alice, amount=15, type="purchase", key="p1", metadata={"amount_paid": 499}
    )
    CreditTransaction.objects.create(
        user=staff, amount=15, type="purchase", key="p2", metadata={"amount_paid": 499}
    )

    board = dashboards.overview.build(Period.last_days(7))

    kpis = {kpi.label: kpi for kpi in board.kpis}
    assert kpis["Users"].value == "2"
    assert kpis["Paying users"].value == "50.0 %"
    assert kpis["Revenue"].value == "€4.99"


def test_revenue_uses_the_amount_paid_or_the_list_price(alice):
    CreditPack.objects.create(name="50 credits", credit_amount=50, price=Decimal("14.99"))
    paid = CreditTransaction.objects.create(
        user=alice, amount=50, type="purchase", key="a", metadata={"amount_paid": 1199}
    )
    CreditTransaction.objects.create(user=alice, amount=50, type="purchase", key="b")
    CreditTransaction.objects.create(
        user=alice, amount=-25, type="payment_refund", key="c", related_transaction=paid
    )

    board = dashboards.revenue.build(Period.last_days(7))

    kpis = {kpi.label: kpi.value for kpi in board.kpis}
    assert kpis["Pack revenue"] == "€26.98"
    assert kpis["Net revenue"] == "€20.98"
    packs = board.table("packs").rows
    assert packs[0]["sales"] == 2
    assert board.table("refunds").rows[0]["value"] == Decimal("6.00")


def test_extraction_failures_are_grouped_by_site(alice):
    def failed(url: str, type: str = "extract-job-offer", progress: int = 5) -> None:
        offer = JobOffer.objects.create(user=alice, source_type="url", source_value=url)
        BackgroundTask.objects.create(
            user=alice,
            type=type,
            title="t",
            status="failed",
            error="HTTP 403",
            payload={"offer_id": offer.pk},
            progress=progress,
        )

    failed("https://www.linkedin.com/jobs/1")
    failed("https://linkedin.com/jobs/2", type="generate-cv")
    failed("https://fr.indeed.com/viewjob?jk=3")
    # Failed while tailoring, after the offer was read: not an extraction failure.
    failed("https://jobs.lever.co/acme/4", type="generate-cv", progress=60)

    board = dashboards.extractions.build(Period.last_days(7))

    sites = {row["domain"]: row["n"] for row in board.table("domains").rows}
    assert sites == {"linkedin.com": 2, "fr.indeed.com": 1}
    filtered = dashboards.extractions.build(Period.last_days(7), domain="fr.indeed.com")
    assert [row["domain"] for row in filtered.table("recent").rows] == ["fr.indeed.com"]


def test_cached_tokens_are_valued_at_the_price_difference():
    pricing = {
        "gpt-4.1-mini": OpenAIPricing(
            model_name="gpt-4.1-mini",
            input_price_per_mtok=Decimal("0.4"),
            output_price_per_mtok=Decimal("1.6"),
            cache_price_per_mtok=Decimal("0.1"),
        )
    }

    saved = dashboards.cache_savings("gpt-4.1-mini-2025-04-14", 2_000_000, pricing)

    assert saved == Decimal("0.6")
    assert dashboards.cache_savings("unknown-model", 2_000_000, pricing) == 0
    assert dashboards.cache_savings("offline", 2_000_000, pricing) == 0


def test_the_cache_saving_shown_is_what_price_call_bills(alice):
    OpenAIPricing.objects.create(
        model_name="gpt-4.1-mini",
        input_price_per_mtok=Decimal("0.4"),
        output_price_per_mtok=Decimal("1.6"),
        cache_price_per_mtok=Decimal("0.1"),
    )
    model, cached = "gpt-4.1-mini-2025-04-14", 2_500_000
    OpenAICall.objects.create(
        user=alice,
        feature_name="match_score",
        model=model,
        prompt_tokens=3_000_000,
        cached_tokens=cached,
        completion_tokens=10,
        total_tokens=3_000_010,
        estimated_cost=Decimal("0.5"),
    )

    board = dashboards.ai_costs.build(Period.last_days(7))

    uncached = price_call(model, prompt_tokens=cached, cached_tokens=0, completion_tokens=0)
    billed = price_call(model, prompt_tokens=cached, cached_tokens=cached, completion_tokens=0)
    assert board.table("models").rows[0]["saved"] == uncached - billed == Decimal("0.75")
    kpis = {kpi.label: kpi.value for kpi in board.kpis}
    assert kpis["Saved by caching"] == "$0.7500"


def test_feature_usage_sums_events_of_the_period(alice):
    TelemetryEvent.objects.create(user=alice, type="CV_EXPORTED", category="x", status="success")
    TelemetryEvent.objects.create(user=alice, type="CV_EXPORTED", category="x", status="error")
    staff = make_user("ops@example.org", role="ADMIN")
    TelemetryEvent.objects.create(user=staff, type="CV_EXPORTED", category="x", status="success")

    board = dashboards.features.build(Period.last_days(7))

    row = board.table("features").rows[0]
    assert (row["feature"], row["uses"], row["errors"]) == ("Export", 1, 1)


def test_the_onboarding_funnel_counts_each_step(db):
    make_user(
        "a@example.org",
        onboarding_state={"completed_steps": ["create_cv", "add_offer"], "timestamps": {}},
    )
    make_user("b@example.org", onboarding_state={"completed_steps": ["create_cv"]})
    make_user("c@example.org", onboarding_state={"has_completed": True})

    board = dashboards.onboarding.build(Period.last_days(7))

    funnel = {row["step"]: row["users"] for row in board.table("funnel").rows}
    assert funnel["1. Create or import your CV"] == 3
    assert funnel["2. Add a job offer"] == 2
    assert funnel["3. Generate a tailored CV"] == 1


def test_table_cells_escape_what_they_show():
    row = Row(
        None,
        [
            Cell("<b>bold</b>", "message"),
            Cell('say "hi"', "text", url="/admin/?a=1&b=2"),
            Cell("Needs <review>", "badge"),
        ],
    )

    html = str(row.html)

    assert "<b>" not in html and "&lt;b&gt;bold&lt;/b&gt;" in html
    assert '<a href="/admin/?a=1&amp;b=2">say &quot;hi&quot;</a>' in html
    assert '<span class="dash-badge badge-needs-review">Needs &lt;review&gt;</span>' in html
