"""Signal receivers: each only records a product event."""

from __future__ import annotations

from typing import Any

from allauth.account.signals import (
    email_confirmed,
    password_reset,
    user_logged_in,
    user_signed_up,
)
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_out
from django.dispatch import receiver
from django.http import HttpRequest

from telemetry import events


def _auth_metadata(kwargs: dict[str, Any]) -> dict[str, Any]:
    sociallogin = kwargs.get("sociallogin")
    provider = getattr(getattr(sociallogin, "account", None), "provider", "") or "email"
    return {"provider": provider}


@receiver(user_signed_up, dispatch_uid="telemetry.on_user_signed_up")
def _user_signed_up(request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    events.record_event(events.USER_REGISTERED, user=user, metadata=_auth_metadata(kwargs))


@receiver(user_logged_in, dispatch_uid="telemetry.on_user_logged_in")
def _user_logged_in(request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    events.record_event(events.USER_LOGIN, user=user, metadata=_auth_metadata(kwargs))


@receiver(user_logged_out, dispatch_uid="telemetry.on_user_logged_out")
def _user_logged_out(request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    # Account deletion signs the user out after deleting the row: an event pointing to it
    # would break the deletion's commit (the foreign key is checked then, not at insert).
    if user is not None and user.pk and get_user_model().objects.filter(pk=user.pk).exists():
        events.record_event(events.USER_LOGOUT, user=user)


@receiver(email_confirmed, dispatch_uid="telemetry.on_email_confirmed")
def _email_confirmed(request: HttpRequest | None, email_address: Any, **kwargs: Any) -> None:
    events.record_event(events.EMAIL_VERIFIED, user=email_address.user_id)


@receiver(password_reset, dispatch_uid="telemetry.on_password_reset")
def _password_reset(request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    events.record_event(events.PASSWORD_RESET, user=user)
