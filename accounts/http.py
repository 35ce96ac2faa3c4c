from __future__ import annotations

from django.http import HttpRequest

from accounts.models import User


class AuthenticatedHttpRequest(HttpRequest):
    """A request behind @login_required: `user` is our User, never AnonymousUser."""

    user: User
