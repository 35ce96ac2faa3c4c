from __future__ import annotations

import pytest

from accounts.tests.conftest import is_signed_in
from conftest import PASSWORD
from core.models import Setting

pytestmark = pytest.mark.django_db


@pytest.fixture
def maintenance(db):
    Setting.objects.create(name="maintenance_mode", value="1", category="system")


@pytest.mark.parametrize("path", ["/", "/cvs/", "/account/", "/accounts/signup/", "/about/"])
def test_it_blocks_non_staff_with_503(alice_client, maintenance, path):
    response = alice_client.get(path)
    assert response.status_code == 503
    assert b"right back" in response.content
    assert response["Retry-After"]


@pytest.mark.parametrize("path", ["/", "/accounts/signup/", "/cookies/"])
def test_it_blocks_visitors_with_503(client, maintenance, path):
    assert client.get(path).status_code == 503


def test_it_blocks_posts_too(alice_client, alice, maintenance):
    response = alice_client.post("/account/profile/", {"name": "Changed", "language": ""})
    assert response.status_code == 503
    alice.refresh_from_db()
    assert alice.name == "Alice Martin"


def test_it_lets_staff_through(staff_client, maintenance):
    assert staff_client.get("/cvs/").status_code == 200
    assert staff_client.get("/account/").status_code == 200


def test_it_keeps_the_health_check_and_login_page(client, maintenance):
    assert client.get("/healthz").status_code == 200
    assert client.get("/accounts/login/").status_code == 200


def test_it_refuses_to_sign_non_staff_in(client, alice, maintenance):
    response = client.post("/accounts/login/", {"login": "alice@example.org", "password": PASSWORD})
    assert response.status_code == 503
    assert not is_signed_in(client)


def test_staff_can_sign_in(client, staff, maintenance):
    response = client.post("/accounts/login/", {"login": "staff@example.org", "password": PASSWORD})
    assert response.status_code == 302
    assert is_signed_in(client)


def test_signed_in_users_can_still_log_out(alice_client, maintenance):
    response = alice_client.post("/accounts/logout/")
    assert response.status_code == 302
    assert not is_signed_in(alice_client)


def test_nothing_is_blocked_when_it_is_off(alice_client, db):
    assert alice_client.get("/cvs/").status_code == 200
