"""Subscription plans: which plan applies, its quota periods, and what changing plan does."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from billing.models import FeatureUsageCounter, Subscription, SubscriptionPlan, SubscriptionStatus

if TYPE_CHECKING:
    from accounts.models import User

ACTIVE_SUBSCRIPTION_STATUSES = (SubscriptionStatus.ACTIVE, SubscriptionStatus.TRIALING)
# A local subscription (the free plan, or a plan set by staff) never renews.
LOCAL_PERIOD = timedelta(days=3650)
UNBLOCKED: dict[str, Any] = {"blocked": False, "blocked_at": None, "blocked_reason": ""}


@dataclass(frozen=True)
class PlanChange:
    blocked: int = 0
    unblocked: int = 0


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


def active_subscription(user: User) -> Subscription | None:
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
    subscription = active_subscription(user)
    return subscription.plan if subscription else free_plan()


def _is_free(plan: SubscriptionPlan | None) -> bool:
    return plan is None or (plan.price_monthly == 0 and plan.price_yearly == 0)


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
        return apply_plan_consequences(user, before=before, plan=plan)


def apply_plan_consequences(
    user: User, *, before: SubscriptionPlan | None, plan: SubscriptionPlan
) -> PlanChange:
    """What moving from `before` to `plan` does to quotas and CVs (the plan is already set)."""
    if _is_free(before) and not _is_free(plan):
        reset_feature_counters(user)
    return _apply_cv_limit(user, plan)


def _apply_cv_limit(user: User, plan: SubscriptionPlan) -> PlanChange:
    # Through the user's reverse relation: billing sits below the CV app and never imports it.
    cvs = user.cvs.all()
    if plan.max_cvs < 0:
        return PlanChange(unblocked=cvs.filter(blocked=True).update(**UNBLOCKED))
    keep = list(cvs.order_by("-created_at", "-pk").values_list("pk", flat=True)[: plan.max_cvs])
    reason = _(
        "Your %(plan)s plan keeps %(count)s CVs editable. Upgrade your plan to edit this one."
    ) % {"plan": plan.name, "count": plan.max_cvs}
    blocked = (
        cvs.filter(blocked=False)
        .exclude(pk__in=keep)
        .update(blocked=True, blocked_at=timezone.now(), blocked_reason=reason[:255])
    )
    unblocked = cvs.filter(blocked=True, pk__in=keep).update(**UNBLOCKED)
    return PlanChange(blocked=blocked, unblocked=unblocked)
