"""The sign-up bonus, given once per mailbox rather than once per typed address."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils.crypto import salted_hmac

from billing.models import CreditTransaction, SignupFingerprint, TransactionType
from billing.services.ledger import lock_balance, record_transaction
from core.config import get_setting

if TYPE_CHECKING:
    from accounts.models import User

logger = logging.getLogger(__name__)

GMAIL_DOMAINS = ("gmail.com", "googlemail.com")
FINGERPRINT_SALT = "billing.signup-fingerprint"


def normalize_email(email: str) -> str:
    """The address as a mailbox, not as typed: lower case, no +tag, no Gmail dots."""
    local, _, domain = email.strip().lower().rpartition("@")
    local = local.split("+", 1)[0]
    if domain in GMAIL_DOMAINS:
        local, domain = local.replace(".", ""), "gmail.com"
    return f"{local}@{domain}"


def email_fingerprint(email: str) -> str:
    return salted_hmac(FINGERPRINT_SALT, normalize_email(email), algorithm="sha256").hexdigest()


def grant_welcome_credits(
    user: User, *, request: Any = None, when: datetime | None = None
) -> CreditTransaction | None:
    """The sign-up bonus (`welcome_credits`), once per account.

    An address that is the same mailbox as an existing or deleted account's gets no bonus;
    a zero-credit gift row records why. `request` is accepted for the sign-up hook and
    unused: only the e-mail decides (shared IP addresses would refuse honest users).
    """
    with transaction.atomic():
        fingerprint = email_fingerprint(user.email)
        # Two hooks for one sign-up must not both pass the check.
        lock_balance(user.pk)
        duplicate = (
            SignupFingerprint.objects.filter(email_hash=fingerprint).exclude(user=user).exists()
        )
        SignupFingerprint.objects.get_or_create(user=user, email_hash=fingerprint)
        amount = int(get_setting("welcome_credits"))
        if amount <= 0:
            return None
        metadata = {"source": "welcome_bonus"}
        if duplicate:
            logger.info("Welcome credits refused to user %s: duplicate e-mail", user.pk)
            amount = 0
            metadata = {"source": "welcome_bonus_blocked", "reason": "duplicate_email"}
        row, _ = record_transaction(
            user.pk,
            amount=amount,
            type=TransactionType.GIFT,
            key=f"welcome:{user.pk}",
            metadata=metadata,
            when=when,
        )
    return row
