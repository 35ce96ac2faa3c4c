from __future__ import annotations

import pytest

from billing.models import Referral, ReferralStatus

pytestmark = pytest.mark.django_db
URL = "/billing/referral/"


def test_it_shows_the_users_link_and_rewards(alice, bob, alice_client, settings):
    settings.SITE_ROOT = "https://fitmycv.example"
    Referral.objects.create(referrer=alice, referred=bob, status=ReferralStatus.REWARDED)
    page = alice_client.get(URL).content.decode()
    assert f"https://fitmycv.example/r/{alice.referral_code}" in page
    assert "you get 10 credits and they get 5" in page


def test_it_asks_anonymous_visitors_to_log_in(client):
    assert client.get(URL)["Location"].startswith("/accounts/login/")


def test_it_refuses_post(alice_client):
    assert alice_client.post(URL).status_code == 405
