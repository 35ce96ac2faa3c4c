from __future__ import annotations

import json
from urllib.parse import unquote

import pytest

from accounts import consent
from accounts.models import ConsentLog, User
from accounts.tests.conftest import signup_data

pytestmark = pytest.mark.django_db

ACCEPTED = consent.serialize_consent(consent.make_preferences(functional=True, analytics=True))
REJECTED = consent.serialize_consent(consent.make_preferences(functional=False, analytics=False))


def _cookie(response) -> dict:
    return json.loads(unquote(response.cookies[consent.CONSENT_COOKIE].value))


def test_the_banner_shows_until_a_choice_is_made(client):
    assert b'id="cookie-banner"' in client.get("/about/").content
    client.cookies[consent.CONSENT_COOKIE] = ACCEPTED
    assert b'id="cookie-banner"' not in client.get("/about/").content


def test_a_cookie_of_an_older_version_asks_again(client):
    client.cookies[consent.CONSENT_COOKIE] = '{"version":"1","analytics":true}'
    assert b'id="cookie-banner"' in client.get("/about/").content


def test_accept_all_sets_the_cookie_for_six_months(client):
    response = client.post("/consent/", {"choice": "accept_all", "next": "/about/"})
    assert response.status_code == 302
    assert response["Location"] == "/about/"
    morsel = response.cookies[consent.CONSENT_COOKIE]
    assert _cookie(response) == {
        "version": "2",
        "necessary": True,
        "functional": True,
        "analytics": True,
    }
    assert int(morsel["max-age"]) == 183 * 24 * 3600
    assert morsel["samesite"] == "Lax"


def test_the_cookie_is_secure_outside_debug(client, settings):
    settings.DEBUG = True
    assert not client.post("/consent/", {"choice": "reject_all"}).cookies[consent.CONSENT_COOKIE][
        "secure"
    ]
    settings.DEBUG = False
    assert client.post("/consent/", {"choice": "reject_all"}).cookies[consent.CONSENT_COOKIE][
        "secure"
    ]


def test_custom_choices_keep_only_the_ticked_boxes(client):
    response = client.post("/consent/", {"choice": "custom", "analytics": "on"})
    assert _cookie(response)["analytics"] is True
    assert _cookie(response)["functional"] is False


def test_anonymous_choices_are_not_logged(client):
    client.post("/consent/", {"choice": "accept_all"})
    assert not ConsentLog.objects.exists()


def test_a_signed_in_choice_is_logged_with_ip_and_agent(alice_client, alice):
    alice_client.post(
        "/consent/",
        {"choice": "accept_all"},
        HTTP_USER_AGENT="Firefox/140",
        REMOTE_ADDR="203.0.113.9",
    )
    log = ConsentLog.objects.get()
    assert log.user == alice
    assert log.action == "created"
    assert log.preferences == {"necessary": True, "functional": True, "analytics": True}
    assert log.ip == "203.0.113.9"
    assert log.user_agent == "Firefox/140"


def test_changes_are_logged_as_updated_then_revoked(alice_client, alice):
    alice_client.post("/consent/", {"choice": "custom", "analytics": "on"})
    alice_client.post("/consent/", {"choice": "accept_all"})
    alice_client.post("/consent/", {"choice": "reject_all"})
    actions = list(ConsentLog.objects.order_by("pk").values_list("action", flat=True))
    assert actions == ["created", "updated", "revoked"]
    assert not consent.user_allows_analytics(alice)


def test_forwarded_for_is_ignored_without_a_trusted_proxy(alice_client, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    alice_client.post(
        "/consent/",
        {"choice": "accept_all"},
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="198.51.100.7",
    )
    assert ConsentLog.objects.get().ip == "10.0.0.2"


def test_forwarded_for_is_read_behind_a_trusted_proxy(alice_client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    alice_client.post(
        "/consent/",
        {"choice": "accept_all"},
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.7",
    )
    # The client may prepend anything; only the entry our proxy added counts.
    assert ConsentLog.objects.get().ip == "198.51.100.7"


def test_the_choice_made_before_sign_up_is_logged_as_created(client):
    client.post("/consent/", {"choice": "custom", "functional": "on"})
    client.post("/accounts/signup/", signup_data(), HTTP_USER_AGENT="Chromium/150")
    log = ConsentLog.objects.get()
    assert log.user == User.objects.get(email="carol@example.org")
    assert log.action == "created"
    assert log.preferences["functional"] is True
    assert log.preferences["analytics"] is False
    assert log.user_agent == "Chromium/150"


def test_scripts_get_json(client):
    response = client.post("/consent/", {"choice": "reject_all"}, HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    assert response.json()["action"] == "created"
    assert _cookie(response)["analytics"] is False


def test_bad_input_changes_nothing(alice_client):
    response = alice_client.post("/consent/", {"choice": "everything"})
    assert response.status_code == 302
    assert consent.CONSENT_COOKIE not in response.cookies
    assert not ConsentLog.objects.exists()
    json_response = alice_client.post(
        "/consent/", {"choice": "everything"}, HTTP_ACCEPT="application/json"
    )
    assert json_response.status_code == 400


def test_it_refuses_to_redirect_elsewhere(client):
    response = client.post("/consent/", {"choice": "accept_all", "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_it_rejects_get(client):
    assert client.get("/consent/").status_code == 405


def test_the_cookies_page_lists_cookies_and_only_my_history(alice_client, alice, bob):
    ConsentLog.objects.create(user=alice, action="created", preferences={"analytics": True})
    ConsentLog.objects.create(user=bob, action="revoked", preferences={"analytics": False})
    body = alice_client.get("/cookies/").content.decode()
    for cookie in consent.COOKIE_REGISTRY:
        assert f"<code>{cookie.name}</code>" in body
    assert "First choice" in body
    assert "Withdrawn" not in body


def test_the_cookies_page_preselects_the_current_choice(client):
    client.cookies[consent.CONSENT_COOKIE] = consent.serialize_consent(
        consent.make_preferences(functional=False, analytics=True)
    )
    body = client.get("/cookies/").content.decode()
    assert 'name="analytics" id="id_analytics" checked' in body
    assert 'name="functional" id="id_functional" checked' not in body


@pytest.mark.parametrize(
    ("previous", "new", "action"),
    [
        (None, (False, False), "created"),
        ((False, False), (True, False), "updated"),
        ((True, True), (False, True), "updated"),
        ((True, True), (False, False), "revoked"),
        ((False, False), (False, False), "updated"),
    ],
)
def test_consent_actions(previous, new, action):
    before = (
        consent.make_preferences(functional=previous[0], analytics=previous[1])
        if previous
        else None
    )
    after = consent.make_preferences(functional=new[0], analytics=new[1])
    assert consent.consent_action(before, after) == action


def test_a_garbled_cookie_counts_as_no_choice():
    assert consent.parse_consent("%7Bnot-json") is None
    assert consent.parse_consent(REJECTED) == consent.make_preferences(
        functional=False, analytics=False
    )
