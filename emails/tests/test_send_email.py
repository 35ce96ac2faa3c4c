from __future__ import annotations

import smtplib
from unittest import mock

import pytest
from anymail.backends.test import EmailBackend as AnymailTestBackend
from anymail.exceptions import AnymailAPIError, AnymailRecipientsRefused
from django.core import mail as django_mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend

from emails import mail
from emails.models import EmailLog, EmailStatus
from emails.tasks import RETRY_DELAYS_SECONDS, send_email

pytestmark = pytest.mark.django_db

RESET_URL = "https://fitmycv.test/reset/SECRET-KEY/"


@pytest.fixture
def anymail_backend(settings):
    settings.EMAIL_BACKEND = "anymail.backends.test.EmailBackend"


def test_the_provider_id_and_name_are_logged(alice, committed, anymail_backend):
    with committed():
        log = mail.password_reset(alice, RESET_URL)
    log.refresh_from_db()
    assert log.status == EmailStatus.SENT
    assert log.provider == "test"
    assert log.provider_message_id == "0"  # the test backend's id: the message's outbox index
    assert django_mail.outbox[0].anymail_test_params["tags"] == ["password_reset"]


def test_the_sent_body_is_not_kept_in_the_log(alice, committed):
    with committed():
        log = mail.password_reset(alice, RESET_URL)
        assert RESET_URL in EmailLog.objects.get(pk=log.pk).text_body
    log.refresh_from_db()
    assert (log.text_body, log.html_body) == ("", "")


def test_a_provider_error_is_retried_then_marks_the_log_failed(
    alice, committed, anymail_backend, worker_errors
):
    error = AnymailAPIError("Resend API response 503: Service Unavailable")
    with (
        mock.patch.object(
            AnymailTestBackend, "post_to_esp", autospec=True, side_effect=error
        ) as post,
        committed(),
    ):
        log = mail.password_reset(alice, RESET_URL)
    assert post.call_count == 1 + len(RETRY_DELAYS_SECONDS) == 6
    log.refresh_from_db()
    assert log.status == EmailStatus.FAILED
    assert log.error == "Attempt 6: Resend API response 503: Service Unavailable"
    assert (log.text_body, log.html_body) == ("", "")


def test_a_message_that_goes_through_on_a_retry_is_sent(
    alice, committed, anymail_backend, worker_errors
):
    real_post = AnymailTestBackend.post_to_esp
    attempts = iter([AnymailAPIError("timeout"), AnymailAPIError("timeout")])

    def flaky(backend, payload, message):
        error = next(attempts, None)
        if error is not None:
            raise error
        return real_post(backend, payload, message)

    with (
        mock.patch.object(
            AnymailTestBackend, "post_to_esp", autospec=True, side_effect=flaky
        ) as post,
        committed(),
    ):
        log = mail.password_reset(alice, RESET_URL)
    assert post.call_count == 3
    log.refresh_from_db()
    assert (log.status, log.error) == (EmailStatus.SENT, "")
    assert len(django_mail.outbox) == 1


def test_a_refused_recipient_fails_at_once(alice, committed, anymail_backend):
    with (
        mock.patch.object(
            AnymailTestBackend,
            "post_to_esp",
            autospec=True,
            side_effect=AnymailRecipientsRefused("All recipients refused"),
        ) as post,
        committed(),
    ):
        log = mail.password_reset(alice, RESET_URL)
    assert post.call_count == 1
    log.refresh_from_db()
    assert log.status == EmailStatus.FAILED
    assert "All recipients refused" in log.error


@pytest.mark.parametrize(
    ("error", "calls"),
    [
        (smtplib.SMTPServerDisconnected("Connection unexpectedly closed"), 6),
        (TimeoutError("timed out"), 6),
        (smtplib.SMTPRecipientsRefused({"alice@example.org": (550, b"No such user")}), 1),
    ],
    ids=["smtp-disconnected", "timeout", "smtp-refused"],
)
def test_smtp_errors_and_timeouts(alice, committed, worker_errors, error, calls):
    with (
        mock.patch.object(LocmemBackend, "send_messages", autospec=True, side_effect=error) as send,
        committed(),
    ):
        log = mail.password_reset(alice, RESET_URL)
    assert send.call_count == calls
    log.refresh_from_db()
    assert log.status == EmailStatus.FAILED


def test_a_log_already_sent_is_not_sent_again(alice, committed):
    with committed():
        log = mail.password_reset(alice, RESET_URL)
    assert len(django_mail.outbox) == 1
    assert send_email.delay(str(log.pk)).get() == "skipped"
    assert len(django_mail.outbox) == 1


def test_the_send_task_is_time_limited_and_takes_only_the_log_id(committed):
    assert send_email.soft_time_limit and send_email.time_limit
    assert send_email.max_retries == 5
    with mock.patch.object(send_email, "delay") as enqueue, committed():
        log = mail.queue_email(
            "welcome", "x@example.org", {"user_name": "X", "login_url": "/", "welcome_credits": "1"}
        )
        enqueue.assert_not_called()  # only once the transaction commits
    enqueue.assert_called_once_with(str(log.pk))


def test_an_unexpected_error_fails_the_log_and_is_reported(alice, committed):
    with (
        mock.patch("emails.services.mail.send_message", autospec=True, side_effect=KeyError("x")),
        pytest.raises(KeyError),
        committed(),
    ):
        log = mail.password_reset(alice, RESET_URL)
    log.refresh_from_db()
    assert log.status == EmailStatus.FAILED
    assert log.error == "Unexpected error: KeyError('x')"


def test_a_broker_outage_keeps_the_request_up_and_the_mail_is_sent_later(alice, committed):
    from datetime import timedelta

    from django.utils import timezone
    from kombu.exceptions import OperationalError

    from emails import services

    down = OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")
    with mock.patch.object(send_email, "delay", side_effect=down), committed():
        log = mail.password_reset(alice, RESET_URL)  # does not raise: the sign-up page answers
    log.refresh_from_db()
    assert log.status == EmailStatus.QUEUED and django_mail.outbox == []
    assert services.resend_forgotten_emails() == 0  # not yet: its message may still arrive

    later = timezone.now() + services.RESEND_AFTER + timedelta(minutes=1)
    assert services.resend_forgotten_emails(now=later) == 1

    log.refresh_from_db()
    assert log.status == EmailStatus.SENT and len(django_mail.outbox) == 1
    assert services.resend_forgotten_emails(now=later + services.RESEND_AFTER * 2) == 0


def test_a_mail_waiting_for_its_retry_is_not_sent_again(alice):
    from datetime import timedelta

    from django.utils import timezone

    from emails import services

    log = EmailLog.objects.create(
        template_name="password_reset",
        recipient_email=alice.email,
        subject="Reset",
        text_body="Hello",
        status=EmailStatus.QUEUED,
        error="Attempt 2: Resend API response 503",  # its task will try again by itself
    )
    later = timezone.now() + timedelta(hours=2)
    with mock.patch.object(send_email, "delay") as delay:
        assert services.resend_forgotten_emails(now=later) == 0
    delay.assert_not_called()
    log.refresh_from_db()
    assert log.status == EmailStatus.QUEUED
