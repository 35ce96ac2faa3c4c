from __future__ import annotations

import itertools
import json
import threading
import time
from unittest import mock

import pytest
from django.db import connection
from django.db.models import Sum
from django.test import Client

from billing import notify
from billing.models import (
    CreditBalance,
    CreditTransaction,
    Feature,
    FeatureUsageCounter,
    PromoCode,
    PromoKind,
    PromoRedemption,
    Referral,
    StripeWebhookLog,
    Subscription,
    SubscriptionPlan,
    TransactionType,
)
from billing.services import PaymentRequired, charge_feature, record_transaction
from billing.tests.fake_stripe import (
    WEBHOOK_SECRET,
    load_event,
    sign_stripe_payload,
    signed_post,
)
from core.testing import require_service
from cvs.models import CV

pytestmark = pytest.mark.django_db


@pytest.fixture
def client() -> Client:
    return Client()


def _balance(user) -> int:
    row = CreditBalance.objects.filter(user=user).first()
    return row.balance if row else 0


def _purchases(user) -> int:
    return CreditTransaction.objects.filter(user=user, type=TransactionType.PURCHASE).count()


def _ledger_sum(user) -> int:
    return CreditTransaction.objects.filter(user=user).aggregate(s=Sum("amount"))["s"] or 0


# --- Signature ------------------------------------------------------------------------------


def _tampered(body: str) -> tuple[str, str]:
    header = sign_stripe_payload(body, WEBHOOK_SECRET, int(time.time()))
    return body.replace('"credits": "50"', '"credits": "5000"'), header


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda body: (body, ""), id="missing header"),
        pytest.param(
            lambda body: (body, sign_stripe_payload(body, "whsec_wrong", int(time.time()))),
            id="wrong secret",
        ),
        pytest.param(_tampered, id="tampered body"),
        pytest.param(
            lambda body: (body, sign_stripe_payload(body, WEBHOOK_SECRET, int(time.time()) - 301)),
            id="stale timestamp",
        ),
        pytest.param(
            lambda body: (body, sign_stripe_payload(body, WEBHOOK_SECRET, int(time.time()) + 301)),
            id="timestamp in the future",
        ),
        pytest.param(
            lambda body: (body, sign_stripe_payload(body, WEBHOOK_SECRET, 10**12)),
            id="timestamp far in the future",
        ),
    ],
)
def test_a_bad_signature_is_refused_and_nothing_is_written(client, alice, fake_stripe, make):
    purchase = fake_stripe.pack_purchase(alice, credits=50)
    body, header = make(
        json.dumps(fake_stripe.event("checkout.session.completed", purchase["session"]["id"]))
    )
    response = client.post(
        "/billing/webhook/",
        data=body,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=header,
    )
    assert response.status_code == 400
    assert not StripeWebhookLog.objects.exists()
    assert not CreditTransaction.objects.exists()


def test_a_signature_a_little_ahead_of_our_clock_is_accepted(client, alice, fake_stripe):
    purchase = fake_stripe.pack_purchase(alice, credits=50)
    body = json.dumps(fake_stripe.event("checkout.session.completed", purchase["session"]["id"]))
    response = client.post(
        "/billing/webhook/",
        data=body,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=sign_stripe_payload(body, WEBHOOK_SECRET, int(time.time()) + 60),
    )
    assert response.status_code == 200


def test_a_correct_signature_is_accepted(client, alice, fake_stripe):
    purchase = fake_stripe.pack_purchase(alice, credits=50)
    response = signed_post(
        client, fake_stripe.event("checkout.session.completed", purchase["session"]["id"])
    )
    assert response.status_code == 200
    assert response.json() == {"status": "processed"}


def test_it_only_accepts_post(client, fake_stripe):
    assert client.get("/billing/webhook/").status_code == 405


# --- Credit packs ---------------------------------------------------------------------------


def test_a_paid_checkout_grants_the_pack_once(client, alice, fake_stripe):
    purchase = fake_stripe.pack_purchase(alice, credits=50)
    event = fake_stripe.event("checkout.session.completed", purchase["session"]["id"])
    assert signed_post(client, event).json() == {"status": "processed"}
    assert signed_post(client, event).json() == {"status": "duplicate"}
    assert _balance(alice) == 50
    row = CreditTransaction.objects.get(type=TransactionType.PURCHASE)
    assert row.stripe_payment_intent_id == purchase["intent"]["id"]
    assert row.stripe_checkout_session_id == purchase["session"]["id"]
    assert StripeWebhookLog.objects.get().processed is True
    balance = CreditBalance.objects.get(user=alice)
    assert (balance.total_purchased, balance.balance_after_last_purchase) == (50, 50)


