"""Acting on Stripe payments: grants for paid packs, invoices, failures, refunds, disputes.

Payments arrive through `billing.webhooks` (and the checkout return page) and land here,
keyed on Stripe's object ids so events in any order, any number of times, converge on one
result. Callers pass objects re-fetched from Stripe, never the event's copy.
"""

from __future__ import annotations

import logging
import math
from datetime import datetime
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Sum

from billing import notify, stripe_api
from billing.models import CreditTransaction, PromoCode, TransactionType
from billing.services.checkout import CREDIT_PURCHASE, format_money
from billing.services.customers import lock_payer, user_for_stripe
from billing.services.ledger import lock_balance, record_transaction
from billing.services.plans import active_subscription, reset_feature_counters
from billing.services.promos import PromoCodeError, consume_promo
from billing.services.referrals import reward_referral_if_first_payment
from billing.services.subscriptions import sync_subscription
from billing.stripe_api import StripeData
from telemetry import events
from telemetry.events import record_event

if TYPE_CHECKING:
    from accounts.models import User

logger = logging.getLogger(__name__)

PAID_SESSION_STATUSES = ("paid", "no_payment_required")


def grant_purchase(
    user: User,
    paid: StripeData,
    *,
    payment_ref: str,
    amount_paid: int | None,
    session_id: str = "",
    when: datetime | None = None,
) -> tuple[CreditTransaction, bool]:
    """Credit the pack a paid session or intent (`paid`) carries in its metadata, once per
    payment (keyed by the payment intent id, or the session id when nothing was charged);
    returns (row, created). `when`: demo data only, see record_transaction."""
    metadata = paid.get("metadata") or {}
    credits = int(metadata["credits"])
    currency = str(paid.get("currency") or "")
    pack_id = str(metadata.get("pack_id", ""))
    promo_code_id = str(metadata.get("promo_code_id", ""))
    with transaction.atomic():
        row, created = record_transaction(
            user.pk,
            amount=credits,
            type=TransactionType.PURCHASE,
            key=f"purchase:{payment_ref}",
            stripe_payment_intent_id=payment_ref if payment_ref.startswith("pi_") else None,
            stripe_checkout_session_id=session_id,
            metadata={
                "pack_id": pack_id,
                "amount_paid": amount_paid,
                "currency": currency,
                "promo_code_id": promo_code_id,
            },
            when=when,
        )
        if created:
            promo = PromoCode.objects.filter(pk=promo_code_id).first() if promo_code_id else None
            if promo is not None:
                try:
                    consume_promo(promo, user)
                except PromoCodeError:
                    # Paid with the discount already: the payment stands, only note it.
                    logger.warning("Promo code %s was over its limits at payment", promo.pk)
            reward_referral_if_first_payment(user)
            record_event(
                events.PURCHASE,
                user=user,
                metadata={
                    "credits": credits,
                    "amount_paid": amount_paid,
                    "currency": currency,
                    "pack_id": pack_id,
                },
            )
    return row, created


@transaction.atomic
def fulfil_checkout_session(session: StripeData) -> CreditTransaction | None:
    """Act on a Checkout Session as Stripe reports it now (re-fetched by the caller): grant a
    paid pack, or sync the subscription it started. Safe to call any number of times."""
    user = lock_payer(session)
    if user is None:
        return None
    metadata = session.get("metadata") or {}
    paid = session.get("payment_status") in PAID_SESSION_STATUSES
    if session.get("mode") == "subscription":
        subscription_id = session.get("subscription")
        if subscription_id and paid:
            sync_subscription(stripe_api.retrieve_subscription(str(subscription_id)))
            reward_referral_if_first_payment(user)
        return None
    if metadata.get("type") != CREDIT_PURCHASE or not paid:
        return None
    row, _ = grant_purchase(
        user,
        session,
        payment_ref=str(session.get("payment_intent") or session["id"]),
        session_id=str(session["id"]),
        amount_paid=session.get("amount_total"),
    )
    return row


@transaction.atomic
def fulfil_payment_intent(intent: StripeData) -> CreditTransaction | None:
    """Grant the pack a succeeded payment intent paid for (same key as the session path)."""
    metadata = intent.get("metadata") or {}
    if metadata.get("type") != CREDIT_PURCHASE or intent.get("status") != "succeeded":
        return None
    user = user_for_stripe(intent)
    if user is None:
        logger.warning("Payment intent %s has no known user", intent.get("id"))
        return None
    row, _ = grant_purchase(
        user, intent, payment_ref=str(intent["id"]), amount_paid=intent.get("amount_received")
    )
    return row


def _invoice_subscription_id(invoice: StripeData) -> str:
    parent = invoice.get("parent") or {}
    details = parent.get("subscription_details") or {}
    subscription = details.get("subscription") or invoice.get("subscription") or ""
    return subscription.get("id", "") if isinstance(subscription, dict) else str(subscription)


def _invoice_payment_intent_id(invoice: StripeData) -> str:
    for entry in (invoice.get("payments") or {}).get("data", []):
        payment = entry.get("payment") or {}
        if payment.get("payment_intent"):
            return str(payment["payment_intent"])
    return str(invoice.get("payment_intent") or "")


