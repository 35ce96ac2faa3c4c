"""Accounting of AI calls: call rows, daily aggregates, costs and alerts."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from unittest import mock

import pytest
import time_machine

from ai import accounting
from ai.models import (
    AlertType,
    CallStatus,
    OpenAIAlert,
    OpenAIAlertEvent,
    OpenAICall,
    OpenAIPricing,
    OpenAIUsage,
)
from core.testing import run_in_threads

THREADS = 8
# Alert thresholds are whole cents, so alert tests use calls costing $1.14 each.
EXPENSIVE = {"prompt_tokens": 1_000_000, "cached_tokens": 200_000, "completion_tokens": 500_000}


@pytest.fixture
def pricing(db: Any) -> OpenAIPricing:
    return OpenAIPricing.objects.create(
        model_name="gpt-4.1-mini",
        input_price_per_mtok=Decimal("0.4"),
        output_price_per_mtok=Decimal("1.6"),
        cache_price_per_mtok=Decimal("0.1"),
    )


def record(user_id: int | None, **overrides: Any) -> OpenAICall:
    params: dict[str, Any] = {
        "task_id": None,
        "feature": "match_score",
        "model": "gpt-4.1-mini",
        "prompt_tokens": 1_000,
        "cached_tokens": 200,
        "completion_tokens": 500,
        "duration_ms": 1_200,
        "metadata": {"prompt": "match_score", "prompt_version": 1},
    }
    return accounting.record_ai_call(user_id, **{**params, **overrides})


def test_it_prices_a_call_from_the_pricing_table(pricing: OpenAIPricing) -> None:
    # (1000 - 200) x 0.4 + 200 x 0.1 + 500 x 1.6 = 1140 per million tokens
    cost = accounting.price_call(
        "gpt-4.1-mini", prompt_tokens=1_000, cached_tokens=200, completion_tokens=500
    )

    assert cost == Decimal("0.001140")


def test_it_prices_a_dated_snapshot_like_its_family(pricing: OpenAIPricing) -> None:
    cost = accounting.price_call(
        "gpt-4.1-mini-2025-04-14", prompt_tokens=1_000, cached_tokens=200, completion_tokens=500
    )

    assert cost == Decimal("0.001140")


@pytest.mark.django_db
def test_it_prices_an_unknown_model_at_one_and_four_dollars() -> None:
    cost = accounting.price_call(
        "mystery-model", prompt_tokens=1_000_000, cached_tokens=0, completion_tokens=1_000_000
    )

    assert cost == Decimal("5.000000")


@pytest.mark.django_db
def test_offline_calls_cost_nothing() -> None:
    assert accounting.price_call(
        "offline", prompt_tokens=10, cached_tokens=0, completion_tokens=10
    ) == Decimal(0)


def test_it_records_calls_and_sums_them_per_day(alice: Any, pricing: OpenAIPricing) -> None:
    record(alice.id)
    record(alice.id, prompt_tokens=3_000, cached_tokens=0, completion_tokens=100)

    calls = OpenAICall.objects.filter(user=alice)
    assert calls.count() == 2
    first = calls.get(prompt_tokens=1_000)
    assert first.total_tokens == 1_500
    assert first.estimated_cost == Decimal("0.001140")
    assert first.metadata["prompt_version"] == 1
    usage = OpenAIUsage.objects.get(user=alice)
    assert usage.calls_count == 2
    assert (usage.prompt_tokens, usage.cached_tokens, usage.completion_tokens) == (4_000, 200, 600)
    assert usage.total_tokens == 4_600
    # second call: 3000 x 0.4 + 100 x 1.6 = 1360 per million
    assert usage.estimated_cost == Decimal("0.001140") + Decimal("0.001360")


def test_it_keeps_one_aggregate_per_day_feature_and_model(
    alice: Any, bob: Any, pricing: OpenAIPricing
) -> None:
    with time_machine.travel("2026-03-01 23:59:00+00:00", tick=False):
        record(alice.id)
    with time_machine.travel("2026-03-02 00:01:00+00:00", tick=False):
        record(alice.id)
        record(alice.id, feature="translate_cv")
        record(bob.id)

    assert OpenAIUsage.objects.filter(user=alice).count() == 3
    assert OpenAIUsage.objects.filter(user=bob).count() == 1
    assert {str(d) for d in OpenAIUsage.objects.values_list("date", flat=True)} == {
        "2026-03-01",
        "2026-03-02",
    }


@pytest.mark.django_db
def test_a_call_without_a_user_is_recorded_without_an_aggregate() -> None:
    record(None, model="offline", prompt_tokens=0, cached_tokens=0, completion_tokens=0)

    assert OpenAICall.objects.get().estimated_cost == 0
    assert not OpenAIUsage.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_concurrent_calls_lose_no_increment(alice: Any, pricing: OpenAIPricing) -> None:
    run_in_threads(lambda: record(alice.id), THREADS)

    usage = OpenAIUsage.objects.get(user=alice)
    assert usage.calls_count == THREADS
    assert usage.prompt_tokens == 1_000 * THREADS
    assert usage.completion_tokens == 500 * THREADS
    assert usage.estimated_cost == Decimal("0.001140") * THREADS
    assert OpenAICall.objects.count() == THREADS


def test_a_crossed_threshold_fires_an_alert_once(
    alice: Any, pricing: OpenAIPricing, django_capture_on_commit_callbacks: Any
) -> None:
    alert = OpenAIAlert.objects.create(
        type=AlertType.USER_DAILY, threshold=Decimal("2.00"), name="User daily", enabled=True
    )
    with (
        mock.patch.object(accounting, "notify_staff_cost_alert", autospec=True) as notify,
        django_capture_on_commit_callbacks(execute=True),
    ):
        record(alice.id, **EXPENSIVE)  # $1.14: below
        assert not OpenAIAlertEvent.objects.exists()
        record(alice.id, **EXPENSIVE)  # $2.28: crossed
        record(alice.id, **EXPENSIVE)  # still crossed: no second notification

    event = OpenAIAlertEvent.objects.get()
    assert event.alert == alert
    assert event.user == alice
    assert event.value == Decimal("2.28")
    notify.assert_called_once_with(event)


def test_alerts_are_scoped_to_their_feature_user_and_period(
    alice: Any, bob: Any, pricing: OpenAIPricing
) -> None:
    OpenAIAlert.objects.create(
        type=AlertType.FEATURE_DAILY,
        feature_name="translate_cv",
        threshold=Decimal("1.00"),
        name="Translations",
        enabled=True,
    )
    OpenAIAlert.objects.create(
        type=AlertType.USER_MONTHLY, threshold=Decimal("2.00"), name="User month", enabled=True
    )
    OpenAIAlert.objects.create(
        type=AlertType.GLOBAL_DAILY, threshold=Decimal("1.00"), name="Off", enabled=False
    )

    with time_machine.travel("2026-02-28 10:00:00+00:00", tick=False):
        record(alice.id, **EXPENSIVE)  # another month
    with time_machine.travel("2026-03-01 10:00:00+00:00", tick=False):
        record(alice.id, **EXPENSIVE)  # match_score: the feature alert ignores it
        record(bob.id, **EXPENSIVE)
    assert not OpenAIAlertEvent.objects.exists()
    with time_machine.travel("2026-03-20 10:00:00+00:00", tick=False):
        record(alice.id, feature="translate_cv", **EXPENSIVE)

    keys = set(OpenAIAlertEvent.objects.values_list("period_key", flat=True))
    assert keys == {"feature:translate_cv:2026-03-20", f"user:{alice.id}:2026-03"}


@pytest.mark.django_db(transaction=True)
def test_an_alert_fires_once_under_concurrency(alice: Any, pricing: OpenAIPricing) -> None:
    OpenAIAlert.objects.create(
        type=AlertType.GLOBAL_DAILY, threshold=Decimal("1.00"), name="Any cost", enabled=True
    )

    with mock.patch.object(accounting, "notify_staff_cost_alert", autospec=True) as notify:
        run_in_threads(lambda: record(alice.id, **EXPENSIVE), THREADS)

    assert OpenAIAlertEvent.objects.count() == 1
    assert notify.call_count == 1


def test_the_staff_hook_logs_a_warning(
    alice: Any, pricing: OpenAIPricing, caplog: pytest.LogCaptureFixture
) -> None:
    alert = OpenAIAlert.objects.create(
        type=AlertType.GLOBAL_DAILY, threshold=Decimal("1"), name="Global daily", enabled=True
    )
    event = OpenAIAlertEvent.objects.create(
        alert=alert, period_key="global:2026-03-01", value=Decimal("1.5")
    )

    accounting.notify_staff_cost_alert(event)

    assert "Global daily" in caplog.text and "1.5" in caplog.text


def test_alerts_count_calls_without_a_user_and_failed_calls(
    alice: Any, pricing: OpenAIPricing
) -> None:
    OpenAIAlert.objects.create(
        type=AlertType.GLOBAL_DAILY, threshold=Decimal("2.00"), name="All", enabled=True
    )

    record(None, **EXPENSIVE)  # a management command's call
    record(alice.id, status=CallStatus.INVALID, **EXPENSIVE)  # billed although it failed

    assert OpenAIAlertEvent.objects.get().value == Decimal("2.28")


def test_a_paid_features_alert_sums_all_its_steps(alice: Any, pricing: OpenAIPricing) -> None:
    OpenAIAlert.objects.create(
        type=AlertType.FEATURE_DAILY,
        feature_name="gpt_cv_generation",
        threshold=Decimal("2.00"),
        name="Tailoring",
        enabled=True,
    )

    with time_machine.travel("2026-03-20 10:00:00+00:00", tick=False):
        record(alice.id, feature="cv_adaptation_classify", **EXPENSIVE)
        record(alice.id, feature="cv_adaptation_summary", **EXPENSIVE)

    event = OpenAIAlertEvent.objects.get()
    assert event.period_key == "feature:gpt_cv_generation:2026-03-20"
    assert event.value == Decimal("2.28")
