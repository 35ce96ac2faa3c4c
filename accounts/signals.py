"""Signal receivers: each only hands over to a service."""

from __future__ import annotations

from typing import Any

from allauth.account.signals import email_confirmed, user_signed_up
from django.dispatch import receiver
from django.http import HttpRequest

from accounts import services
from accounts.models import User


@receiver(user_signed_up, dispatch_uid="accounts.on_user_signed_up")
def _user_signed_up(request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    # allauth sends this once per new account, local or social, after the user row exists.
    services.on_user_signed_up(user, request=request, social="sociallogin" in kwargs)


@receiver(email_confirmed, dispatch_uid="accounts.on_email_confirmed")
def _email_confirmed(request: HttpRequest | None, email_address: Any, **kwargs: Any) -> None:
    services.send_welcome_once(email_address.user)