def test_it_acts_on_the_refetched_session_not_the_event_body(client, alice, fake_stripe):
    purchase = fake_stripe.pack_purchase(alice, credits=50, paid=False)
    stale = fake_stripe.event("checkout.session.completed", purchase["session"]["id"])
    signed_post(client, stale)
    assert _balance(alice) == 0  # Stripe says unpaid: wait
    fake_stripe.settle(purchase)
    signed_post(
        client,
        fake_stripe.event("checkout.session.async_payment_succeeded", purchase["session"]["id"]),
    )
    assert _balance(alice) == 50


def test_a_delayed_payment_that_fails_grants_nothing_and_tells_the_user(
    client, alice, fake_stripe, django_capture_on_commit_callbacks
):
    purchase = fake_stripe.pack_purchase(alice, credits=50, paid=False)
    with (
        mock.patch.object(notify, "payment_failed", autospec=True) as sent,
        django_capture_on_commit_callbacks(execute=True),
    ):
        signed_post(
            client,
            fake_stripe.event("checkout.session.async_payment_failed", purchase["session"]["id"]),
        )
    sent.assert_called_once_with(alice)
    assert not CreditTransaction.objects.exists()


def test_invoice_paid_before_checkout_completed_still_grants_once(
    client, alice, fake_stripe, django_capture_on_commit_callbacks
):
    purchase = fake_stripe.pack_purchase(alice, credits=50, amount=1499)
    with (
        mock.patch.object(notify, "credits_purchased", autospec=True) as sent,
        django_capture_on_commit_callbacks(execute=True),
    ):
        signed_post(client, fake_stripe.event("invoice.paid", purchase["invoice"]["id"]))
        signed_post(
            client, fake_stripe.event("checkout.session.completed", purchase["session"]["id"])
        )
        signed_post(
            client,
            fake_stripe.event(
                "checkout.session.async_payment_succeeded", purchase["session"]["id"]
            ),
        )
        signed_post(client, fake_stripe.event("invoice.paid", purchase["invoice"]["id"]))
    assert _balance(alice) == 50
    assert _purchases(alice) == 1
    row = CreditTransaction.objects.get(type=TransactionType.PURCHASE)
    assert row.stripe_invoice_id == purchase["invoice"]["id"]
    sent.assert_called_once_with(
        alice,
        amount=50,
        total_price="14.99 EUR",
        invoice_url=purchase["invoice"]["hosted_invoice_url"],
    )


def test_the_receipt_is_sent_when_the_invoice_follows_the_checkout(
    client, alice, fake_stripe, django_capture_on_commit_callbacks
):
    purchase = fake_stripe.pack_purchase(alice, credits=15, amount=499)
    with (
        mock.patch.object(notify, "credits_purchased", autospec=True) as sent,
        django_capture_on_commit_callbacks(execute=True),
    ):
        signed_post(
            client, fake_stripe.event("checkout.session.completed", purchase["session"]["id"])
        )
        signed_post(client, fake_stripe.event("invoice.paid", purchase["invoice"]["id"]))
    assert sent.call_count == 1
    assert _balance(alice) == 15


def test_a_refund_takes_the_credits_back(client, alice, fake_stripe):
    purchase = fake_stripe.pack_purchase(alice, credits=50, amount=1500)
    signed_post(client, fake_stripe.event("checkout.session.completed", purchase["session"]["id"]))
    fake_stripe.refund(purchase, amount=500)
    signed_post(client, fake_stripe.event("charge.refunded", purchase["charge"]["id"]))
    assert _balance(alice) == 33  # a third refunded: ceil(50 / 3) credits taken back
    fake_stripe.refund(purchase)
    signed_post(client, fake_stripe.event("charge.refunded", purchase["charge"]["id"]))
    signed_post(client, fake_stripe.event("charge.refunded", purchase["charge"]["id"]))
    assert _balance(alice) == 0
    assert CreditTransaction.objects.filter(type=TransactionType.PAYMENT_REFUND).count() == 2
    assert _ledger_sum(alice) == 0


def test_a_refund_arriving_before_the_purchase_converges(client, alice, fake_stripe):
    purchase = fake_stripe.pack_purchase(alice, credits=50)
    fake_stripe.refund(purchase)
    signed_post(client, fake_stripe.event("charge.refunded", purchase["charge"]["id"]))
    signed_post(client, fake_stripe.event("checkout.session.completed", purchase["session"]["id"]))
    signed_post(client, fake_stripe.event("invoice.paid", purchase["invoice"]["id"]))
    assert _balance(alice) == 0
    assert _purchases(alice) == 1


