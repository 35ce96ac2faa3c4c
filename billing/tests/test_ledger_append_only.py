"""The credits ledger only grows: money moves by adding rows, never by editing them (plan
check C8). The two markers written later, and the links cleared when what they point to is
deleted, are the exceptions."""

from __future__ import annotations

import pytest

from accounts.services import delete_account
from billing.models import CreditTransaction, Feature, LedgerIsAppendOnly, TransactionType
from billing.services import charge_feature, record_transaction, refund_charge
from cvdoc.document import empty_cv
from cvs import services as cv_services
from jobs.models import BackgroundTask, TaskType

pytestmark = pytest.mark.django_db


@pytest.fixture
def gift(alice) -> CreditTransaction:
    row, _ = record_transaction(alice.pk, amount=10, type=TransactionType.GIFT, key="gift")
    return row


def test_an_update_through_the_orm_is_refused(gift):
    with pytest.raises(LedgerIsAppendOnly):
        CreditTransaction.objects.filter(pk=gift.pk).update(amount=1_000)
    with pytest.raises(LedgerIsAppendOnly):
        CreditTransaction.objects.update(type=TransactionType.PURCHASE)
    gift.refresh_from_db()
    assert (gift.amount, gift.type) == (10, TransactionType.GIFT)


def test_saving_a_changed_row_is_refused(gift):
    gift.amount = 1_000
    with pytest.raises(LedgerIsAppendOnly):
        gift.save()
    with pytest.raises(LedgerIsAppendOnly):
        gift.save(update_fields=["amount", "refunded"])
    assert CreditTransaction.objects.get(pk=gift.pk).amount == 10


def test_deleting_rows_is_refused(gift):
    with pytest.raises(LedgerIsAppendOnly):
        gift.delete()
    with pytest.raises(LedgerIsAppendOnly):
        CreditTransaction.objects.filter(pk=gift.pk).delete()
    assert CreditTransaction.objects.filter(pk=gift.pk).exists()


def test_the_refund_marker_is_the_one_change_a_debit_takes(alice, gift):
    charge_feature(alice, Feature.MATCH_SCORE, key="score:1")

    refund = refund_charge(alice, key="score:1")

    debit = CreditTransaction.objects.get(key="score:1")
    assert debit.refunded and refund.related_transaction_id == debit.pk


def test_deleting_a_cv_or_a_task_keeps_the_rows_that_named_them(alice, gift):
    cv = cv_services.create_cv(
        alice, content=empty_cv(full_name="Alice Martin", current_title="Engineer"), name="CV"
    )
    task = BackgroundTask.objects.create(user=alice, type=TaskType.TEST, title="t")
    charge_feature(alice, Feature.MATCH_SCORE, key="score:2", task=task, cv=cv)

    cv.delete()
    task.delete()

    debit = CreditTransaction.objects.get(key="score:2")
    assert (debit.cv_id, debit.task_id) == (None, None)


def test_erasing_an_account_removes_its_ledger(alice, bob, gift):
    record_transaction(bob.pk, amount=5, type=TransactionType.GIFT, key="bob-gift")

    delete_account(alice)

    assert list(CreditTransaction.objects.values_list("key", flat=True)) == ["bob-gift"]
