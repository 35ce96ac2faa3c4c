from __future__ import annotations

import base64
from datetime import UTC, datetime
from pathlib import Path

import pytest
from anymail.signals import AnymailTrackingEvent, tracking
from svix.webhooks import Webhook

from emails.models import EmailLog, EmailStatus

pytestmark = pytest.mark.django_db

URL = "/anymail/resend/tracking/"
EVENTS = Path(__file__).parent / "fixtures" / "resend"
MESSAGE_ID = "56761188-7520-42d8-8898-ff6fc54ce618"
SECRET = "whsec_" + base64.b64encode(b"fitmycv-test-signing-secret-32b!").decode()
OTHER_SECRET = "whsec_" + base64.b64encode(b"somebody-else-s-secret-32-bytes!").decode()


@pytest.fixture(autouse=True)
def _signing_secret(settings):
    settings.ANYMAIL = {"RESEND_SIGNING_SECRET": SECRET}


@pytest.fixture
def sent_log(alice):
    return EmailLog.objects.create(
        template_name="password_reset",
        recipient_email=alice.email,
        recipient_user=alice,
        subject="Reset your password - FitMyCV",
        status=EmailStatus.SENT,
        provider="resend",
        provider_message_id=MESSAGE_ID,
    )


def post_event(client, name, *, secret=SECRET, msg_id="msg_2p5Mq7Ew1Wb0bHkbbFv8pW1q3Zt"):
    body = (EVENTS / f"{name}.json").read_text()
    now = datetime.now(tz=UTC)
    signature = Webhook(secret).sign(msg_id, now, body)
    return client.post(
        URL,
        body,
        content_type="application/json",
        HTTP_SVIX_ID=msg_id,
        HTTP_SVIX_TIMESTAMP=str(int(now.timestamp())),
        HTTP_SVIX_SIGNATURE=signature,
    )


def test_a_signed_delivery_event_updates_the_log(client, sent_log):
    response = post_event(client, "email.delivered")
    assert response.status_code == 200
    sent_log.refresh_from_db()
    assert sent_log.status == EmailStatus.DELIVERED


def test_a_bounce_keeps_the_providers_reason(client, sent_log):
    assert post_event(client, "email.bounced").status_code == 200
    sent_log.refresh_from_db()
    assert sent_log.status == EmailStatus.BOUNCED
    assert sent_log.error.startswith("The recipient's email provider sent a hard bounce")


def test_a_complaint_after_delivery_is_recorded(client, sent_log):
    post_event(client, "email.delivered")
    post_event(client, "email.complained", msg_id="msg_second")
    sent_log.refresh_from_db()
    assert sent_log.status == EmailStatus.COMPLAINED


def test_a_bad_signature_is_refused_and_changes_nothing(client, sent_log):
    response = post_event(client, "email.bounced", secret=OTHER_SECRET)
    assert response.status_code == 400
    sent_log.refresh_from_db()
    assert sent_log.status == EmailStatus.SENT


def test_an_unsigned_event_is_refused(client, sent_log):
    body = (EVENTS / "email.bounced.json").read_text()
    response = client.post(URL, body, content_type="application/json")
    assert response.status_code == 400
    sent_log.refresh_from_db()
    assert sent_log.status == EmailStatus.SENT


def test_without_a_signing_secret_the_webhook_does_not_exist(client, sent_log, settings):
    settings.ANYMAIL = {"RESEND_API_KEY": "re_test"}
    response = post_event(client, "email.bounced")
    assert response.status_code == 404
    sent_log.refresh_from_db()
    assert sent_log.status == EmailStatus.SENT


def test_an_event_for_an_unknown_message_is_accepted_and_ignored(client, sent_log):
    sent_log.provider_message_id = "another-id"
    sent_log.save()
    assert post_event(client, "email.bounced").status_code == 200
    sent_log.refresh_from_db()
    assert sent_log.status == EmailStatus.SENT


def _event(event_type: str) -> AnymailTrackingEvent:
    return AnymailTrackingEvent(event_type=event_type, message_id=MESSAGE_ID, esp_event={})


def test_a_late_delivery_event_does_not_hide_a_bounce(sent_log):
    tracking.send(sender=object(), event=_event("bounced"), esp_name="Resend")
    tracking.send(sender=object(), event=_event("delivered"), esp_name="Resend")
    sent_log.refresh_from_db()
    assert sent_log.status == EmailStatus.BOUNCED


def test_opens_and_clicks_are_not_tracked(sent_log):
    for event_type in ("opened", "clicked", "deferred"):
        tracking.send(sender=object(), event=_event(event_type), esp_name="Resend")
    sent_log.refresh_from_db()
    assert sent_log.status == EmailStatus.SENT
