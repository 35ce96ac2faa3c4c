from __future__ import annotations

import pytest

from billing.models import PromoCode, PromoKind, TransactionType
from billing.services import record_transaction

pytestmark = pytest.mark.django_db
URL = "/billing/"


def test_it_shows_the_balance_costs_and_packs(alice, alice_client, catalogue, fake_stripe):
    record_transaction(alice.pk, amount=12, type=TransactionType.GIFT, key="gift")
    response = alice_client.get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert "12 credits" in page
    assert "Tailored CV" in page and "3 credits" in page
    assert "14.99 EUR" in page
    assert page.count('action="/billing/packs/') == 4


def test_without_stripe_it_explains_that_payments_are_disabled(alice_client, catalogue, settings):
    settings.STRIPE_ENABLED = False
    page = alice_client.get(URL).content.decode()
    assert "Online payments are disabled" in page
    assert 'action="/billing/packs/' not in page


def test_a_percentage_code_in_the_link_shows_the_discounted_prices(
    alice_client, catalogue, fake_stripe
):
    PromoCode.objects.create(code="SPRING20", kind=PromoKind.PERCENT, percent_off=20)
    page = alice_client.get(URL, {"promo": "spring20"}).content.decode()
    assert "11.99 EUR" in page
    assert 'name="promo_code" value="SPRING20"' in page


def test_an_unusable_code_in_the_link_says_why(alice_client, catalogue, fake_stripe):
    page = alice_client.get(URL, {"promo": "NOPE"}).content.decode()
    assert "does not exist" in page


def test_a_negative_balance_is_explained(alice, alice_client, catalogue):
    record_transaction(
        alice.pk, amount=-4, type=TransactionType.CHARGEBACK, key="d", allow_negative=True
    )
    assert "Paid features are paused" in alice_client.get(URL).content.decode()


def test_it_asks_anonymous_visitors_to_log_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_it_refuses_post(alice_client):
    assert alice_client.post(URL).status_code == 405
