from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.core import mail
from django.test import Client
from django.utils import timezone

from accounts.models import AutoSignInToken, User
from accounts.tests.conftest import NEW_PASSWORD, is_signed_in, link_in, signup_data
from conftest import PASSWORD
from emails.models import EmailLog

pytestmark = pytest.mark.django_db


def _confirm(client: Client, link: str):
    """Open the confirmation link and press its Confirm button."""
    assert client.get(link).status_code == 200
    return client.post(link)


def test_it_creates_an_unverified_account_and_sends_the_link(client, signup):
    response = signup()
    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    user = User.objects.get(email="carol@example.org")
    assert user.name == "Carol Petit"
    assert user.check_password(NEW_PASSWORD)
    assert not EmailAddress.objects.get(user=user).verified
    assert not is_signed_in(client)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["carol@example.org"]
    assert "/accounts/confirm-email/" in link_in(mail.outbox[0])


def test_following_the_link_signs_the_user_in(client, signup):
    signup()
    response = _confirm(client, link_in(mail.outbox[0]))
    assert response.status_code == 302
    assert response["Location"].startswith("/account/complete-signin/?token=")
    response = client.get(response["Location"])
    assert response.status_code == 302
    assert response["Location"] == "/cvs/"
    assert is_signed_in(client)
    user = User.objects.get(email="carol@example.org")
    assert EmailAddress.objects.get(user=user).verified
    assert not AutoSignInToken.objects.exists()  # consumed


def test_the_link_signs_in_on_another_device(signup):
    signup()
    other_device = Client()
    response = _confirm(other_device, link_in(mail.outbox[0]))
    response = other_device.get(response["Location"])
    assert response["Location"] == "/cvs/"
    assert is_signed_in(other_device)


def test_the_sign_in_link_only_works_in_the_browser_that_confirmed(client, signup):
    # Otherwise a captured link could sign a victim into someone else's account.
    signup()
    complete_url = _confirm(client, link_in(mail.outbox[0]))["Location"]
    other_browser = Client()
    response = other_browser.get(complete_url)
    assert response.status_code == 400
    assert not is_signed_in(other_browser)


def test_the_sign_in_token_works_only_once(client, signup):
    signup()
    complete_url = _confirm(client, link_in(mail.outbox[0]))["Location"]
    client.get(complete_url)
    client.logout()
    response = client.get(complete_url)
    assert response.status_code == 400
    assert b"cannot be used" in response.content
    assert not is_signed_in(client)


def test_the_sign_in_token_expires_after_five_minutes(client, signup):
    signup()
    complete_url = _confirm(client, link_in(mail.outbox[0]))["Location"]
    with time_machine.travel(timezone.now() + timedelta(minutes=5, seconds=1)):
        response = client.get(complete_url)
    assert response.status_code == 400
    assert b"expired" in response.content
    assert b"/accounts/login/" in response.content
    assert not is_signed_in(client)
    assert not AutoSignInToken.objects.exists()


def test_only_the_hash_of_the_token_is_stored(client, signup):
    signup()
    complete_url = _confirm(client, link_in(mail.outbox[0]))["Location"]
    raw = complete_url.split("token=")[1]
    stored = AutoSignInToken.objects.get()
    assert raw not in stored.token_hash
    assert len(stored.token_hash) == 64


def test_a_bad_token_is_refused(client, alice):
    response = client.get("/account/complete-signin/?token=not-a-token")
    assert response.status_code == 400
    assert not is_signed_in(client)


def test_confirming_again_an_already_used_account_does_not_sign_in(client, alice):
    # Users who have signed in before get no automatic sign-in from a confirmation link.
    alice.last_login = timezone.now()
    alice.save()
    EmailAddress.objects.filter(user=alice).update(verified=False)
    client.post("/accounts/login/", {"login": "alice@example.org", "password": PASSWORD})
    response = _confirm(Client(), link_in(mail.outbox[0]))
    assert response["Location"] == "/accounts/login/"
    assert not AutoSignInToken.objects.exists()


def test_it_requires_the_terms_to_be_accepted(client):
    data = signup_data()
    del data["accept_terms"]
    response = client.post("/accounts/signup/", data)
    assert response.status_code == 200
    assert not User.objects.exists()
    assert not mail.outbox


def test_it_rejects_a_weak_password(client):
    response = client.post(
        "/accounts/signup/", signup_data(password1="12345678", password2="12345678")
    )
    assert response.status_code == 200
    assert b"too common" in response.content or b"entirely numeric" in response.content
    assert not User.objects.exists()


def test_it_answers_the_same_for_an_address_that_has_an_account(client, alice):
    response = client.post("/accounts/signup/", signup_data("alice@example.org"))
    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    assert User.objects.count() == 1
    page = client.get(response["Location"])
    assert b"alice@example.org" in page.content


def test_it_hashes_passwords_with_argon2_in_production_settings():
    from django.conf import settings

    from fitmycv import settings as project_settings

    assert project_settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    assert settings.AUTH_PASSWORD_VALIDATORS == project_settings.AUTH_PASSWORD_VALIDATORS


def test_it_keeps_the_language_the_visitor_was_using(client):
    client.post("/language/", {"language": "fr", "next": "/"})
    client.post("/accounts/signup/", signup_data())
    assert User.objects.get().language == "fr"


def test_the_notice_to_an_existing_account_is_in_its_owners_language(client, alice):
    alice.language = "fr"
    alice.save()
    client.post("/language/", {"language": "de", "next": "/"})
    client.post("/accounts/signup/", signup_data("alice@example.org"))
    log = EmailLog.objects.get()
    assert log.template_name == "account/email/account_already_exists"
    assert log.recipient_user == alice
    assert "Ce compte existe déjà" in log.subject


def test_complete_signin_rejects_post(client):
    assert client.post("/account/complete-signin/?token=x").status_code == 405
