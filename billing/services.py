"""Billing workflows: the credits ledger, feature charging, plans and quotas, Stripe payments.

`record_transaction` is the one place that writes the ledger. It inserts the row and updates
the cached CreditBalance in the same database transaction; the unique key turns a retried
grant, debit or refund into a no-op instead of a second movement of credits.

Paid features call `charge_feature` before queueing their work (see its docstring), and the
task engine's stop hook calls `refund_task`, which gives back exactly what was charged.
Stripe payments arrive through `billing.webhooks` (and the checkout return page) and land in
`fulfil_checkout_session`, `fulfil_payment_intent`, `record_invoice_paid`, `sync_subscription`,
`record_payment_refund` and `record_dispute`, all keyed on Stripe's object ids so events in
any order, any number of times, converge on one result.
"""

from __future__ import annotations

import calendar
import contextlib
import logging
import math
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from accounts.models import User
from billing import notify, stripe_api
from billing.models import (
    LEDGER_ERASURE_SETTING,
    BillingPeriod,
    CreditBalance,
    CreditPack,
    CreditTransaction,
    FeatureUsageCounter,
    PromoCode,
    PromoKind,
    PromoRedemption,
    QuotaCharge,
    Referral,
    ReferralStatus,
    SignupFingerprint,
    Subscription,
    SubscriptionPlan,
    SubscriptionStatus,
    TransactionType,
)
from billing.stripe_api import PaymentError, StripeData
from core.config import get_setting
from cvs.models import CV
from jobs.models import BackgroundTask
from telemetry import events
from telemetry.events import record_event

logger = logging.getLogger(__name__)

# Which running total each kind of movement adds to.
TOTAL_FIELD = {
    TransactionType.PURCHASE: "total_purchased",
    TransactionType.GIFT: "total_gifted",
    TransactionType.ADMIN_GRANT: "total_gifted",
    TransactionType.PROMO: "total_gifted",
    TransactionType.REFERRAL: "total_gifted",
    TransactionType.REFUND: "total_refunded",
    TransactionType.USAGE: "total_used",
}
ACTIVE_SUBSCRIPTION_STATUSES = (SubscriptionStatus.ACTIVE, SubscriptionStatus.TRIALING)
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
# A local subscription (the free plan, or a plan set by staff) never renews.
LOCAL_PERIOD = timedelta(days=3650)
CREDIT_PURCHASE = "credit_purchase"
PAID_SESSION_STATUSES = ("paid", "no_payment_required")
GMAIL_DOMAINS = ("gmail.com", "googlemail.com")
FINGERPRINT_SALT = "billing.signup-fingerprint"
DEMO_WATERMARK = "fitmycv · demo"


class InsufficientCredits(Exception):
    def __init__(self, needed: int, balance: int) -> None:
        super().__init__(f"{needed} credits needed, {balance} available")
        self.needed, self.balance = needed, balance


class PaymentRequired(Exception):
    """A paid feature refused. `message` is for the user; `url` leads to the credit packs."""

    NOT_ENOUGH_CREDITS = "not_enough_credits"
    NEGATIVE_BALANCE = "negative_balance"
    NOT_IN_PLAN = "not_in_plan"

    def __init__(self, message: str, *, feature: str, cost: int, balance: int, reason: str):
        super().__init__(message)
        self.message, self.feature, self.cost = message, feature, cost
        self.balance, self.reason = balance, reason

    @property
    def url(self) -> str:
        if self.reason == self.NOT_IN_PLAN:
            return reverse("billing:plans")
        return reverse("billing:index") + "#packs"


class PromoCodeError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Charge:
    """What one use of a feature took: credits, a quota unit of a period, or nothing."""

    key: str
    feature: str
    credits: int = 0
    quota_period_start: datetime | None = None

    @property
    def is_free(self) -> bool:
        return self.credits == 0 and self.quota_period_start is None


@dataclass(frozen=True)
class PlanChange:
    blocked: int = 0
    unblocked: int = 0


