from __future__ import annotations

import pytest

from core.config import invalidate_settings_cache
from core.models import Setting
from staff.seed import seed_all

pytestmark = pytest.mark.django_db


def test_it_shows_the_landing_page_with_the_seeded_prices(client):
    seed_all()
    response = client.get("/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Fit your CV to every job offer" in body
    for amount, price in [(15, "4.99"), (50, "14.99"), (100, "26.99"), (150, "35.99")]:
        assert f"{amount} credits" in body
        assert price in body
    assert "0.24 EUR per credit" in body  # 35.99 / 150, the best value
    assert 'href="/accounts/signup/"' in body


def test_it_sends_signed_in_users_from_the_landing_page_to_their_cvs(alice_client):
    response = alice_client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/cvs/"


@pytest.mark.parametrize("path", ["/about/", "/terms/", "/privacy/", "/cookies/"])
def test_it_serves_the_static_pages(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert b"<h1>" in response.content


@pytest.mark.parametrize("path", ["/", "/about/", "/terms/", "/privacy/", "/cookies/"])
def test_it_rejects_post_on_static_pages(client, path):
    assert client.post(path).status_code == 405


def test_it_never_uses_inline_scripts_or_styles(client):
    # The CSP allows scripts and styles from our own files only.
    for path in ["/", "/accounts/login/", "/accounts/signup/", "/cookies/"]:
        body = client.get(path).content.decode()
        assert "style=" not in body, path
        assert "<script>" not in body, path


@pytest.mark.django_db
def test_the_home_page_shows_the_offline_translation_price(client, settings):
    seed_all()
    settings.AI_ENGINE = "offline"
    Setting.objects.filter(name="credits_translate_cv").update(value="5")
    Setting.objects.filter(name="credits_translate_offline").update(value="0")
    invalidate_settings_cache()

    costs = dict(client.get("/").context["costs"])

    assert costs["Translate a CV"] == 0
