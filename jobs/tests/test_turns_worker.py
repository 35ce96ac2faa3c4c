"""Against a real worker, Redis and PostgreSQL (slow; CI runs them): while one user's hundreds
of tasks wait for their slot, they cost the database nothing, and another user's task starts
at once."""

from __future__ import annotations

import statistics
import time
from functools import partial
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from cvs.tests.test_worker import wait_for, worker  # noqa: F401 - the worker fixture
from jobs import services
from jobs.models import BackgroundTask, TaskStatus, TaskType

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def _enqueue(user: Any, **payload: Any) -> BackgroundTask:
    return services.enqueue_task(user, type=TaskType.TEST, title="Queue test", payload=payload)


def _field(task: BackgroundTask, name: str) -> Any:
    return getattr(BackgroundTask.objects.get(pk=task.pk), name)


def _commits() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()"
        )
        return int(cursor.fetchone()[0])


def _commits_per_second(seconds: float) -> float:
    """Transactions the database committed per second (every client) over `seconds`."""
    before = _commits()
    time.sleep(seconds)
    time.sleep(1.5)  # sessions publish their statistics at most once a second
    return (_commits() - before) / (seconds + 1.5)


def test_one_users_waiting_tasks_cost_nothing_and_another_users_task_starts_at_once(
    alice,
    bob,
    worker,  # noqa: F811 - the fixture imported above
):
    holding = _enqueue(alice, steps=120, sleep=0.25)  # holds Alice's one slot for 30 s
    wait_for(lambda: BackgroundTask.objects.get(pk=holding.pk).progress > 0, what="running")
    alone = _commits_per_second(3)

    for _ in range(300):
        _enqueue(alice, steps=1, sleep=0)
    time.sleep(1)  # the messages sent, if any, reach the worker
    waiting = _commits_per_second(3)

    delays = []
    for _ in range(5):
        sent = timezone.now()
        bobs = _enqueue(bob, steps=1, sleep=0)
        started = wait_for(partial(_field, bobs, "started_at"), what="Bob's start")
        delays.append((started - sent).total_seconds())
        wait_for(lambda: _field(bobs, "status") == TaskStatus.COMPLETED, what="Bob's end")  # noqa: B023

    print(  # the figures docs/reliability.md quotes
        f"\ncommits/s: one task running {alone:.1f}, with 300 waiting {waiting:.1f}; "
        f"Bob's start delays {[round(d, 3) for d in delays]}"
    )
    assert BackgroundTask.objects.get(pk=holding.pk).status == TaskStatus.RUNNING
    assert BackgroundTask.objects.filter(user=alice, status=TaskStatus.QUEUED).count() == 300
    assert waiting - alone < 3  # the 300 waiting tasks: no claims, no retries
    assert statistics.median(delays) < 1.0
    services.cancel_task(holding)
