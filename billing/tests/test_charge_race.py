from __future__ import annotations

import pytest
from django.db import connection
from django.db.models import Sum

from billing.models import CreditBalance, CreditTransaction, Feature, TransactionType
from billing.services import PaymentRequired, charge_feature, record_transaction
from fitmycv.testing import require_service, run_in_threads

THREADS = 10


@pytest.mark.django_db(transaction=True)
def test_ten_simultaneous_charges_with_one_credit_accept_exactly_one(alice):
    # SQLite's in-memory test database locks whole tables: concurrency is a PostgreSQL matter.
    require_service("PostgreSQL (DATABASE_URL)", connection.vendor == "postgresql")
    record_transaction(alice.pk, amount=1, type=TransactionType.GIFT, key="welcome")
    outcomes: list[str] = []
    keys = iter(range(THREADS))

    def press_generate() -> None:
        try:
            charge_feature(alice, Feature.MATCH_SCORE, key=f"score:{next(keys)}")
            outcomes.append("accepted")
        except PaymentRequired:
            outcomes.append("refused")

    run_in_threads(press_generate, THREADS)
    assert sorted(outcomes) == ["accepted"] + ["refused"] * (THREADS - 1)
    assert CreditBalance.objects.get(user=alice).balance == 0
    assert CreditTransaction.objects.filter(type=TransactionType.USAGE).count() == 1
    assert CreditTransaction.objects.aggregate(s=Sum("amount"))["s"] == 0


@pytest.mark.django_db(transaction=True)
def test_the_same_charge_sent_ten_times_at_once_is_taken_once(alice):
    require_service("PostgreSQL (DATABASE_URL)", connection.vendor == "postgresql")
    record_transaction(alice.pk, amount=10, type=TransactionType.GIFT, key="welcome")
    charges = []

    def double_click() -> None:
        charges.append(charge_feature(alice, Feature.GPT_CV_GENERATION, key="gen:1"))

    run_in_threads(double_click, THREADS)
    assert len(charges) == THREADS and all(c.credits == 3 for c in charges)
    assert CreditBalance.objects.get(user=alice).balance == 7
