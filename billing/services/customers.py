"""Which of our users a Stripe object belongs to, and the link to their Stripe customer."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction

from billing import stripe_api
from billing.services.ledger import lock_balance
from billing.stripe_api import StripeData

if TYPE_CHECKING:
    from accounts.models import User

logger = logging.getLogger(__name__)


def user_for_stripe(obj: StripeData) -> User | None:
    """The user a Stripe object belongs to: our metadata first, then the customer id."""
    users = get_user_model().objects
    metadata = obj.get("metadata") or {}
    user_id = metadata.get("user_id") or obj.get("client_reference_id")
    if user_id and str(user_id).isdigit():
        user = users.filter(pk=int(user_id)).first()
        if user is not None:
            return user
    customer = obj.get("customer")
    if isinstance(customer, dict):
        customer = customer.get("id")
    if customer:
        return users.filter(stripe_customer_id=customer).first()
    return None


def remember_customer(user: User, obj: StripeData) -> None:
    """Keep the Stripe customer of `obj` on the user if they have none yet."""
    # Callers hold the user's balance lock first: every payment path takes its locks in the
    # same order (balance, then the user row), so concurrent events cannot deadlock.
    customer = obj.get("customer")
    if not isinstance(customer, str) or not customer or user.stripe_customer_id:
        return
    try:
        with transaction.atomic():
            get_user_model().objects.filter(pk=user.pk, stripe_customer_id__isnull=True).update(
                stripe_customer_id=customer
            )
    except IntegrityError:
        # Another account holds this customer: keep the payment, leave the link alone.
        logger.warning("Stripe customer %s already belongs to another user", customer)
        return
    user.stripe_customer_id = customer


def lock_payer(obj: StripeData) -> User | None:
    """The user `obj` belongs to, their balance locked and their Stripe customer kept, or
    None (logged). Every payment path locks the same way, so events for one user queue."""
    user = user_for_stripe(obj)
    if user is None:
        logger.warning("Stripe %s %s has no known user", obj.get("object"), obj.get("id"))
        return None
    lock_balance(user.pk)
    remember_customer(user, obj)
    return user


def erase_stripe_customer(user: User) -> None:
    """Before an account is erased: delete its Stripe customer, which ends any subscription
    at once (no renewal charges a person who no longer has an account) and drops the payment
    methods. Raises PaymentError, with nothing changed, when Stripe cannot be reached."""
    if not user.stripe_customer_id:
        return
    if not stripe_api.is_enabled():
        # Payments switched off on this site: there is no Stripe to ask; said in the log so
        # an operator can delete the customer from Stripe's dashboard.
        logger.warning(
            "Account %s erased with Stripe customer %s left in Stripe (payments disabled)",
            user.pk,
            user.stripe_customer_id,
        )
        return
    stripe_api.delete_customer(user.stripe_customer_id)
