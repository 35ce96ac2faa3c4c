"""Failures of the infrastructure: the broker and the database going away under load.

The fast test fakes a broker that refuses the message; the slow ones pause the real Redis and
cut the real PostgreSQL connections of a real worker (PostgreSQL + Redis: skipped on a
developer machine without them, never in CI).
"""

from __future__ import annotations

import copy
import json
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from django.conf import settings
from django.db import connection
from django.http import HttpResponse
from django.utils import timezone
from kombu.exceptions import OperationalError

from billing.models import CreditBalance, CreditTransaction, TransactionType
from billing.services import record_transaction
from billing.testing import paid_test_task
from core import outage
from core.config import invalidate_settings_cache
from core.errors import ServiceUnavailable
from core.models import Setting
from core.testing import require_service
from cvs import services
from cvs.models import CV
from cvs.tests.test_worker import Worker, wait_for
from fitmycv.celery import app as celery_app
from jobs import services as job_services
from jobs.models import BackgroundTask, TaskStatus, TaskType

FIXTURES = Path(__file__).resolve().parents[2] / "ai" / "tests" / "fixtures"
MASTER_CV = json.loads((FIXTURES / "cvs" / "backend-engineer.cv.json").read_text())
CREDITS = 10
PAUSE_MS = 3000


def give_credits(user: Any) -> None:
    record_transaction(user.pk, amount=CREDITS, type=TransactionType.GIFT, key=f"rel:{user.pk}")
    # The offline translation is free by default: these tests need a paid feature.
    Setting.objects.update_or_create(name="credits_translate_offline", defaults={"value": "1"})
    invalidate_settings_cache()


def balance(user: Any) -> int:
    return CreditBalance.objects.get(user=user).balance


def debits(user: Any) -> int:
    return CreditTransaction.objects.filter(user=user, type=TransactionType.USAGE).count()


def refunds(user: Any) -> int:
    return CreditTransaction.objects.filter(user=user, type=TransactionType.REFUND).count()


# --- The broker refuses the message at commit (fast) -----------------------------------------


@pytest.mark.django_db
def _translate_with_the_broker_down(alice, alice_client, capture_on_commit) -> HttpResponse:
    """A paid request whose task message the broker refuses at commit."""
    give_credits(alice)
    cv = services.create_cv(alice, content=copy.deepcopy(MASTER_CV), name="Master")
    refused = OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")
    with (
        mock.patch("jobs.tasks.run_task.delay", autospec=True, side_effect=refused),
        capture_on_commit(execute=True),
    ):
        return alice_client.post(f"/cvs/{cv.pk}/translate/", {"target": "fr"})


def test_a_broker_down_at_commit_gives_no_500_and_the_sweeper_refunds_once(
    alice, alice_client, django_capture_on_commit_callbacks
):
    response = _translate_with_the_broker_down(
        alice, alice_client, django_capture_on_commit_callbacks
    )

    assert response.status_code == 302
    task = BackgroundTask.objects.get(user=alice)
    assert task.status == TaskStatus.QUEUED  # committed, so never lost: the sweeper sees it
    charged = CREDITS - balance(alice)
    assert charged > 0 and debits(alice) == 1

    later = timezone.now() + job_services.QUEUED_DEADLINE + timedelta(minutes=1)
    assert job_services.sweep_stuck_tasks(now=later) == 1
    assert job_services.sweep_stuck_tasks(now=later) == 0
    task.refresh_from_db()
    assert task.status == TaskStatus.FAILED
    assert balance(alice) == CREDITS and refunds(alice) == 1


def test_a_broker_back_within_minutes_gets_the_task_sent_again_and_run_once(
    alice, alice_client, django_capture_on_commit_callbacks
):
    _translate_with_the_broker_down(alice, alice_client, django_capture_on_commit_callbacks)

    # The broker is back; the next sweep after RESEND_AFTER sends the message again (Celery
    # runs eagerly here: the task runs at once).
    later = timezone.now() + job_services.RESEND_AFTER + timedelta(minutes=1)
    job_services.sweep_stuck_tasks(now=later)

    task = BackgroundTask.objects.get(user=alice)
    assert task.status == TaskStatus.COMPLETED
    assert debits(alice) == 1 and refunds(alice) == 0


def test_the_stuck_task_sweeper_runs_on_a_schedule():
    scheduled = {entry["task"] for entry in celery_app.conf.beat_schedule.values()}
    assert "jobs.tasks.sweep_stuck_tasks" in scheduled
    assert "emails.tasks.resend_forgotten_emails" in scheduled


# --- A real worker, Redis and PostgreSQL (slow) ----------------------------------------------


@pytest.fixture(scope="module")
def worker(django_db_setup: Any, django_db_blocker: Any) -> Iterator[Worker]:
    """One worker for the module, on the test database and the real broker."""
    require_service("Redis (REDIS_URL)", bool(settings.REDIS_URL))
    with django_db_blocker.unblock():
        require_service("PostgreSQL (DATABASE_URL)", connection.vendor == "postgresql")
    with celery_app.connection_for_write() as conn:
        for queue in ("default", "llm", "mail"):
            conn.default_channel.queue_purge(queue)
    running = Worker()
    running.start()
    yield running
    running.kill()


