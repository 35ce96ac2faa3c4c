from __future__ import annotations

import pytest
from django.core import mail

from accounts.models import User
from accounts.tests.conftest import link_in
from billing.models import CreditBalance

pytestmark = pytest.mark.django_db


def test_a_new_account_gets_the_welcome_credits_once(client, signup):
    signup()
    user = User.objects.get(email="carol@example.org")
    assert CreditBalance.objects.get(user=user).balance == 15


def test_the_welcome_email_follows_the_confirmation_once(client, signup):
    signup()
    link = link_in(mail.outbox[0])
    client.get(link)
    client.post(link)
    welcome = [m for m in mail.outbox if "Welcome" in m.subject]
    assert len(welcome) == 1
    assert "15" in welcome[0].body  # the welcome credits
    client.post(link)  # confirming again sends nothing more
    assert len([m for m in mail.outbox if "Welcome" in m.subject]) == 1
