from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from allauth.socialaccount.models import SocialAccount
from django.apps import apps
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from accounts.models import ConsentLog, User
from accounts.services import delete_account
from ai.models import OpenAIUsage
from billing.models import CreditBalance, CreditTransaction, Subscription, SubscriptionPlan
from cvs.models import CV, CVVersion
from joboffers.models import JobOffer, LinkHistory
from jobs.models import BackgroundTask
from telemetry.models import FeatureUsage, Feedback, TelemetryEvent

pytestmark = pytest.mark.django_db

# Relations to the user that deliberately do not cascade: a referral link is kept on the
# referred account when the referrer leaves.
NON_CASCADING_USER_FIELDS = {
    ("accounts.User", "referred_by"),
    # Kept (without the user) so a deleted account still counts against duplicate sign-ups.
    ("billing.SignupFingerprint", "user"),
}


def _plan() -> SubscriptionPlan:
    return SubscriptionPlan.objects.create(name="Pro", tier=1)


def test_it_refuses_a_duplicate_filename_for_the_same_user(alice, bob):
    CV.objects.create(user=alice, filename="cv.json")
    CV.objects.create(user=bob, filename="cv.json")  # another user may reuse it
    with pytest.raises(IntegrityError), transaction.atomic():
        CV.objects.create(user=alice, filename="cv.json")
    assert CV.objects.filter(user=alice).count() == 1


def test_it_refuses_a_duplicate_version_number(alice):
    cv = CV.objects.create(user=alice, filename="cv.json")
    CVVersion.objects.create(cv=cv, version=1, content={})
    with pytest.raises(IntegrityError), transaction.atomic():
        CVVersion.objects.create(cv=cv, version=1, content={"other": True})
    assert cv.versions.count() == 1


def test_it_allows_one_subscription_per_user(alice):
    plan = _plan()
    now = timezone.now()
    period = {"current_period_start": now, "current_period_end": now + timedelta(days=30)}
    Subscription.objects.create(user=alice, plan=plan, **period)
    with pytest.raises(IntegrityError), transaction.atomic():
        Subscription.objects.create(user=alice, plan=plan, **period)


def test_it_allows_one_credit_balance_per_user(alice):
    CreditBalance.objects.create(user=alice, balance=3)
    with pytest.raises(IntegrityError), transaction.atomic():
        CreditBalance.objects.create(user=alice, balance=5)


def test_it_refuses_a_negative_balance_without_a_dispute(alice):
    with pytest.raises(IntegrityError), transaction.atomic():
        CreditBalance.objects.create(user=alice, balance=-1)
    CreditBalance.objects.create(user=alice, balance=-1, disputed=True)


def test_it_refuses_a_match_score_above_100(alice):
    with pytest.raises(IntegrityError), transaction.atomic():
        CV.objects.create(user=alice, filename="cv.json", match_score=101)


def test_deleting_a_job_offer_sets_the_cv_offer_to_null(alice):
    offer = JobOffer.objects.create(
        user=alice, source_type="url", source_value="https://jobs.example.org/1"
    )
    cv = CV.objects.create(user=alice, filename="cv.json", job_offer=offer)
    offer.delete()
    cv.refresh_from_db()
    assert cv.job_offer is None


def test_deleting_a_user_deletes_every_row_the_seed_cascades(alice, bob):
    def rows_of(user: User) -> None:
        offer = JobOffer.objects.create(user=user, source_type="url", source_value="https://x.io")
        cv = CV.objects.create(user=user, filename="cv.json", job_offer=offer)
        CVVersion.objects.create(cv=cv, version=1, content={})
        BackgroundTask.objects.create(user=user, type="test", title="t")
        SocialAccount.objects.create(user=user, provider="github", uid=f"{user.pk}")
        LinkHistory.objects.create(user=user, url="https://x.io")
        Feedback.objects.create(user=user, rating=5, comment="Great")
        ConsentLog.objects.create(user=user, action="created", preferences={"analytics": False})
        TelemetryEvent.objects.create(user=user, type="CV_CREATED", category="cv_management")
        FeatureUsage.objects.create(
            user=user, feature_name="export_cv", last_used_at=timezone.now()
        )
        OpenAIUsage.objects.create(
            user=user, feature_name="match_score", model="offline", date=date.today()
        )
        CreditBalance.objects.create(user=user, balance=1)
        CreditTransaction.objects.create(user=user, amount=1, type="gift", key=f"w{user.pk}")

    rows_of(alice)
    rows_of(bob)
    seed_models = [
        CV,
        CVVersion,
        JobOffer,
        BackgroundTask,
        SocialAccount,
        LinkHistory,
        Feedback,
        ConsentLog,
        TelemetryEvent,
        FeatureUsage,
        OpenAIUsage,
        CreditBalance,
        CreditTransaction,
    ]
    before = {m: m.objects.count() for m in seed_models}

    delete_account(alice)

    for model in seed_models:
        assert model.objects.count() == before[model] // 2, model.__name__
    assert not CV.objects.filter(user_id=alice.pk).exists()
    assert User.objects.filter(pk=bob.pk).exists()


def test_every_relation_to_a_user_cascades_unless_deliberately_kept():
    user_model = apps.get_model("accounts.User")
    offenders = []
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if not isinstance(field, models.ForeignKey | models.OneToOneField):
                continue
            if field.related_model is not user_model:
                continue
            label = (model._meta.label, field.name)
            if field.remote_field.on_delete is not models.CASCADE:
                offenders.append(label)
    assert set(offenders) == NON_CASCADING_USER_FIELDS


def test_a_referral_survives_the_referrer_leaving(alice, bob):
    bob.referred_by = alice
    bob.save()
    alice.delete()
    bob.refresh_from_db()
    assert bob.referred_by is None


def test_money_fields_keep_cents():
    plan = SubscriptionPlan.objects.create(name="Pro", tier=1, price_monthly=Decimal("9.99"))
    plan.refresh_from_db()
    assert plan.price_monthly == Decimal("9.99")
