"""The billing e-mails, sent through `emails.mail`.

Billing must keep granting credits whatever happens to e-mail, so a failing send is logged
and never raised into a payment handler.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from django.conf import settings
from django.urls import reverse

from emails import mail

if TYPE_CHECKING:
    from accounts.models import User

logger = logging.getLogger(__name__)


def _send(send: Callable[[], object], *, kind: str, user: User) -> None:
    try:
        send()
    except Exception:
        logger.exception("E-mail %s for user %s failed", kind, user.pk)


def credits_purchased(user: User, *, amount: int, total_price: str, invoice_url: str) -> None:
    _send(
        lambda: mail.credits_purchased(user, amount, total_price, invoice_url),
        kind="credits_purchased",
        user=user,
    )


def payment_failed(user: User) -> None:
    billing_url = f"{settings.SITE_ROOT}{reverse('billing:index')}"
    _send(
        lambda: mail.payment_failed(user, billing_url=billing_url), kind="payment_failed", user=user
    )
