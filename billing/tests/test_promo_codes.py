from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from billing.models import CreditBalance, PromoCode, PromoKind, PromoRedemption
from billing.services import PromoCodeError, redeem_promo_code
from conftest import make_user
from core.testing import require_service


def _code(**fields) -> PromoCode:
    return PromoCode.objects.create(
        **{"code": "WELCOME10", "kind": PromoKind.CREDITS, "credits": 10, **fields}
    )


@pytest.mark.django_db
def test_a_credits_code_grants_its_credits_once_per_user(alice):
    _code()
    redeem_promo_code(alice, "welcome10")
    with pytest.raises(PromoCodeError, match="already used"):
        redeem_promo_code(alice, "WELCOME10")
    assert CreditBalance.objects.get(user=alice).balance == 10
    assert PromoCode.objects.get().uses_count == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"valid_until": timezone.now() - timedelta(days=1)}, "expired"),
        ({"valid_from": timezone.now() + timedelta(days=1)}, "not valid yet"),
        ({"is_active": False}, "no longer active"),
        ({"max_uses": 1, "uses_count": 1}, "as many times"),
    ],
)
def test_an_unusable_code_is_refused_and_grants_nothing(alice, fields, message):
    _code(**fields)
    with pytest.raises(PromoCodeError, match=message):
        redeem_promo_code(alice, "WELCOME10")
    assert not CreditBalance.objects.filter(user=alice, balance__gt=0).exists()
    assert not PromoRedemption.objects.exists()


@pytest.mark.django_db
def test_an_unknown_code_is_refused(alice):
    with pytest.raises(PromoCodeError, match="does not exist"):
        redeem_promo_code(alice, "NOPE")


@pytest.mark.django_db
def test_the_last_use_goes_to_one_user_only(alice, bob):
    _code(max_uses=1)
    redeem_promo_code(alice, "WELCOME10")
    with pytest.raises(PromoCodeError, match="as many times"):
        redeem_promo_code(bob, "WELCOME10")


@pytest.mark.django_db
def test_a_percentage_code_is_checked_but_not_used_until_payment(alice):
    PromoCode.objects.create(code="SPRING20", kind=PromoKind.PERCENT, percent_off=20)
    promo = redeem_promo_code(alice, "spring20")
    assert promo.percent_off == 20
    assert PromoCode.objects.get().uses_count == 0
    assert not CreditBalance.objects.filter(user=alice).exists()


@pytest.mark.django_db(transaction=True)
def test_two_users_racing_for_the_last_use_one_wins(db):
    require_service("PostgreSQL (DATABASE_URL)", connection.vendor == "postgresql")
    _code(max_uses=1)
    users = [make_user(f"racer{n}@example.org") for n in range(4)]
    barrier = threading.Barrier(len(users))
    won: list[int] = []

    def redeem(user) -> None:
        try:
            barrier.wait()
            redeem_promo_code(user, "WELCOME10")
            won.append(user.pk)
        except PromoCodeError:
            pass
        finally:
            connection.close()

    threads = [threading.Thread(target=redeem, args=(u,)) for u in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(won) == 1
    assert PromoCode.objects.get().uses_count == 1
    assert PromoRedemption.objects.count() == 1
    assert CreditBalance.objects.filter(balance=10).count() == 1
