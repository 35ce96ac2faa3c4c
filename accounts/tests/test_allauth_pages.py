from __future__ import annotations

import pytest
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

from conftest import PASSWORD

pytestmark = pytest.mark.django_db

ANONYMOUS_PAGES = [
    "/accounts/login/",
    "/accounts/signup/",
    "/accounts/password/reset/",
    "/accounts/password/reset/done/",
    "/accounts/confirm-email/",
    "/accounts/confirm-email/not-a-key/",
    "/accounts/inactive/",
]
SIGNED_IN_PAGES = [
    "/account/",
    "/account/delete/",
    "/accounts/email/",
    "/accounts/password/change/",
    "/accounts/3rdparty/",
    "/accounts/2fa/",
    "/accounts/2fa/totp/activate/",
    "/accounts/2fa/recovery-codes/",
    "/accounts/2fa/recovery-codes/generate/",
    "/accounts/2fa/totp/deactivate/",
    "/accounts/reauthenticate/",
    "/accounts/logout/",
    "/cookies/",
]


def _assert_in_our_layout(response) -> None:
    assert response.status_code == 200
    body = response.content.decode()
    assert 'class="topbar"' in body
    assert 'href="/static/css/app.css"' in body
    # The CSP forbids inline styles and scripts: every page must do without.
    assert "style=" not in body
    assert "<script>" not in body
    assert '<script type="text/javascript">' not in body


@pytest.mark.parametrize("path", ANONYMOUS_PAGES)
def test_allauth_pages_use_our_layout(client, path):
    _assert_in_our_layout(client.get(path))


@pytest.mark.parametrize("path", SIGNED_IN_PAGES)
def test_account_pages_use_our_layout(alice_client, alice, path):
    if path.startswith("/accounts/2fa/") and path != "/accounts/2fa/totp/activate/":
        TOTP.activate(alice, generate_totp_secret())
        RecoveryCodes.activate(alice)
    alice_client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    _assert_in_our_layout(alice_client.get(path))
