"""Charging paid features, from credits or a plan's quota, and giving a charge back.

Paid features call `charge_feature` before queueing their work (see its docstring), and the
task engine's stop hook calls `refund_task`, which gives back exactly what was charged.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.db.models import F, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from billing.models import (
    CreditBalance,
    CreditTransaction,
    FeatureUsageCounter,
    QuotaCharge,
    SubscriptionPlan,
    TransactionType,
)
from billing.services.ledger import InsufficientCredits, lock_balance, record_transaction
from billing.services.plans import current_period, current_plan
from core.config import get_setting
from jobs.models import BackgroundTask

if TYPE_CHECKING:
    from accounts.models import User
    from cvs.models import CV


class PaymentRequired(Exception):
    """A paid feature refused. `message` is for the user; `url` leads to the credit packs."""

    NOT_ENOUGH_CREDITS = "not_enough_credits"
    NEGATIVE_BALANCE = "negative_balance"
    NOT_IN_PLAN = "not_in_plan"

    def __init__(self, message: str, *, feature: str, cost: int, balance: int, reason: str) -> None:
        super().__init__(message)
        self.message, self.feature, self.cost = message, feature, cost
        self.balance, self.reason = balance, reason

    @property
    def url(self) -> str:
        if self.reason == self.NOT_IN_PLAN:
            return reverse("billing:plans")
        return reverse("billing:index") + "#packs"


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


# Features the offline engine does only in part, with the setting of that partial work's price:
# an offline translation leaves every sentence in the source language, so it never costs the
# price of a full translation.
OFFLINE_COSTS = {"translate_cv": "credits_translate_offline"}


def feature_cost(feature: str, *, engine: str | None = None) -> int:
    """Credits one use of the feature costs (the `credits_<feature>` setting); 0 = free.

    With the offline AI engine (`engine`, by default settings.AI_ENGINE), a feature of
    OFFLINE_COSTS costs its offline price instead.
    """
    if is_offline_price(feature, engine=engine):
        return int(get_setting(OFFLINE_COSTS[feature]))
    return int(get_setting(f"credits_{feature}"))


def is_offline_price(feature: str, *, engine: str | None = None) -> bool:
    """Whether the feature is sold at its offline price (the offline engine does it in part)."""
    return feature in OFFLINE_COSTS and (engine or settings.AI_ENGINE) == "offline"


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
    the first Charge and takes nothing (a retried request, a double click).
    """
    with transaction.atomic():
        balance = lock_balance(user.pk)
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
        if plan is not None and cost == 0 and is_offline_price(feature):
            plan = None  # a free offline use takes nothing from the plan's quota
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
                user,
                balance,
                feature,
                cost,
                key=key,
                task=task,
                cv_id=cv.pk if cv else None,
                when=when,
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


def _debit_credits(
    user: User,
    balance: CreditBalance,
    feature: str,
    cost: int,
    *,
    key: str,
    task: BackgroundTask | None,
    cv_id: int | None,
    when: datetime | None = None,
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
            cv_id=cv_id,
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
    return _refund_first(
        CreditTransaction.objects.filter(key=key, user_id=user.pk),
        QuotaCharge.objects.filter(key=key, user_id=user.pk),
        when=when,
    )


def refund_task(task: BackgroundTask) -> CreditTransaction | None:
    """Give back exactly what a stopped task was charged; idempotent."""
    if task.user_id is None:
        return None
    return _refund_first(
        CreditTransaction.objects.filter(task=task), QuotaCharge.objects.filter(task=task)
    )


def _refund_first(
    transactions: QuerySet[CreditTransaction],
    quotas: QuerySet[QuotaCharge],
    *,
    when: datetime | None = None,
) -> CreditTransaction | None:
    """Refund the first debit among `transactions`, else release the first of `quotas`."""
    with transaction.atomic():
        debit = transactions.filter(type=TransactionType.USAGE).first()
        if debit is not None:
            return _refund_debit(debit, when=when)
        quota = quotas.first()
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
