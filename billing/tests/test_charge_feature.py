from __future__ import annotations

import pytest
from django.db import transaction
from django.db.models import Sum

from billing.models import CreditBalance, CreditTransaction, Feature, TransactionType
from billing.services import (
    PaymentRequired,
    charge_feature,
    feature_cost,
    grant_credits,
    record_transaction,
    refund_charge,
    refund_task,
)
from billing.tests.conftest import set_setting
from jobs import services as job_services
from jobs.models import BackgroundTask, TaskType

pytestmark = pytest.mark.django_db


def _give(user, amount: int, key: str = "start") -> None:
    record_transaction(user.pk, amount=amount, type=TransactionType.GIFT, key=key)


def _balance(user) -> int:
    return CreditBalance.objects.get(user=user).balance


def _ledger_sum(user) -> int:
    return CreditTransaction.objects.filter(user=user).aggregate(s=Sum("amount"))["s"] or 0


def test_it_reads_costs_from_the_settings():
    assert feature_cost(Feature.GPT_CV_GENERATION) == 3
    set_setting("credits_gpt_cv_generation", "7")
    assert feature_cost(Feature.GPT_CV_GENERATION) == 7


def test_a_translation_costs_the_offline_price_with_the_offline_engine(settings):
    settings.AI_ENGINE = "offline"
    assert feature_cost(Feature.TRANSLATE_CV) == 0
    set_setting("credits_translate_offline", "1")
    assert feature_cost(Feature.TRANSLATE_CV) == 1
    assert feature_cost(Feature.TRANSLATE_CV, engine="openai") == 1
    set_setting("credits_translate_cv", "4")
    assert feature_cost(Feature.TRANSLATE_CV) == 1
    assert feature_cost(Feature.TRANSLATE_CV, engine="openai") == 4
    settings.AI_ENGINE = "openai"
    assert feature_cost(Feature.TRANSLATE_CV) == 4


def test_it_debits_the_cost_and_says_what_it_took(alice):
    _give(alice, 5)
    charge = charge_feature(alice, Feature.GPT_CV_GENERATION, key="gen:1")
    assert charge.credits == 3 and charge.quota_period_start is None
    assert _balance(alice) == 2
    debit = CreditTransaction.objects.get(key="gen:1")
    assert debit.amount == -3 and debit.type == TransactionType.USAGE
    assert debit.feature_name == Feature.GPT_CV_GENERATION


def test_a_retried_charge_takes_nothing_more(alice):
    _give(alice, 5)
    first = charge_feature(alice, Feature.MATCH_SCORE, key="score:1")
    second = charge_feature(alice, Feature.MATCH_SCORE, key="score:1")
    assert first == second
    assert _balance(alice) == 4
    assert CreditTransaction.objects.filter(type=TransactionType.USAGE).count() == 1


def test_a_free_feature_costs_nothing_and_writes_nothing(alice):
    charge = charge_feature(alice, Feature.CREATE_CV_MANUAL, key="create:1")
    assert charge.is_free
    assert not CreditTransaction.objects.exists()


def test_not_enough_credits_is_refused_with_a_link_to_the_packs(alice):
    _give(alice, 2)
    with pytest.raises(PaymentRequired) as refused:
        charge_feature(alice, Feature.GPT_CV_GENERATION, key="gen:1")
    assert refused.value.reason == PaymentRequired.NOT_ENOUGH_CREDITS
    assert "costs 3" in refused.value.message and "balance is 2" in refused.value.message
    assert refused.value.url == "/billing/#packs"
    assert _balance(alice) == 2
    assert not CreditTransaction.objects.filter(type=TransactionType.USAGE).exists()


def test_a_negative_balance_blocks_even_free_features(alice):
    _give(alice, 1)
    record_transaction(
        alice.pk, amount=-5, type=TransactionType.CHARGEBACK, key="dispute", allow_negative=True
    )
    with pytest.raises(PaymentRequired) as refused:
        charge_feature(alice, Feature.CREATE_CV_MANUAL, key="edit:1")
    assert refused.value.reason == PaymentRequired.NEGATIVE_BALANCE


def test_a_top_up_lifts_the_block(alice):
    record_transaction(
        alice.pk, amount=-3, type=TransactionType.CHARGEBACK, key="dispute", allow_negative=True
    )
    assert CreditBalance.objects.get(user=alice).disputed
    record_transaction(alice.pk, amount=15, type=TransactionType.PURCHASE, key="purchase:pi_1")
    balance = CreditBalance.objects.get(user=alice)
    assert (balance.balance, balance.disputed) == (12, False)
    assert charge_feature(alice, Feature.MATCH_SCORE, key="score:1").credits == 1


def test_a_refusal_rolls_back_the_task_it_was_for(alice):
    _give(alice, 1)
    with pytest.raises(PaymentRequired), transaction.atomic():
        task = job_services.enqueue_task(alice, type=TaskType.TEST, title="t")
        charge_feature(alice, Feature.GPT_CV_GENERATION, key=f"task:{task.pk}", task=task)
    assert not BackgroundTask.objects.exists()


def test_a_charged_task_is_refunded_exactly_once(alice):
    _give(alice, 5)
    task = BackgroundTask.objects.create(user=alice, type=TaskType.TEST, title="t")
    charge_feature(alice, Feature.OPTIMIZE_CV, key=f"task:{task.pk}", task=task)
    task.refresh_from_db()
    assert (task.credit_used, task.credits_debited, task.feature_name) == (
        True,
        2,
        Feature.OPTIMIZE_CV,
    )
    assert _balance(alice) == 3
    refund_task(task)
    refund_task(task)
    assert _balance(alice) == 5
    refund = CreditTransaction.objects.get(type=TransactionType.REFUND)
    assert refund.key == f"refund:task:{task.pk}"
    assert CreditTransaction.objects.get(type=TransactionType.USAGE).refunded is True
    assert _ledger_sum(alice) == _balance(alice)


def test_a_failed_task_is_refunded_through_the_task_engine(alice):
    _give(alice, 5)
    task = BackgroundTask.objects.create(
        user=alice, type=TaskType.TEST, title="t", payload={"sleep": 0, "fail_at": 1}
    )
    charge_feature(alice, Feature.TRANSLATE_CV, key=f"task:{task.pk}", task=task)
    assert job_services.run_task(task.pk) == "failed"
    assert _balance(alice) == 5


def test_refund_charge_gives_back_a_synchronous_charge_once(alice):
    _give(alice, 2)
    charge_feature(alice, Feature.EXPORT_CV, key="export:1")
    refund_charge(alice, key="export:1")
    refund_charge(alice, key="export:1")
    assert _balance(alice) == 2
    assert CreditTransaction.objects.filter(key="refund:export:1").count() == 1


def test_refund_charge_ignores_another_users_key(alice, bob):
    _give(alice, 2)
    charge_feature(alice, Feature.EXPORT_CV, key="export:1")
    assert refund_charge(bob, key="export:1") is None
    assert _balance(alice) == 1


def test_staff_grants_are_recorded_with_their_reason_once(alice, staff):
    row = grant_credits(
        alice, 20, type=TransactionType.ADMIN_GRANT, key="grant:1", reason="Goodwill", by=staff
    )
    grant_credits(
        alice, 20, type=TransactionType.ADMIN_GRANT, key="grant:1", reason="Goodwill", by=staff
    )
    assert _balance(alice) == 20
    assert row.metadata == {"reason": "Goodwill", "by": staff.pk}
    with pytest.raises(ValueError):
        grant_credits(alice, 0, type=TransactionType.ADMIN_GRANT, key="grant:2", reason="x")
