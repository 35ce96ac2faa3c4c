from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from ai.models import OpenAIAlert, OpenAIAlertEvent, OpenAICall, OpenAIPricing, OpenAIUsage
from billing.models import (
    CreditBalance,
    CreditPack,
    CreditTransaction,
    Subscription,
    SubscriptionPlan,
)
from conftest import make_user
from cvs.models import CV
from emails.models import EmailLog
from joboffers.models import JobOffer
from jobs.models import BackgroundTask
from telemetry.models import FeatureUsage, Feedback, TelemetryEvent

SITES = ["www.linkedin.com", "fr.indeed.com", "jobs.lever.co"]
STATES = ["success", "success", "error"]


def _seed(count: int) -> dict[str, Any]:
    """`count` rows of every kind the dashboards read, spread over the last 20 days."""
    now = timezone.now()
    pack = CreditPack.objects.create(name="15 credits", credit_amount=15, price=Decimal("4.99"))
    plan = SubscriptionPlan.objects.create(name="Pro", tier=1, price_monthly=Decimal("9.99"))
    OpenAIPricing.objects.get_or_create(
        model_name="gpt-4.1-mini",
        defaults={
            "input_price_per_mtok": Decimal("0.4"),
            "output_price_per_mtok": Decimal("1.6"),
            "cache_price_per_mtok": Decimal("0.1"),
        },
    )
    alert = OpenAIAlert.objects.create(
        type="user_daily", threshold=Decimal("1"), name="User above $1", enabled=True
    )
    users = []
    for n in range(count):
        at = now - dt.timedelta(days=n % 20, hours=n % 5)
        state = {
            "current_step": n % 6,
            "completed_steps": ["create_cv", "add_offer"][: n % 3],
            "has_completed": n % 4 == 0,
            "is_skipped": n % 7 == 3,
            "timestamps": {
                "started_at": at.isoformat(),
                "completed_at": (at + dt.timedelta(minutes=20 + n)).isoformat(),
            },
        }
        user = make_user(
            f"user{n}@example.org", name=f"User {n}", onboarding_state=state, created_at=at
        )
        users.append(user)
        cv = CV.objects.create(
            user=user, filename=f"cv{n}.json", created_by=["", "generate-cv", "import-pdf"][n % 3]
        )
        offer = JobOffer.objects.create(
            user=user,
            source_type="url",
            source_value=f"https://{SITES[n % 3]}/jobs/{n}",
            extracted_at=at if n % 2 else None,
        )
        BackgroundTask.objects.create(
            user=user,
            type=["extract-job-offer", "generate-cv", "import-pdf"][n % 3],
            title=f"Task {n}",
            status=["failed", "completed"][n % 2],
            error="The site refused to show the offer (HTTP 403)." if n % 2 == 0 else "",
            payload={"offer_id": offer.pk},
            progress=5,
        )
        status = STATES[n % 3]
        TelemetryEvent.objects.create(
            user=user,
            type=["CV_EXPORTED", "CV_GENERATED", "USER_LOGIN"][n % 3],
            category="cv_management",
            status=status,
            error="Timeout" if status == "error" else "",
            duration_ms=1000 + n,
        )
        FeatureUsage.objects.create(
            user=user, feature_name="export_cv", usage_count=n + 1, last_used_at=at
        )
        OpenAIUsage.objects.create(
            user=user,
            feature_name=["match_score", "gpt_cv_generation"][n % 2],
            model="gpt-4.1-mini",
            date=at.date(),
            prompt_tokens=1000,
            cached_tokens=400,
            completion_tokens=300,
            total_tokens=1300,
            estimated_cost=Decimal("0.00093"),
            calls_count=1,
        )
        call = OpenAICall.objects.create(
            user=user,
            feature_name=["match_score", "cv_adaptation_summary"][n % 2],
            model="gpt-4.1-mini",
            prompt_tokens=1000,
            cached_tokens=400,
            completion_tokens=300,
            total_tokens=1300,
            estimated_cost=Decimal("0.00093"),
        )
        OpenAICall.objects.filter(pk=call.pk).update(created_at=at)
        OpenAIAlertEvent.objects.create(
            alert=alert, user=user, period_key=f"{user.pk}:{n}", value=Decimal("1.5")
        )
        Feedback.objects.create(
            user=user,
            rating=None if n % 4 == 1 else n % 5 + 1,
            comment=f"Comment {n}",
            is_bug_report=n % 4 == 1,
            current_cv=cv,
            status=["new", "reviewed", "resolved"][n % 3],
        )
        purchase = CreditTransaction.objects.create(
            user=user,
            amount=15,
            type="purchase",
            key=f"purchase:{n}",
            metadata={"amount_paid": 499 if n % 2 else None, "currency": "eur"},
        )
        if n % 5 == 0:
            CreditTransaction.objects.create(
                user=user,
                amount=-15,
                type="payment_refund",
                key=f"refund:{n}",
                related_transaction=purchase,
            )
        CreditBalance.objects.create(user=user, balance=n)
        if n % 3 == 0:
            Subscription.objects.create(
                user=user,
                plan=plan,
                current_period_start=at,
                current_period_end=at + dt.timedelta(days=30),
            )
        EmailLog.objects.create(
            template_name=["welcome", "email_verification"][n % 2],
            recipient_email=user.email,
            recipient_user=user,
            subject="Hello",
            status=["delivered", "bounced", "failed", "sent"][n % 4],
            error="550 Mailbox unknown" if n % 4 == 1 else "",
        )
    return {"users": users, "pack": pack}


@pytest.fixture
def seed_activity(db: Any) -> Callable[[int], dict[str, Any]]:
    return _seed
