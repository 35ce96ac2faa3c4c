from __future__ import annotations

import datetime as dt
import time

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import (
    SECRET_SESSION_KEY,
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
)

from accounts.tests.conftest import is_signed_in
from conftest import PASSWORD

pytestmark = pytest.mark.django_db

PERIOD = 30
# Mid-period, so a code computed here is still the current one when the server checks it.
FROZEN_AT = dt.datetime(2026, 3, 2, 10, 0, 15, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _frozen_clock():
    with time_machine.travel(FROZEN_AT, tick=False):
        yield


def _code(secret: str, offset: int = 0) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // PERIOD + offset))


def _login(client):
    return client.post("/accounts/login/", {"login": "alice@example.org", "password": PASSWORD})


def test_activating_totp_asks_for_the_password_first(alice_client):
    response = alice_client.get("/accounts/2fa/totp/activate/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/reauthenticate/")


def test_a_user_can_turn_on_the_authenticator_app(alice_client, alice):
    alice_client.post(
        "/accounts/reauthenticate/?next=/accounts/2fa/totp/activate/", {"password": PASSWORD}
    )
    page = alice_client.get("/accounts/2fa/totp/activate/")
    assert page.status_code == 200
    assert b"data:image/svg+xml" in page.content  # the QR code, allowed by our CSP (img-src data:)
    secret = alice_client.session[SECRET_SESSION_KEY]
    response = alice_client.post("/accounts/2fa/totp/activate/", {"code": _code(secret)})
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=alice, type=Authenticator.Type.TOTP).exists()


def test_a_wrong_code_does_not_turn_it_on(alice_client, alice):
    alice_client.post(
        "/accounts/reauthenticate/?next=/accounts/2fa/totp/activate/", {"password": PASSWORD}
    )
    alice_client.get("/accounts/2fa/totp/activate/")
    response = alice_client.post("/accounts/2fa/totp/activate/", {"code": "000000"})
    assert response.status_code == 200
    assert not Authenticator.objects.filter(user=alice).exists()


@pytest.fixture
def alice_secret(alice):
    secret = generate_totp_secret()
    TOTP.activate(alice, secret)
    return secret


def test_login_requires_the_code_once_2fa_is_on(client, alice, alice_secret):
    response = _login(client)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/authenticate/"
    assert not is_signed_in(client)
    assert client.get("/cvs/").status_code == 302  # still not in

    response = client.post("/accounts/2fa/authenticate/", {"code": _code(alice_secret)})
    assert response.status_code == 302
    assert response["Location"] == "/cvs/"
    assert is_signed_in(client)


def test_a_wrong_code_keeps_the_user_out(client, alice, alice_secret):
    _login(client)
    wrong = _code(alice_secret, offset=5)
    response = client.post("/accounts/2fa/authenticate/", {"code": wrong})
    assert response.status_code == 200
    assert not is_signed_in(client)


def test_the_account_page_shows_2fa_status(alice_client, alice_secret):
    body = alice_client.get("/account/").content.decode()
    assert "Two-factor authentication" in body
    assert "badge-success" in body
