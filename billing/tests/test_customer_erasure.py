"""An erased account takes its Stripe customer with it: no subscription renews for a person
whose account is gone, and nothing is deleted while Stripe cannot be reached."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts import services as account_services
from accounts.models import User
from billing import stripe_api
from conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_the_sdk_deletes_the_customer_and_a_missing_one_is_no_error(stripe_server):
    stripe_server.add({"id": "cus_test_9", "object": "customer"})

    stripe_api.delete_customer("cus_test_9")
    stripe_api.delete_customer("cus_test_9")  # already gone: nothing to do

    deletes = [r for r in stripe_server.requests if r.method == "DELETE"]
    assert [r.path for r in deletes] == ["/v1/customers/cus_test_9"] * 2
    assert stripe_server.deleted_customers == ["cus_test_9"]


def test_deleting_an_account_ends_its_subscription_through_stripe(alice, fake_stripe):
    User.objects.filter(pk=alice.pk).update(stripe_customer_id="cus_test_alice")
    alice.refresh_from_db()
    sub = fake_stripe.subscription(alice, price_id="price_pro", customer="cus_test_alice")

    account_services.delete_account(alice)

    assert fake_stripe.deleted_customers == ["cus_test_alice"]
    assert fake_stripe.get(sub["id"])["status"] == "canceled"
    assert not User.objects.filter(pk=alice.pk).exists()


def test_an_account_without_a_stripe_customer_asks_nothing_of_stripe(alice, fake_stripe):
    account_services.delete_account(alice)

    assert fake_stripe.mocks["delete_customer"].call_count == 0
    assert not User.objects.filter(pk=alice.pk).exists()


def test_with_stripe_away_the_user_is_told_and_nothing_is_deleted(alice, alice_client, fake_stripe):
    User.objects.filter(pk=alice.pk).update(stripe_customer_id="cus_test_alice")
    cv_count = alice.cvs.count()
    fake_stripe.failing_deletes = True
    alice_client.post("/accounts/reauthenticate/", {"password": PASSWORD})

    response = alice_client.post("/account/delete/", {"confirm_email": alice.email})

    assert response.status_code == 503
    assert "nothing was deleted" in response.content.decode()
    assert User.objects.filter(pk=alice.pk).exists()
    assert alice.cvs.count() == cv_count


def test_staff_deleting_a_user_while_stripe_is_away_keep_the_user(alice, staff_client, fake_stripe):
    User.objects.filter(pk=alice.pk).update(stripe_customer_id="cus_test_alice")
    fake_stripe.failing_deletes = True

    response = staff_client.post(
        reverse("admin:accounts_user_delete", args=[alice.pk]), {"post": "yes"}, follow=True
    )

    assert User.objects.filter(pk=alice.pk).exists()
    page = response.content.decode()
    assert "was not deleted" in page
    assert "deleted successfully" not in page
