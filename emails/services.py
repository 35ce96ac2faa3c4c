"""E-mail workflows: delivering a logged message, delivery events, test e-mails, retention."""

from __future__ import annotations

import calendar
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import F
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import Role, User
from accounts.services import delete_account
from core.config import get_setting
from emails import mail
from emails.models import EmailLog, EmailStatus, EmailTemplate, InactivityNotice

if TYPE_CHECKING:
    from anymail.signals import AnymailTrackingEvent

logger = logging.getLogger(__name__)

# A warning goes out this long before an inactive account is deleted, and never less.
WARNING_DAYS = 30
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


@dataclass(frozen=True)
class RetentionReport:
    warned: int = 0
    deleted: int = 0
    email_logs_deleted: int = 0


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


def send_inactivity_notices(now: datetime | None = None) -> RetentionReport:
    """The daily retention job: old e-mail logs, inactivity warnings, deletions.

    E-mail logs older than 12 months are always deleted. Accounts are handled only when the
    `retention_enabled` setting is on: a non-staff account inactive (last sign-in, else
    creation) for `retention_months` minus 30 days is warned once for that inactivity period,
    and deleted once the date given in its warning has passed. An account that was never
    warned gets its warning first, with 30 days' notice, even when it is already overdue.
    """
    now = now or timezone.now()
    logs_deleted = purge_email_logs(now=now)
    if not get_setting("retention_enabled"):
        return RetentionReport(email_logs_deleted=logs_deleted)
    months = int(get_setting("retention_months"))
    warn_from = add_months(now, -months) + timedelta(days=WARNING_DAYS)
    inactive = (
        User.objects.exclude(role=Role.ADMIN)
        .exclude(is_superuser=True)
        .annotate(last_activity=Coalesce(F("last_login"), F("created_at")))
        .filter(last_activity__lte=warn_from)
        .order_by("pk")
        .values_list("pk", "last_activity")
    )
    warned = deleted = 0
    # Ids first: accounts are deleted along the way, which a live cursor must not see.
    for user_id, last_activity in list(inactive):
        user = User.objects.get(pk=user_id)
        notice = InactivityNotice.objects.filter(user=user, for_last_activity=last_activity).first()
        if notice is None:
            deletion_date = max(
                add_months(last_activity, months), now + timedelta(days=WARNING_DAYS)
            )
            warned += _warn_inactive_user(
                user, last_activity=last_activity, deletion_date=deletion_date, now=now
            )
        elif now >= notice.deletion_date:
            delete_account(user)
            deleted += 1
    if warned or deleted:
        logger.info("retention: %s warned, %s deleted", warned, deleted)
    return RetentionReport(warned=warned, deleted=deleted, email_logs_deleted=logs_deleted)


def _warn_inactive_user(
    user: User, *, last_activity: datetime, deletion_date: datetime, now: datetime
) -> int:
    with transaction.atomic():
        # The unique (user, period) row makes a second, overlapping run a no-op.
        notice, created = InactivityNotice.objects.get_or_create(
            user=user,
            for_last_activity=last_activity,
            defaults={"deletion_date": deletion_date, "sent_at": now},
        )
        if not created:
            return 0
        notice.email_log = mail.inactivity_warning(user, last_activity, deletion_date)
        notice.save(update_fields=["email_log"])
    return 1