@transaction.atomic
def record_invoice_paid(invoice: StripeData) -> None:
    """A paid invoice: a subscription renewal (sync, fresh quotas) or a pack's invoice
    (grant if the checkout event has not yet, attach the invoice, send the receipt once)."""
    if invoice.get("status") != "paid":
        return
    subscription_id = _invoice_subscription_id(invoice)
    if subscription_id:
        subscription = sync_subscription(stripe_api.retrieve_subscription(subscription_id))
        if subscription is not None:
            if invoice.get("billing_reason") == "subscription_cycle":
                reset_feature_counters(subscription.user)
            reward_referral_if_first_payment(subscription.user)
        return
    if (invoice.get("metadata") or {}).get("type") != CREDIT_PURCHASE:
        return
    intent_id = _invoice_payment_intent_id(invoice)
    if not intent_id:
        return
    row = fulfil_payment_intent(stripe_api.retrieve_payment_intent(intent_id))
    if row is None:
        return
    attached = CreditTransaction.objects.filter(pk=row.pk, stripe_invoice_id="").update(
        stripe_invoice_id=str(invoice["id"])
    )
    if attached:
        user = row.user
        total = format_money(invoice.get("amount_paid"), str(invoice.get("currency") or ""))
        url = str(invoice.get("hosted_invoice_url") or "")
        transaction.on_commit(
            lambda: notify.credits_purchased(
                user, amount=row.amount, total_price=total, invoice_url=url
            )
        )


@transaction.atomic
def record_payment_failed(obj: StripeData) -> None:
    """A failed invoice or asynchronous checkout payment: sync the subscription's state
    (past due: the free plan's limits apply meanwhile) and tell the user."""
    user = user_for_stripe(obj)
    if obj.get("object") == "invoice":
        subscription_id = _invoice_subscription_id(obj)
        if subscription_id:
            synced = sync_subscription(stripe_api.retrieve_subscription(subscription_id))
            user = user or (synced.user if synced else None)
    elif obj.get("payment_status") == "paid":
        return
    if user is not None:
        failed = user
        transaction.on_commit(lambda: notify.payment_failed(failed))


def _purchase_context(intent_id: str) -> tuple[StripeData, User, int] | None:
    """The payment intent of a pack purchase, its buyer and credits (None if not a pack)."""
    intent = stripe_api.retrieve_payment_intent(intent_id)
    metadata = intent.get("metadata") or {}
    if metadata.get("type") != CREDIT_PURCHASE:
        return None
    user = user_for_stripe(intent)
    if user is None:
        return None
    return intent, user, int(metadata["credits"])


def _take_back_credits(
    user: User, intent: StripeData, *, credits: int, type: str, key: str
) -> CreditTransaction | None:
    """Take a purchase's credits back until `credits` in all are taken back (refunds and
    disputes of one payment share the count, so together they never exceed the purchase).

    The purchase is granted first if its own event has not arrived yet, so the result is
    the same in any order. The balance may go negative: paid features stay blocked then.
    """
    purchase = fulfil_payment_intent(intent)
    prefix = f"reversal:{intent['id']}:"
    with transaction.atomic():
        lock_balance(user.pk)
        if CreditTransaction.objects.filter(key=key).exists():
            return None
        taken = -(
            CreditTransaction.objects.filter(key__startswith=prefix).aggregate(s=Sum("amount"))["s"]
            or 0
        )
        amount = credits - taken
        if amount <= 0:
            return None
        row, _ = record_transaction(
            user.pk,
            amount=-amount,
            type=type,
            key=key,
            allow_negative=True,
            related_transaction=purchase,
            metadata={"payment_intent": intent["id"]},
        )
    return row


@transaction.atomic
def record_payment_refund(charge: StripeData) -> CreditTransaction | None:
    """A refunded (possibly partly refunded) pack payment takes its credits back, in
    proportion to the amount refunded so far."""
    intent_id = charge.get("payment_intent")
    if not intent_id or not charge.get("amount_refunded"):
        return None
    context = _purchase_context(str(intent_id))
    if context is None:
        return None
    intent, user, credits = context
    amount = int(charge.get("amount") or 0)
    refunded = int(charge["amount_refunded"])
    due = credits if not amount else math.ceil(credits * refunded / amount)
    return _take_back_credits(
        user,
        intent,
        credits=due,
        type=TransactionType.PAYMENT_REFUND,
        key=f"reversal:{intent['id']}:refund:{refunded}",
    )


@transaction.atomic
def record_dispute(dispute: StripeData) -> CreditTransaction | None:
    """A disputed payment: a pack's credits are taken back (the balance may go negative,
    which blocks paid features until a top-up); a plan's subscription is cancelled and the
    user moved to the free plan."""
    intent_id = dispute.get("payment_intent")
    if not intent_id and dispute.get("charge"):
        intent_id = stripe_api.retrieve_charge(str(dispute["charge"])).get("payment_intent")
    if not intent_id:
        return None
    context = _purchase_context(str(intent_id))
    if context is not None:
        intent, user, credits = context
        return _take_back_credits(
            user,
            intent,
            credits=credits,
            type=TransactionType.CHARGEBACK,
            key=f"reversal:{intent['id']}:dispute:{dispute['id']}",
        )
    payer = user_for_stripe(stripe_api.retrieve_payment_intent(str(intent_id)))
    subscription = active_subscription(payer) if payer else None
    if subscription is None or not subscription.stripe_subscription_id:
        return None
    sync_subscription(stripe_api.cancel_subscription(subscription.stripe_subscription_id))
    return None
