"""Prices staff set on plans and credit packs, pushed to Stripe.

Stripe prices cannot change: a new amount, currency or interval is a new Price, and the old
one is archived (taken off sale; subscriptions already on it keep it). Each push is keyed, so
a retried request returns the Price the first one made. A row whose price is unchanged is
left alone; a failed Stripe call leaves the row's price as it was (still the one Stripe
sells), and the result says what happened for staff to read.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

from django.db import transaction

from billing import stripe_api
from billing.models import CreditPack, SubscriptionPlan
from billing.stripe_api import PaymentError

logger = logging.getLogger(__name__)

Interval = Literal["month", "year"] | None


@dataclass
class PriceSync:
    """What a push did: prices created and archived, and sentences for staff."""

    created: list[str] = field(default_factory=list)
    archived: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Slot:
    """One price of a row: which fields hold its amount and its Stripe id, and its interval."""

    amount_field: str
    id_field: str
    interval: Interval


PACK_SLOTS = (_Slot("price", "stripe_price_id", None),)
PLAN_SLOTS = (
    _Slot("price_monthly", "stripe_price_id_monthly", "month"),
    _Slot("price_yearly", "stripe_price_id_yearly", "year"),
)


def _cents(amount: Decimal) -> int:
    return int((amount * 100).to_integral_value())


def _spec(row: CreditPack | SubscriptionPlan, slot: _Slot) -> tuple[int, str]:
    return _cents(getattr(row, slot.amount_field)), row.price_currency.lower()


def push_pack_price(pack: CreditPack, *, before: CreditPack | None) -> PriceSync:
    """Push a credit pack's price to Stripe if it changed since `before` (the row as it was,
    None for a new pack)."""
    return _push(pack, before=before, slots=PACK_SLOTS, kind="pack")


def push_plan_prices(plan: SubscriptionPlan, *, before: SubscriptionPlan | None) -> PriceSync:
    """Push a plan's monthly and yearly prices to Stripe, each only if it changed."""
    return _push(plan, before=before, slots=PLAN_SLOTS, kind="plan")


def _push(
    row: CreditPack | SubscriptionPlan,
    *,
    before: CreditPack | SubscriptionPlan | None,
    slots: tuple[_Slot, ...],
    kind: str,
) -> PriceSync:
    result = PriceSync()
    changed = [
        slot
        for slot in slots
        if (before is None or _spec(row, slot) != _spec(before, slot))
        # Staff who typed a Stripe id themselves manage that price.
        and (before is None or getattr(row, slot.id_field) == getattr(before, slot.id_field))
    ]
    if not changed:
        return result
    if not stripe_api.is_enabled():
        result.warnings.append(
            f"Online payments are off: the new price of {row} was saved but not sent to Stripe."
        )
        return result
    product_id = row.stripe_product_id
    new_ids: dict[str, str | None] = {}
    for slot in changed:
        amount, currency = _spec(row, slot)
        old_id = getattr(row, slot.id_field)
        if amount <= 0:
            new_ids[slot.id_field] = None  # free: nothing is sold on Stripe at this price
            continue
        try:
            price = stripe_api.create_price(
                product_id=product_id,
                product_name=str(row),
                unit_amount=amount,
                currency=currency,
                interval=slot.interval,
                metadata={"type": kind, f"{kind}_id": str(row.pk)},
                # The same change pushed again (a retry, a double save) finds the same Price;
                # the old id in the key makes a return to an earlier amount a new Price.
                idempotency_key=(
                    f"price:{kind}:{row.pk}:{slot.amount_field}:{amount}:{currency}:"
                    f"{slot.interval or 'once'}:{old_id or 'none'}"
                ),
            )
        except PaymentError:
            _undo(row, before=before, created=[i for i in new_ids.values() if i], result=result)
            return result
        new_ids[slot.id_field] = str(price["id"])
        product_id = product_id or str(price.get("product") or "") or None
    fields: dict[str, object] = dict(new_ids)
    if product_id and product_id != row.stripe_product_id:
        fields["stripe_product_id"] = product_id
    old_ids = [getattr(row, name) for name in new_ids if getattr(row, name)]
    with transaction.atomic():
        type(row).objects.filter(pk=row.pk).update(**fields)
    for name, value in fields.items():
        setattr(row, name, value)
    result.created = [i for i in new_ids.values() if i]
    for old_id in old_ids:
        if _archive(old_id, result):
            result.archived.append(old_id)
    return result


def _archive(price_id: str, result: PriceSync) -> bool:
    try:
        stripe_api.archive_price(price_id)
    except PaymentError:
        logger.warning("Could not archive Stripe price %s", price_id)
        result.warnings.append(
            f"The Stripe price {price_id} could not be archived: archive it in the Stripe "
            "dashboard."
        )
        return False
    return True


def _undo(
    row: CreditPack | SubscriptionPlan,
    *,
    before: CreditPack | SubscriptionPlan | None,
    created: list[str],
    result: PriceSync,
) -> None:
    """After a failed push the row sells what Stripe sells: its previous prices (a new row,
    never on Stripe, keeps its prices and has no Stripe price). Prices this push made before
    the failure are taken off sale again."""
    for price_id in created:
        _archive(price_id, result)
    if before is None:
        result.errors.append(
            f"Stripe could not be reached: {row} was saved without a Stripe price. "
            "Save it again to retry."
        )
        return
    names = [
        slot.amount_field for slot in (*PACK_SLOTS, *PLAN_SLOTS) if hasattr(row, slot.amount_field)
    ]
    fields = {name: getattr(before, name) for name in [*names, "price_currency"]}
    type(row).objects.filter(pk=row.pk).update(**fields)
    for name, value in fields.items():
        setattr(row, name, value)
    result.errors.append(
        f"Stripe could not be reached: the price of {row} was left as it was, so that it "
        "still matches what Stripe sells. Try again in a moment."
    )
