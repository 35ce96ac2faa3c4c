"""The adapter against a local HTTP server speaking Stripe's API: what the real SDK sends."""

from __future__ import annotations

import json
import time

import pytest

from billing import services, stripe_api
from billing.stripe_api import PaymentError
from billing.tests.fake_stripe import SECRET_KEY, WEBHOOK_SECRET, sign_stripe_payload


def test_a_pack_checkout_sends_the_line_item_buyer_and_metadata(stripe_server):
    session = stripe_api.create_checkout_session(
        mode="payment",
        customer_id="cus_test_1",
        client_reference_id="42",
        line_items=[
            {
                "price_data": {
                    "currency": "eur",
                    "unit_amount": 1499,
                    "product_data": {"name": "50 credits"},
                },
                "quantity": 1,
            }
        ],
        metadata={"type": "credit_purchase", "user_id": "42", "credits": "50"},
        success_url="https://fitmycv.example/billing/checkout/done/?session_id={CHECKOUT_SESSION_ID}",
        cancel_url="https://fitmycv.example/billing/",
        idempotency_key="checkout:42:7:token",
    )
    assert isinstance(session, dict) and type(session) is dict
    assert session["url"].startswith("https://checkout.stripe.com/")
    (sent,) = stripe_server.requests
    assert (sent.method, sent.path) == ("POST", "/v1/checkout/sessions")
    assert sent.headers["Idempotency-Key"] == "checkout:42:7:token"
    assert sent.headers["Authorization"] == f"Bearer {SECRET_KEY}"
    params = sent.params
    assert params["mode"] == "payment"
    assert params["client_reference_id"] == "42"
    assert params["customer"] == "cus_test_1"
    assert params["line_items[0][price_data][unit_amount]"] == "1499"
    assert params["line_items[0][price_data][currency]"] == "eur"
    assert params["line_items[0][quantity]"] == "1"
    assert params["metadata[credits]"] == "50"
    assert params["payment_intent_data[metadata][user_id]"] == "42"
    assert params["invoice_creation[enabled]"] == "true"
    assert params["invoice_creation[invoice_data][metadata][type]"] == "credit_purchase"
    assert params["allow_promotion_codes"] == "true"


def test_buying_a_pack_creates_the_customer_once_then_the_session(alice, catalogue, stripe_server):
    pack = catalogue["packs"][50]
    url = services.start_pack_checkout(alice, pack=pack, token="t1")
    services.start_pack_checkout(alice, pack=pack, token="t2")
    assert url.startswith("https://checkout.stripe.com/")
    customers = [r for r in stripe_server.requests if r.path == "/v1/customers"]
    sessions = [r for r in stripe_server.requests if r.path == "/v1/checkout/sessions"]
    assert len(customers) == 1
    assert customers[0].headers["Idempotency-Key"] == f"customer:{alice.pk}"
    assert customers[0].params["metadata[user_id]"] == str(alice.pk)
    alice.refresh_from_db()
    assert alice.stripe_customer_id.startswith("cus_test_")
    first = sessions[0]
    assert first.headers["Idempotency-Key"] == f"checkout:{alice.pk}:{pack.pk}:t1"
    assert first.params["customer"] == alice.stripe_customer_id
    assert first.params["metadata[pack_id]"] == str(pack.pk)
    assert first.params["line_items[0][price_data][unit_amount]"] == "1499"
    assert first.params["success_url"].endswith(
        "/billing/checkout/done/?session_id={CHECKOUT_SESSION_ID}"
    )


def test_a_percentage_code_lowers_the_price_sent(alice, catalogue, stripe_server):
    from billing.models import PromoCode, PromoKind

    PromoCode.objects.create(code="SPRING20", kind=PromoKind.PERCENT, percent_off=20)
    services.start_pack_checkout(alice, pack=catalogue["packs"][50], promo_code="spring20")
    sent = stripe_server.requests[-1].params
    assert sent["line_items[0][price_data][unit_amount]"] == "1199"
    assert sent["metadata[promo_code_id]"] == str(PromoCode.objects.get().pk)


def test_a_stripe_promotion_code_is_sent_as_a_discount(alice, catalogue, stripe_server):
    from billing.models import PromoCode, PromoKind

    PromoCode.objects.create(
        code="PARTNER", kind=PromoKind.PERCENT, percent_off=10, stripe_promotion_code_id="promo_1"
    )
    services.start_pack_checkout(alice, pack=catalogue["packs"][15], promo_code="PARTNER")
    sent = stripe_server.requests[-1].params
    assert sent["discounts[0][promotion_code]"] == "promo_1"
    assert "allow_promotion_codes" not in sent


def test_retrieving_returns_plain_data(stripe_server):
    stripe_server.add({"id": "cs_test_9", "object": "checkout.session", "metadata": {"a": "b"}})
    session = stripe_api.retrieve_checkout_session("cs_test_9")
    assert session == {"id": "cs_test_9", "object": "checkout.session", "metadata": {"a": "b"}}
    assert type(session["metadata"]) is dict


def test_a_stripe_error_becomes_a_payment_error(stripe_server):
    with pytest.raises(PaymentError) as raised:
        stripe_api.retrieve_payment_intent("pi_missing")
    assert "try again" in str(raised.value)
    assert raised.value.__cause__ is None and raised.value.__suppress_context__


def test_it_lists_the_customers_invoices(stripe_server):
    stripe_server.add({"id": "in_1", "object": "invoice", "customer": "cus_1", "total": 499})
    stripe_server.add({"id": "in_2", "object": "invoice", "customer": "cus_2", "total": 999})
    assert [i["id"] for i in stripe_api.list_invoices("cus_1")] == ["in_1"]
    assert stripe_server.requests[-1].params["customer"] == "cus_1"


def test_without_keys_every_call_is_refused(settings):
    settings.STRIPE_ENABLED = False
    settings.STRIPE_SECRET_KEY = ""
    with pytest.raises(PaymentError, match="disabled"):
        stripe_api.retrieve_checkout_session("cs_1")


def test_it_verifies_webhook_signatures(stripe_on):
    body = json.dumps({"id": "evt_1", "type": "invoice.paid", "data": {"object": {}}})
    header = sign_stripe_payload(body, WEBHOOK_SECRET, int(time.time()))
    assert stripe_api.construct_event(body.encode(), header)["id"] == "evt_1"
    with pytest.raises(PaymentError):
        stripe_api.construct_event(body.encode() + b" ", header)
    with pytest.raises(PaymentError):
        stripe_api.construct_event(
            b"not json", sign_stripe_payload("not json", WEBHOOK_SECRET, int(time.time()))
        )
