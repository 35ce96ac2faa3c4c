from __future__ import annotations

from datetime import UTC, datetime
from io import StringIO

import pytest
import time_machine
from django.core import mail as django_mail

from accounts.inactivity import send_inactivity_notices
from accounts.management.commands.send_inactivity_notices import Command
from accounts.models import User
from conftest import make_user
from core.config import invalidate_settings_cache
from core.models import Setting
from emails.models import EmailLog, InactivityNotice

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 6, 15, 4, 15, tzinfo=UTC)


@pytest.fixture
def retention_on(db):
    Setting.objects.create(name="retention_enabled", value="1", category="retention")
    Setting.objects.create(name="retention_months", value="36", category="retention")


def user_last_seen(email: str, last_login: datetime | None, **fields) -> User:
    user = make_user(email, name=email.split("@")[0].title(), **fields)
    user.last_login = last_login
    user.save(update_fields=["last_login"])
    return user


def run(now: datetime, committed):
    with time_machine.travel(now, tick=False), committed():
        return send_inactivity_notices()


def test_nothing_happens_to_accounts_while_retention_is_off(committed):
    dormant = user_last_seen("dormant@example.org", datetime(2020, 1, 1, tzinfo=UTC))
    report = run(NOW, committed)
    assert (report.warned, report.deleted) == (0, 0)
    assert django_mail.outbox == []
    assert User.objects.filter(pk=dormant.pk).exists()


def test_a_user_is_warned_30_days_before_the_end_and_only_once(retention_on, committed):
    # Last seen 35 months and a half ago; the warning gives 30 days' notice.
    user = user_last_seen("carol@example.org", datetime(2023, 7, 1, 9, 0, tzinfo=UTC))
    report = run(NOW, committed)
    assert report.warned == 1
    assert [m.to for m in django_mail.outbox] == [["carol@example.org"]]
    assert django_mail.outbox[0].subject == "Your FitMyCV account will be deleted on July 15, 2026"
    assert "since July 1, 2023" in django_mail.outbox[0].body
    notice = InactivityNotice.objects.get(user=user)
    assert notice.deletion_date == datetime(2026, 7, 15, 4, 15, tzinfo=UTC)
    assert notice.email_log == EmailLog.objects.get(template_name="inactivity_warning")

    again = run(datetime(2026, 6, 16, 4, 15, tzinfo=UTC), committed)
    assert again.warned == 0
    assert len(django_mail.outbox) == 1


def test_a_user_inside_the_retention_period_is_left_alone(retention_on, committed):
    user_last_seen("recent@example.org", datetime(2023, 8, 20, tzinfo=UTC))  # 34 months ago
    assert run(NOW, committed).warned == 0
    assert django_mail.outbox == []


def test_the_creation_date_counts_when_the_user_never_signed_in(retention_on, committed):
    user_last_seen("never@example.org", None, created_at=datetime(2023, 7, 1, tzinfo=UTC))
    assert run(NOW, committed).warned == 1


def test_the_account_is_deleted_once_the_warned_date_has_passed(retention_on, committed):
    user = user_last_seen("carol@example.org", datetime(2023, 7, 1, 9, 0, tzinfo=UTC))
    run(NOW, committed)
    assert run(datetime(2026, 7, 15, 4, 0, tzinfo=UTC), committed).deleted == 0
    assert User.objects.filter(pk=user.pk).exists()
    report = run(datetime(2026, 7, 15, 4, 30, tzinfo=UTC), committed)
    assert report.deleted == 1
    assert not User.objects.filter(pk=user.pk).exists()
    assert len(django_mail.outbox) == 1  # no second warning on the way


def test_deletion_waits_while_retention_is_off(retention_on, committed):
    user = user_last_seen("carol@example.org", datetime(2023, 7, 1, 9, 0, tzinfo=UTC))
    run(NOW, committed)
    Setting.objects.filter(name="retention_enabled").update(value="0")
    invalidate_settings_cache()
    assert run(datetime(2026, 8, 1, tzinfo=UTC), committed).deleted == 0
    assert User.objects.filter(pk=user.pk).exists()