# --- The ledger ---------------------------------------------------------------------------


def _locked_balance(user_id: int) -> CreditBalance:
    """The user's balance row, created if missing and locked until the transaction ends.

    Every charge of a user takes this lock first, so a user's charges are applied one at a
    time and a check made under it (enough credits? key already used?) stays true.
    """
    balance, _ = CreditBalance.objects.get_or_create(user_id=user_id)
    return CreditBalance.objects.select_for_update().get(pk=balance.pk)


def record_transaction(
    user_id: int,
    *,
    amount: int,
    type: str,
    key: str,
    allow_negative: bool = False,
    when: datetime | None = None,
    **fields: Any,
) -> tuple[CreditTransaction, bool]:
    """Append a ledger row and move the balance; returns (row, created).

    A key seen before returns the existing row and changes nothing. A debit that would take
    the balance below zero raises InsufficientCredits, unless allow_negative (disputes and
    refunded payments), which marks the balance disputed until a top-up brings it back.

    `when` dates the row in the past. Only the development demo data uses it
    (seed_dashboards_demo, which replays months of activity in order); money that moves for
    real moves now, so every other caller leaves it out. Rows cannot be re-dated afterwards.
    """
    existing = CreditTransaction.objects.filter(key=key).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            balance = _locked_balance(user_id)
            after = balance.balance + amount
            if amount < 0 and after < 0 and not allow_negative:
                raise InsufficientCredits(-amount, balance.balance)
            row = CreditTransaction.objects.create(
                user_id=user_id,
                amount=amount,
                type=type,
                key=key,
                created_at=when or timezone.now(),
                **fields,
            )
            updates: dict[str, Any] = {"balance": F("balance") + amount}
            total = TOTAL_FIELD.get(type)
            if total:
                updates[total] = F(total) + abs(amount)
            if type == TransactionType.PURCHASE:
                updates["balance_after_last_purchase"] = max(after, 0)
            if amount < 0 and after < 0:
                updates["disputed"] = True
            elif amount > 0 and after >= 0 and balance.disputed:
                updates["disputed"] = False
            CreditBalance.objects.filter(pk=balance.pk).update(**updates)
    except IntegrityError:
        # The same key committed by a concurrent call: that one counts, this one is a no-op.
        existing = CreditTransaction.objects.filter(key=key).first()
        if existing is None:
            raise
        return existing, False
    return row, True


@contextlib.contextmanager
def allow_ledger_erasure(user_id: int) -> Iterator[None]:
    """Let the block delete `user_id`'s ledger rows: account erasure, and nothing else.

    On PostgreSQL the ledger's trigger refuses every DELETE unless the transaction names the
    row's user in LEDGER_ERASURE_SETTING. The name is transaction-local and cleared when the
    block ends; if the block fails, the savepoint's rollback clears it too.
    """
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT set_config(%s, %s, true)", [LEDGER_ERASURE_SETTING, str(user_id)])
        yield
        cursor.execute("SELECT set_config(%s, '', true)", [LEDGER_ERASURE_SETTING])


def export_watermark(user: Any) -> str | None:
    """The watermark an export carries, or None: users who never bought credits export a
    demo copy (reference product's rule). The one place billing decides it."""
    purchased = (
        CreditBalance.objects.filter(user_id=user.pk)
        .values_list("total_purchased", flat=True)
        .first()
    )
    return None if purchased else DEMO_WATERMARK


def grant_credits(
    user: User,
    amount: int,
    *,
    type: str,
    key: str,
    reason: str,
    by: User | None = None,
    when: datetime | None = None,
) -> CreditTransaction:
    """Add credits with a reason (staff grants, gifts); the key makes a retry a no-op.
    `when`: demo data only, see record_transaction."""
    if amount <= 0:
        raise ValueError("A grant must add at least one credit")
    metadata: dict[str, Any] = {"reason": reason}
    if by is not None:
        metadata["by"] = by.pk
    with transaction.atomic():
        row, _ = record_transaction(
            user.pk, amount=amount, type=type, key=key, metadata=metadata, when=when
        )
    return row


