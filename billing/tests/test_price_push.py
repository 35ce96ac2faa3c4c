"""Prices staff change on plans and packs reach Stripe: a new Price, the old one archived."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from billing import services
from billing.models import CreditPack, SubscriptionPlan
from billing.stripe_api import PaymentError
from billing.tests.fake_stripe import FakeStripe

pytestmark = pytest.mark.django_db


def _pack(fake: FakeStripe, *, price: str = "14.99") -> CreditPack:
    """A pack on sale at a Stripe price the fake knows."""
    pack = CreditPack.objects.create(name="50 credits", credit_amount=50, price=Decimal(price))
    first = fake._create_price(
        idempotency_key="seed",
        product_id=None,
        product_name="50 credits",
        unit_amount=int(Decimal(price) * 100),
        currency="eur",
        interval=None,
        metadata={},
    )
    CreditPack.objects.filter(pk=pack.pk).update(
        stripe_price_id=first["id"], stripe_product_id=first["product"]
    )
    pack.refresh_from_db()
    return pack


def _edit_pack(client, pack: CreditPack, **changes: str):
    data = {
        "name": pack.name,
        "description": pack.description,
        "credit_amount": str(pack.credit_amount),
        "price": str(pack.price),
        "price_currency": pack.price_currency,
        "is_active": "on",
        "stripe_price_id": pack.stripe_price_id or "",
        "stripe_product_id": pack.stripe_product_id or "",
        **changes,
    }
    return client.post(reverse("admin:billing_creditpack_change", args=[pack.pk]), data)


class TestPacks:
    def test_a_new_amount_makes_a_new_price_and_archives_the_old(self, staff_client, fake_stripe):
        pack = _pack(fake_stripe)
        old = pack.stripe_price_id

        response = _edit_pack(staff_client, pack, price="12.99")

        assert response.status_code == 302
        pack.refresh_from_db()
        assert pack.price == Decimal("12.99")
        assert pack.stripe_price_id != old
        new = fake_stripe.objects[pack.stripe_price_id]
        assert (new["unit_amount"], new["currency"], new["active"]) == (1299, "eur", True)
        assert new["product"] == pack.stripe_product_id
        assert fake_stripe.objects[old]["active"] is False

    def test_a_new_currency_is_a_new_price_too(self, staff_client, fake_stripe):
        pack = _pack(fake_stripe)

        _edit_pack(staff_client, pack, price_currency="USD")

        pack.refresh_from_db()
        assert fake_stripe.objects[pack.stripe_price_id]["currency"] == "usd"

    def test_saving_unchanged_calls_stripe_for_nothing(self, staff_client, fake_stripe):
        pack = _pack(fake_stripe)
        old = pack.stripe_price_id

        _edit_pack(staff_client, pack, name="Fifty credits")

        pack.refresh_from_db()
        assert pack.stripe_price_id == old
        assert fake_stripe.mocks["create_price"].call_count == 0
        assert fake_stripe.mocks["archive_price"].call_count == 0

    def test_the_same_change_pushed_twice_makes_one_price(self, fake_stripe):
        pack = _pack(fake_stripe)
        before = CreditPack.objects.get(pk=pack.pk)
        pack.price = Decimal("9.99")
        pack.save()

        services.push_pack_price(pack, before=before)
        first = pack.stripe_price_id
        retry = CreditPack.objects.get(pk=pack.pk)
        retry.stripe_price_id = before.stripe_price_id  # as if the first answer was lost
        services.push_pack_price(retry, before=before)

        prices = [o for o in fake_stripe.objects.values() if o["object"] == "price"]
        assert len(prices) == 2  # the seeded one and one new one
        assert retry.stripe_price_id == first

    def test_a_failed_stripe_call_keeps_the_row_as_stripe_sells_it_and_tells_staff(
        self, staff_client, fake_stripe
    ):
        pack = _pack(fake_stripe)
        old = pack.stripe_price_id
        fake_stripe.mocks["create_price"].side_effect = PaymentError("down")

        response = _edit_pack(staff_client, pack, price="12.99", name="Renamed")
        page = staff_client.get(response["Location"]).content.decode()

        pack.refresh_from_db()
        assert (pack.price, pack.stripe_price_id, pack.name) == (Decimal("14.99"), old, "Renamed")
        assert fake_stripe.objects[old]["active"] is True
        assert "Stripe could not be reached: the price of Renamed was left as it was" in page


class TestPlans:
    def test_each_changed_interval_gets_its_recurring_price(self, staff_client, fake_stripe):
        plan = SubscriptionPlan.objects.create(
            name="Pro", tier=1, price_monthly=Decimal("9.99"), price_yearly=Decimal("99.99")
        )
        result = services.push_plan_prices(plan, before=None)
        monthly, yearly = plan.stripe_price_id_monthly, plan.stripe_price_id_yearly
        assert len(result.created) == 2

        plan.price_yearly = Decimal("89.99")
        plan.save()
        before = SubscriptionPlan.objects.get(pk=plan.pk)
        before.price_yearly = Decimal("99.99")
        before.stripe_price_id_yearly = yearly
        result = services.push_plan_prices(plan, before=before)

        plan.refresh_from_db()
        assert plan.stripe_price_id_monthly == monthly
        assert plan.stripe_price_id_yearly not in (None, yearly)
        new = fake_stripe.objects[plan.stripe_price_id_yearly]
        assert (new["unit_amount"], new["recurring"]) == (8999, {"interval": "year"})
        assert fake_stripe.objects[yearly]["active"] is False
        assert fake_stripe.objects[monthly]["active"] is True
        assert result.archived == [yearly]

    def test_a_plan_edited_in_the_admin_is_pushed(self, staff_client, fake_stripe):
        plan = SubscriptionPlan.objects.create(name="Pro", tier=1, price_monthly=Decimal("9.99"))
        data = {
            "name": "Pro",
            "tier": "1",
            "description": "",
            "price_monthly": "11.99",
            "price_yearly": "0",
            "price_currency": "EUR",
            "yearly_discount_percent": "0",
            "is_active": "on",
            "max_cvs": "-1",
            "limits-TOTAL_FORMS": "0",
            "limits-INITIAL_FORMS": "0",
        }

        response = staff_client.post(
            reverse("admin:billing_subscriptionplan_change", args=[plan.pk]), data
        )

        assert response.status_code == 302
        plan.refresh_from_db()
        price = fake_stripe.objects[plan.stripe_price_id_monthly]
        assert (price["unit_amount"], price["recurring"]) == (1199, {"interval": "month"})
        assert plan.stripe_price_id_yearly is None


def test_the_real_sdk_creates_then_archives_with_idempotency_keys(stripe_server):
    pack = CreditPack.objects.create(name="15 credits", credit_amount=15, price=Decimal("4.99"))
    services.push_pack_price(pack, before=None)
    first = pack.stripe_price_id
    before = CreditPack.objects.get(pk=pack.pk)
    pack.price = Decimal("5.99")
    pack.save()

    services.push_pack_price(pack, before=before)

    creates = [r for r in stripe_server.requests if r.path == "/v1/prices"]
    archive = [r for r in stripe_server.requests if r.path == f"/v1/prices/{first}"]
    assert [r.params["unit_amount"] for r in creates] == ["499", "599"]
    assert creates[0].params["product_data[name]"] == "15 credits"
    assert creates[1].params["product"] == pack.stripe_product_id
    assert all(r.headers["Idempotency-Key"].startswith(f"price:pack:{pack.pk}:") for r in creates)
    assert len({r.headers["Idempotency-Key"] for r in creates}) == 2
    assert [r.params["active"] for r in archive] == ["false"]
    assert archive[0].headers["Idempotency-Key"] == f"archive-price:{first}"
    assert stripe_server.objects[first]["active"] is False
    assert pack.stripe_price_id not in (None, first)
