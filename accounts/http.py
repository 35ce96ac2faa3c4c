from __future__ import annotations

import hashlib
import hmac

from django.http import HttpRequest

PENDING_EMAIL_SESSION_KEY = "accounts_pending_email"


def remember_pending_email(request: HttpRequest, email: str) -> None:
    """Remember which address waits for verification, for the "check your inbox" page."""
    if hasattr(request, "session") and email:
        request.session[PENDING_EMAIL_SESSION_KEY] = email.strip().lower()


def pending_email(request: HttpRequest) -> str:
    return str(request.session.get(PENDING_EMAIL_SESSION_KEY, ""))


SIGN_IN_TOKEN_SESSION_KEY = "accounts_sign_in_token"


def bind_sign_in_token(request: HttpRequest, raw: str) -> None:
    """Tie an auto sign-in token to the browser that confirmed the address.

    The link is opened and followed in that same browser, so binding costs nothing, and a
    token captured by someone else cannot sign a victim into the wrong account (login CSRF).
    """
    request.session[SIGN_IN_TOKEN_SESSION_KEY] = hashlib.sha256(raw.encode()).hexdigest()


def sign_in_token_is_bound(request: HttpRequest, raw: str) -> bool:
    expected = str(request.session.pop(SIGN_IN_TOKEN_SESSION_KEY, ""))
    actual = hashlib.sha256(raw.encode()).hexdigest()
    return bool(expected) and hmac.compare_digest(expected, actual)
