"""Stripe webhook events: a dispatch table by event type, each event processed once.

`process_event` inserts the event's StripeWebhookLog row and runs its handler in one database
transaction. The unique event id makes a second delivery (a retry, or the same event racing
in on another worker) a no-op: its insert fails, or waits for the first and then fails. A
handler that crashes rolls back the log row with everything else, so Stripe's retry runs it
afresh. Handlers treat the event body as a hint and re-fetch the object from Stripe before
acting, which also makes the order of events irrelevant.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Literal

from django.db import IntegrityError, transaction
from django.utils import timezone

from billing import services, stripe_api
from billing.models import StripeWebhookLog
from billing.stripe_api import StripeData

logger = logging.getLogger(__name__)

Handler = Callable[[StripeData], None]
HANDLERS: dict[str, Handler] = {}


def handles(*event_types: str) -> Callable[[Handler], Handler]:
    def register(func: Handler) -> Handler:
        for event_type in event_types:
            HANDLERS[event_type] = func
        return func

    return register


def process_event(event: StripeData) -> Literal["processed", "duplicate", "ignored"]:
    """Run the event's handler once per event id. Exceptions propagate (and roll back)."""
    handler = HANDLERS.get(event["type"])
    with transaction.atomic():
        try:
            with transaction.atomic():
                log = StripeWebhookLog.objects.create(
                    event_id=event["id"], event_type=event["type"], payload=event
                )
        except IntegrityError:
            return "duplicate"
        if handler is None:
            return "ignored"
        # The Stripe re-fetch happens with the log row inserted: a concurrent delivery of
        # this event waits on that row instead of fetching and granting alongside.
        handler(event["data"]["object"])
        StripeWebhookLog.objects.filter(pk=log.pk).update(
            processed=True, processed_at=timezone.now()
        )
    return "processed"


@handles("checkout.session.completed", "checkout.session.async_payment_succeeded")
def checkout_paid(obj: StripeData) -> None:
    services.fulfil_checkout_session(stripe_api.retrieve_checkout_session(obj["id"]))


@handles("checkout.session.async_payment_failed")
def checkout_failed(obj: StripeData) -> None:
    services.record_payment_failed(stripe_api.retrieve_checkout_session(obj["id"]))


@handles("invoice.paid")
def invoice_paid(obj: StripeData) -> None:
    services.record_invoice_paid(stripe_api.retrieve_invoice(obj["id"]))


@handles("invoice.payment_failed")
def invoice_payment_failed(obj: StripeData) -> None:
    services.record_payment_failed(stripe_api.retrieve_invoice(obj["id"]))


@handles(
    "customer.subscription.created",
    "customer.subscription.updated",
    "customer.subscription.deleted",
)
def subscription_changed(obj: StripeData) -> None:
    services.sync_subscription(stripe_api.retrieve_subscription(obj["id"]))


@handles("charge.refunded")
def charge_refunded(obj: StripeData) -> None:
    services.record_payment_refund(stripe_api.retrieve_charge(obj["id"]))


@handles("charge.dispute.created")
def dispute_created(obj: StripeData) -> None:
    # A dispute cannot be undone by a later state: the signed event is enough to act on,
    # and the payment it disputes is re-fetched by record_dispute.
    services.record_dispute(obj)
