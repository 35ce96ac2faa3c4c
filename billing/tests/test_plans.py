from __future__ import annotations

import pytest

from billing.models import Feature, SubscriptionPlanFeatureLimit
from billing.services import apply_plan_change, charge_feature

pytestmark = pytest.mark.django_db
URL = "/billing/plans/"


def test_it_is_hidden_in_credits_only_mode(alice_client, catalogue):
    assert alice_client.get(URL).status_code == 404
    assert 'href="/billing/plans/"' not in alice_client.get("/billing/").content.decode()


def test_it_shows_the_plans_and_this_months_usage(
    alice, alice_client, catalogue, subscription_mode, fake_stripe
):
    apply_plan_change(alice, catalogue["plans"]["Pro"])
    charge_feature(alice, Feature.MATCH_SCORE, key="s1")
    page = alice_client.get(URL).content.decode()
    assert "Premium" in page and "19.99 EUR" in page
    assert "1 of 25 this month" in page
    assert 'href="/billing/plans/"' in alice_client.get("/billing/").content.decode()


def test_subscribing_opens_a_subscription_checkout(
    alice, alice_client, catalogue, subscription_mode, fake_stripe
):
    plan = catalogue["plans"]["Premium"]
    response = alice_client.post(
        f"/billing/plans/{plan.pk}/subscribe/", {"billing_period": "yearly"}
    )
    assert response.status_code == 302
    (sent,) = fake_stripe.created_sessions
    assert sent["mode"] == "subscription"
    assert sent["line_items"] == [{"price": "price_premium_yearly", "quantity": 1}]
    assert sent["metadata"]["plan_id"] == str(plan.pk)


def test_a_plan_without_a_stripe_price_cannot_be_bought(
    alice_client, catalogue, subscription_mode, fake_stripe
):
    plan = catalogue["plans"]["Pro"]
    plan.__class__.objects.filter(pk=plan.pk).update(stripe_price_id_monthly=None)
    response = alice_client.post(
        f"/billing/plans/{plan.pk}/subscribe/", {"billing_period": "monthly"}, follow=True
    )
    assert "cannot be bought online yet" in response.content.decode()
    assert fake_stripe.created_sessions == []


def test_a_bad_period_opens_nothing(alice_client, catalogue, subscription_mode, fake_stripe):
    plan = catalogue["plans"]["Pro"]
    alice_client.post(f"/billing/plans/{plan.pk}/subscribe/", {"billing_period": "weekly"})
    assert fake_stripe.created_sessions == []


def test_it_asks_anonymous_visitors_to_log_in(client, catalogue, subscription_mode):
    assert client.get(URL)["Location"].startswith("/accounts/login/")


def test_the_methods_are_enforced(alice_client, catalogue, subscription_mode):
    assert alice_client.post(URL).status_code == 405
    plan = catalogue["plans"]["Pro"]
    assert alice_client.get(f"/billing/plans/{plan.pk}/subscribe/").status_code == 405


def test_limits_of_disabled_features_are_not_listed(alice_client, catalogue, subscription_mode):
    SubscriptionPlanFeatureLimit.objects.filter(feature_name=Feature.TRANSLATE_CV).update(
        is_enabled=False
    )
    assert "Translation" not in alice_client.get(URL).content.decode()
