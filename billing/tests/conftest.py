"""Fixtures for the billing tests: the seeded catalogue, Stripe switched on against a fake."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.utils import translation

from billing.models import CreditPack, SubscriptionPlan
from billing.tests.fake_stripe import SECRET_KEY, WEBHOOK_SECRET, FakeStripe
from core.models import Setting


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    # Messages are asserted in English, whatever language an earlier test left active.
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _private_cache(settings: Any) -> Iterator[None]:
    # The default file cache is shared by every test process on this machine, settings
    # included: a parallel run elsewhere must not switch subscription mode under our feet.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "billing-tests",
        }
    }
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def catalogue(db: Any) -> dict[str, Any]:
    """The seeded packs and plans, with Stripe prices on the paid plans."""
    from staff.seed import seed_all

    seed_all()
    plans = {plan.name: plan for plan in SubscriptionPlan.objects.all()}
    for name in ("Pro", "Premium"):
        SubscriptionPlan.objects.filter(pk=plans[name].pk).update(
            stripe_price_id_monthly=f"price_{name.lower()}_monthly",
            stripe_price_id_yearly=f"price_{name.lower()}_yearly",
        )
        plans[name].refresh_from_db()
    packs = {pack.credit_amount: pack for pack in CreditPack.objects.all()}
    return {"plans": plans, "packs": packs}


@pytest.fixture
def stripe_on(settings: Any) -> None:
    settings.STRIPE_ENABLED = True
    settings.STRIPE_SECRET_KEY = SECRET_KEY
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.SITE_ROOT = "https://fitmycv.example"


@pytest.fixture
def stripe_server(httpserver: Any, settings: Any, stripe_on: None) -> FakeStripe:
    """Stripe on, the real SDK talking to a local HTTP server that answers as Stripe would."""
    fake = FakeStripe()
    httpserver.expect_request(re.compile(r"/v1/.*")).respond_with_handler(fake.handle)
    settings.STRIPE_API_BASE = httpserver.url_for("").rstrip("/")
    return fake


@pytest.fixture
def fake_stripe(stripe_on: None) -> Iterator[FakeStripe]:
    """Stripe on, the adapter answering from an in-memory fake."""
    fake = FakeStripe()
    with fake.patch_adapter():
        yield fake


def set_setting(name: str, value: str) -> None:
    Setting.objects.update_or_create(name=name, defaults={"value": value})


@pytest.fixture
def subscription_mode(db: Any) -> None:
    set_setting("subscription_mode_enabled", "1")