def test_a_dispute_takes_the_balance_negative_and_blocks_paid_features(client, alice, fake_stripe):
    purchase = fake_stripe.pack_purchase(alice, credits=15)
    signed_post(client, fake_stripe.event("checkout.session.completed", purchase["session"]["id"]))
    for n in range(4):
        charge_feature(alice, Feature.GPT_CV_GENERATION, key=f"gen:{n}")
    dispute = fake_stripe.dispute(purchase)
    signed_post(client, fake_stripe.event("charge.dispute.created", dispute["id"]))
    balance = CreditBalance.objects.get(user=alice)
    assert (balance.balance, balance.disputed) == (-12, True)
    assert CreditTransaction.objects.get(type=TransactionType.CHARGEBACK).amount == -15
    with pytest.raises(PaymentRequired) as refused:
        charge_feature(alice, Feature.MATCH_SCORE, key="score:1")
    assert refused.value.reason == PaymentRequired.NEGATIVE_BALANCE

    top_up = fake_stripe.pack_purchase(alice, credits=50)
    signed_post(client, fake_stripe.event("checkout.session.completed", top_up["session"]["id"]))
    assert _balance(alice) == 38
    assert charge_feature(alice, Feature.MATCH_SCORE, key="score:2").credits == 1
    assert _ledger_sum(alice) == _balance(alice)


def test_a_refund_and_a_dispute_together_never_take_more_than_the_purchase(
    client, alice, fake_stripe
):
    record_transaction(alice.pk, amount=100, type=TransactionType.GIFT, key="gift")
    purchase = fake_stripe.pack_purchase(alice, credits=50, amount=1000)
    signed_post(client, fake_stripe.event("checkout.session.completed", purchase["session"]["id"]))
    fake_stripe.refund(purchase, amount=500)
    signed_post(client, fake_stripe.event("charge.refunded", purchase["charge"]["id"]))
    signed_post(
        client, fake_stripe.event("charge.dispute.created", fake_stripe.dispute(purchase)["id"])
    )
    assert _balance(alice) == 100


def test_a_crash_in_the_handler_rolls_back_and_the_replay_succeeds(client, alice, fake_stripe):
    purchase = fake_stripe.pack_purchase(alice, credits=50)
    event = fake_stripe.event("checkout.session.completed", purchase["session"]["id"])
    with mock.patch(
        "billing.services.fulfilment.reward_referral_if_first_payment",
        autospec=True,
        side_effect=RuntimeError("the database went away mid-grant"),
    ):
        response = signed_post(client, event)
    assert response.status_code == 500
    assert not StripeWebhookLog.objects.exists()
    assert not CreditTransaction.objects.exists()

    assert signed_post(client, event).json() == {"status": "processed"}
    assert _balance(alice) == 50
    assert StripeWebhookLog.objects.get().processed is True


def test_stripe_being_unreachable_is_a_500_so_stripe_retries(client, alice, fake_stripe):
    purchase = fake_stripe.pack_purchase(alice, credits=50)
    event = fake_stripe.event("checkout.session.completed", purchase["session"]["id"])
    del fake_stripe.objects[purchase["session"]["id"]]
    assert signed_post(client, event).status_code == 500
    assert not StripeWebhookLog.objects.exists()


def test_an_event_we_do_not_handle_is_logged_and_acknowledged(client, fake_stripe):
    event = load_event("customer.created")
    assert signed_post(client, event).json() == {"status": "ignored"}
    log = StripeWebhookLog.objects.get()
    assert (log.event_type, log.processed) == ("customer.created", False)


def test_the_first_payment_rewards_the_referral(client, alice, bob, fake_stripe):
    Referral.objects.create(referrer=alice, referred=bob)
    purchase = fake_stripe.pack_purchase(bob, credits=15)
    signed_post(client, fake_stripe.event("checkout.session.completed", purchase["session"]["id"]))
    second = fake_stripe.pack_purchase(bob, credits=15)
    signed_post(client, fake_stripe.event("checkout.session.completed", second["session"]["id"]))
    assert (_balance(alice), _balance(bob)) == (10, 35)


