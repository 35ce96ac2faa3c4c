from __future__ import annotations

import pytest

from accounts.services import delete_account
from billing.models import CreditBalance, CreditTransaction, SignupFingerprint
from billing.services import grant_welcome_credits, normalize_email
from billing.tests.conftest import set_setting
from conftest import make_user

pytestmark = pytest.mark.django_db


def _balance(user) -> int:
    return CreditBalance.objects.get(user=user).balance


@pytest.mark.parametrize(
    ("typed", "mailbox"),
    [
        ("Alice@Example.org", "alice@example.org"),
        ("alice+jobs@example.org", "alice@example.org"),
        ("a.l.i.c.e+x@googlemail.com", "alice@gmail.com"),
        ("a.lice@example.org", "a.lice@example.org"),
    ],
)
def test_it_normalises_an_address_to_its_mailbox(typed, mailbox):
    assert normalize_email(typed) == mailbox


def test_a_new_account_gets_the_welcome_credits_once(alice):
    grant_welcome_credits(alice)
    grant_welcome_credits(alice)
    assert _balance(alice) == 15
    row = CreditTransaction.objects.get(user=alice)
    assert row.metadata == {"source": "welcome_bonus"}


def test_the_amount_comes_from_the_setting(alice):
    set_setting("welcome_credits", "40")
    grant_welcome_credits(alice)
    assert _balance(alice) == 40


def test_the_same_mailbox_under_another_address_gets_nothing(db):
    first = make_user("jane.doe@gmail.com")
    grant_welcome_credits(first)
    second = make_user("janedoe+cv@gmail.com")
    row = grant_welcome_credits(second)
    assert _balance(second) == 0
    assert row.amount == 0
    assert row.metadata == {"source": "welcome_bonus_blocked", "reason": "duplicate_email"}


def test_signing_up_again_after_deleting_the_account_gets_nothing(db):
    first = make_user("sam@example.org")
    grant_welcome_credits(first)
    delete_account(first)
    assert SignupFingerprint.objects.get().user is None
    again = make_user("sam@example.org")
    grant_welcome_credits(again)
    assert _balance(again) == 0


def test_a_different_person_is_not_mistaken_for_a_duplicate(alice, bob):
    grant_welcome_credits(alice)
    grant_welcome_credits(bob)
    assert _balance(bob) == 15
