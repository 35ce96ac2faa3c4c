"""On PostgreSQL the ledger is append-only below the ORM too: a trigger refuses raw SQL and
any query that goes around CreditTransactionQuerySet, except account erasure's deletes."""

from __future__ import annotations

import pytest
from django.db import ProgrammingError, connection, models, transaction

from accounts.services import delete_account
from billing.models import CreditBalance, CreditTransaction, Feature, TransactionType
from billing.services import (
    allow_ledger_erasure,
    charge_feature,
    record_transaction,
    refund_charge,
)
from core.testing import require_service
from cvdoc.document import empty_cv
from cvs import services as cv_services

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _postgres() -> None:
    require_service("PostgreSQL (DATABASE_URL)", connection.vendor == "postgresql")


@pytest.fixture
def gift(alice) -> CreditTransaction:
    row, _ = record_transaction(alice.pk, amount=10, type=TransactionType.GIFT, key="gift")
    return row


def _sql(statement: str, params: list[object]) -> int:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.rowcount


def refused(match: str = "append-only"):
    """The trigger's error; the savepoint lets the test go on after it."""
    return pytest.raises(ProgrammingError, match=f"credit ledger rows are {match}")


def test_a_raw_update_of_the_amount_is_refused(gift):
    with refused(), transaction.atomic():
        _sql("UPDATE billing_credittransaction SET amount = 1000 WHERE id = %s", [gift.pk])

    gift.refresh_from_db()
    assert gift.amount == 10


def test_the_error_names_the_changed_columns(gift):
    with refused(f"append-only: row {gift.pk} cannot change amount, type"), transaction.atomic():
        _sql(
            "UPDATE billing_credittransaction SET amount = 1, type = 'purchase', refunded = true "
            "WHERE id = %s",
            [gift.pk],
        )


def test_an_update_around_the_orm_guard_is_refused(gift):
    # A plain QuerySet skips CreditTransactionQuerySet's checks; the trigger still holds.
    rows = models.QuerySet(CreditTransaction).filter(pk=gift.pk)
    before = rows.values("amount", "metadata", "created_at").get()
    with refused(), transaction.atomic():
        rows.update(amount=1_000)
    with refused(), transaction.atomic():
        rows.update(metadata={"reason": "rewritten"})
    gift.created_at = gift.created_at.replace(year=2001)
    with refused("append-only: row .* cannot change created_at"), transaction.atomic():
        models.QuerySet(CreditTransaction).bulk_update([gift], ["created_at"])

    assert rows.values("amount", "metadata", "created_at").get() == before


def test_a_link_can_be_cleared_but_not_pointed_elsewhere(alice, gift):
    cv = cv_services.create_cv(
        alice, content=empty_cv(full_name="Alice Martin", current_title="Engineer"), name="CV"
    )
    charge_feature(alice, Feature.MATCH_SCORE, key="score:1", cv=cv)
    debit = CreditTransaction.objects.get(key="score:1")

    with refused("append-only: row .* cannot change cv_id"), transaction.atomic():
        _sql("UPDATE billing_credittransaction SET cv_id = %s WHERE id = %s", [cv.pk, gift.pk])
    assert _sql("UPDATE billing_credittransaction SET cv_id = NULL WHERE id = %s", [debit.pk])


def test_a_raw_delete_is_refused(gift):
    with refused(), transaction.atomic():
        _sql("DELETE FROM billing_credittransaction WHERE id = %s", [gift.pk])

    assert CreditTransaction.objects.filter(pk=gift.pk).exists()


def test_a_delete_around_the_orm_guard_is_refused(gift):
    with refused(), transaction.atomic():
        CreditTransaction.objects.filter(pk=gift.pk)._raw_delete(connection.alias)

    assert CreditTransaction.objects.filter(pk=gift.pk).exists()


def test_the_erasure_permit_names_one_user_and_ends_with_its_block(alice, bob, gift):
    bob_gift, _ = record_transaction(bob.pk, amount=5, type=TransactionType.GIFT, key="bob")

    with allow_ledger_erasure(alice.pk), refused(), transaction.atomic():
        _sql("DELETE FROM billing_credittransaction WHERE id = %s", [bob_gift.pk])
    with refused(), transaction.atomic():
        _sql("DELETE FROM billing_credittransaction WHERE id = %s", [gift.pk])

    assert CreditTransaction.objects.count() == 2


def test_a_failed_erasure_leaves_no_permit_behind(alice, gift):
    with pytest.raises(RuntimeError), allow_ledger_erasure(alice.pk):
        raise RuntimeError("the erasure failed half-way")

    with refused(), transaction.atomic():
        _sql("DELETE FROM billing_credittransaction WHERE id = %s", [gift.pk])


def test_the_refund_marker_and_the_invoice_id_stay_writable(alice, gift):
    charge_feature(alice, Feature.MATCH_SCORE, key="score:2")

    refund_charge(alice, key="score:2")
    CreditTransaction.objects.filter(pk=gift.pk).update(stripe_invoice_id="in_123")
    _sql("UPDATE billing_credittransaction SET refunded = false WHERE key = %s", ["score:2"])
    _sql("UPDATE billing_credittransaction SET refunded = true WHERE key = %s", ["score:2"])

    assert CreditTransaction.objects.get(key="score:2").refunded
    assert CreditTransaction.objects.get(pk=gift.pk).stripe_invoice_id == "in_123"


def test_erasing_an_account_removes_its_ledger(alice, bob, gift):
    cv = cv_services.create_cv(
        alice, content=empty_cv(full_name="Alice Martin", current_title="Engineer"), name="CV"
    )
    charge_feature(alice, Feature.MATCH_SCORE, key="score:3", cv=cv)
    refund_charge(alice, key="score:3")
    record_transaction(bob.pk, amount=5, type=TransactionType.GIFT, key="bob-gift")

    delete_account(alice)

    assert list(CreditTransaction.objects.values_list("key", flat=True)) == ["bob-gift"]
    assert list(CreditBalance.objects.values_list("user_id", flat=True)) == [bob.pk]
    with refused(), transaction.atomic():
        _sql("DELETE FROM billing_credittransaction WHERE key = %s", ["bob-gift"])
