from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine

from billing.models import (
    CreditBalance,
    Feature,
    FeatureUsageCounter,
    QuotaCharge,
    Subscription,
    SubscriptionPlanFeatureLimit,
    TransactionType,
)
from billing.services import (
    PaymentRequired,
    apply_plan_change,
    charge_feature,
    current_plan,
    period_bounds,
    record_transaction,
    refund_task,
)
from jobs.models import BackgroundTask, TaskType

pytestmark = pytest.mark.django_db


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_without_a_subscription_periods_are_calendar_months():
    assert period_bounds(at(2026, 2, 17, 9)) == (at(2026, 2, 1), at(2026, 3, 1))
    assert period_bounds(at(2026, 12, 31, 23)) == (at(2026, 12, 1), at(2027, 1, 1))


def test_periods_start_on_the_subscriptions_day_of_the_month():
    anchor = at(2026, 1, 10, 8, 30)
    assert period_bounds(at(2026, 3, 12), anchor=anchor) == (
        at(2026, 3, 10, 8, 30),
        at(2026, 4, 10, 8, 30),
    )
    assert period_bounds(at(2026, 3, 9), anchor=anchor) == (
        at(2026, 2, 10, 8, 30),
        at(2026, 3, 10, 8, 30),
    )


def test_an_anchor_on_the_31st_falls_on_the_last_day_of_short_months():
    anchor = at(2026, 1, 31)
    assert period_bounds(at(2026, 2, 15), anchor=anchor) == (at(2026, 1, 31), at(2026, 2, 28))
    assert period_bounds(at(2026, 3, 5), anchor=anchor) == (at(2026, 2, 28), at(2026, 3, 31))


@pytest.fixture
def pro_alice(alice, catalogue, subscription_mode):
    with time_machine.travel(at(2026, 1, 10, 12), tick=False):
        apply_plan_change(alice, catalogue["plans"]["Pro"])
    SubscriptionPlanFeatureLimit.objects.filter(
        plan=catalogue["plans"]["Pro"], feature_name=Feature.MATCH_SCORE
    ).update(usage_limit=2)
    return alice


def test_plan_uses_are_free_until_the_limit_then_credits_pay(pro_alice):
    record_transaction(pro_alice.pk, amount=5, type=TransactionType.GIFT, key="gift")
    with time_machine.travel(at(2026, 2, 1), tick=False):
        first = charge_feature(pro_alice, Feature.MATCH_SCORE, key="s1")
        charge_feature(pro_alice, Feature.MATCH_SCORE, key="s2")
        third = charge_feature(pro_alice, Feature.MATCH_SCORE, key="s3")
    assert first.quota_period_start == at(2026, 1, 10, 12)
    assert first.credits == 0
    assert third.credits == 1 and third.quota_period_start is None
    assert CreditBalance.objects.get(user=pro_alice).balance == 4
    assert FeatureUsageCounter.objects.get(user=pro_alice).count == 2


def test_the_quota_is_full_again_in_the_next_period(pro_alice):
    with time_machine.travel(at(2026, 2, 9), tick=False):
        charge_feature(pro_alice, Feature.MATCH_SCORE, key="s1")
        charge_feature(pro_alice, Feature.MATCH_SCORE, key="s2")
        with pytest.raises(PaymentRequired):
            charge_feature(pro_alice, Feature.MATCH_SCORE, key="s3")
    with time_machine.travel(at(2026, 2, 10, 12, 1), tick=False):
        charge = charge_feature(pro_alice, Feature.MATCH_SCORE, key="s4")
    assert charge.quota_period_start == at(2026, 2, 10, 12)
    counter = FeatureUsageCounter.objects.get(user=pro_alice)
    assert (counter.count, counter.period_start) == (1, at(2026, 2, 10, 12))


def test_a_failed_task_gives_its_quota_unit_back_once(pro_alice):
    task = BackgroundTask.objects.create(user=pro_alice, type=TaskType.TEST, title="t")
    with time_machine.travel(at(2026, 2, 1), tick=False):
        charge_feature(pro_alice, Feature.MATCH_SCORE, key=f"task:{task.pk}", task=task)
        task.refresh_from_db()
        assert task.feature_counter_period_start == at(2026, 1, 10, 12)
        assert (task.credit_used, task.credits_debited) == (False, 0)
        refund_task(task)
        refund_task(task)
    assert FeatureUsageCounter.objects.get(user=pro_alice).count == 0
    assert QuotaCharge.objects.get().released is True


def test_a_unit_from_a_past_period_is_not_given_to_the_new_one(pro_alice):
    task = BackgroundTask.objects.create(user=pro_alice, type=TaskType.TEST, title="t")
    with time_machine.travel(at(2026, 2, 9), tick=False):
        charge_feature(pro_alice, Feature.MATCH_SCORE, key=f"task:{task.pk}", task=task)
    with time_machine.travel(at(2026, 2, 11), tick=False):
        charge_feature(pro_alice, Feature.MATCH_SCORE, key="s2")
        refund_task(task)
    assert FeatureUsageCounter.objects.get(user=pro_alice).count == 1


def test_a_feature_disabled_in_the_plan_is_paid_with_credits(alice, catalogue, subscription_mode):
    assert current_plan(alice) == catalogue["plans"]["Free"]
    record_transaction(alice.pk, amount=5, type=TransactionType.GIFT, key="gift")
    charge = charge_feature(alice, Feature.GPT_CV_GENERATION, key="g1")
    assert charge.credits == 3


def test_unlimited_plan_features_cost_nothing(alice, catalogue, subscription_mode):
    assert charge_feature(alice, Feature.CREATE_CV_MANUAL, key="c1").is_free
    assert not FeatureUsageCounter.objects.exists()


def test_a_zero_cost_feature_outside_the_plan_asks_for_an_upgrade(
    alice, catalogue, subscription_mode
):
    SubscriptionPlanFeatureLimit.objects.filter(
        plan=catalogue["plans"]["Free"], feature_name=Feature.CREATE_CV_MANUAL
    ).update(is_enabled=False)
    record_transaction(alice.pk, amount=5, type=TransactionType.GIFT, key="gift")
    with pytest.raises(PaymentRequired) as refused:
        charge_feature(alice, Feature.CREATE_CV_MANUAL, key="e1")
    assert refused.value.reason == PaymentRequired.NOT_IN_PLAN
    assert refused.value.url == "/billing/plans/"


def test_a_past_due_subscription_falls_back_to_the_free_plan(pro_alice, catalogue):
    Subscription.objects.filter(user=pro_alice).update(status="past_due")
    assert current_plan(pro_alice) == catalogue["plans"]["Free"]
    with pytest.raises(PaymentRequired):
        charge_feature(pro_alice, Feature.MATCH_SCORE, key="s1")


def test_moving_from_free_to_a_paid_plan_starts_the_quotas_afresh(
    alice, catalogue, subscription_mode
):
    charge_feature(alice, Feature.EXPORT_CV, key="x1")
    assert FeatureUsageCounter.objects.get(user=alice).count == 1
    apply_plan_change(alice, catalogue["plans"]["Pro"])
    assert not FeatureUsageCounter.objects.exists()


def test_subscription_mode_without_plans_works_like_credits_only(alice, subscription_mode):
    assert charge_feature(alice, Feature.CREATE_CV_MANUAL, key="e1").is_free
    with pytest.raises(PaymentRequired) as refused:
        charge_feature(alice, Feature.MATCH_SCORE, key="s1")
    assert refused.value.reason == PaymentRequired.NOT_ENOUGH_CREDITS