# --- Feature charging ---------------------------------------------------------------------


def feature_cost(feature: str) -> int:
    """Credits one use of the feature costs (the `credits_<feature>` setting); 0 = free."""
    return int(get_setting(f"credits_{feature}"))


def charge_feature(
    user: User,
    feature: str,
    *,
    key: str,
    task: BackgroundTask | None = None,
    cv: CV | None = None,
    when: datetime | None = None,
) -> Charge:
    """Authorise one use of a paid feature and take its price; raise PaymentRequired if not.

    Call it in the same transaction that creates the work, before the work is queued:

        with transaction.atomic():
            task = enqueue_task(user, type=..., title=..., feature_name=feature)
            charge_feature(user, feature, key=f"task:{task.pk}", task=task)

    A refusal rolls the task back with it; a success records the charge on the task so
    `refund_task` can give it back. The key names this one use: charging it again returns
    the first Charge and takes nothing (a retried request, a double click). `when`: demo
    data only, see record_transaction.
    """
    with transaction.atomic():
        balance = _locked_balance(user.pk)
        previous = _existing_charge(key)
        if previous is not None:
            return previous
        cost = feature_cost(feature)
        if balance.balance < 0 or balance.disputed:
            raise PaymentRequired(
                _(
                    "Your credit balance is negative after a disputed or refunded payment. "
                    "Buy credits to use paid features again."
                ),
                feature=feature,
                cost=cost,
                balance=balance.balance,
                reason=PaymentRequired.NEGATIVE_BALANCE,
            )
        charge: Charge | None = None
        # Subscription mode without any plan on sale behaves like credits only.
        plan = current_plan(user) if get_setting("subscription_mode_enabled") else None
        if plan is not None:
            charge = _take_plan_quota(user, plan, feature, key=key, task=task)
            if charge is None and cost == 0:
                # Cost 0 in subscription mode: the plan decides, credits cannot buy it.
                raise PaymentRequired(
                    _("Your plan does not include this feature. Upgrade your plan to use it."),
                    feature=feature,
                    cost=cost,
                    balance=balance.balance,
                    reason=PaymentRequired.NOT_IN_PLAN,
                )
        elif cost == 0:
            charge = Charge(key=key, feature=feature)
        if charge is None:
            charge = _debit_credits(
                user, balance, feature, cost, key=key, task=task, cv=cv, when=when
            )
        if task is not None:
            _record_charge_on_task(task, charge)
    return charge


def _existing_charge(key: str) -> Charge | None:
    debit = CreditTransaction.objects.filter(key=key, type=TransactionType.USAGE).first()
    if debit is not None:
        return Charge(key=key, feature=debit.feature_name, credits=-debit.amount)
    quota = QuotaCharge.objects.filter(key=key).first()
    if quota is not None:
        return Charge(key=key, feature=quota.feature_name, quota_period_start=quota.period_start)
    return None


def _debit_credits(
    user: User,
    balance: CreditBalance,
    feature: str,
    cost: int,
    *,
    key: str,
    task: BackgroundTask | None,
    cv: CV | None,
    when: datetime | None,
) -> Charge:
    refusal = PaymentRequired(
        _(
            "Not enough credits: this costs %(cost)s and your balance is %(balance)s. "
            "Buy a credit pack to continue."
        )
        % {"cost": cost, "balance": balance.balance},
        feature=feature,
        cost=cost,
        balance=balance.balance,
        reason=PaymentRequired.NOT_ENOUGH_CREDITS,
    )
    if balance.balance < cost:
        raise refusal
    try:
        record_transaction(
            user.pk,
            amount=-cost,
            type=TransactionType.USAGE,
            key=key,
            feature_name=feature,
            task=task,
            cv=cv,
            when=when,
        )
    except InsufficientCredits:
        raise refusal from None
    return Charge(key=key, feature=feature, credits=cost)


