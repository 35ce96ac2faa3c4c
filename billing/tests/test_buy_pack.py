from __future__ import annotations

import pytest

from billing.models import CreditPack, PromoCode, PromoKind

pytestmark = pytest.mark.django_db


def _url(pack: CreditPack) -> str:
    return f"/billing/packs/{pack.pk}/buy/"


def test_it_sends_the_buyer_to_stripe_checkout(alice, alice_client, catalogue, fake_stripe):
    pack = catalogue["packs"][50]
    token = "8d0e6a3c-8a7f-4c59-9e4b-2f4b1d3f0a11"
    response = alice_client.post(_url(pack), {"token": token})
    assert response.status_code == 302
    assert response["Location"].startswith("https://checkout.stripe.com/c/pay/cs_test_")
    (sent,) = fake_stripe.created_sessions
    assert sent["mode"] == "payment"
    assert sent["client_reference_id"] == str(alice.pk)
    assert sent["metadata"] == {
        "type": "credit_purchase",
        "user_id": str(alice.pk),
        "pack_id": str(pack.pk),
        "credits": "50",
    }
    assert sent["idempotency_key"] == f"checkout:{alice.pk}:{pack.pk}:{token}"
    assert sent["line_items"][0]["price_data"]["unit_amount"] == 1499


def test_a_percentage_code_is_passed_to_checkout(alice_client, catalogue, fake_stripe):
    promo = PromoCode.objects.create(code="SPRING20", kind=PromoKind.PERCENT, percent_off=20)
    alice_client.post(_url(catalogue["packs"][15]), {"promo_code": "SPRING20"})
    (sent,) = fake_stripe.created_sessions
    assert sent["line_items"][0]["price_data"]["unit_amount"] == 399
    assert sent["metadata"]["promo_code_id"] == str(promo.pk)


def test_an_unusable_code_opens_no_checkout(alice_client, catalogue, fake_stripe):
    response = alice_client.post(_url(catalogue["packs"][15]), {"promo_code": "NOPE"}, follow=True)
    assert "does not exist" in response.content.decode()
    assert fake_stripe.created_sessions == []


def test_without_stripe_it_explains_and_opens_nothing(alice_client, catalogue, settings):
    settings.STRIPE_ENABLED = False
    response = alice_client.post(_url(catalogue["packs"][15]), follow=True)
    assert response.redirect_chain[-1][0] == "/billing/"
    assert "Online payments are disabled" in response.content.decode()


def test_an_inactive_or_unknown_pack_is_not_found(alice_client, catalogue, fake_stripe):
    pack = catalogue["packs"][15]
    CreditPack.objects.filter(pk=pack.pk).update(is_active=False)
    assert alice_client.post(_url(pack)).status_code == 404
    assert alice_client.post("/billing/packs/999999/buy/").status_code == 404


def test_it_asks_anonymous_visitors_to_log_in(client, catalogue):
    response = client.post(_url(catalogue["packs"][15]))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_it_refuses_get(alice_client, catalogue):
    assert alice_client.get(_url(catalogue["packs"][15])).status_code == 405
