from __future__ import annotations

import pytest

from accounts.tests.conftest import is_signed_in
from conftest import PASSWORD

pytestmark = pytest.mark.django_db


def _login(client, password):
    return client.post("/accounts/login/", {"login": "alice@example.org", "password": password})


def test_the_sixth_bad_password_is_refused_with_429(client, alice):
    for _ in range(5):
        response = _login(client, "wrong-password")
        assert response.status_code == 200
        assert b"not correct" in response.content
    response = _login(client, "wrong-password")
    assert response.status_code == 429
    assert b"Too many attempts" in response.content


def test_the_locked_account_refuses_even_the_right_password(client, alice):
    for _ in range(5):
        _login(client, "wrong-password")
    response = _login(client, PASSWORD)
    assert response.status_code == 429
    assert not is_signed_in(client)


def test_the_lock_is_per_account(client, alice, bob):
    for _ in range(5):
        _login(client, "wrong-password")
    response = client.post("/accounts/login/", {"login": "bob@example.org", "password": PASSWORD})
    assert response.status_code == 302
    assert is_signed_in(client)


def test_good_logins_do_not_count(client, alice):
    for _ in range(6):
        assert _login(client, PASSWORD).status_code == 302
        client.logout()