def test_a_percentage_code_is_used_up_when_the_payment_goes_through(client, alice, fake_stripe):
    promo = PromoCode.objects.create(code="SPRING20", kind=PromoKind.PERCENT, percent_off=20)
    purchase = fake_stripe.pack_purchase(alice, credits=50, promo_code_id=str(promo.pk))
    event = fake_stripe.event("checkout.session.completed", purchase["session"]["id"])
    signed_post(client, event)
    signed_post(client, fake_stripe.event("invoice.paid", purchase["invoice"]["id"]))
    assert PromoRedemption.objects.filter(user=alice, promo_code=promo).count() == 1
    assert PromoCode.objects.get().uses_count == 1


# --- Subscriptions --------------------------------------------------------------------------


def _subscription_checkout(fake, user, sub) -> dict:
    return fake.add(
        {
            "id": fake.new_id("checkout.session"),
            "object": "checkout.session",
            "mode": "subscription",
            "status": "complete",
            "payment_status": "paid",
            "client_reference_id": str(user.pk),
            "customer": sub["customer"],
            "subscription": sub["id"],
            "payment_intent": None,
            "metadata": {"type": "subscription", "user_id": str(user.pk)},
        }
    )


@pytest.fixture
def pro_subscriber(client, alice, fake_stripe, catalogue, subscription_mode):
    sub = fake_stripe.subscription(alice, price_id="price_pro_monthly")
    session = _subscription_checkout(fake_stripe, alice, sub)
    signed_post(client, fake_stripe.event("checkout.session.completed", session["id"]))
    return sub


def test_a_subscription_checkout_puts_the_user_on_the_plan(alice, pro_subscriber):
    local = Subscription.objects.get(user=alice)
    assert (local.plan.name, local.status, local.stripe_subscription_id) == (
        "Pro",
        "active",
        pro_subscriber["id"],
    )
    assert local.current_period_start.timestamp() == 1_780_000_000
    alice.refresh_from_db()
    assert alice.stripe_customer_id == pro_subscriber["customer"]


def test_subscription_events_in_any_order_end_on_stripes_state(
    client, alice, fake_stripe, pro_subscriber
):
    fake_stripe.objects[pro_subscriber["id"]]["items"]["data"][0]["price"]["id"] = (
        "price_premium_yearly"
    )
    fake_stripe.objects[pro_subscriber["id"]]["items"]["data"][0]["price"]["recurring"][
        "interval"
    ] = "year"
    updated = fake_stripe.event("customer.subscription.updated", pro_subscriber["id"])
    created = fake_stripe.event("customer.subscription.created", pro_subscriber["id"])
    signed_post(client, updated)
    signed_post(client, created)
    local = Subscription.objects.get(user=alice)
    assert (local.plan.name, local.billing_period) == ("Premium", "yearly")


def test_a_deleted_subscription_moves_the_user_to_the_free_plan_and_blocks_cvs(
    client, alice, fake_stripe, catalogue, pro_subscriber
):
    SubscriptionPlan.objects.filter(name="Free").update(max_cvs=1)
    for n in range(3):
        CV.objects.create(user=alice, filename=f"{n}.json")
    fake_stripe._cancel(pro_subscriber["id"])
    signed_post(client, fake_stripe.event("customer.subscription.deleted", pro_subscriber["id"]))
    local = Subscription.objects.get(user=alice)
    assert (local.plan.name, local.stripe_subscription_id) == ("Free", None)
    assert CV.objects.filter(user=alice, blocked=True).count() == 2


def test_the_deletion_of_a_replaced_subscription_changes_nothing(
    client, alice, fake_stripe, pro_subscriber
):
    old = fake_stripe.subscription(alice, price_id="price_pro_monthly", status="canceled")
    signed_post(client, fake_stripe.event("customer.subscription.deleted", old["id"]))
    assert Subscription.objects.get(user=alice).plan.name == "Pro"


def test_a_renewal_starts_fresh_quotas(client, alice, fake_stripe, pro_subscriber):
    charge_feature(alice, Feature.MATCH_SCORE, key="s1")
    assert FeatureUsageCounter.objects.filter(user=alice).exists()
    invoice = fake_stripe.subscription_invoice(pro_subscriber, billing_reason="subscription_cycle")
    signed_post(client, fake_stripe.event("invoice.paid", invoice["id"]))
    assert not FeatureUsageCounter.objects.filter(user=alice).exists()


