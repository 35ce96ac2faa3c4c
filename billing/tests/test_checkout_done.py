from __future__ import annotations

import pytest

from billing.models import CreditBalance

pytestmark = pytest.mark.django_db
URL = "/billing/checkout/done/"


def test_the_return_page_grants_the_pack_if_the_webhook_has_not(alice, alice_client, fake_stripe):
    purchase = fake_stripe.pack_purchase(alice, credits=50)
    for _ in range(2):
        response = alice_client.get(URL, {"session_id": purchase["session"]["id"]})
        assert "50 credits were added" in response.content.decode()
    assert CreditBalance.objects.get(user=alice).balance == 50


def test_an_unpaid_session_says_the_payment_is_pending(alice, alice_client, fake_stripe):
    purchase = fake_stripe.pack_purchase(alice, credits=50, paid=False)
    page = alice_client.get(URL, {"session_id": purchase["session"]["id"]}).content.decode()
    assert "Payment in progress" in page
    assert not CreditBalance.objects.filter(user=alice, balance__gt=0).exists()


def test_another_users_session_is_not_found(alice, bob_client, fake_stripe):
    purchase = fake_stripe.pack_purchase(alice, credits=50)
    response = bob_client.get(URL, {"session_id": purchase["session"]["id"]})
    assert response.status_code == 404
    assert not CreditBalance.objects.exists()


def test_a_missing_session_id_is_not_found(alice_client, fake_stripe):
    assert alice_client.get(URL).status_code == 404


def test_it_asks_anonymous_visitors_to_log_in(client, fake_stripe):
    assert client.get(URL, {"session_id": "cs_test_1"})["Location"].startswith("/accounts/login/")


def test_it_refuses_post(alice_client, fake_stripe):
    assert alice_client.post(URL).status_code == 405
