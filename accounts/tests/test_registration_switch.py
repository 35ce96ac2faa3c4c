from __future__ import annotations

import pytest
from django.core import mail

from accounts.models import User
from accounts.tests.conftest import signup_data
from core.models import Setting

pytestmark = pytest.mark.django_db


@pytest.fixture
def registration_closed(db):
    Setting.objects.create(name="registration_enabled", value="0", category="system")


def test_the_sign_up_page_says_it_is_closed(client, registration_closed):
    response = client.get("/accounts/signup/")
    assert response.status_code == 200
    assert b"Sign-up is closed" in response.content
    assert b'name="password1"' not in response.content


def test_the_sign_up_endpoint_refuses_to_create_an_account(client, registration_closed):
    response = client.post("/accounts/signup/", signup_data())
    assert b"Sign-up is closed" in response.content
    assert not User.objects.exists()
    assert not mail.outbox


def test_sign_up_links_are_hidden(client, registration_closed):
    body = client.get("/").content.decode()
    assert "/accounts/signup/" not in body
    assert "/accounts/signup/" not in client.get("/accounts/login/").content.decode()


def test_existing_users_can_still_log_in(client, registration_closed, alice):
    from conftest import PASSWORD

    response = client.post("/accounts/login/", {"login": "alice@example.org", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/cvs/"


def test_sign_up_works_when_open(client, db):
    client.post("/accounts/signup/", signup_data())
    assert User.objects.filter(email="carol@example.org").exists()
