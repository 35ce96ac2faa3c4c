"""The billing e-mails, sent through `emails.mail` when that module is installed.

Billing must keep working (and keep granting credits) whether or not e-mail is set up, so a
missing module or a failing send is logged and never raised into a payment handler.
"""

from __future__ import annotations

import importlib
import logging
from typing import Any

from django.conf import settings
from django.urls import reverse

from accounts.models import User

logger = logging.getLogger(__name__)


def _send(kind: str, user: User, *args: Any, **kwargs: Any) -> None:
    try:
        mail = importlib.import_module("emails.mail")
    except ImportError:
        logger.info("E-mail %s for user %s not sent: emails.mail is not installed", kind, user.pk)
        return
    send = getattr(mail, kind, None)
    if send is None:
        logger.info("E-mail %s for user %s not sent: no emails.mail.%s", kind, user.pk, kind)
        return
    try:
        send(user, *args, **kwargs)
    except Exception:
        logger.exception("E-mail %s for user %s failed", kind, user.pk)


def credits_purchased(user: User, *, amount: int, total_price: str, invoice_url: str) -> None:
    _send("credits_purchased", user, amount, total_price, invoice_url)


def payment_failed(user: User) -> None:
    _send("payment_failed", user, billing_url=f"{settings.SITE_ROOT}{reverse('billing:index')}")
