"""Cookie consent: the `cookie_consent` cookie, the registry of cookies we set, and which change
of preferences counts as created, updated or revoked.

The cookie holds URL-encoded JSON such as `{"version":"2","necessary":true,"functional":false,
"analytics":true}`. A cookie of another version is treated as absent, so bumping
`CONSENT_VERSION` asks every visitor again.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypedDict
from urllib.parse import quote, unquote

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts.models import ConsentAction, ConsentLog

if TYPE_CHECKING:
    from accounts.models import User

CONSENT_COOKIE = "cookie_consent"
CONSENT_VERSION = "2"
CONSENT_MAX_AGE = 183 * 24 * 3600  # six months
OPTIONAL_CATEGORIES = ("functional", "analytics")
CHOICE_ACCEPT_ALL = "accept_all"
CHOICE_REJECT_ALL = "reject_all"
CHOICE_CUSTOM = "custom"


class Preferences(TypedDict):
    necessary: bool
    functional: bool
    analytics: bool


@dataclass(frozen=True)
class CookieInfo:
    name: str
    category: str
    duration: str | Promise
    purpose: str | Promise
    provider: str = "FitMyCV"
    kind: str | Promise = _("HTTP cookie")


COOKIE_REGISTRY: list[CookieInfo] = [
    CookieInfo(
        "sessionid",
        "necessary",
        _("7 days"),
        _("Keeps you signed in and remembers the steps of a sign-in in progress."),
    ),
    CookieInfo(
        "csrftoken",
        "necessary",
        _("1 year"),
        _("Protects forms against cross-site request forgery."),
    ),
    CookieInfo(
        CONSENT_COOKIE,
        "necessary",
        _("6 months"),
        _("Remembers your cookie choices so we do not ask again."),
    ),
    CookieInfo(
        "django_language",
        "necessary",
        _("Browser session"),
        _("Remembers the interface language you picked in the language menu."),
    ),
    CookieInfo(
        "messages",
        "necessary",
        _("Browser session"),
        _("Carries a confirmation message to the next page you see."),
    ),
]


def make_preferences(*, functional: bool, analytics: bool) -> Preferences:
    return {"necessary": True, "functional": functional, "analytics": analytics}


def preferences_for_choice(choice: str, *, functional: bool, analytics: bool) -> Preferences:
    """The preferences a banner button means: accept all, reject all, or the ticked boxes."""
    if choice == CHOICE_ACCEPT_ALL:
        return make_preferences(functional=True, analytics=True)
    if choice == CHOICE_REJECT_ALL:
        return make_preferences(functional=False, analytics=False)
    return make_preferences(functional=functional, analytics=analytics)


def parse_consent(raw: str | None) -> Preferences | None:
    """Preferences from the cookie value; None when missing, unreadable or of another version."""
    if not raw:
        return None
    try:
        data = json.loads(unquote(raw))
    except (ValueError, TypeError):
        return None
    if not isinstance(data, dict) or data.get("version") != CONSENT_VERSION:
        return None
    return make_preferences(
        functional=data.get("functional") is True, analytics=data.get("analytics") is True
    )


def serialize_consent(preferences: Preferences) -> str:
    data = {"version": CONSENT_VERSION, **preferences}
    return quote(json.dumps(data, separators=(",", ":")))


def consent_from_request(request: HttpRequest) -> Preferences | None:
    return parse_consent(request.COOKIES.get(CONSENT_COOKIE))


def set_consent_cookie(response: HttpResponse, preferences: Preferences) -> None:
    response.set_cookie(
        CONSENT_COOKIE,
        serialize_consent(preferences),
        max_age=CONSENT_MAX_AGE,
        samesite="Lax",
        secure=not settings.DEBUG,
        httponly=False,  # the banner script may read it; it holds no secret
    )


def consent_action(previous: Preferences | None, new: Preferences) -> ConsentAction:
    """First choice: created. Withdrawing every optional category granted before: revoked."""
    if previous is None:
        return ConsentAction.CREATED
    had_optional = any(previous[c] for c in OPTIONAL_CATEGORIES)  # type: ignore[literal-required]
    has_optional = any(new[c] for c in OPTIONAL_CATEGORIES)  # type: ignore[literal-required]
    if had_optional and not has_optional:
        return ConsentAction.REVOKED
    return ConsentAction.UPDATED


def user_allows_analytics(user: User) -> bool:
    """Whether the user's latest recorded consent grants analytics (server-side telemetry)."""
    latest = ConsentLog.objects.filter(user=user).order_by("-created_at", "-pk").first()
    return bool(latest and latest.preferences.get("analytics") is True)
