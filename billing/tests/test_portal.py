from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db
URL = "/billing/portal/"


def test_it_opens_the_stripe_portal_for_a_customer(alice, alice_client, fake_stripe):
    alice.stripe_customer_id = "cus_test_alice"
    alice.save(update_fields=["stripe_customer_id"])
    response = alice_client.post(URL)
    assert response["Location"] == "https://billing.stripe.com/p/session/cus_test_alice"
    fake_stripe.mocks["create_portal_session"].assert_called_once_with(
        "cus_test_alice", "https://fitmycv.example/billing/"
    )


def test_a_user_who_never_paid_is_told_why(alice_client, fake_stripe):
    response = alice_client.post(URL, follow=True)
    assert "no billing account yet" in response.content.decode()


def test_it_asks_anonymous_visitors_to_log_in(client):
    assert client.post(URL)["Location"].startswith("/accounts/login/")


def test_it_refuses_get(alice_client):
    assert alice_client.get(URL).status_code == 405
