from __future__ import annotations

import pytest

from billing.models import CreditBalance, PromoCode, PromoKind, PromoRedemption

pytestmark = pytest.mark.django_db
URL = "/billing/redeem/"


def test_a_credits_code_adds_credits(alice, alice_client):
    PromoCode.objects.create(code="HELLO", kind=PromoKind.CREDITS, credits=8)
    response = alice_client.post(URL, {"code": " hello "}, follow=True)
    assert response.redirect_chain[-1][0] == "/billing/"
    assert "8 credits were added" in response.content.decode()
    assert CreditBalance.objects.get(user=alice).balance == 8


def test_a_percentage_code_leads_to_the_packs_with_the_discount(alice_client):
    PromoCode.objects.create(code="SPRING20", kind=PromoKind.PERCENT, percent_off=20)
    response = alice_client.post(URL, {"code": "spring20"})
    assert response["Location"] == "/billing/?promo=SPRING20#packs"


def test_a_bad_code_is_a_form_error_and_writes_nothing(alice, alice_client):
    PromoCode.objects.create(code="HELLO", kind=PromoKind.CREDITS, credits=8, is_active=False)
    response = alice_client.post(URL, {"code": "HELLO"})
    assert response.status_code == 200
    assert "no longer active" in response.content.decode()
    assert not PromoRedemption.objects.exists()
    assert not CreditBalance.objects.filter(user=alice).exists()


def test_it_shows_the_form(alice_client):
    assert 'name="code"' in alice_client.get(URL).content.decode()


def test_it_asks_anonymous_visitors_to_log_in(client):
    assert client.post(URL, {"code": "X"})["Location"].startswith("/accounts/login/")


def test_it_refuses_other_methods(alice_client):
    assert alice_client.put(URL).status_code == 405
