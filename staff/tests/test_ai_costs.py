"""The AI-costs dashboard adds up: one total per paid feature with its steps beneath, models
under their base name, command and failed calls included, every period."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from ai.models import OpenAICall
from staff import dashboards
from staff.forms import PeriodForm
from staff.urls import urlpatterns

pytestmark = pytest.mark.django_db

BASE = "/admin/dashboards/"
TAILORING = ["cv_adaptation_classify", "cv_adaptation_experience", "cv_adaptation_skills",
             "cv_adaptation_summary"]  # fmt: skip


def call(user: Any, feature: str, cost: str, *, model: str = "gpt-4.1-mini", ago: Any = None,
         **fields: Any) -> OpenAICall:  # fmt: skip
    row = OpenAICall.objects.create(
        user=user,
        feature_name=feature,
        model=model,
        prompt_tokens=100,
        completion_tokens=10,
        total_tokens=110,
        estimated_cost=Decimal(cost),
        **fields,
    )
    if ago is not None:
        OpenAICall.objects.filter(pk=row.pk).update(created_at=timezone.now() - ago)
    return row


def rows(board: dashboards.Dashboard, key: str) -> list[dict[str, Any]]:
    table = board.table(key)
    assert table is not None
    return table.rows


def period(key: str) -> dashboards.Period:
    form = PeriodForm({"period": key})
    assert form.is_valid(), form.errors
    return form.get_period()


def test_a_tailoring_is_one_total_with_its_steps_beneath(alice: Any) -> None:
    for step in TAILORING:
        call(alice, step, "0.25")
    call(alice, "improve_cv", "0.5")

    features = rows(dashboards.ai_costs.build(period("7d")), "features")

    assert [(row["feature"], row["calls"], row["cost"]) for row in features] == [
        ("Tailored CV", 4, Decimal("1.00")),
        *((f"↳ {step}", 1, Decimal("0.25")) for step in TAILORING),
        ("Improve from suggestions", 1, Decimal("0.5")),
    ]
    assert features[0]["share"] == pytest.approx(66.7)


def test_dated_models_are_grouped_under_their_base_name(alice: Any) -> None:
    call(alice, "match_score", "0.1", model="gpt-4o-mini-2024-07-18")
    call(alice, "match_score", "0.2", model="gpt-4o-mini")
    call(alice, "match_score", "0.4", model="gpt-4-0613")

    models = rows(dashboards.ai_costs.build(period("7d")), "models")

    assert [(row["model"], row["calls"], row["cost"]) for row in models] == [
        ("gpt-4", 1, Decimal("0.4")),
        ("gpt-4o-mini", 2, Decimal("0.3")),
    ]


def test_command_calls_and_failed_calls_are_counted(alice: Any) -> None:
    call(None, "extract_job_offer", "0.3")  # a management command: no user
    call(alice, "match_score", "0.2", status="invalid")

    board = dashboards.ai_costs.build(period("7d"))

    kpis = {kpi.label: kpi for kpi in board.kpis}
    assert kpis["AI spend"].value == "$0.5000"
    assert kpis["Failed calls"].value == "1"
    users = rows(board, "users")
    assert {row["user__email"] for row in users} == {alice.email, "(commands, no user)"}
    features = {row["feature"]: row for row in rows(board, "features")}
    assert features["Match score"]["failed"] == 1


def test_the_last_24_hours_and_all_time(alice: Any) -> None:
    call(alice, "match_score", "0.1", ago=dt.timedelta(hours=2))
    call(alice, "match_score", "0.2", ago=dt.timedelta(hours=30))
    call(alice, "match_score", "0.4", ago=dt.timedelta(days=400))

    def spend(key: str) -> str:
        kpis = {kpi.label: kpi.value for kpi in dashboards.ai_costs.build(period(key)).kpis}
        return kpis["AI spend"]

    assert spend("24h") == "$0.1000"
    assert spend("7d") == "$0.3000"
    assert spend("all") == "$0.7000"


PERIOD_PAGES = [
    str(pattern.pattern).removeprefix("admin/dashboards/")
    for pattern in urlpatterns
    if getattr(pattern, "default_args", {}).get("name")
]


@pytest.mark.parametrize("page", PERIOD_PAGES)
@pytest.mark.parametrize("key", ["24h", "7d", "30d", "90d", "all"])
def test_every_period_dashboard_answers_each_period(page: str, key: str, staff_client: Any) -> None:
    response = staff_client.get(f"{BASE}{page}?period={key}")

    assert response.status_code == 200
    assert f'<option value="{key}" selected>' in response.content.decode()


@pytest.mark.parametrize("page", PERIOD_PAGES)
def test_an_unknown_period_is_refused_with_a_message(page: str, staff_client: Any) -> None:
    response = staff_client.get(f"{BASE}{page}?period=12y")

    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