def _record_charge_on_task(task: BackgroundTask, charge: Charge) -> None:
    fields = {
        "credit_used": charge.credits > 0,
        "credits_debited": charge.credits,
        "feature_name": charge.feature,
        "feature_counter_period_start": charge.quota_period_start,
    }
    BackgroundTask.objects.filter(pk=task.pk).update(**fields)
    for name, value in fields.items():
        setattr(task, name, value)


def refund_charge(
    user: User, *, key: str, when: datetime | None = None
) -> CreditTransaction | None:
    """Give back what the charge with this key took, once: credits through a refund row
    keyed `refund:<key>`, a quota unit by decrementing its period's counter. `when`: demo
    data only, see record_transaction."""
    with transaction.atomic():
        debit = CreditTransaction.objects.filter(
            key=key, user_id=user.pk, type=TransactionType.USAGE
        ).first()
        if debit is not None:
            return _refund_debit(debit, when=when)
        quota = QuotaCharge.objects.filter(key=key, user_id=user.pk).first()
        if quota is not None:
            _release_quota(quota)
    return None


def _refund_debit(debit: CreditTransaction, *, when: datetime | None = None) -> CreditTransaction:
    row, created = record_transaction(
        debit.user_id,
        amount=-debit.amount,
        type=TransactionType.REFUND,
        key=f"refund:{debit.key}",
        feature_name=debit.feature_name,
        task_id=debit.task_id,
        cv_id=debit.cv_id,
        related_transaction=debit,
        when=when,
    )
    if created:
        CreditTransaction.objects.filter(pk=debit.pk).update(refunded=True)
    return row


def _release_quota(quota: QuotaCharge) -> None:
    # The conditional UPDATE is the "once": of two racing refunds only one flips the flag.
    if not QuotaCharge.objects.filter(pk=quota.pk, released=False).update(released=True):
        return
    # A unit of a period that is over (or reset on renewal) has nothing left to give back.
    FeatureUsageCounter.objects.filter(
        user_id=quota.user_id,
        feature_name=quota.feature_name,
        period_start=quota.period_start,
        count__gt=0,
    ).update(count=F("count") - 1)


def refund_task(task: BackgroundTask) -> CreditTransaction | None:
    """Give back exactly what a stopped task was charged; idempotent."""
    if task.user_id is None:
        return None
    with transaction.atomic():
        debit = CreditTransaction.objects.filter(task=task, type=TransactionType.USAGE).first()
        if debit is not None:
            return _refund_debit(debit)
        quota = QuotaCharge.objects.filter(task=task).first()
        if quota is not None:
            _release_quota(quota)
    return None


# --- Plans, periods and quotas ------------------------------------------------------------


def _at_month(anchor: datetime, year: int, month: int) -> datetime:
    day = min(anchor.day, calendar.monthrange(year, month)[1])
    return anchor.replace(year=year, month=month, day=day)


