from __future__ import annotations

import time
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
import responses
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount

from accounts.models import User
from accounts.tests.conftest import is_signed_in
from conftest import make_user
from core.models import Setting

pytestmark = pytest.mark.django_db

GOOGLE_ID = "google-client-id.apps.googleusercontent.com"
GOOGLE_TOKEN_URL = "https://oauth2.googleapis.com/token"
GITHUB_TOKEN_URL = "https://github.com/login/oauth/access_token"
GITHUB_USER_URL = "https://api.github.com/user"
GITHUB_EMAILS_URL = "https://api.github.com/user/emails"


@pytest.fixture
def providers(settings):
    settings.SOCIALACCOUNT_PROVIDERS = {
        "google": {"APP": {"client_id": GOOGLE_ID, "secret": "google-secret"}},
        "github": {"APP": {"client_id": "github-client-id", "secret": "github-secret"}},
    }


def _start(client, provider):
    """Press "Continue with ..." and return the state allauth put in the provider redirect."""
    response = client.post(f"/accounts/{provider}/login/")
    assert response.status_code == 302
    query = parse_qs(urlsplit(response["Location"]).query)
    return query["state"][0]


def _google_id_token(email, *, verified=True, aud=GOOGLE_ID, iss="https://accounts.google.com"):
    now = int(time.time())
    claims = {
        "iss": iss,
        "aud": aud,
        "sub": "108000000000000000001",
        "email": email,
        "email_verified": verified,
        "given_name": "Carol",
        "family_name": "Petit",
        "iat": now,
        "exp": now + 600,
    }
    # Straight from the token endpoint over TLS, so allauth does not check the signature.
    return jwt.encode(claims, "not-checked-" * 4, algorithm="HS256")


def _google_login(client, id_token):
    state = _start(client, "google")
    with responses.RequestsMock() as mock:
        mock.post(
            GOOGLE_TOKEN_URL,
            json={"access_token": "ya29.token", "expires_in": 3600, "id_token": id_token},
        )
        return client.get("/accounts/google/login/callback/", {"code": "auth-code", "state": state})


def _github_login(client, emails):
    state = _start(client, "github")
    with responses.RequestsMock() as mock:
        mock.post(GITHUB_TOKEN_URL, json={"access_token": "gho_token", "token_type": "bearer"})
        mock.get(
            GITHUB_USER_URL,
            json={"id": 4242, "login": "carolp", "name": "Carol Petit", "email": None},
        )
        mock.get(GITHUB_EMAILS_URL, json=emails)
        return client.get("/accounts/github/login/callback/", {"code": "auth-code", "state": state})


def test_providers_are_hidden_when_not_configured(client, settings):
    settings.SOCIALACCOUNT_PROVIDERS = {}
    body = client.get("/accounts/login/").content.decode()
    assert "Continue with" not in body


def test_configured_providers_are_offered(client, providers):
    body = client.get("/accounts/login/").content.decode()
    assert "Continue with Google" in body
    assert "Continue with GitHub" in body
    assert "Continue with Apple" not in body


def test_google_creates_a_verified_account_and_signs_in(client, providers):
    response = _google_login(client, _google_id_token("carol@example.org"))
    assert response.status_code == 302
    assert response["Location"] == "/cvs/"
    assert is_signed_in(client)
    user = User.objects.get(email="carol@example.org")
    assert user.name == "Carol Petit"
    assert not user.has_usable_password()
    assert EmailAddress.objects.get(user=user).verified
    account = SocialAccount.objects.get(user=user)
    assert (account.provider, account.uid) == ("google", "108000000000000000001")


def test_google_rejects_a_token_for_another_audience(client, providers):
    response = _google_login(client, _google_id_token("carol@example.org", aud="someone-else"))
    assert not is_signed_in(client)
    assert not User.objects.exists()
    assert response.status_code == 401
    assert b"Login Failure" in response.content


def test_google_connects_a_verified_address_to_the_existing_account(client, providers, alice):
    response = _google_login(client, _google_id_token("alice@example.org"))
    assert response["Location"] == "/cvs/"
    assert int(client.session["_auth_user_id"]) == alice.pk
    assert User.objects.count() == 1
    assert SocialAccount.objects.get().user == alice


def test_an_unverified_provider_address_does_not_take_over_an_account(client, providers, alice):
    _google_login(client, _google_id_token("alice@example.org", verified=False))
    assert not SocialAccount.objects.filter(user=alice).exists()
    if is_signed_in(client):
        assert int(client.session["_auth_user_id"]) != alice.pk


def test_github_creates_a_verified_account_from_the_primary_address(client, providers):
    response = _github_login(
        client,
        [
            {"email": "carol@example.org", "primary": True, "verified": True},
            {"email": "carol@old.example", "primary": False, "verified": False},
        ],
    )
    assert response.status_code == 302
    assert response["Location"] == "/cvs/"
    user = User.objects.get(email="carol@example.org")
    assert user.name == "Carol Petit"
    assert EmailAddress.objects.get(user=user, email="carol@example.org").verified
    assert SocialAccount.objects.get(user=user).uid == "4242"


def test_social_sign_up_is_refused_when_registration_is_closed(client, providers):
    Setting.objects.create(name="registration_enabled", value="0", category="system")
    response = _google_login(client, _google_id_token("carol@example.org"))
    assert b"Sign-up is closed" in response.content
    assert not User.objects.exists()
    assert not is_signed_in(client)


def test_existing_social_users_can_log_in_when_registration_is_closed(client, providers, alice):
    SocialAccount.objects.create(user=alice, provider="google", uid="108000000000000000001")
    Setting.objects.create(name="registration_enabled", value="0", category="system")
    response = _google_login(client, _google_id_token("alice@example.org"))
    assert response["Location"] == "/cvs/"
    assert int(client.session["_auth_user_id"]) == alice.pk


def test_the_last_way_to_log_in_cannot_be_removed(client, providers):
    user = make_user("erin@example.org", name="Erin")
    user.set_unusable_password()
    user.save()
    account = SocialAccount.objects.create(user=user, provider="github", uid="77")
    client.force_login(user)
    response = client.post("/accounts/3rdparty/", {"account": account.pk})
    assert response.status_code == 200
    assert b"no password set up" in response.content
    assert SocialAccount.objects.filter(pk=account.pk).exists()


def test_a_connected_account_can_be_removed_when_a_password_remains(
    reauthenticated_client, alice, providers
):
    account = SocialAccount.objects.create(user=alice, provider="github", uid="78")
    response = reauthenticated_client.post("/accounts/3rdparty/", {"account": account.pk})
    assert response.status_code == 302
    assert not SocialAccount.objects.filter(pk=account.pk).exists()
