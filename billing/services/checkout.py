"""Starting Stripe payments: Checkout for packs and plans, the customer portal, invoices.

What a Checkout Session grants is decided later, when Stripe reports it paid (fulfilment).
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from billing import stripe_api
from billing.models import BillingPeriod, CreditPack, SubscriptionPlan
from billing.services.plans import active_subscription
from billing.services.promos import percent_promo_for_checkout
from billing.stripe_api import PaymentError, StripeData

if TYPE_CHECKING:
    from accounts.models import User

# The metadata `type` of a pack purchase, read back from whichever object Stripe sends.
CREDIT_PURCHASE = "credit_purchase"


def _cents(amount: Decimal) -> int:
    return int((amount * 100).to_integral_value())


def format_money(cents: int | None, currency: str) -> str:
    return f"{Decimal(cents or 0) / 100:.2f} {currency.upper()}"


def absolute_url(path: str) -> str:
    return f"{settings.SITE_ROOT}{path}"


def _success_url() -> str:
    # Stripe fills in the placeholder; the return page re-fetches the session by its id.
    return absolute_url(reverse("billing:checkout_done")) + "?session_id={CHECKOUT_SESSION_ID}"


def start_pack_checkout(
    user: User, *, pack: CreditPack, promo_code: str = "", token: str = ""
) -> str:
    """The Stripe Checkout URL to buy a credit pack; PaymentError or PromoCodeError if not.

    `token` comes from the form, so a double-submitted Buy opens one Checkout Session.
    """
    promo = percent_promo_for_checkout(user, promo_code) if promo_code else None
    customer_id = stripe_api.get_or_create_customer(user)
    metadata = {
        "type": CREDIT_PURCHASE,
        "user_id": str(user.pk),
        "pack_id": str(pack.pk),
        "credits": str(pack.credit_amount),
    }
    discounts = None
    unit_amount = _cents(pack.price)
    if promo is not None:
        metadata["promo_code_id"] = str(promo.pk)
        if promo.stripe_promotion_code_id:
            discounts = [{"promotion_code": promo.stripe_promotion_code_id}]
        else:
            unit_amount = unit_amount * (100 - promo.percent_off) // 100
    if pack.stripe_price_id and unit_amount == _cents(pack.price):
        line_item: dict[str, Any] = {"price": pack.stripe_price_id, "quantity": 1}
    else:
        line_item = {
            "price_data": {
                "currency": pack.price_currency.lower(),
                "unit_amount": unit_amount,
                "product_data": {"name": pack.name or f"{pack.credit_amount} credits"},
            },
            "quantity": 1,
        }
    session = stripe_api.create_checkout_session(
        mode="payment",
        customer_id=customer_id,
        client_reference_id=str(user.pk),
        line_items=[line_item],
        metadata=metadata,
        success_url=_success_url(),
        cancel_url=absolute_url(reverse("billing:index")),
        idempotency_key=f"checkout:{user.pk}:{pack.pk}:{token or uuid.uuid4()}",
        discounts=discounts,
        locale=user.language or "auto",
    )
    return str(session["url"])


def start_plan_checkout(
    user: User, *, plan: SubscriptionPlan, billing_period: str, token: str = ""
) -> str:
    """The Stripe Checkout URL to subscribe to a plan; PaymentError if it cannot be sold.

    A user who already pays for a plan changes it in the customer portal instead, where
    Stripe handles the proration.
    """
    subscription = active_subscription(user)
    if subscription is not None and subscription.stripe_subscription_id and user.stripe_customer_id:
        return stripe_api.create_portal_session(
            user.stripe_customer_id, absolute_url(reverse("billing:plans"))
        )
    yearly = billing_period == BillingPeriod.YEARLY
    price_id = plan.stripe_price_id_yearly if yearly else plan.stripe_price_id_monthly
    if not price_id:
        raise PaymentError(_("This plan cannot be bought online yet."))
    customer_id = stripe_api.get_or_create_customer(user)
    session = stripe_api.create_checkout_session(
        mode="subscription",
        customer_id=customer_id,
        client_reference_id=str(user.pk),
        line_items=[{"price": price_id, "quantity": 1}],
        metadata={"type": "subscription", "user_id": str(user.pk), "plan_id": str(plan.pk)},
        success_url=_success_url(),
        cancel_url=absolute_url(reverse("billing:plans")),
        idempotency_key=f"subscribe:{user.pk}:{plan.pk}:{billing_period}:{token or uuid.uuid4()}",
        locale=user.language or "auto",
    )
    return str(session["url"])


def open_customer_portal(user: User, *, return_url: str) -> str:
    if not user.stripe_customer_id:
        raise PaymentError(
            _("You have no billing account yet: it is created at your first purchase.")
        )
    return stripe_api.create_portal_session(user.stripe_customer_id, return_url)


def customer_invoices(user: User) -> list[StripeData]:
    """The user's Stripe invoices, or [] (payments disabled, no purchase yet, Stripe down)."""
    if not user.stripe_customer_id or not stripe_api.is_enabled():
        return []
    try:
        return stripe_api.list_invoices(user.stripe_customer_id)
    except PaymentError:
        return []
