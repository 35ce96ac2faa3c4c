from __future__ import annotations

import pytest
from django.apps import apps

from accounts import services
from accounts.models import User
from accounts.tests.conftest import is_signed_in
from accounts.tests.factories import create_owned_rows
from billing.models import Referral
from conftest import PASSWORD, make_user

pytestmark = pytest.mark.django_db


def _counts() -> dict[str, int]:
    return {m._meta.label: m._default_manager.count() for m in apps.get_models()}


@pytest.fixture
def rows(alice, bob):
    return create_owned_rows(alice, "alice"), create_owned_rows(bob, "bob")


def test_it_removes_every_row_of_the_user_and_keeps_the_others(alice, bob, rows):
    alice_rows, bob_rows = rows
    before = _counts()
    services.delete_account(alice)
    after = _counts()
    expected = {label: count - alice_rows.get(label, 0) for label, count in before.items()}
    assert after == expected
    assert not User.objects.filter(pk=alice.pk).exists()
    assert User.objects.filter(pk=bob.pk).exists()
    assert bob.cvs.count() == 1
    assert bob.credit_transactions.count() == 1


def test_a_referred_user_survives_the_referrer(alice, bob):
    Referral.objects.create(referrer=alice, referred=bob)
    bob.referred_by = alice
    bob.save()
    services.delete_account(alice)
    bob.refresh_from_db()
    assert bob.referred_by is None


def test_the_page_asks_for_confirmation(alice_client):
    response = alice_client.get("/account/delete/")
    assert response.status_code == 200
    assert b'name="confirm_email"' in response.content


def test_deleting_needs_the_password_again(alice_client, alice):
    response = alice_client.post("/account/delete/", {"confirm_email": "alice@example.org"})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/reauthenticate/")
    assert User.objects.filter(pk=alice.pk).exists()


def test_it_deletes_after_reauthentication_and_signs_out(alice_client, alice, rows):
    alice_client.post("/account/delete/", {"confirm_email": "alice@example.org"})
    # allauth replays the held POST once the password is confirmed.
    response = alice_client.post(
        "/accounts/reauthenticate/?next=/account/delete/", {"password": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert not User.objects.filter(pk=alice.pk).exists()
    assert not is_signed_in(alice_client)
    assert User.objects.filter(email="bob@example.org").exists()


def test_a_recently_reauthenticated_user_deletes_directly(alice_client, alice):
    alice_client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    response = alice_client.post("/account/delete/", {"confirm_email": "ALICE@example.org"})
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert not User.objects.filter(pk=alice.pk).exists()


def test_a_wrong_confirmation_deletes_nothing(alice_client, alice):
    alice_client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    response = alice_client.post("/account/delete/", {"confirm_email": "bob@example.org"})
    assert response.status_code == 200
    assert b"not the address of your account" in response.content
    assert User.objects.filter(pk=alice.pk).exists()


def test_a_social_only_user_confirms_with_the_address(client, db):
    erin = make_user("erin@example.org")
    erin.set_unusable_password()
    erin.save()
    client.force_login(erin)
    response = client.post("/account/delete/", {"confirm_email": "erin@example.org"})
    assert response.status_code == 302
    assert not User.objects.filter(pk=erin.pk).exists()


def test_it_requires_sign_in(client):
    response = client.get("/account/delete/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_it_rejects_other_methods(alice_client):
    assert alice_client.put("/account/delete/").status_code == 405
