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


@pytest.fixture
def _tight_promo_limits(settings):
    settings.ACCOUNT_RATE_LIMITS = {
        **settings.ACCOUNT_RATE_LIMITS,
        "promo_code_failed": "3/h/user,5/h/ip",
    }


@pytest.mark.usefixtures("_tight_promo_limits")
def test_wrong_codes_are_limited_per_account(alice, alice_client):
    PromoCode.objects.create(code="HELLO", kind=PromoKind.CREDITS, credits=8)
    for n in range(3):
        assert alice_client.post(URL, {"code": f"GUESS{n}"}).status_code == 200
    refused = alice_client.post(URL, {"code": "HELLO"})
    assert refused.status_code == 429
    assert "Too many wrong codes" in refused.content.decode()
    # Even the right code is refused once the guesses are spent: guessing learns nothing.
    assert not CreditBalance.objects.filter(user=alice).exists()
    assert alice_client.get("/billing/?promo=HELLO").status_code == 429


@pytest.mark.usefixtures("_tight_promo_limits")
def test_wrong_codes_are_limited_per_address(alice_client, bob_client):
    for n in range(3):
        alice_client.post(URL, {"code": f"GUESS{n}"})
    for n in range(2):
        assert bob_client.post(URL, {"code": f"OTHER{n}"}).status_code == 200
    assert bob_client.post(URL, {"code": "OTHER9"}).status_code == 429


@pytest.mark.usefixtures("_tight_promo_limits")
def test_right_codes_spend_no_guesses(alice, alice_client):
    for n in range(5):
        PromoCode.objects.create(code=f"GOOD{n}", kind=PromoKind.CREDITS, credits=1)
        assert alice_client.post(URL, {"code": f"GOOD{n}"}).status_code == 302
    assert CreditBalance.objects.get(user=alice).balance == 5
