from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.core import mail
from django.utils import timezone

from accounts.tests.conftest import is_signed_in, link_in
from conftest import PASSWORD, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def dora(db):
    """Signed up but never clicked the link."""
    return make_user("dora@example.org", name="Dora", verified=False)


def _login(client, email="dora@example.org", password=PASSWORD):
    return client.post("/accounts/login/", {"login": email, "password": password})


def test_an_unverified_user_is_held_at_the_verify_page(client, dora):
    response = _login(client)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    assert not is_signed_in(client)
    page = client.get("/accounts/confirm-email/")
    assert page.status_code == 200
    assert b"Check your inbox" in page.content
    assert b"dora@example.org" in page.content
    assert b"/account/verify-email/resend/" in page.content


def test_the_login_attempt_sends_a_link_that_signs_in(client, dora):
    _login(client)
    assert mail.outbox[0].to == ["dora@example.org"]
    link = link_in(mail.outbox[0])
    response = client.post(link)
    response = client.get(response["Location"])
    assert response["Location"] == "/cvs/"
    assert is_signed_in(client)


def test_an_unverified_user_cannot_reach_pages(client, dora):
    _login(client)
    response = client.get("/cvs/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_resend_is_refused_during_the_cooldown(client, dora):
    _login(client)
    assert len(mail.outbox) == 1
    response = client.post("/account/verify-email/resend/", {"email": "dora@example.org"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    assert len(mail.outbox) == 1
    page = client.get(response["Location"])
    assert b"Please wait a minute" in page.content
    assert b'data-cooldown="6' in page.content or b'data-cooldown="5' in page.content


def test_resend_sends_a_new_link_after_the_cooldown(client, dora):
    _login(client)
    with time_machine.travel(timezone.now() + timedelta(seconds=61)):
        client.post("/account/verify-email/resend/", {"email": "dora@example.org"})
    assert [m.to for m in mail.outbox] == [["dora@example.org"]] * 2


def test_resend_sends_one_link_per_minute(client, dora):
    response = client.post("/account/verify-email/resend/", {"email": "dora@example.org"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["dora@example.org"]
    client.get(response["Location"])
    assert len(mail.outbox) == 1
    # The second click inside the minute is refused.
    client.post("/account/verify-email/resend/", {"email": "dora@example.org"})
    assert len(mail.outbox) == 1


def test_resend_answers_the_same_for_an_unknown_address(client, dora):
    known = client.post("/account/verify-email/resend/", {"email": "dora@example.org"})
    known_page = client.get(known["Location"]).content.decode()
    other = client.post("/account/verify-email/resend/", {"email": "nobody@example.org"})
    other_page = client.get(other["Location"]).content.decode()
    assert known.status_code == other.status_code == 302
    assert "a new link is on its way" in known_page
    assert "a new link is on its way" in other_page
    assert [m.to for m in mail.outbox] == [["dora@example.org"]]


def test_resend_sends_nothing_to_a_verified_address(client, alice):
    client.post("/account/verify-email/resend/", {"email": "alice@example.org"})
    assert not mail.outbox


def test_resend_rejects_bad_input(client, dora):
    response = client.post("/account/verify-email/resend/", {"email": "not an address"})
    assert response.status_code == 200
    assert b"errorlist" in response.content
    assert not mail.outbox


def test_resend_rejects_get(client):
    assert client.get("/account/verify-email/resend/").status_code == 405


def test_the_verify_page_asks_for_the_address_when_it_does_not_know_it(client):
    page = client.get("/accounts/confirm-email/")
    assert page.status_code == 200
    assert b'name="email"' in page.content
    assert b'type="email"' in page.content


def test_the_verified_address_is_marked_after_the_link(client, dora):
    _login(client)
    client.post(link_in(mail.outbox[0]))
    assert EmailAddress.objects.get(user=dora).verified
