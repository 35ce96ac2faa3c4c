"""Retention: warning long-inactive accounts, then deleting them, and the daily job around it."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import Role, User
from accounts.services import delete_account
from billing.services import PaymentError
from core.config import get_setting
from emails import mail
from emails import services as email_services
from emails.models import InactivityNotice

logger = logging.getLogger(__name__)

# A warning goes out this long before an inactive account is deleted, and never less.
WARNING_DAYS = 30


@dataclass(frozen=True)
class RetentionReport:
    warned: int = 0
    deleted: int = 0
    email_logs_deleted: int = 0


def send_inactivity_notices(now: datetime | None = None) -> RetentionReport:
    """The daily retention job: old e-mail logs, inactivity warnings, deletions.

    E-mail logs older than 12 months are always deleted. Accounts are handled only when the
    `retention_enabled` setting is on: a non-staff account inactive (last sign-in, else
    creation) for `retention_months` minus 30 days is warned once for that inactivity period,
    and deleted once the date given in its warning has passed. An account that was never
    warned gets its warning first, with 30 days' notice, even when it is already overdue.
    """
    now = now or timezone.now()
    logs_deleted = email_services.purge_email_logs(now=now)
    if not get_setting("retention_enabled"):
        return RetentionReport(email_logs_deleted=logs_deleted)
    months = int(get_setting("retention_months"))
    warn_from = email_services.add_months(now, -months) + timedelta(days=WARNING_DAYS)
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
                email_services.add_months(last_activity, months), now + timedelta(days=WARNING_DAYS)
            )
            warned += _warn_inactive_user(
                user, last_activity=last_activity, deletion_date=deletion_date, now=now
            )
        elif now >= notice.deletion_date:
            try:
                delete_account(user)
            except PaymentError:
                # Stripe is away: the account waits for the next run rather than leave a
                # subscription charging a person whose account is gone.
                logger.warning("retention: account %s kept for now (Stripe unreachable)", user_id)
                continue
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
