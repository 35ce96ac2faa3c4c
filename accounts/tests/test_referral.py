from __future__ import annotations

import pytest

from accounts import services
from accounts.models import User
from accounts.tests.conftest import signup_data
from billing.models import Referral

pytestmark = pytest.mark.django_db


def test_the_link_remembers_the_code_and_opens_sign_up(client, alice):
    response = client.get(f"/r/{alice.referral_code}")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/signup/"
    assert client.session[services.REFERRAL_SESSION_KEY] == alice.referral_code


def test_signing_up_through_the_link_records_the_referral(client, alice):
    client.get(f"/r/{alice.referral_code.lower()}")
    client.post("/accounts/signup/", signup_data())
    carol = User.objects.get(email="carol@example.org")
    assert carol.referred_by == alice
    referral = Referral.objects.get()
    assert (referral.referrer, referral.referred, referral.status) == (alice, carol, "pending")
    assert services.REFERRAL_SESSION_KEY not in client.session


def test_an_unknown_code_is_ignored(client, alice):
    client.get("/r/NOPE2345")
    client.post("/accounts/signup/", signup_data())
    assert User.objects.get(email="carol@example.org").referred_by is None
    assert not Referral.objects.exists()


def test_a_garbled_code_is_not_stored(client):
    client.get("/r/<script>")
    assert services.REFERRAL_SESSION_KEY not in client.session


def test_self_referral_is_ignored(alice):
    assert services.record_referral(alice, code=alice.referral_code) is None
    alice.refresh_from_db()
    assert alice.referred_by is None


def test_a_signed_in_user_goes_to_the_account_page(alice_client, bob):
    response = alice_client.get(f"/r/{bob.referral_code}")
    assert response["Location"] == "/account/"
    assert services.REFERRAL_SESSION_KEY not in alice_client.session


def test_the_account_page_shows_the_referral_link(alice_client, alice):
    body = alice_client.get("/account/").content.decode()
    assert f"/r/{alice.referral_code}" in body


def test_it_rejects_post(client, alice):
    assert client.post(f"/r/{alice.referral_code}").status_code == 405
