from __future__ import annotations

import pytest

from billing.models import CreditBalance, Referral, ReferralStatus
from billing.services import reward_referral_if_first_payment
from billing.tests.conftest import set_setting

pytestmark = pytest.mark.django_db


def _balance(user) -> int:
    row = CreditBalance.objects.filter(user=user).first()
    return row.balance if row else 0


def test_the_first_payment_rewards_both_sides_once(alice, bob):
    Referral.objects.create(referrer=alice, referred=bob)
    assert reward_referral_if_first_payment(bob) is True
    assert reward_referral_if_first_payment(bob) is False
    assert (_balance(alice), _balance(bob)) == (10, 5)
    assert Referral.objects.get().status == ReferralStatus.REWARDED


def test_the_amounts_come_from_the_settings(alice, bob):
    set_setting("referral_referrer_credits", "20")
    set_setting("referral_referred_credits", "0")
    Referral.objects.create(referrer=alice, referred=bob)
    reward_referral_if_first_payment(bob)
    assert (_balance(alice), _balance(bob)) == (20, 0)


def test_a_user_nobody_referred_earns_nothing_for_anyone(alice, bob):
    Referral.objects.create(referrer=alice, referred=bob)
    assert reward_referral_if_first_payment(alice) is False
    assert _balance(alice) == 0
