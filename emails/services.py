"""E-mail workflows: delivering a logged message, delivery events, test e-mails, log retention."""

from __future__ import annotations

import calendar
import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from emails import mail
from emails.models import EmailLog, EmailStatus, EmailTemplate

if TYPE_CHECKING:
    from anymail.signals import AnymailTrackingEvent

    from accounts.models import User

logger = logging.getLogger(__name__)

EMAIL_LOG_RETENTION_MONTHS = 12
ERROR_MAX_CHARS = 2000

# Tracking events we keep, by anymail's normalised event type.
EVENT_STATUSES = {
    "delivered": EmailStatus.DELIVERED,
    "bounced": EmailStatus.BOUNCED,
    "complained": EmailStatus.COMPLAINED,
    "rejected": EmailStatus.FAILED,
    "failed": EmailStatus.FAILED,
}
# Provider events can arrive out of order: a status only moves forward (a late "delivered"
# never hides a bounce; a complaint comes after the delivery).
STATUS_RANK = {
    EmailStatus.QUEUED: 0,
    EmailStatus.SENT: 1,
    EmailStatus.DELIVERED: 2,
    EmailStatus.BOUNCED: 3,
    EmailStatus.FAILED: 3,
    EmailStatus.COMPLAINED: 4,
}


# Sending ----------------------------------------------------------------------------------------


def deliver_email(log_id: int) -> str:
    """Send a queued log's message: "sent", or "skipped" when it is not queued any more.

    Raises mail.EmailSendError when the provider does not take it; the task decides whether to
    try again. A log that is already sent is never sent again (a redelivered task).
    """
    log = EmailLog.objects.filter(pk=log_id).first()
    if log is None or log.status != EmailStatus.QUEUED:
        return "skipped"
    # Claimed by moving updated_at: of two messages for one log (one sent again by the
    # sweeper), only the first to get here sends it.
    claimed = EmailLog.objects.filter(
        pk=log.pk, status=EmailStatus.QUEUED, updated_at=log.updated_at
    ).update(updated_at=timezone.now())
    if not claimed:
        return "skipped"
    message = mail.build_message(
        subject=log.subject,
        text=log.text_body,
        html=log.html_body,
        to=[log.recipient_email],
        tag=log.template_name,
    )
    sent = mail.send_message(message)
    now = timezone.now()
    EmailLog.objects.filter(pk=log.pk, status=EmailStatus.QUEUED).update(
        status=EmailStatus.SENT,
        provider=sent.provider,
        provider_message_id=sent.message_id,
        sent_at=now,
        error="",
        text_body="",
        html_body="",
        updated_at=now,
    )
    return "sent"


# A queued log nobody has touched for this long, that was never tried, lost its message.
RESEND_AFTER = timedelta(minutes=10)
RESEND_WITHIN = timedelta(days=1)


def resend_forgotten_emails(now: datetime | None = None) -> int:
    """Send again the logs whose message never reached the worker (the broker was down).
    A log that was tried has an error and its own retries scheduled: it is left alone."""
    now = now or timezone.now()
    forgotten = list(
        EmailLog.objects.filter(
            status=EmailStatus.QUEUED,
            error="",
            updated_at__lt=now - RESEND_AFTER,
            created_at__gte=now - RESEND_WITHIN,
        ).values_list("pk", flat=True)
    )
    for log_id in forgotten:
        EmailLog.objects.filter(pk=log_id, status=EmailStatus.QUEUED).update(updated_at=now)
        mail.publish(log_id)
    if forgotten:
        logger.warning("Sent %d queued e-mail(s) again", len(forgotten))
    return len(forgotten)


def note_email_error(log_id: int, *, error: str, attempt: int) -> None:
    """Keep the last provider error on a log that will be tried again."""
    EmailLog.objects.filter(pk=log_id, status=EmailStatus.QUEUED).update(
        error=f"Attempt {attempt}: {error}"[:ERROR_MAX_CHARS], updated_at=timezone.now()
    )


def mark_email_failed(log_id: int, *, error: str) -> None:
    EmailLog.objects.filter(pk=log_id, status=EmailStatus.QUEUED).update(
        status=EmailStatus.FAILED,
        error=error[:ERROR_MAX_CHARS],
        text_body="",
        html_body="",
        updated_at=timezone.now(),
    )


def record_delivery_event(event: AnymailTrackingEvent) -> int:
    """Apply a provider's tracking event to the logs of its message.

    Returns the number of logs updated. Events we do not track (opens, clicks, deferrals) and
    events for messages we do not know are ignored, so a provider's retries are harmless.
    """
    status = EVENT_STATUSES.get(str(event.event_type))
    if status is None or not event.message_id:
        return 0
    detail = event.description or event.mta_response or event.reject_reason or ""
    updated = 0
    with transaction.atomic():
        logs = EmailLog.objects.select_for_update().filter(provider_message_id=event.message_id)
        for log in logs:
            if STATUS_RANK[status] <= STATUS_RANK[EmailStatus(log.status)]:
                continue
            log.status = status
            if status != EmailStatus.DELIVERED and detail:
                log.error = str(detail)[:ERROR_MAX_CHARS]
            log.save(update_fields=["status", "error", "updated_at"])
            updated += 1
    return updated


def send_test_email(template: EmailTemplate, *, user: User) -> EmailLog:
    """Send a template as it is saved, with sample variables, to a staff member.

    Raises mail.EmailTemplateError when the template does not render.
    """
    variables = mail.sample_variables(mail.variable_names(template))
    with transaction.atomic():
        return mail.queue_email(
            mail.email_name(template),
            user.email,
            variables,
            user=user,
            template=template,
            is_test=True,
        )


def activate_template(template: EmailTemplate) -> None:
    """Make `template` the one active template of its trigger."""
    with transaction.atomic():
        if template.trigger_id:
            # Deactivate first: the database allows one active template per trigger.
            EmailTemplate.objects.filter(trigger_id=template.trigger_id, is_active=True).exclude(
                pk=template.pk
            ).update(is_active=False, updated_at=timezone.now())
        template.is_active = True
        template.save(update_fields=["is_active", "updated_at"])


# Retention ---------------------------------------------------------------------------------------


def add_months(moment: datetime, months: int) -> datetime:
    """The same day `months` later (earlier when negative), clamped to the month's last day."""
    index = moment.year * 12 + moment.month - 1 + months
    year, month = divmod(index, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


def purge_email_logs(*, now: datetime) -> int:
    cutoff = add_months(now, -EMAIL_LOG_RETENTION_MONTHS)
    _, per_model = EmailLog.objects.filter(created_at__lt=cutoff).delete()
    return per_model.get(EmailLog._meta.label, 0)
