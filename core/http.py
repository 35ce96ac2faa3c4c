"""Typing and helpers for requests, shared by every app's views."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.http import HttpRequest

if TYPE_CHECKING:  # types only; nothing is imported when the code runs
    from django_htmx.middleware import HtmxDetails

    from accounts.models import User


class AuthenticatedHttpRequest(HttpRequest):
    """A request behind @login_required: `user` is our User, never AnonymousUser; `htmx` is
    set by django-htmx's middleware (false for a plain request)."""

    user: User
    htmx: HtmxDetails


def client_ip(request: HttpRequest) -> str | None:
    """The client's address: REMOTE_ADDR, or the address our outermost trusted proxy saw.

    X-Forwarded-For is read only when TRUSTED_PROXY_COUNT says proxies are in front of us, and
    only the entry our own proxy appended, so a client cannot choose the address we record.
    """
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies > 0:
        header: str = request.META.get("HTTP_X_FORWARDED_FOR", "")
        forwarded = [p.strip() for p in header.split(",")]
        forwarded = [p for p in forwarded if p]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    remote: str | None = request.META.get("REMOTE_ADDR")
    return remote or None
