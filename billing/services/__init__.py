"""Billing workflows: the credits ledger, feature charging, plans and quotas, Stripe payments.

One module per concern; import from here (`from billing.services import charge_feature`).

- ledger: `record_transaction`, the one writer of the ledger, and staff grants.
- charges: `charge_feature` before paid work is queued, `refund_task`/`refund_charge` after.
- plans: the plan that applies, its quota periods, and what a plan change does to CVs.
- welcome, promos, referrals: credits given away, each once.
- checkout: starting Stripe Checkout and the customer portal.
- customers, subscriptions, fulfilment: acting on what Stripe reports, idempotently.
"""

from __future__ import annotations

from billing.services.catalogue import PriceSync, push_pack_price, push_plan_prices
from billing.services.charges import (
    Charge,
    PaymentRequired,
    charge_feature,
    feature_cost,
    refund_charge,
    refund_task,
)
from billing.services.checkout import (
    CREDIT_PURCHASE,
    customer_invoices,
    format_money,
    open_customer_portal,
    start_pack_checkout,
    start_plan_checkout,
)
from billing.services.customers import erase_stripe_customer
from billing.services.fulfilment import (
    PAID_SESSION_STATUSES,
    fulfil_checkout_session,
    fulfil_payment_intent,
    grant_purchase,
    record_dispute,
    record_invoice_paid,
    record_payment_failed,
    record_payment_refund,
)
from billing.services.ledger import (
    InsufficientCredits,
    allow_ledger_erasure,
    export_watermark,
    grant_credits,
    record_transaction,
)
from billing.services.plans import (
    PlanChange,
    apply_plan_change,
    current_period,
    current_plan,
    feature_usage,
    free_plan,
    period_bounds,
    reset_feature_counters,
)
from billing.services.promos import PromoCodeError, percent_promo_for_checkout, redeem_promo_code
from billing.services.referrals import reward_referral_if_first_payment
from billing.services.subscriptions import sync_subscription
from billing.services.welcome import email_fingerprint, grant_welcome_credits, normalize_email
from billing.stripe_api import PaymentError

__all__ = [
    "PriceSync",
    "push_pack_price",
    "push_plan_prices",
    "allow_ledger_erasure",
    "CREDIT_PURCHASE",
    "PAID_SESSION_STATUSES",
    "Charge",
    "InsufficientCredits",
    "PaymentError",
    "PaymentRequired",
    "PlanChange",
    "PromoCodeError",
    "apply_plan_change",
    "charge_feature",
    "current_period",
    "current_plan",
    "customer_invoices",
    "email_fingerprint",
    "erase_stripe_customer",
    "export_watermark",
    "feature_cost",
    "feature_usage",
    "format_money",
    "free_plan",
    "fulfil_checkout_session",
    "fulfil_payment_intent",
    "grant_credits",
    "grant_purchase",
    "grant_welcome_credits",
    "normalize_email",
    "open_customer_portal",
    "percent_promo_for_checkout",
    "period_bounds",
    "record_dispute",
    "record_invoice_paid",
    "record_payment_failed",
    "record_payment_refund",
    "record_transaction",
    "redeem_promo_code",
    "refund_charge",
    "refund_task",
    "reset_feature_counters",
    "reward_referral_if_first_payment",
    "start_pack_checkout",
    "start_plan_checkout",
    "sync_subscription",
]
