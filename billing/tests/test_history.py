from __future__ import annotations

import pytest

from billing.models import Feature, TransactionType
from billing.services import charge_feature, record_transaction

pytestmark = pytest.mark.django_db
URL = "/billing/history/"


def test_it_lists_the_users_movements_and_invoices(alice, bob, alice_client, fake_stripe):
    record_transaction(alice.pk, amount=15, type=TransactionType.GIFT, key="a-gift")
    charge_feature(alice, Feature.GPT_CV_GENERATION, key="a-gen")
    record_transaction(bob.pk, amount=777, type=TransactionType.GIFT, key="b-gift")
    fake_stripe.pack_purchase(alice, credits=50)
    alice.refresh_from_db()
    alice.stripe_customer_id = f"cus_test_{alice.pk}"
    alice.save(update_fields=["stripe_customer_id"])
    page = alice_client.get(URL).content.decode()
    assert "+15" in page and "-3" in page and "Tailored CV" in page
    assert "777" not in page
    assert "14.99 EUR" in page and "invoice.stripe.com" in page


def test_its_queries_do_not_grow_with_the_history(alice, alice_client, django_assert_num_queries):
    for n in range(40):
        record_transaction(alice.pk, amount=1, type=TransactionType.GIFT, key=f"g{n}")
    alice_client.get(URL)  # warm the settings cache
    # session, user, transactions, the top-bar balance
    with django_assert_num_queries(4):
        response = alice_client.get(URL)
    assert response.content.decode().count("+1<") == 40


def test_without_stripe_it_says_there_are_no_invoices(alice_client):
    assert "no invoices" in alice_client.get(URL).content.decode()


def test_it_asks_anonymous_visitors_to_log_in(client):
    assert client.get(URL)["Location"].startswith("/accounts/login/")


def test_it_refuses_post(alice_client):
    assert alice_client.post(URL).status_code == 405
