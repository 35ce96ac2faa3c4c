"""Template tags for the shared layout: cookie banner, language menu, onboarding panel."""

from __future__ import annotations

from typing import Any

from django import template
from django.conf import settings

from accounts import consent, onboarding
from core.config import get_setting

register = template.Library()


@register.simple_tag
def flag(name: str) -> Any:
    """The value of a product setting, e.g. `{% flag "registration_enabled" as open %}`."""
    return get_setting(name)


@register.inclusion_tag("accounts/_cookie_banner.html", takes_context=True)
def cookie_banner(context: template.Context) -> dict[str, Any]:
    request = context.get("request")
    show = request is not None and consent.consent_from_request(request) is None
    return {
        "show": show,
        "request": request,
        "site_name": settings.SITE_NAME,
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("accounts/_language_switcher.html", takes_context=True)
def language_switcher(context: template.Context) -> dict[str, Any]:
    request = context.get("request")
    return {
        "show": bool(get_setting("feature_language_switcher")),
        "languages": settings.LANGUAGES,
        "current": getattr(request, "LANGUAGE_CODE", settings.LANGUAGE_CODE),
        "next": request.get_full_path() if request is not None else "/",
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("accounts/_onboarding_panel.html", takes_context=True)
def onboarding_panel(context: template.Context) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not onboarding.is_active(user.onboarding_state):
        return {"show": False}
    return {
        "show": True,
        "panel": onboarding.panel(user.onboarding_state),
        "next": request.get_full_path(),
        "csrf_token": context.get("csrf_token"),
    }
