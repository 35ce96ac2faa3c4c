from __future__ import annotations

import uuid

import pytest

from accounts.models import User
from billing.models import CreditBalance, CreditTransaction

pytestmark = pytest.mark.django_db
USERS = "/admin/dashboards/users/"


def test_it_lists_and_searches_users(alice, bob, staff_client):
    response = staff_client.get(USERS, {"q": "alice"})

    assert response.status_code == 200
    assert b"alice@example.org" in response.content
    assert b"bob@example.org" not in response.content


def test_it_filters_blocked_users(alice, bob, staff_client):
    User.objects.filter(pk=bob.pk).update(is_active=False)

    response = staff_client.get(USERS, {"state": "blocked"})

    assert b"bob@example.org" in response.content
    assert b"alice@example.org" not in response.content


def test_the_user_list_downloads_as_csv(alice, staff_client):
    response = staff_client.get(USERS, {"q": "alice", "format": "csv"})

    lines = response.content.decode().splitlines()
    assert lines[0].startswith("E-mail,Name,Role")
    assert lines[1].startswith("alice@example.org,Alice Martin,User")
    assert len(lines) == 2


def test_it_shows_a_user_page(alice, staff_client):
    response = staff_client.get(f"{USERS}{alice.pk}/")

    assert response.status_code == 200
    assert b"Grant credits" in response.content


def test_the_user_page_is_hidden_from_users(alice, bob_client):
    assert bob_client.get(f"{USERS}{alice.pk}/").status_code == 404


def test_staff_grant_credits_with_a_ledger_entry(alice, staff, staff_client):
    nonce = str(uuid.uuid4())

    response = staff_client.post(
        f"{USERS}{alice.pk}/credits/", {"amount": "20", "reason": "Support gesture", "nonce": nonce}
    )

    assert response.status_code == 302
    row = CreditTransaction.objects.get(user=alice)
    assert (row.amount, row.type) == (20, "admin_grant")
    assert row.metadata["reason"] == "Support gesture"
    assert row.metadata["by"] == staff.pk
    assert CreditBalance.objects.get(user=alice).balance == 20


def test_a_resubmitted_grant_counts_once(alice, staff_client):
    data = {"amount": "20", "reason": "Support gesture", "nonce": str(uuid.uuid4())}

    staff_client.post(f"{USERS}{alice.pk}/credits/", data)
    staff_client.post(f"{USERS}{alice.pk}/credits/", data)

    assert CreditBalance.objects.get(user=alice).balance == 20


@pytest.mark.parametrize("amount", ["0", "-5", "100001", "many"])
def test_a_bad_grant_is_refused(amount, alice, staff_client):
    response = staff_client.post(
        f"{USERS}{alice.pk}/credits/",
        {"amount": amount, "reason": "x", "nonce": str(uuid.uuid4())},
    )

    assert response.status_code == 400
    assert not CreditTransaction.objects.exists()


def test_users_cannot_grant_credits(alice, bob_client):
    response = bob_client.post(
        f"{USERS}{alice.pk}/credits/", {"amount": "20", "reason": "x", "nonce": str(uuid.uuid4())}
    )

    assert response.status_code == 404
    assert not CreditTransaction.objects.exists()


def test_granting_rejects_get(alice, staff_client):
    assert staff_client.get(f"{USERS}{alice.pk}/credits/").status_code == 405


def test_staff_change_a_role(alice, staff_client):
    response = staff_client.post(f"{USERS}{alice.pk}/role/", {"role": "ADMIN"})

    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.role == "ADMIN"
    assert alice.is_staff


def test_staff_cannot_change_their_own_role(staff, staff_client):
    response = staff_client.post(f"{USERS}{staff.pk}/role/", {"role": "USER"})

    assert response.status_code == 400
    assert b"You cannot change your own role." in response.content
    staff.refresh_from_db()
    assert staff.role == "ADMIN"


def test_a_blocked_user_is_signed_out_and_can_be_unblocked(alice, alice_client, staff_client):
    assert alice_client.get("/cvs/").status_code == 200

    staff_client.post(f"{USERS}{alice.pk}/access/", {"is_active": ""})

    alice.refresh_from_db()
    assert not alice.is_active
    assert alice_client.get("/cvs/").status_code == 302
    staff_client.post(f"{USERS}{alice.pk}/access/", {"is_active": "on"})
    alice.refresh_from_db()
    assert alice.is_active


def test_staff_cannot_block_themselves(staff, staff_client):
    response = staff_client.post(f"{USERS}{staff.pk}/access/", {"is_active": ""})

    assert response.status_code == 400
    staff.refresh_from_db()
    assert staff.is_active


def test_an_unknown_user_is_not_found(staff_client):
    assert staff_client.get(f"{USERS}999999/").status_code == 404


def test_blocking_needs_staff(alice, bob_client):
    response = bob_client.post(f"{USERS}{alice.pk}/access/", {"is_active": ""})

    assert response.status_code == 404
    alice.refresh_from_db()
    assert alice.is_active
