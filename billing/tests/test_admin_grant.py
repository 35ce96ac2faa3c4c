from __future__ import annotations

import uuid

import pytest

from billing.models import CreditBalance, CreditTransaction, TransactionType
from billing.services import record_transaction

pytestmark = pytest.mark.django_db
URL = "/admin/billing/creditbalance/grant/"


def _form(emails: str, token: str | None = None) -> dict:
    return {
        "emails": emails,
        "amount": "25",
        "reason": "Support ticket 812",
        "token": token or str(uuid.uuid4()),
    }


def test_staff_grant_credits_recorded_in_the_ledger(staff, staff_client, alice, bob):
    token = str(uuid.uuid4())
    response = staff_client.post(URL, _form("alice@example.org\nBOB@example.org", token))
    assert response.status_code == 302
    staff_client.post(URL, _form("alice@example.org\nbob@example.org", token))  # double submit
    assert CreditBalance.objects.get(user=alice).balance == 25
    assert CreditBalance.objects.get(user=bob).balance == 25
    row = CreditTransaction.objects.get(user=alice)
    assert row.type == TransactionType.ADMIN_GRANT
    assert row.metadata == {"reason": "Support ticket 812", "by": staff.pk}


def test_an_unknown_address_is_a_form_error_and_grants_nothing(staff_client, alice):
    response = staff_client.post(URL, _form("alice@example.org\nnobody@example.org"))
    assert response.status_code == 200
    assert "No account for: nobody@example.org" in response.content.decode()
    assert not CreditTransaction.objects.exists()


def test_the_list_action_prefills_the_selected_users(staff_client, alice, bob):
    record_transaction(alice.pk, amount=1, type=TransactionType.GIFT, key="a")
    record_transaction(bob.pk, amount=1, type=TransactionType.GIFT, key="b")
    selected = [str(b.pk) for b in CreditBalance.objects.all()]
    response = staff_client.post(
        "/admin/billing/creditbalance/",
        {"action": "grant_credits_action", "_selected_action": selected},
        follow=True,
    )
    page = response.content.decode()
    assert "alice@example.org" in page and "bob@example.org" in page
    assert "Grant credits" in page


def test_users_cannot_grant_credits(alice_client):
    response = alice_client.post(URL, _form("alice@example.org"))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
    assert not CreditTransaction.objects.exists()
