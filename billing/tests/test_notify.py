from __future__ import annotations

from unittest import mock

import pytest

from billing import notify

pytestmark = pytest.mark.django_db


def test_it_sends_the_purchase_receipt_through_the_mail_module(alice):
    with mock.patch("emails.mail.credits_purchased", autospec=True) as send:
        notify.credits_purchased(
            alice, amount=50, total_price="14.99 EUR", invoice_url="https://i/1"
        )
    send.assert_called_once_with(alice, 50, "14.99 EUR", "https://i/1")


def test_the_failed_payment_mail_links_to_billing(alice, settings):
    settings.SITE_ROOT = "https://fitmycv.example"
    with mock.patch("emails.mail.payment_failed", autospec=True) as send:
        notify.payment_failed(alice)
    send.assert_called_once_with(alice, billing_url="https://fitmycv.example/billing/")


def test_a_failing_send_never_reaches_the_payment_handler(alice, caplog):
    with mock.patch("emails.mail.payment_failed", autospec=True, side_effect=OSError("smtp down")):
        notify.payment_failed(alice)
    assert "failed" in caplog.text