@pytest.fixture
def live(worker: Worker) -> Iterator[Worker]:
    """Tasks go through the broker to the worker (the suite runs them eagerly otherwise)."""
    celery_app.conf.task_always_eager = False
    if worker.process is None or worker.process.poll() is not None:
        worker.start()
    yield worker


def pause_redis(milliseconds: int = PAUSE_MS) -> None:
    import redis

    # CLIENT PAUSE ... ALL: every client of the server, the broker's and the cache's, waits.
    assert redis.Redis.from_url(settings.REDIS_URL).client_pause(milliseconds, all=True)


def drop_database_connections() -> int:
    """Kill every other session on the test database, as a PostgreSQL restart would."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return len(cursor.fetchall())


def status_of(task: BackgroundTask) -> str:
    task.refresh_from_db()
    return task.status


def enqueue_test_task(user: Any, **payload: Any) -> BackgroundTask:
    return job_services.enqueue_task(
        user, type=TaskType.TEST, title="Queue test", payload={"sleep": 0.2, **payload}
    )


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_paid_request_during_a_redis_pause_is_refused_at_once_then_runs_once(
    alice, alice_client, live
):
    give_credits(alice)
    cv = services.create_cv(alice, content=copy.deepcopy(MASTER_CV), name="Master")
    page = cv.get_absolute_url()

    pause_redis()
    started = time.monotonic()
    response = alice_client.post(
        f"/cvs/{cv.pk}/translate/", {"target": "fr"}, HTTP_REFERER=f"http://testserver{page}"
    )
    elapsed = time.monotonic() - started

    # It did not wait out the pause: the broker did not answer within its socket timeout, so
    # nothing was queued or charged and the user is told so on the page they came from.
    assert response.status_code == 302 and response["Location"] == f"http://testserver{page}"
    assert elapsed < PAUSE_MS / 1000
    assert not BackgroundTask.objects.filter(user=alice).exists()
    assert debits(alice) == 0 and balance(alice) == CREDITS

    time.sleep(PAUSE_MS / 1000)  # the pause is over
    wait_for(lambda: not outage.broker.is_open(), timeout=10, what="broker tried again")
    response = alice_client.post(f"/cvs/{cv.pk}/translate/", {"target": "fr"})
    assert response.status_code == 302
    task = BackgroundTask.objects.get(user=alice)
    wait_for(lambda: status_of(task) == TaskStatus.COMPLETED, timeout=30, what="translation")
    assert CV.objects.filter(user=alice, is_translated=True).count() == 1
    assert debits(alice) == 1 and refunds(alice) == 0
    assert balance(alice) == CREDITS - task.credits_debited


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_redis_pause_while_a_task_runs_delays_it_and_loses_nothing(alice, live):
    running = enqueue_test_task(alice, steps=8)
    wait_for(lambda: status_of(running) == TaskStatus.RUNNING, timeout=20, what="task running")
    pause_redis()

    refused: list[BaseException] = []

    def enqueue_in_a_request() -> None:
        try:
            enqueue_test_task(alice, steps=2)
        except ServiceUnavailable as exc:
            refused.append(exc)
        finally:
            connection.close()  # this thread's own connection

    queued_in_pause = threading.Thread(target=enqueue_in_a_request)
    queued_in_pause.start()  # the broker does not answer: refused, nothing written
    queued_in_pause.join(timeout=PAUSE_MS / 1000)
    assert not queued_in_pause.is_alive() and len(refused) == 1

    wait_for(lambda: status_of(running) == TaskStatus.COMPLETED, timeout=40, what="first task")
    wait_for(lambda: not outage.broker.is_open(), timeout=10, what="broker tried again")
    after = enqueue_test_task(alice, steps=2)
    wait_for(lambda: status_of(after) == TaskStatus.COMPLETED, timeout=40, what="task after")
    assert BackgroundTask.objects.filter(user=alice).count() == 2


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_the_worker_recovers_when_postgresql_drops_its_connections(alice, live):
    # Celery closes the worker's connections around every task, so the cut that matters is
    # one in the middle of a task: it completes, fails, or is left running for the sweeper;
    # whichever, it is charged once and refunded at most once, and the next task runs.
    give_credits(alice)
    cut = paid_test_task(alice, steps=10)
    wait_for(lambda: status_of(cut) == TaskStatus.RUNNING and cut.progress > 0, what="running")
    assert drop_database_connections() >= 1
    time.sleep(4)  # longer than the rest of the task
    job_services.sweep_stuck_tasks(now=timezone.now() + timedelta(hours=1))
    assert status_of(cut) in (TaskStatus.COMPLETED, TaskStatus.FAILED)
    assert debits(alice) == 1 and refunds(alice) <= 1
    expected = CREDITS if cut.status == TaskStatus.FAILED else CREDITS - 2
    assert balance(alice) == expected

    last = enqueue_test_task(alice, steps=1)
    wait_for(lambda: status_of(last) == TaskStatus.COMPLETED, timeout=20, what="task after cut")
