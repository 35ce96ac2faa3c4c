from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
import time_machine
from allauth.account.models import EmailAddress
from allauth.account.signals import email_confirmed, password_reset, user_signed_up
from allauth.socialaccount.models import SocialAccount, SocialLogin
from django.db import DatabaseError, connection, transaction
from django.test import Client

from accounts.models import User
from conftest import PASSWORD
from core.testing import require_service, run_in_threads
from telemetry import events
from telemetry.models import FeatureUsage, TelemetryEvent


def test_it_derives_the_category_from_the_type():
    assert events.category_for(events.CV_IMPORTED) == "cv_management"
    assert events.category_for(events.MATCH_SCORE_CALCULATED) == "cv_management"
    assert events.category_for(events.USER_LOGIN) == "auth"
    assert events.category_for(events.EMAIL_VERIFIED) == "auth"
    assert events.category_for(events.PASSWORD_RESET) == "auth"
    assert events.category_for(events.TASK_FAILED) == "job_processing"
    assert events.category_for("JOB_QUEUED") == "job_processing"
    assert events.category_for(events.PURCHASE) == "billing"
    assert events.category_for("CREDITS_GRANTED") == "billing"
    assert events.category_for(events.PAGE_VIEW) == "navigation"
    assert events.category_for("BUTTON_CLICK") == "interaction"


@pytest.mark.django_db
def test_it_records_one_event_with_its_details(alice):
    events.record_event(
        events.CV_IMPORTED,
        user=alice,
        metadata={"pages": 2},
        device_id="device-1",
        duration_ms=1500,
    )

    event = TelemetryEvent.objects.get()
    assert event.user == alice
    assert event.type == "CV_IMPORTED"
    assert event.category == "cv_management"
    assert event.metadata == {"pages": 2}
    assert event.device_id == "device-1"
    assert event.duration_ms == 1500
    assert event.status == "success"


@pytest.mark.django_db
def test_it_keeps_an_explicit_category_and_the_error(alice):
    events.record_event(
        events.TASK_FAILED, user=alice, category="billing", status="error", error="Boom"
    )

    event = TelemetryEvent.objects.get()
    assert (event.category, event.status, event.error) == ("billing", "error", "Boom")


@pytest.mark.django_db
def test_it_counts_each_use_of_a_feature(alice):
    events.record_event(events.CV_EXPORTED, user=alice, duration_ms=1000)
    events.record_event(events.CV_EXPORTED, user=alice, duration_ms=500)
    with time_machine.travel(dt.datetime(2030, 5, 1, 9, 30, tzinfo=dt.UTC), tick=False):
        events.record_event(events.CV_EXPORTED, user=alice)

    usage = FeatureUsage.objects.get(user=alice, feature_name="export_cv")
    assert usage.usage_count == 3
    assert usage.total_duration_ms == 1500
    assert usage.last_used_at == dt.datetime(2030, 5, 1, 9, 30, tzinfo=dt.UTC)


@pytest.mark.django_db
def test_it_does_not_count_a_failed_use(alice):
    events.record_event(events.CV_GENERATED, user=alice, status="error", error="Timeout")

    assert TelemetryEvent.objects.count() == 1
    assert not FeatureUsage.objects.exists()


@pytest.mark.django_db
def test_it_takes_a_user_id(alice):
    events.record_event(events.CV_TRANSLATED, user=alice.pk)

    assert TelemetryEvent.objects.get().user == alice
    assert FeatureUsage.objects.get().feature_name == "translate_cv"


@pytest.mark.django_db
def test_it_records_events_of_anonymous_visitors():
    events.record_event(events.PAGE_VIEW, metadata={"path": "/"})

    event = TelemetryEvent.objects.get()
    assert event.user is None
    assert not FeatureUsage.objects.exists()


