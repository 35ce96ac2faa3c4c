from __future__ import annotations

import pytest

from accounts.models import User
from billing.context_processors import CreditSummary
from billing.models import CreditBalance, TransactionType
from billing.services import record_transaction

pytestmark = pytest.mark.django_db


def test_it_reads_the_balance_and_the_dispute_flag(alice):
    record_transaction(alice.pk, amount=7, type=TransactionType.GIFT, key="g")
    assert CreditBalance.objects.summary_for(alice.pk) == (7, False)
    CreditBalance.objects.filter(user=alice).update(disputed=True)
    assert CreditBalance.objects.summary_for(alice.pk) == (7, True)


def test_a_user_without_a_balance_row_has_nothing(alice):
    CreditBalance.objects.filter(user=alice).delete()
    assert CreditBalance.objects.summary_for(alice.pk) == (0, False)


def test_the_columns_bring_the_same_summary_along_with_another_query(alice, bob):
    record_transaction(alice.pk, amount=7, type=TransactionType.GIFT, key="g")
    CreditBalance.objects.filter(user=alice).update(disputed=True)
    CreditBalance.objects.filter(user=bob).delete()
    for user, expected in ((alice, (7, True)), (bob, (0, False))):
        # Any query: the rows of all users, each carrying this user's balance.
        rows = User.objects.annotate(**CreditBalance.objects.summary_columns(user.pk))
        for row in rows:
            summary = CreditSummary.from_row(user.pk, row)
            assert (summary.balance, summary.blocked) == expected


def test_a_summary_from_a_row_makes_no_query(alice, django_assert_num_queries):
    record_transaction(alice.pk, amount=3, type=TransactionType.GIFT, key="g")
    row = User.objects.annotate(**CreditBalance.objects.summary_columns(alice.pk)).get(pk=alice.pk)
    with django_assert_num_queries(0):
        summary = CreditSummary.from_row(alice.pk, row)
        assert summary.balance == 3 and summary.blocked is False
