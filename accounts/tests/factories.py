"""One row of every kind a user owns, for the export and deletion tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from allauth.socialaccount.models import SocialAccount

from accounts.models import AutoSignInToken, ConsentLog
from accounts.services import create_bookmarklet_token
from ai.models import OpenAICall, OpenAIUsage
from billing.models import CreditBalance, CreditTransaction, FeatureUsageCounter
from cvs.models import CV, CVVersion
from emails.models import EmailLog
from joboffers.models import JobOffer, LinkHistory
from jobs.models import BackgroundTask
from telemetry.models import FeatureUsage, Feedback, TelemetryEvent


def create_owned_rows(user: Any, tag: str) -> dict[str, int]:
    """Create the rows and return how many of each model belong to `user` (with their own
    EmailAddress row made by the persona fixture)."""
    now = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)
    offer = JobOffer.objects.create(
        user=user,
        source_type="url",
        source_value=f"https://jobs.example/{tag}",
        content={"title": f"Data engineer {tag}", "company": f"Company {tag}"},
    )
    cv = CV.objects.create(
        user=user,
        filename=f"cv-{tag}.json",
        name=f"Master CV {tag}",
        content={"header": {"full_name": f"Person {tag}", "current_title": "Engineer"}},
        job_offer=offer,
    )
    CVVersion.objects.create(cv=cv, version=1, content={"summary": f"version of {tag}"})
    task = BackgroundTask.objects.create(user=user, type="generate-cv", title=f"Tailor {tag}")
    LinkHistory.objects.create(user=user, url=f"https://jobs.example/{tag}")
    CreditBalance.objects.create(user=user, balance=10)
    CreditTransaction.objects.create(user=user, amount=10, type="gift", key=f"welcome:{tag}")
    FeatureUsageCounter.objects.create(
        user=user,
        feature_name="export_cv",
        period_start=now,
        period_end=now + dt.timedelta(days=30),
    )
    ConsentLog.objects.create(user=user, action="created", preferences={"analytics": True})
    Feedback.objects.create(user=user, comment=f"Feedback from {tag}", current_cv=cv)
    TelemetryEvent.objects.create(user=user, type="cv_created", category="cv_management")
    FeatureUsage.objects.create(user=user, feature_name="export", last_used_at=now)
    OpenAIUsage.objects.create(user=user, feature_name="match", model="offline", date=now.date())
    OpenAICall.objects.create(user=user, task=task, feature_name="match", model="offline")
    EmailLog.objects.create(
        recipient_user=user,
        template_name="welcome",
        recipient_email=user.email,
        subject=f"Welcome {tag}",
    )
    SocialAccount.objects.create(user=user, provider="github", uid=f"uid-{tag}")
    TOTP.activate(user, generate_totp_secret())
    AutoSignInToken.objects.create(user=user, token_hash=f"{tag:0<64}", expires_at=now)
    create_bookmarklet_token(user, name=f"Browser of {tag}")
    counts = {
        "joboffers.JobOffer": 1,
        "cvs.CV": 1,
        "cvs.CVVersion": 1,
        "jobs.BackgroundTask": 1,
        "joboffers.LinkHistory": 1,
        "billing.CreditBalance": 1,
        "billing.CreditTransaction": 1,
        "billing.FeatureUsageCounter": 1,
        "accounts.ConsentLog": 1,
        "telemetry.Feedback": 1,
        "telemetry.TelemetryEvent": 1,
        "telemetry.FeatureUsage": 1,
        "ai.OpenAIUsage": 1,
        "ai.OpenAICall": 1,
        "emails.EmailLog": 1,
        "socialaccount.SocialAccount": 1,
        "mfa.Authenticator": 1,
        "accounts.AutoSignInToken": 1,
        "accounts.BookmarkletToken": 1,
        "account.EmailAddress": EmailAddress.objects.filter(user=user).count(),
        "accounts.User": 1,
    }
    return counts
