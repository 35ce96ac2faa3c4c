from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from django.core import mail

from accounts.tests.conftest import link_in

pytestmark = pytest.mark.django_db


def _request_change(client, email="alice.new@example.org"):
    return client.post("/accounts/email/", {"action_add": "", "email": email})


def test_it_sends_the_confirmation_to_the_new_address(reauthenticated_client, alice):
    response = _request_change(reauthenticated_client)
    assert response.status_code == 302
    confirmations = [m for m in mail.outbox if "/accounts/confirm-email/" in m.body]
    assert [m.to for m in confirmations] == [["alice.new@example.org"]]
    alice.refresh_from_db()
    assert alice.email == "alice@example.org"  # unchanged until confirmed
    assert not EmailAddress.objects.get(email="alice.new@example.org").verified


def test_confirming_switches_the_address(reauthenticated_client, alice):
    _request_change(reauthenticated_client)
    message = next(m for m in mail.outbox if m.to == ["alice.new@example.org"])
    response = reauthenticated_client.post(link_in(message))
    assert response.status_code == 302
    assert response["Location"] == "/account/"
    alice.refresh_from_db()
    assert alice.email == "alice.new@example.org"
    addresses = list(EmailAddress.objects.filter(user=alice).values_list("email", "verified"))
    assert addresses == [("alice.new@example.org", True)]


def test_it_never_takes_an_address_verified_by_another_account(reauthenticated_client, alice, bob):
    # allauth answers as for any address (no enumeration); the confirmation then cannot succeed.
    _request_change(reauthenticated_client, "bob@example.org")
    message = next(m for m in mail.outbox if m.to == ["bob@example.org"])
    response = reauthenticated_client.post(link_in(message))
    alice.refresh_from_db()
    bob.refresh_from_db()
    assert alice.email == "alice@example.org"
    assert bob.email == "bob@example.org"
    assert EmailAddress.objects.get(user=bob).verified
    assert not EmailAddress.objects.filter(user=alice, email="bob@example.org", verified=True)
    assert response.status_code in (200, 302)


def test_it_rejects_bad_input(alice_client, alice):
    response = _request_change(alice_client, "not-an-address")
    assert response.status_code == 200
    assert EmailAddress.objects.filter(user=alice).count() == 1


def test_it_requires_sign_in(client):
    response = client.get("/accounts/email/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