@pytest.mark.django_db
def test_a_failing_insert_does_not_fail_the_caller(alice, caplog):
    with mock.patch.object(
        TelemetryEvent.objects, "create", side_effect=DatabaseError("disk full")
    ):
        events.record_event(events.CV_EXPORTED, user=alice)

    assert not TelemetryEvent.objects.exists()
    assert not FeatureUsage.objects.exists()
    assert "CV_EXPORTED was not recorded" in caplog.text


@pytest.mark.django_db
def test_a_failing_insert_leaves_the_callers_transaction_usable(alice):
    def broken_insert(**fields):
        # A real database error: on PostgreSQL it aborts the enclosing transaction unless
        # it happened inside a savepoint.
        with connection.cursor() as cursor:
            cursor.execute("SELECT * FROM no_such_table")

    with transaction.atomic():
        alice.name = "Alice M."
        alice.save(update_fields=["name"])
        with mock.patch.object(TelemetryEvent.objects, "create", side_effect=broken_insert):
            events.record_event(events.CV_EXPORTED, user=alice)
        # The caller goes on writing in the same transaction.
        alice.name = "Alice Martin-Durand"
        alice.save(update_fields=["name"])

    assert User.objects.get(pk=alice.pk).name == "Alice Martin-Durand"


@pytest.mark.django_db
def test_logging_in_records_a_login(alice):
    client = Client()
    response = client.post("/accounts/login/", {"login": alice.email, "password": PASSWORD})

    assert response.status_code == 302
    event = TelemetryEvent.objects.get(type=events.USER_LOGIN)
    assert event.user == alice
    assert event.category == "auth"
    assert event.metadata == {"provider": "email"}


@pytest.mark.django_db
def test_a_failed_login_records_nothing(alice):
    Client().post("/accounts/login/", {"login": alice.email, "password": "wrong"})

    assert not TelemetryEvent.objects.filter(type=events.USER_LOGIN).exists()


@pytest.mark.django_db
def test_signing_up_records_a_registration(alice):
    user_signed_up.send(sender=User, request=None, user=alice)

    event = TelemetryEvent.objects.get(type=events.USER_REGISTERED)
    assert (event.user, event.metadata) == (alice, {"provider": "email"})


@pytest.mark.django_db
def test_a_social_sign_up_records_its_provider(alice):
    account = SocialAccount(user=alice, provider="github", uid="42")
    user_signed_up.send(
        sender=User, request=None, user=alice, sociallogin=SocialLogin(user=alice, account=account)
    )

    event = TelemetryEvent.objects.get(type=events.USER_REGISTERED)
    assert event.metadata == {"provider": "github"}


@pytest.mark.django_db
def test_logging_out_records_a_logout(alice, alice_client):
    alice_client.post("/accounts/logout/")

    assert TelemetryEvent.objects.get(type=events.USER_LOGOUT).user == alice


@pytest.mark.django_db
def test_a_verified_address_and_a_reset_password_are_recorded(alice):
    address = EmailAddress.objects.get(user=alice)
    email_confirmed.send(sender=EmailAddress, request=None, email_address=address)
    password_reset.send(sender=User, request=None, user=alice)

    recorded = set(TelemetryEvent.objects.filter(user=alice).values_list("type", "category"))
    assert recorded == {(events.EMAIL_VERIFIED, "auth"), (events.PASSWORD_RESET, "auth")}


@pytest.mark.django_db(transaction=True)
def test_feature_uses_from_8_threads_are_all_counted(alice):
    # SQLite's test database serialises writers: lost updates are a PostgreSQL matter.
    require_service("PostgreSQL (DATABASE_URL)", connection.vendor == "postgresql")
    threads_count, uses_each = 8, 10

    def use() -> None:
        for _ in range(uses_each):
            events.record_event(events.CV_EXPORTED, user=alice, duration_ms=10)

    run_in_threads(use, threads_count)

    usage = FeatureUsage.objects.get(user=alice, feature_name="export_cv")
    assert usage.usage_count == threads_count * uses_each
    assert usage.total_duration_ms == threads_count * uses_each * 10
    assert TelemetryEvent.objects.count() == threads_count * uses_each
