"""Stripe, behind a handful of typed functions. This is the only module that imports the SDK.

Every function returns plain dicts (the JSON Stripe sent) and raises PaymentError, never an
SDK exception. Creates carry an idempotency key, so a retried request (ours or the SDK's
network retries) returns the first result instead of making a second session or customer.
The API address can be pointed at a local fake with `settings.STRIPE_API_BASE` (tests).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Literal

import stripe
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from accounts.models import User

logger = logging.getLogger(__name__)

StripeData = dict[str, Any]

MAX_NETWORK_RETRIES = 2
WEBHOOK_TOLERANCE_SECONDS = 300
INVOICE_PAGE_SIZE = 24


class PaymentError(Exception):
    """A Stripe call failed, or payments are not configured. The message can be shown."""


def is_enabled() -> bool:
    return bool(settings.STRIPE_ENABLED and settings.STRIPE_SECRET_KEY)


def _client() -> stripe.StripeClient:
    if not is_enabled():
        raise PaymentError(_("Online payments are disabled on this site."))
    base = getattr(settings, "STRIPE_API_BASE", "")
    return stripe.StripeClient(
        settings.STRIPE_SECRET_KEY,
        base_addresses={"api": base} if base else None,
        max_network_retries=MAX_NETWORK_RETRIES,
    )


def _call(request: Callable[..., Any], *args: Any) -> Any:
    try:
        return request(*args)
    except stripe.StripeError as exc:
        logger.warning("Stripe request failed: %s (%s)", type(exc).__name__, exc.user_message)
        raise PaymentError(
            _("The payment service could not be reached. Please try again in a moment.")
        ) from None


def _plain(obj: stripe.StripeObject) -> StripeData:
    return obj.to_dict()


def create_checkout_session(
    *,
    mode: Literal["payment", "subscription"],
    customer_id: str,
    client_reference_id: str,
    line_items: list[dict[str, Any]],
    metadata: dict[str, str],
    success_url: str,
    cancel_url: str,
    idempotency_key: str,
    discounts: list[dict[str, str]] | None = None,
    locale: str = "auto",
) -> StripeData:
    """A Checkout Session for a credit pack (payment) or a plan (subscription).

    The metadata is copied onto the payment intent and the invoice (payment) or the
    subscription, so whichever object a webhook brings back carries who bought what.
    """
    params: dict[str, Any] = {
        "mode": mode,
        "customer": customer_id,
        "client_reference_id": client_reference_id,
        "line_items": line_items,
        "metadata": metadata,
        "success_url": success_url,
        "cancel_url": cancel_url,
        "locale": locale,
        "billing_address_collection": "required",
    }
    if mode == "payment":
        params["payment_intent_data"] = {"metadata": metadata}
        params["invoice_creation"] = {"enabled": True, "invoice_data": {"metadata": metadata}}
    else:
        params["subscription_data"] = {"metadata": metadata}
    # Stripe refuses a session with both a fixed discount and the promotion-code field.
    if discounts:
        params["discounts"] = discounts
    else:
        params["allow_promotion_codes"] = True
    client = _client()
    session = _call(
        client.v1.checkout.sessions.create, params, {"idempotency_key": idempotency_key}
    )
    return _plain(session)


def create_price(
    *,
    product_id: str | None,
    product_name: str,
    unit_amount: int,
    currency: str,
    interval: Literal["month", "year"] | None,
    metadata: dict[str, str],
    idempotency_key: str,
) -> StripeData:
    """A Price (one-time, or recurring every `interval`) of the product, or of a new product
    named `product_name` when there is none yet (the answer's `product` is its id)."""
    params: dict[str, Any] = {
        "unit_amount": unit_amount,
        "currency": currency.lower(),
        "metadata": metadata,
    }
    if product_id:
        params["product"] = product_id
    else:
        params["product_data"] = {"name": product_name}
    if interval:
        params["recurring"] = {"interval": interval}
    client = _client()
    price = _call(client.v1.prices.create, params, {"idempotency_key": idempotency_key})
    return _plain(price)


def archive_price(price_id: str) -> StripeData:
    """Take a Price off sale (Stripe never deletes prices; existing subscriptions keep it)."""
    client = _client()
    price = _call(
        client.v1.prices.update,
        price_id,
        {"active": False},
        {"idempotency_key": f"archive-price:{price_id}"},
    )
    return _plain(price)


def create_portal_session(customer_id: str, return_url: str) -> str:
    """The URL of Stripe's customer portal (cards, invoices, plan changes, cancellation)."""
    client = _client()
    session = _call(
        client.v1.billing_portal.sessions.create,
        {"customer": customer_id, "return_url": return_url},
    )
    return str(session.url)


def retrieve_checkout_session(session_id: str) -> StripeData:
    return _plain(_call(_client().v1.checkout.sessions.retrieve, session_id))


def retrieve_payment_intent(payment_intent_id: str) -> StripeData:
    return _plain(_call(_client().v1.payment_intents.retrieve, payment_intent_id))


def retrieve_subscription(subscription_id: str) -> StripeData:
    return _plain(_call(_client().v1.subscriptions.retrieve, subscription_id))


def retrieve_invoice(invoice_id: str) -> StripeData:
    return _plain(_call(_client().v1.invoices.retrieve, invoice_id))


def retrieve_charge(charge_id: str) -> StripeData:
    return _plain(_call(_client().v1.charges.retrieve, charge_id))


def cancel_subscription(subscription_id: str) -> StripeData:
    """Cancel now, without proration (a disputed subscription payment)."""
    return _plain(_call(_client().v1.subscriptions.cancel, subscription_id))


def delete_customer(customer_id: str) -> None:
    """Delete a customer: Stripe cancels their subscriptions at once and forgets their payment
    methods; it keeps the invoices and payments it must keep. A customer already gone is fine."""
    try:
        _client().v1.customers.delete(customer_id)
    except stripe.InvalidRequestError as exc:
        if exc.code == "resource_missing":
            return
        logger.warning("Stripe customer deletion failed: %s", exc.user_message)
        raise PaymentError(
            _("The payment service could not be reached. Please try again in a moment.")
        ) from None
    except stripe.StripeError as exc:
        logger.warning("Stripe customer deletion failed: %s (%s)", type(exc).__name__, exc)
        raise PaymentError(
            _("The payment service could not be reached. Please try again in a moment.")
        ) from None


def list_invoices(customer_id: str) -> list[StripeData]:
    """The customer's most recent invoices, newest first."""
    page = _call(_client().v1.invoices.list, {"customer": customer_id, "limit": INVOICE_PAGE_SIZE})
    return [_plain(invoice) for invoice in page.data]


def get_or_create_customer(user: User) -> str:
    """The user's Stripe customer id, created on first purchase and kept on the user."""
    if user.stripe_customer_id:
        return user.stripe_customer_id
    client = _client()
    customer = _call(
        client.v1.customers.create,
        {
            "email": user.email,
            "name": user.name or user.email,
            "metadata": {"user_id": str(user.pk)},
        },
        # One customer per user even if two checkouts start at once.
        {"idempotency_key": f"customer:{user.pk}"},
    )
    get_user_model().objects.filter(pk=user.pk, stripe_customer_id__isnull=True).update(
        stripe_customer_id=customer.id
    )
    user.stripe_customer_id = customer.id
    return str(customer.id)


def _signed_in_the_future(sig_header: str) -> bool:
    """Whether a `t=` of the header is more than the tolerance ahead of our clock. The SDK
    refuses only old timestamps; a far-future one would make a captured body replayable."""
    latest = time.time() + WEBHOOK_TOLERANCE_SECONDS
    for item in sig_header.split(","):
        key, _sep, value = item.strip().partition("=")
        if key == "t":
            try:
                if int(value) > latest:
                    return True
            except ValueError:
                return True
    return False


def construct_event(payload: bytes, sig_header: str) -> StripeData:
    """The event in a webhook body whose Stripe-Signature checks out; PaymentError if not."""
    try:
        stripe.WebhookSignature.verify_header(
            payload, sig_header, settings.STRIPE_WEBHOOK_SECRET, WEBHOOK_TOLERANCE_SECONDS
        )
        if _signed_in_the_future(sig_header):
            raise ValueError("Stripe-Signature timestamp in the future")
        event = json.loads(payload)
    except (stripe.SignatureVerificationError, ValueError):
        raise PaymentError("Invalid Stripe webhook signature or body") from None
    if not isinstance(event, dict) or not {"id", "type", "data"} <= event.keys():
        raise PaymentError("Not a Stripe event")
    return event
