"""Keeping the local Subscription in step with Stripe's, whatever order events arrive in."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from billing.models import BillingPeriod, Subscription, SubscriptionPlan, SubscriptionStatus
from billing.services.customers import lock_payer
from billing.services.plans import (
    ACTIVE_SUBSCRIPTION_STATUSES,
    LOCAL_PERIOD,
    apply_plan_consequences,
    current_plan,
    free_plan,
)
from billing.stripe_api import StripeData

logger = logging.getLogger(__name__)

# Stripe statuses we have no name for map to the closest one of ours.
STRIPE_STATUS = {
    "active": SubscriptionStatus.ACTIVE,
    "trialing": SubscriptionStatus.TRIALING,
    "past_due": SubscriptionStatus.PAST_DUE,
    "unpaid": SubscriptionStatus.UNPAID,
    "paused": SubscriptionStatus.PAST_DUE,
    "canceled": SubscriptionStatus.CANCELED,
    "incomplete": SubscriptionStatus.INCOMPLETE,
    "incomplete_expired": SubscriptionStatus.CANCELED,
}
# When Stripe sends no period end, a month and a bit: the next renewal event corrects it.
FALLBACK_PERIOD = timedelta(days=31)


def _to_datetime(timestamp: Any) -> datetime | None:
    return datetime.fromtimestamp(int(timestamp), tz=UTC) if timestamp else None


@transaction.atomic
def sync_subscription(stripe_sub: StripeData) -> Subscription | None:
    """Make the local subscription match Stripe's (re-fetched) one, and apply plan changes.

    A canceled subscription puts the user back on the free plan, unless it is not the one
    we know (the old subscription of a plan switch).
    """
    user = lock_payer(stripe_sub)
    if user is None:
        return None
    items = (stripe_sub.get("items") or {}).get("data") or [{}]
    item = items[0]
    price = item.get("price") or {}
    price_id = str(price.get("id") or "")
    status = STRIPE_STATUS.get(str(stripe_sub.get("status")), SubscriptionStatus.INCOMPLETE)
    before = current_plan(user)
    local = Subscription.objects.select_for_update().filter(user_id=user.pk).first()
    if status == SubscriptionStatus.CANCELED:
        if local is None or local.stripe_subscription_id != stripe_sub["id"]:
            return local
        _return_to_free_plan(local, canceled_at=_to_datetime(stripe_sub.get("canceled_at")))
        apply_plan_consequences(user, before=before, plan=local.plan)
        return local
    plan = _plan_for(price_id, stripe_sub)
    if plan is None:
        logger.error("Subscription %s: no plan has price %s", stripe_sub["id"], price_id)
        return local
    now = timezone.now()
    fields = {
        "plan": plan,
        "status": status,
        "billing_period": BillingPeriod.YEARLY
        if (price.get("recurring") or {}).get("interval") == "year"
        else BillingPeriod.MONTHLY,
        "stripe_subscription_id": stripe_sub["id"],
        "stripe_price_id": price_id,
        "current_period_start": _to_datetime(item.get("current_period_start")) or now,
        "current_period_end": _to_datetime(item.get("current_period_end")) or now + FALLBACK_PERIOD,
        "cancel_at_period_end": bool(stripe_sub.get("cancel_at_period_end")),
        "canceled_at": _to_datetime(stripe_sub.get("canceled_at")),
    }
    if local is None:
        local = Subscription.objects.create(user_id=user.pk, **fields)
    else:
        for name, value in fields.items():
            setattr(local, name, value)
        local.save()
    if status in ACTIVE_SUBSCRIPTION_STATUSES:
        apply_plan_consequences(user, before=before, plan=plan)
    return local


def _plan_for(price_id: str, stripe_sub: StripeData) -> SubscriptionPlan | None:
    """The plan sold at this price, else the one our checkout metadata named."""
    by_price = Q(stripe_price_id_monthly=price_id) | Q(stripe_price_id_yearly=price_id)
    plan_id = str((stripe_sub.get("metadata") or {}).get("plan_id") or 0)
    return (
        SubscriptionPlan.objects.filter(by_price).first()
        or SubscriptionPlan.objects.filter(pk=plan_id).first()
    )


def _return_to_free_plan(local: Subscription, *, canceled_at: datetime | None) -> None:
    now = timezone.now()
    local.plan = free_plan() or local.plan
    local.status = SubscriptionStatus.ACTIVE
    local.stripe_subscription_id = None
    local.stripe_price_id = ""
    local.billing_period = BillingPeriod.MONTHLY
    local.cancel_at_period_end = False
    local.canceled_at = canceled_at or now
    local.current_period_start, local.current_period_end = now, now + LOCAL_PERIOD
    local.save()