def _shift_month(year: int, month: int, delta: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + delta
    return index // 12, index % 12 + 1


def period_bounds(now: datetime, *, anchor: datetime | None = None) -> tuple[datetime, datetime]:
    """The monthly quota period holding `now`, as [start, end).

    With an anchor (the subscription's start) periods begin on its day of the month and time
    of day, on the month's last day when the month is shorter; without one, calendar months.
    """
    now = now.astimezone(UTC)
    if anchor is None:
        anchor = datetime(2000, 1, 1, tzinfo=UTC)
    anchor = anchor.astimezone(UTC)
    start = _at_month(anchor, now.year, now.month)
    if start > now:
        start = _at_month(anchor, *_shift_month(now.year, now.month, -1))
    end = _at_month(anchor, *_shift_month(start.year, start.month, 1))
    return start, end


def _active_subscription(user: User) -> Subscription | None:
    return (
        Subscription.objects.filter(user_id=user.pk, status__in=ACTIVE_SUBSCRIPTION_STATUSES)
        .select_related("plan")
        .first()
    )


def current_period(user: User, *, now: datetime | None = None) -> tuple[datetime, datetime]:
    subscription = Subscription.objects.filter(user_id=user.pk).first()
    anchor = subscription.current_period_start if subscription else None
    return period_bounds(now or timezone.now(), anchor=anchor)


def free_plan() -> SubscriptionPlan | None:
    return (
        SubscriptionPlan.objects.filter(is_active=True, price_monthly=0, price_yearly=0)
        .order_by("tier")
        .first()
    )


def current_plan(user: User) -> SubscriptionPlan | None:
    """The plan whose limits apply: the active subscription's, else the free plan."""
    subscription = _active_subscription(user)
    return subscription.plan if subscription else free_plan()


def _is_free(plan: SubscriptionPlan | None) -> bool:
    return plan is None or (plan.price_monthly == 0 and plan.price_yearly == 0)


def _take_plan_quota(
    user: User, plan: SubscriptionPlan, feature: str, *, key: str, task: BackgroundTask | None
) -> Charge | None:
    """One use from the plan (counted when limited), or None: credits must pay."""
    limit = plan.limits.filter(feature_name=feature).first()
    if limit is None or not limit.is_enabled:
        return None
    if limit.usage_limit == -1:
        return Charge(key=key, feature=feature)
    start, end = current_period(user)
    counter, _ = FeatureUsageCounter.objects.get_or_create(
        user_id=user.pk, feature_name=feature, defaults={"period_start": start, "period_end": end}
    )
    if counter.period_start != start:
        FeatureUsageCounter.objects.filter(pk=counter.pk).update(
            count=0, period_start=start, period_end=end
        )
    taken = FeatureUsageCounter.objects.filter(pk=counter.pk, count__lt=limit.usage_limit).update(
        count=F("count") + 1
    )
    if not taken:
        return None
    QuotaCharge.objects.create(
        user_id=user.pk, feature_name=feature, key=key, period_start=start, task=task
    )
    return Charge(key=key, feature=feature, quota_period_start=start)


def feature_usage(user: User) -> dict[str, int]:
    """Uses of each feature counted in the current period (subscription mode)."""
    start, _ = current_period(user)
    return dict(
        FeatureUsageCounter.objects.filter(user_id=user.pk, period_start=start).values_list(
            "feature_name", "count"
        )
    )


def reset_feature_counters(user: User) -> None:
    FeatureUsageCounter.objects.filter(user_id=user.pk).delete()


def apply_plan_change(user: User, plan: SubscriptionPlan) -> PlanChange:
    """Put the user on `plan` and apply what that means: CVs beyond the plan's limit become
    read-only (the newest are kept), CVs within it are unblocked, and moving from a free
    plan to a paid one starts the quotas afresh."""
    with transaction.atomic():
        before = current_plan(user)
        subscription = Subscription.objects.select_for_update().filter(user_id=user.pk).first()
        if subscription is None:
            now = timezone.now()
            Subscription.objects.create(
                user_id=user.pk,
                plan=plan,
                current_period_start=now,
                current_period_end=now + LOCAL_PERIOD,
            )
        elif subscription.plan_id != plan.pk:
            subscription.plan = plan
            subscription.save(update_fields=["plan", "updated_at"])
        return _apply_plan_consequences(user, before, plan)


def _apply_plan_consequences(
    user: User, before: SubscriptionPlan | None, plan: SubscriptionPlan
) -> PlanChange:
    if _is_free(before) and not _is_free(plan):
        reset_feature_counters(user)
    return _apply_cv_limit(user, plan)


def _apply_cv_limit(user: User, plan: SubscriptionPlan) -> PlanChange:
    cvs = CV.objects.filter(user_id=user.pk)
    if plan.max_cvs < 0:
        unblocked = cvs.filter(blocked=True).update(
            blocked=False, blocked_at=None, blocked_reason=""
        )
        return PlanChange(unblocked=unblocked)
    keep = list(cvs.order_by("-created_at", "-pk").values_list("pk", flat=True)[: plan.max_cvs])
    reason = _(
        "Your %(plan)s plan keeps %(count)s CVs editable. Upgrade your plan to edit this one."
    ) % {"plan": plan.name, "count": plan.max_cvs}
    blocked = (
        cvs.filter(blocked=False)
        .exclude(pk__in=keep)
        .update(blocked=True, blocked_at=timezone.now(), blocked_reason=reason[:255])
    )
    unblocked = cvs.filter(blocked=True, pk__in=keep).update(
        blocked=False, blocked_at=None, blocked_reason=""
    )
    return PlanChange(blocked=blocked, unblocked=unblocked)


# --- Welcome credits, promo codes, referrals -----------------------------------------------


def normalize_email(email: str) -> str:
    """The address as a mailbox, not as typed: lower case, no +tag, no Gmail dots."""
    local, _, domain = email.strip().lower().rpartition("@")
    local = local.split("+", 1)[0]
    if domain in GMAIL_DOMAINS:
        local, domain = local.replace(".", ""), "gmail.com"
    return f"{local}@{domain}"


def email_fingerprint(email: str) -> str:
    return salted_hmac(FINGERPRINT_SALT, normalize_email(email), algorithm="sha256").hexdigest()


def grant_welcome_credits(
    user: User, *, request: Any = None, when: datetime | None = None
) -> CreditTransaction | None:
    """The sign-up bonus (`welcome_credits`), once per account.

    An address that is the same mailbox as an existing or deleted account's gets no bonus;
    a zero-credit gift row records why. `request` is accepted for the sign-up hook and
    unused: only the e-mail decides (shared IP addresses would refuse honest users).
    `when`: demo data only, see record_transaction.
    """
    key = f"welcome:{user.pk}"
    with transaction.atomic():
        fingerprint = email_fingerprint(user.email)
        # Two hooks for one sign-up must not both pass the check.
        _locked_balance(user.pk)
        duplicate = (
            SignupFingerprint.objects.filter(email_hash=fingerprint).exclude(user=user).exists()
        )
        SignupFingerprint.objects.get_or_create(user=user, email_hash=fingerprint)
        amount = int(get_setting("welcome_credits"))
        if amount <= 0:
            return None
        if duplicate:
            logger.info("Welcome credits refused to user %s: duplicate e-mail", user.pk)
            row, _ = record_transaction(
                user.pk,
                amount=0,
                type=TransactionType.GIFT,
                key=key,
                metadata={"source": "welcome_bonus_blocked", "reason": "duplicate_email"},
                when=when,
            )
            return row
        row, _ = record_transaction(
            user.pk,
            amount=amount,
            type=TransactionType.GIFT,
            key=key,
            metadata={"source": "welcome_bonus"},
            when=when,
        )
    return row


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


def _consume_promo(promo: PromoCode, user: User) -> None:
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
        _consume_promo(promo, user)
        record_transaction(
            user.pk,
            amount=promo.credits,
            type=TransactionType.PROMO,
            key=f"promo:{promo.pk}:{user.pk}",
            metadata={"code": promo.code},
        )
    return promo


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


# --- Stripe checkout ----------------------------------------------------------------------


def _cents(amount: Decimal) -> int:
    return int((amount * 100).to_integral_value())


def format_money(cents: int | None, currency: str) -> str:
    return f"{Decimal(cents or 0) / 100:.2f} {currency.upper()}"


def _absolute(path: str) -> str:
    return f"{settings.SITE_ROOT}{path}"


def percent_promo_for_checkout(user: User, code: str) -> PromoCode:
    """A percentage code the user may apply to a pack purchase; PromoCodeError if not."""
    promo = _usable_promo(code, user)
    if promo.kind != PromoKind.PERCENT:
        raise PromoCodeError(_("This code gives free credits: redeem it on the codes page."))
    return promo


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
        success_url=_absolute(reverse("billing:checkout_done"))
        + "?session_id={CHECKOUT_SESSION_ID}",
        cancel_url=_absolute(reverse("billing:index")),
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
    subscription = _active_subscription(user)
    if subscription is not None and subscription.stripe_subscription_id and user.stripe_customer_id:
        return stripe_api.create_portal_session(
            user.stripe_customer_id, _absolute(reverse("billing:plans"))
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
        success_url=_absolute(reverse("billing:checkout_done"))
        + "?session_id={CHECKOUT_SESSION_ID}",
        cancel_url=_absolute(reverse("billing:plans")),
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


# --- Stripe payments (webhooks and the checkout return page) -------------------------------


def _user_for_stripe(obj: StripeData) -> User | None:
    """The user a Stripe object belongs to: our metadata first, then the customer id."""
    metadata = obj.get("metadata") or {}
    user_id = metadata.get("user_id") or obj.get("client_reference_id")
    if user_id and str(user_id).isdigit():
        user = User.objects.filter(pk=int(user_id)).first()
        if user is not None:
            return user
    customer = obj.get("customer")
    if isinstance(customer, dict):
        customer = customer.get("id")
    if customer:
        return User.objects.filter(stripe_customer_id=customer).first()
    return None


def grant_purchase(
    user: User,
    *,
    credits: int,
    payment_ref: str,
    session_id: str = "",
    amount_paid: int | None = None,
    currency: str = "",
    pack_id: str = "",
    promo_code_id: str = "",
    when: datetime | None = None,
) -> tuple[CreditTransaction, bool]:
    """Credit a paid pack once per payment (keyed by the payment intent id, or the session
    id when nothing was charged); returns (row, created). `when`: demo data only, see
    record_transaction."""
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
                    _consume_promo(promo, user)
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


def _remember_customer(user: User, obj: StripeData) -> None:
    # Callers hold the user's balance lock first: every payment path takes its locks in the
    # same order (balance, then the user row), so concurrent events cannot deadlock.
    customer = obj.get("customer")
    if not isinstance(customer, str) or not customer or user.stripe_customer_id:
        return
    try:
        with transaction.atomic():
            User.objects.filter(pk=user.pk, stripe_customer_id__isnull=True).update(
                stripe_customer_id=customer
            )
    except IntegrityError:
        # Another account holds this customer: keep the payment, leave the link alone.
        logger.warning("Stripe customer %s already belongs to another user", customer)
        return
    user.stripe_customer_id = customer


@transaction.atomic
def fulfil_checkout_session(session: StripeData) -> CreditTransaction | None:
    """Act on a Checkout Session as Stripe reports it now (re-fetched by the caller): grant a
    paid pack, or sync the subscription it started. Safe to call any number of times."""
    user = _user_for_stripe(session)
    if user is None:
        logger.warning("Checkout session %s has no known user", session.get("id"))
        return None
    _locked_balance(user.pk)
    _remember_customer(user, session)
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
        credits=int(metadata["credits"]),
        payment_ref=str(session.get("payment_intent") or session["id"]),
        session_id=str(session["id"]),
        amount_paid=session.get("amount_total"),
        currency=str(session.get("currency") or ""),
        pack_id=str(metadata.get("pack_id", "")),
        promo_code_id=str(metadata.get("promo_code_id", "")),
    )
    return row


@transaction.atomic
def fulfil_payment_intent(intent: StripeData) -> CreditTransaction | None:
    """Grant the pack a succeeded payment intent paid for (same key as the session path)."""
    metadata = intent.get("metadata") or {}
    if metadata.get("type") != CREDIT_PURCHASE or intent.get("status") != "succeeded":
        return None
    user = _user_for_stripe(intent)
    if user is None:
        logger.warning("Payment intent %s has no known user", intent.get("id"))
        return None
    row, _ = grant_purchase(
        user,
        credits=int(metadata["credits"]),
        payment_ref=str(intent["id"]),
        amount_paid=intent.get("amount_received"),
        currency=str(intent.get("currency") or ""),
        pack_id=str(metadata.get("pack_id", "")),
        promo_code_id=str(metadata.get("promo_code_id", "")),
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
    user = _user_for_stripe(obj)
    if obj.get("object") == "invoice":
        subscription_id = _invoice_subscription_id(obj)
        if subscription_id:
            synced = sync_subscription(stripe_api.retrieve_subscription(subscription_id))
            user = user or (synced.user if synced else None)
    elif obj.get("payment_status") == "paid":
        return
    if user is not None:
        transaction.on_commit(lambda: notify.payment_failed(user))


def _to_datetime(timestamp: Any) -> datetime | None:
    return datetime.fromtimestamp(int(timestamp), tz=UTC) if timestamp else None


@transaction.atomic
def sync_subscription(stripe_sub: StripeData) -> Subscription | None:
    """Make the local subscription match Stripe's (re-fetched) one, and apply plan changes.

    A canceled subscription puts the user back on the free plan, unless it is not the one
    we know (the old subscription of a plan switch).
    """
    user = _user_for_stripe(stripe_sub)
    if user is None:
        logger.warning("Subscription %s has no known user", stripe_sub.get("id"))
        return None
    _locked_balance(user.pk)
    _remember_customer(user, stripe_sub)
    items = (stripe_sub.get("items") or {}).get("data") or [{}]
    item = items[0]
    price = item.get("price") or {}
    price_id = str(price.get("id") or "")
    status = STRIPE_STATUS.get(str(stripe_sub.get("status")), SubscriptionStatus.INCOMPLETE)
    with transaction.atomic():
        before = current_plan(user)
        local = Subscription.objects.select_for_update().filter(user_id=user.pk).first()
        if status == SubscriptionStatus.CANCELED:
            if local is None or local.stripe_subscription_id != stripe_sub["id"]:
                return local
            plan = free_plan() or local.plan
            now = timezone.now()
            local.plan = plan
            local.status = SubscriptionStatus.ACTIVE
            local.stripe_subscription_id = None
            local.stripe_price_id = ""
            local.billing_period = BillingPeriod.MONTHLY
            local.cancel_at_period_end = False
            local.canceled_at = _to_datetime(stripe_sub.get("canceled_at")) or now
            local.current_period_start, local.current_period_end = now, now + LOCAL_PERIOD
            local.save()
            _apply_plan_consequences(user, before, plan)
            return local
        plan = (
            SubscriptionPlan.objects.filter(
                Q(stripe_price_id_monthly=price_id) | Q(stripe_price_id_yearly=price_id)
            ).first()
            or SubscriptionPlan.objects.filter(
                pk=str((stripe_sub.get("metadata") or {}).get("plan_id") or 0)
            ).first()
        )
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
            "current_period_end": _to_datetime(item.get("current_period_end"))
            or now + timedelta(days=31),
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
            _apply_plan_consequences(user, before, plan)
    return local


def _purchase_context(intent_id: str) -> tuple[StripeData, User, int] | None:
    """The payment intent of a pack purchase, its buyer and credits (None if not a pack)."""
    intent = stripe_api.retrieve_payment_intent(intent_id)
    metadata = intent.get("metadata") or {}
    if metadata.get("type") != CREDIT_PURCHASE:
        return None
    user = _user_for_stripe(intent)
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
        _locked_balance(user.pk)
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
    intent = stripe_api.retrieve_payment_intent(str(intent_id))
    user = _user_for_stripe(intent)
    subscription = _active_subscription(user) if user else None
    if user is None or subscription is None or not subscription.stripe_subscription_id:
        return None
    sync_subscription(stripe_api.cancel_subscription(subscription.stripe_subscription_id))
    return None
