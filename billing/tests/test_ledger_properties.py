"""Whatever happens, in whatever order: the balance is the sum of the ledger and never
below zero unless a payment was taken back."""

from __future__ import annotations

import itertools

import pytest
from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from billing import webhooks
from billing.models import CreditBalance, CreditTransaction, Feature, TransactionType
from billing.services import PaymentRequired, charge_feature, refund_charge
from conftest import make_user

pytestmark = pytest.mark.django_db

USERS = itertools.count()
INDEX = st.integers(min_value=0, max_value=30)
OPERATIONS = st.lists(
    st.one_of(
        st.tuples(st.just("buy"), st.sampled_from([15, 50])),
        st.tuples(st.just("buy_invoice_first"), st.sampled_from([15, 50])),
        st.tuples(st.just("buy_delayed"), st.sampled_from([15, 50])),
        st.tuples(
            st.just("spend"),
            st.sampled_from(
                [Feature.MATCH_SCORE, Feature.GPT_CV_GENERATION, Feature.CREATE_CV_MANUAL]
            ),
        ),
        st.tuples(st.just("fail"), INDEX),
        st.tuples(st.just("refund"), INDEX, st.sampled_from([300, 1000])),
        st.tuples(st.just("dispute"), INDEX),
        st.tuples(st.just("duplicate"), INDEX),
    ),
    max_size=25,
)


def _check_invariants(user, purchases: list[dict]) -> None:
    rows = CreditTransaction.objects.filter(user=user)
    balance = CreditBalance.objects.filter(user=user).first()
    total = rows.aggregate(s=Sum("amount"))["s"] or 0
    assert (balance.balance if balance else 0) == total
    if balance is not None:
        assert balance.balance >= 0 or balance.disputed
        purchased = rows.filter(type=TransactionType.PURCHASE).aggregate(s=Sum("amount"))["s"]
        assert balance.total_purchased == (purchased or 0)
    refunds = rows.filter(type=TransactionType.REFUND).count()
    assert refunds == rows.filter(type=TransactionType.USAGE, refunded=True).count()
    for purchase in purchases:
        intent = purchase["intent"]["id"]
        granted = rows.filter(stripe_payment_intent_id=intent).count()
        assert granted <= 1
        taken = -(
            rows.filter(key__startswith=f"reversal:{intent}:").aggregate(s=Sum("amount"))["s"] or 0
        )
        assert taken <= int(purchase["intent"]["metadata"]["credits"]) * granted


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(operations=OPERATIONS)
def test_the_balance_is_always_the_sum_of_the_ledger(fake_stripe, operations):
    user = make_user(f"property{next(USERS)}@example.org")
    purchases: list[dict] = []
    spends: list[str] = []
    delivered: list[dict] = []

    def deliver(event_type: str, object_id: str) -> None:
        event = fake_stripe.event(event_type, object_id)
        webhooks.process_event(event)
        delivered.append(event)

    for operation in operations:
        kind = operation[0]
        if kind in ("buy", "buy_invoice_first", "buy_delayed"):
            purchase = fake_stripe.pack_purchase(
                user, credits=operation[1], amount=1000, paid=kind != "buy_delayed"
            )
            purchases.append(purchase)
            if kind == "buy_invoice_first":
                deliver("invoice.paid", purchase["invoice"]["id"])
            deliver("checkout.session.completed", purchase["session"]["id"])
            if kind == "buy_delayed":
                fake_stripe.settle(purchase)
                deliver("checkout.session.async_payment_succeeded", purchase["session"]["id"])
        elif kind == "spend":
            key = f"{user.pk}:spend:{len(spends)}"
            try:
                charge_feature(user, operation[1], key=key)
                spends.append(key)
            except PaymentRequired:
                pass
        elif kind == "fail" and spends:
            refund_charge(user, key=spends[operation[1] % len(spends)])
        elif kind == "refund" and purchases:
            purchase = purchases[operation[1] % len(purchases)]
            refunded = fake_stripe.objects[purchase["charge"]["id"]]["amount_refunded"]
            fake_stripe.refund(purchase, amount=max(refunded, operation[2]))
            deliver("charge.refunded", purchase["charge"]["id"])
        elif kind == "dispute" and purchases:
            purchase = purchases[operation[1] % len(purchases)]
            deliver("charge.dispute.created", fake_stripe.dispute(purchase)["id"])
        elif kind == "duplicate" and delivered:
            assert webhooks.process_event(delivered[operation[1] % len(delivered)]) == "duplicate"
        _check_invariants(user, purchases)
