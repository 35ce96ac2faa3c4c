from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_it_shows_every_section(alice_client, alice):
    response = alice_client.get("/account/")
    assert response.status_code == 200
    body = response.content.decode()
    for text in [
        "Profile",
        "alice@example.org",
        "/accounts/email/",
        "/accounts/password/change/",
        "/accounts/2fa/",
        f"/r/{alice.referral_code}",
        "/account/onboarding/replay/",
        "/account/export/",
        "/account/delete/",
    ]:
        assert text in body, text


def test_it_runs_a_fixed_number_of_queries(alice_client, settings, django_assert_num_queries):
    # A private cache, so the settings table stays cached whatever other processes do.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    alice_client.get("/account/")
    # session, user, social apps, e-mail address, 2FA, referrals, social accounts, bookmarklets
    # and the credit balance of the top bar
    with django_assert_num_queries(9):
        alice_client.get("/account/")


def test_the_profile_can_be_updated(alice_client, alice):
    response = alice_client.post("/account/profile/", {"name": "Alice M.", "language": "fr"})
    assert response.status_code == 302
    assert response["Location"] == "/account/"
    alice.refresh_from_db()
    assert (alice.name, alice.language) == ("Alice M.", "fr")
    assert response.cookies["django_language"].value == "fr"


def test_bad_input_is_shown_and_not_saved(alice_client, alice):
    response = alice_client.post("/account/profile/", {"name": "x" * 151, "language": "zz"})
    assert response.status_code == 200
    assert b"errorlist" in response.content
    alice.refresh_from_db()
    assert alice.name == "Alice Martin"


def test_users_edit_only_their_own_profile(alice_client, alice, bob):
    alice_client.post("/account/profile/", {"name": "Renamed", "language": ""})
    bob.refresh_from_db()
    assert bob.name == "Bob Durand"


def test_it_requires_sign_in(client):
    for path in ["/account/", "/account/profile/"]:
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_the_profile_rejects_get(alice_client):
    assert alice_client.get("/account/profile/").status_code == 405


def test_the_page_rejects_post(alice_client):
    assert alice_client.post("/account/").status_code == 405
