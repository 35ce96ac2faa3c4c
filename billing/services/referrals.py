"""Referral rewards: both sides earn credits once the referred user first pays."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from billing.models import Referral, ReferralStatus, TransactionType
from billing.services.ledger import record_transaction
from core.config import get_setting

if TYPE_CHECKING:
    from accounts.models import User


def reward_referral_if_first_payment(user: User) -> bool:
    """On the referred user's first payment, credit both them and their referrer, once."""
    with transaction.atomic():
        referral = Referral.objects.filter(referred_id=user.pk).first()
        if referral is None:
            return False
        won = Referral.objects.filter(pk=referral.pk, status=ReferralStatus.PENDING).update(
            status=ReferralStatus.REWARDED, rewarded_at=timezone.now()
        )
        if not won:
            return False
        for role, user_id, setting in (
            ("referrer", referral.referrer_id, "referral_referrer_credits"),
            ("referred", referral.referred_id, "referral_referred_credits"),
        ):
            amount = int(get_setting(setting))
            if amount > 0:
                record_transaction(
                    user_id,
                    amount=amount,
                    type=TransactionType.REFERRAL,
                    key=f"referral:{referral.pk}:{role}",
                    metadata={"referral": referral.pk, "role": role},
                )
    return True
