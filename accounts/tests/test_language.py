from __future__ import annotations

import pytest
from django.conf import settings
from django.utils import translation

pytestmark = pytest.mark.django_db


def test_a_visitor_switches_the_language_for_the_session(client):
    response = client.post("/language/", {"language": "fr", "next": "/about/"})
    assert response.status_code == 302
    assert response["Location"] == "/about/"
    morsel = response.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert morsel.value == "fr"
    assert morsel["max-age"] == ""  # a session cookie
    page = client.get("/about/")
    assert b'<html lang="fr">' in page.content


def test_a_signed_in_user_keeps_the_choice_on_the_account(alice_client, alice):
    alice_client.post("/language/", {"language": "de", "next": "/account/"})
    alice.refresh_from_db()
    assert alice.language == "de"


def test_the_saved_language_wins_over_the_browser_cookie(alice_client, alice):
    alice.language = "es"
    alice.save()
    alice_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    page = alice_client.get("/account/", HTTP_ACCEPT_LANGUAGE="de")
    assert b'<html lang="es">' in page.content


def test_an_unknown_language_changes_nothing(alice_client, alice):
    response = alice_client.post("/language/", {"language": "xx", "next": "/account/"})
    assert response.status_code == 302
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies
    alice.refresh_from_db()
    assert alice.language == ""


def test_it_refuses_an_open_redirect(client):
    response = client.post("/language/", {"language": "fr", "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_it_rejects_get(client):
    assert client.get("/language/").status_code == 405


def test_the_switcher_hides_when_the_flag_is_off(client):
    from core.models import Setting

    assert b'name="language"' in client.get("/about/").content
    Setting.objects.create(name="feature_language_switcher", value="0", category="features")
    assert b'name="language"' not in client.get("/about/").content


def test_a_request_leaves_the_language_it_found(client, alice_client, alice):
    alice.language = "es"
    alice.save()
    with translation.override("de"):
        client.post("/language/", {"language": "fr", "next": "/about/"})
        client.get("/about/", HTTP_ACCEPT_LANGUAGE="fr")
        alice_client.get("/account/")
        assert translation.get_language() == "de"


@pytest.mark.parametrize("next_url", ["0", "home", "https://evil.example/"])
def test_a_next_that_is_not_a_path_of_ours_goes_home(client, next_url):
    response = client.post("/language/", {"language": "fr", "next": next_url})
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_the_profile_saved_message_is_in_the_language_just_chosen(alice_client, alice):
    alice.language = "fr"
    alice.save(update_fields=["language"])
    response = alice_client.post(
        "/account/profile/", {"name": "Alice", "language": "de"}, follow=True
    )
    page = response.content.decode()
    assert "Ihr Profil wurde gespeichert." in page
    assert "Votre profil" not in page
