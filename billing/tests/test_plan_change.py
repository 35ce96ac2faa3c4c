from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from billing.models import Subscription, SubscriptionPlan
from billing.services import apply_plan_change
from cvs.models import CV

pytestmark = pytest.mark.django_db


def _cvs(user, count: int) -> list[CV]:
    now = timezone.now()
    cvs = [CV.objects.create(user=user, filename=f"{n}.json", name=f"CV {n}") for n in range(count)]
    for age, cv in enumerate(reversed(cvs)):
        CV.objects.filter(pk=cv.pk).update(created_at=now - timedelta(days=age))
    return cvs


def test_a_downgrade_blocks_the_oldest_cvs_beyond_the_limit(alice, bob, catalogue):
    SubscriptionPlan.objects.filter(name="Free").update(max_cvs=2)
    oldest, older, newer, newest = _cvs(alice, 4)
    bobs = _cvs(bob, 3)
    apply_plan_change(alice, catalogue["plans"]["Pro"])
    change = apply_plan_change(alice, SubscriptionPlan.objects.get(name="Free"))
    assert change.blocked == 2
    blocked = {cv.pk: cv for cv in CV.objects.filter(blocked=True)}
    assert set(blocked) == {oldest.pk, older.pk}
    assert "Free plan keeps 2 CVs" in blocked[oldest.pk].blocked_reason
    assert blocked[oldest.pk].blocked_at is not None
    assert not CV.objects.filter(pk__in=[c.pk for c in bobs], blocked=True).exists()
    assert Subscription.objects.get(user=alice).plan.name == "Free"


def test_an_upgrade_unblocks_them(alice, catalogue):
    SubscriptionPlan.objects.filter(name="Free").update(max_cvs=1)
    _cvs(alice, 3)
    apply_plan_change(alice, SubscriptionPlan.objects.get(name="Free"))
    assert CV.objects.filter(blocked=True).count() == 2
    change = apply_plan_change(alice, catalogue["plans"]["Premium"])
    assert change.unblocked == 2
    assert not CV.objects.filter(blocked=True).exists()
    assert CV.objects.filter(blocked_reason="").count() == 3


def test_a_blocked_cv_is_read_only_in_the_workspace(alice, alice_client, catalogue):
    SubscriptionPlan.objects.filter(name="Free").update(max_cvs=0)
    (cv,) = _cvs(alice, 1)
    apply_plan_change(alice, SubscriptionPlan.objects.get(name="Free"))
    response = alice_client.post(f"/cvs/{cv.pk}/rename/", {"name": "New name"})
    assert response.status_code == 403
    cv.refresh_from_db()
    assert cv.name == "CV 0"
