from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client

from conftest import PASSWORD

NEW_PASSWORD = "Tailored-CV-2026!"


def link_in(message: mail.EmailMessage) -> str:
    """The path of the first link of this site in an e-mail (the request's host, or SITE_ROOT
    for e-mails the mail worker writes)."""
    site = re.escape(urlsplit(settings.SITE_ROOT).netloc)
    match = re.search(rf"https?://(?:testserver|{site})(/\S+)", message.body)
    assert match, message.body
    return match.group(1)


def signup_data(email: str = "carol@example.org", **fields: Any) -> dict[str, str]:
    return {
        "name": "Carol Petit",
        "email": email,
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
        "accept_terms": "on",
        **fields,
    }


@pytest.fixture
def signup(client: Client, db: Any) -> Any:
    def _signup(email: str = "carol@example.org", **fields: Any) -> Any:
        return client.post("/accounts/signup/", signup_data(email, **fields))

    return _signup


def is_signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


@pytest.fixture(autouse=True)
def _send_mail_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    # E-mails leave through a task queued on commit, and these tests run inside a transaction
    # that never commits: send right away so mail.outbox shows what the flows sent.
    from accounts import services
    from emails import mail

    monkeypatch.setattr(mail, "publish_on_commit", mail.publish)
    monkeypatch.setattr(services, "queue_mail_work", lambda task, email: task.delay(email))


@pytest.fixture
def reauthenticated_client(alice_client: Client) -> Client:
    """Alice, having just typed her password again: changing an address or removing a sign-in
    method asks for that (ACCOUNT_REAUTHENTICATION_REQUIRED)."""
    response = alice_client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    assert response.status_code == 302, response.status_code
    return alice_client
