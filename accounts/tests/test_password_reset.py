from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client

from accounts.models import User
from accounts.tests.conftest import NEW_PASSWORD, is_signed_in, link_in
from conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_it_resets_the_password_through_the_e_mailed_link(client, alice):
    response = client.post("/accounts/password/reset/", {"email": "alice@example.org"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["alice@example.org"]
    link = link_in(mail.outbox[0])
    # allauth moves the key out of the URL into the session, then shows the form.
    form_page = client.get(link, follow=True)
    form_url = form_page.redirect_chain[-1][0] if form_page.redirect_chain else link
    response = client.post(form_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.check_password(NEW_PASSWORD)
    assert not alice.check_password(PASSWORD)
    login = client.post(
        "/accounts/login/", {"login": "alice@example.org", "password": NEW_PASSWORD}
    )
    assert login["Location"] == "/cvs/"
    assert is_signed_in(client)


def test_it_answers_the_same_for_an_unknown_address(client, alice):
    known = client.post("/accounts/password/reset/", {"email": "alice@example.org"})
    unknown = client.post("/accounts/password/reset/", {"email": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    assert mail.outbox[0].to == ["alice@example.org"]
    # The unknown address only gets a note that it has no account, never a reset link.
    assert all("/password/reset/key/" not in m.body for m in mail.outbox[1:])


def test_a_used_reset_link_cannot_be_used_again(client, alice):
    client.post("/accounts/password/reset/", {"email": "alice@example.org"})
    link = link_in(mail.outbox[0])
    page = client.get(link, follow=True)
    form_url = page.redirect_chain[-1][0] if page.redirect_chain else link
    client.post(form_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    again = Client().get(link, follow=True)  # a fresh browser
    assert again.status_code == 200
    assert User.objects.get().check_password(NEW_PASSWORD)
    assert b'name="password1"' not in again.content


def test_it_refuses_a_weak_new_password(client, alice):
    client.post("/accounts/password/reset/", {"email": "alice@example.org"})
    link = link_in(mail.outbox[0])
    page = client.get(link, follow=True)
    form_url = page.redirect_chain[-1][0] if page.redirect_chain else link
    response = client.post(form_url, {"password1": "alice", "password2": "alice"})
    assert response.status_code == 200
    alice.refresh_from_db()
    assert alice.check_password(PASSWORD)
