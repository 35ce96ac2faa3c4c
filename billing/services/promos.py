"""Promo codes: a credits code grants at once, a percentage code applies at checkout."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from billing.models import PromoCode, PromoKind, PromoRedemption, TransactionType
from billing.services.ledger import record_transaction

if TYPE_CHECKING:
    from accounts.models import User


class PromoCodeError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _usable_promo(code: str, user: User) -> PromoCode:
    promo = PromoCode.objects.filter(code__iexact=code.strip()).first()
    now = timezone.now()
    if promo is None or not promo.is_active:
        raise PromoCodeError(_("This code does not exist or is no longer active."))
    if promo.valid_from and now < promo.valid_from:
        raise PromoCodeError(_("This code is not valid yet."))
    if promo.valid_until and now > promo.valid_until:
        raise PromoCodeError(_("This code has expired."))
    if promo.max_uses is not None and promo.uses_count >= promo.max_uses:
        raise PromoCodeError(_("This code has been used as many times as it allows."))
    if PromoRedemption.objects.filter(promo_code=promo, user_id=user.pk).exists():
        raise PromoCodeError(_("You have already used this code."))
    return promo


def consume_promo(promo: PromoCode, user: User) -> None:
    """Record one use of the code by the user, or raise PromoCodeError (and record nothing)."""
    with transaction.atomic():
        try:
            with transaction.atomic():
                PromoRedemption.objects.create(promo_code=promo, user_id=user.pk)
        except IntegrityError:
            raise PromoCodeError(_("You have already used this code.")) from None
        # A conditional UPDATE: of two users racing for the last use, one gets 0 rows.
        taken = (
            PromoCode.objects.filter(pk=promo.pk)
            .filter(Q(max_uses__isnull=True) | Q(uses_count__lt=F("max_uses")))
            .update(uses_count=F("uses_count") + 1)
        )
        if not taken:
            raise PromoCodeError(_("This code has been used as many times as it allows."))


def redeem_promo_code(user: User, code: str) -> PromoCode:
    """Use a promo code. A credits code grants its credits now (once per user, within its
    validity and uses); a percentage code is only checked here and applies at checkout."""
    with transaction.atomic():
        promo = _usable_promo(code, user)
        if promo.kind == PromoKind.PERCENT:
            return promo
        consume_promo(promo, user)
        record_transaction(
            user.pk,
            amount=promo.credits,
            type=TransactionType.PROMO,
            key=f"promo:{promo.pk}:{user.pk}",
            metadata={"code": promo.code},
        )
    return promo


def percent_promo_for_checkout(user: User, code: str) -> PromoCode:
    """A percentage code the user may apply to a pack purchase; PromoCodeError if not."""
    promo = _usable_promo(code, user)
    if promo.kind != PromoKind.PERCENT:
        raise PromoCodeError(_("This code gives free credits: redeem it on the codes page."))
    return promo