def test_a_failed_renewal_applies_the_free_limits_and_tells_the_user(
    client, alice, fake_stripe, pro_subscriber, django_capture_on_commit_callbacks
):
    fake_stripe.objects[pro_subscriber["id"]]["status"] = "past_due"
    invoice = fake_stripe.subscription_invoice(pro_subscriber, billing_reason="subscription_cycle")
    fake_stripe.objects[invoice["id"]]["status"] = "open"
    with (
        mock.patch.object(notify, "payment_failed", autospec=True) as sent,
        django_capture_on_commit_callbacks(execute=True),
    ):
        signed_post(client, fake_stripe.event("invoice.payment_failed", invoice["id"]))
    sent.assert_called_once_with(alice)
    assert Subscription.objects.get(user=alice).status == "past_due"
    with pytest.raises(PaymentRequired):
        charge_feature(alice, Feature.MATCH_SCORE, key="s1")


def test_a_disputed_subscription_payment_cancels_the_subscription(
    client, alice, fake_stripe, pro_subscriber
):
    intent = fake_stripe.add(
        {
            "id": fake_stripe.new_id("payment_intent"),
            "object": "payment_intent",
            "status": "succeeded",
            "customer": pro_subscriber["customer"],
            "metadata": {},
        }
    )
    dispute = fake_stripe.add(
        {
            "id": fake_stripe.new_id("dispute"),
            "object": "dispute",
            "payment_intent": intent["id"],
            "charge": "ch_x",
        }
    )
    signed_post(client, fake_stripe.event("charge.dispute.created", dispute["id"]))
    assert fake_stripe.objects[pro_subscriber["id"]]["status"] == "canceled"
    assert Subscription.objects.get(user=alice).plan.name == "Free"


# --- Concurrency ----------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_same_event_three_times_at_once_grants_once(alice, fake_stripe):
    require_service("PostgreSQL (DATABASE_URL)", connection.vendor == "postgresql")
    purchase = fake_stripe.pack_purchase(alice, credits=50)
    event = fake_stripe.event("checkout.session.completed", purchase["session"]["id"])
    barrier = threading.Barrier(3)
    statuses: list[int] = []

    def deliver() -> None:
        try:
            barrier.wait()
            statuses.append(signed_post(Client(), event).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [200, 200, 200]
    for _ in range(2):
        assert signed_post(Client(), event).json() == {"status": "duplicate"}
    assert StripeWebhookLog.objects.count() == 1
    assert _purchases(alice) == 1
    assert _balance(alice) == 50


@pytest.mark.django_db(transaction=True)
def test_the_checkout_and_the_invoice_racing_grant_once(alice, fake_stripe):
    require_service("PostgreSQL (DATABASE_URL)", connection.vendor == "postgresql")
    purchase = fake_stripe.pack_purchase(alice, credits=50)
    events = [
        fake_stripe.event("checkout.session.completed", purchase["session"]["id"]),
        fake_stripe.event("checkout.session.async_payment_succeeded", purchase["session"]["id"]),
        fake_stripe.event("invoice.paid", purchase["invoice"]["id"]),
    ]
    barrier = threading.Barrier(len(events))

    def deliver(event) -> None:
        try:
            barrier.wait()
            signed_post(Client(), event)
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver, args=(e,)) for e in events]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert StripeWebhookLog.objects.count() == 3
    assert _purchases(alice) == 1
    assert _balance(alice) == 50


DELIVERIES = ("return page", "checkout.session.completed", "invoice.paid")


@pytest.mark.parametrize(
    "order", list(itertools.permutations(DELIVERIES)), ids=lambda order: " > ".join(order)
)
def test_every_order_of_the_three_deliveries_grants_once_with_the_invoice(
    client, alice, alice_client, fake_stripe, django_capture_on_commit_callbacks, order
):
    # The three ways a paid pack reaches us (plan check C3), in each of their 6 orders, then
    # each again (Stripe retries, the user reloads): one grant, the invoice attached, one receipt.
    purchase = fake_stripe.pack_purchase(alice, credits=50, amount=1499)
    deliver = {
        "return page": lambda: alice_client.get(
            "/billing/checkout/done/", {"session_id": purchase["session"]["id"]}
        ),
        "checkout.session.completed": lambda: signed_post(
            client, fake_stripe.event("checkout.session.completed", purchase["session"]["id"])
        ),
        "invoice.paid": lambda: signed_post(
            client, fake_stripe.event("invoice.paid", purchase["invoice"]["id"])
        ),
    }
    with (
        mock.patch.object(notify, "credits_purchased", autospec=True) as sent,
        django_capture_on_commit_callbacks(execute=True),
    ):
        for name in order + order:
            deliver[name]()
    assert _balance(alice) == 50 and _purchases(alice) == 1
    row = CreditTransaction.objects.get(type=TransactionType.PURCHASE)
    assert row.stripe_invoice_id == purchase["invoice"]["id"]
    assert sent.call_count == 1
