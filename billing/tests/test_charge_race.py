from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.db.models import Sum

from billing.models import CreditBalance, CreditTransaction, Feature, TransactionType
from billing.services import PaymentRequired, charge_feature, record_transaction
from fitmycv.testing import require_service

THREADS = 10


@pytest.mark.django_db(transaction=True)
def test_ten_simultaneous_charges_with_one_credit_accept_exactly_one(alice):
    # SQLite's in-memory test database locks whole tables: concurrency is a PostgreSQL matter.
    require_service("PostgreSQL (DATABASE_URL)", connection.vendor == "postgresql")
    record_transaction(alice.pk, amount=1, type=TransactionType.GIFT, key="welcome")
    barrier = threading.Barrier(THREADS)
    outcomes: list[str] = []

    def press_generate(n: int) -> None:
        try:
            barrier.wait()
            charge_feature(alice, Feature.MATCH_SCORE, key=f"score:{n}")
            outcomes.append("accepted")
        except PaymentRequired:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=press_generate, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["accepted"] + ["refused"] * (THREADS - 1)
    assert CreditBalance.objects.get(user=alice).balance == 0
    assert CreditTransaction.objects.filter(type=TransactionType.USAGE).count() == 1
    assert CreditTransaction.objects.aggregate(s=Sum("amount"))["s"] == 0


@pytest.mark.django_db(transaction=True)
def test_the_same_charge_sent_ten_times_at_once_is_taken_once(alice):
    require_service("PostgreSQL (DATABASE_URL)", connection.vendor == "postgresql")
    record_transaction(alice.pk, amount=10, type=TransactionType.GIFT, key="welcome")
    barrier = threading.Barrier(THREADS)
    charges = []

    def double_click() -> None:
        try:
            barrier.wait()
            charges.append(charge_feature(alice, Feature.GPT_CV_GENERATION, key="gen:1"))
        finally:
            connection.close()

    threads = [threading.Thread(target=double_click) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(charges) == THREADS and all(c.credits == 3 for c in charges)
    assert CreditBalance.objects.get(user=alice).balance == 7