def test_an_overdue_account_is_warned_before_it_is_deleted(retention_on, committed):
    user = user_last_seen("old@example.org", datetime(2021, 1, 1, tzinfo=UTC))  # 5 years ago
    report = run(NOW, committed)
    assert (report.warned, report.deleted) == (1, 0)
    assert InactivityNotice.objects.get(user=user).deletion_date == datetime(
        2026, 7, 15, 4, 15, tzinfo=UTC
    )
    assert run(datetime(2026, 7, 15, 5, 0, tzinfo=UTC), committed).deleted == 1


def test_signing_in_after_the_warning_saves_the_account(retention_on, committed):
    user = user_last_seen("carol@example.org", datetime(2023, 7, 1, 9, 0, tzinfo=UTC))
    run(NOW, committed)
    user.last_login = datetime(2026, 6, 20, tzinfo=UTC)
    user.save(update_fields=["last_login"])
    assert run(datetime(2026, 7, 20, tzinfo=UTC), committed).deleted == 0
    assert User.objects.filter(pk=user.pk).exists()
    # Three years later the new period brings its own warning.
    assert run(datetime(2029, 6, 1, tzinfo=UTC), committed).warned == 1
    assert InactivityNotice.objects.filter(user=user).count() == 2


def test_staff_accounts_are_neither_warned_nor_deleted(retention_on, committed):
    admin = user_last_seen("boss@example.org", datetime(2020, 1, 1, tzinfo=UTC), role="ADMIN")
    report = run(NOW, committed)
    assert (report.warned, report.deleted) == (0, 0)
    assert User.objects.filter(pk=admin.pk).exists()


def test_e_mail_logs_older_than_12_months_are_deleted(committed):
    with time_machine.travel(datetime(2025, 6, 1, tzinfo=UTC), tick=False):
        old = EmailLog.objects.create(template_name="welcome", recipient_email="a@example.org")
    with time_machine.travel(datetime(2025, 7, 1, tzinfo=UTC), tick=False):
        kept = EmailLog.objects.create(template_name="welcome", recipient_email="b@example.org")
    report = run(NOW, committed)
    assert report.email_logs_deleted == 1
    assert list(EmailLog.objects.values_list("pk", flat=True)) == [kept.pk]
    assert not EmailLog.objects.filter(pk=old.pk).exists()


def test_the_command_runs_the_job(retention_on, committed):
    user_last_seen("carol@example.org", datetime(2023, 7, 1, 9, 0, tzinfo=UTC))
    out = StringIO()
    with time_machine.travel(NOW, tick=False), committed():
        Command(stdout=out).handle()
    assert (
        out.getvalue() == "1 warning(s) sent, 0 account(s) deleted, 0 old e-mail log(s) deleted.\n"
    )
    assert len(django_mail.outbox) == 1


def test_the_command_with_retention_off_only_purges_e_mail_logs(committed):
    """As the README's operator table says: no account is warned or deleted while it is off."""
    dormant = user_last_seen("dormant@example.org", datetime(2020, 1, 1, tzinfo=UTC))
    with time_machine.travel(datetime(2025, 1, 1, tzinfo=UTC), tick=False):
        EmailLog.objects.create(template_name="welcome", recipient_email="a@example.org")
    out = StringIO()
    with time_machine.travel(NOW, tick=False), committed():
        Command(stdout=out).handle()
    assert (
        out.getvalue() == "0 warning(s) sent, 0 account(s) deleted, 1 old e-mail log(s) deleted.\n"
    )
    assert django_mail.outbox == []
    assert not InactivityNotice.objects.filter(user=dormant).exists()


def test_the_job_runs_daily_on_the_mail_queue(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["emails-retention"]
    assert entry["task"] == "accounts.tasks.send_inactivity_notices"
    assert entry["schedule"].hour == {4}
