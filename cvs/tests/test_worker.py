"""The task queue against a real Celery worker, Redis and PostgreSQL (slow; CI runs them)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from billing.models import CreditBalance, CreditTransaction, TransactionType
from billing.services import record_transaction
from billing.testing import paid_test_task
from core.testing import require_service
from fitmycv.celery import app as celery_app
from jobs import services as job_services
from jobs.models import BackgroundTask, TaskStatus, TaskType

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]


def wait_for(condition: Callable[[], Any], *, timeout: float = 20, what: str = "") -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    pytest.fail(f"timed out waiting for {what or condition}")


class Worker:
    def __init__(self, pool: str = "threads", concurrency: int = 4) -> None:
        self.process: subprocess.Popen[bytes] | None = None
        self.pool = pool
        self.concurrency = concurrency

    def start(self) -> None:
        db = connection.settings_dict
        env = {
            **os.environ,
            "DATABASE_URL": (
                f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
                f"/{db['NAME']}"
            ),
            "REDIS_URL": settings.REDIS_URL,
        }
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "fitmycv",
                "worker",
                "--pool",
                self.pool,
                "--concurrency",
                str(self.concurrency),
                "--queues",
                "default,llm,mail",
                "--without-mingle",
                "--without-gossip",
                "--loglevel",
                "WARNING",
            ],
            cwd=ROOT,
            env=env,
            start_new_session=True,
        )

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)

    def children(self) -> list[int]:
        """The pool's processes (prefork): the worker's own children."""
        assert self.process is not None
        listed = subprocess.run(
            ["ps", "--ppid", str(self.process.pid), "-o", "pid="],
            capture_output=True,
            text=True,
            check=False,
        )
        return [int(pid) for pid in listed.stdout.split()]


def _started(pool: str, concurrency: int) -> Worker:
    require_service("Redis (REDIS_URL)", bool(settings.REDIS_URL))
    require_service("PostgreSQL (DATABASE_URL)", connection.vendor == "postgresql")
    celery_app.conf.task_always_eager = False
    with celery_app.connection_for_write() as conn:
        for queue in ("default", "llm", "mail"):
            conn.default_channel.queue_purge(queue)
    running = Worker(pool, concurrency)
    running.start()
    return running


@pytest.fixture
def worker() -> Iterator[Worker]:
    running = _started("threads", 4)
    yield running
    running.kill()


@pytest.fixture
def prefork_worker() -> Iterator[Worker]:
    """As production runs it (compose.yaml): a prefork pool, here of one child."""
    running = _started("prefork", 1)
    yield running
    running.kill()


def _enqueue(user: Any, **payload: Any) -> BackgroundTask:
    return job_services.enqueue_task(
        user, type=TaskType.TEST, title="Queue test", payload={"sleep": 0.3, **payload}
    )


def _status(task: BackgroundTask) -> BackgroundTask:
    task.refresh_from_db()
    return task


def test_a_worker_runs_the_task_and_progress_is_visible_on_the_way(alice, worker):
    task = _enqueue(alice, steps=6)
    seen = wait_for(
        lambda: _status(task).status == TaskStatus.RUNNING and 0 < task.progress < 100,
        what="visible progress",
    )
    assert seen
    wait_for(lambda: _status(task).status == TaskStatus.COMPLETED, what="completion")
    assert task.progress == 100
    assert task.result == {"steps": 6}


def test_a_queued_task_cancelled_while_waiting_for_a_slot_never_starts(alice, worker):
    first = _enqueue(alice, steps=8)  # one test task per user at a time
    wait_for(lambda: _status(first).status == TaskStatus.RUNNING, what="first running")
    second = _enqueue(alice, steps=2)
    time.sleep(1)
    assert _status(second).status == TaskStatus.QUEUED
    assert job_services.cancel_task(second)
    wait_for(lambda: _status(first).status == TaskStatus.COMPLETED, timeout=30, what="first done")
    time.sleep(4)  # longer than the busy retry delay: the message comes back and is dropped
    second = _status(second)
    assert second.status == TaskStatus.CANCELLED
    assert second.started_at is None


def test_a_running_task_stops_when_cancelled(alice, worker):
    task = _enqueue(alice, steps=30)
    wait_for(lambda: _status(task).progress > 0, what="first progress")
    assert job_services.cancel_task(task)
    progress_at_cancel = _status(task).progress
    time.sleep(1.5)
    task = _status(task)
    assert task.status == TaskStatus.CANCELLED
    assert task.progress == progress_at_cancel
    assert task.result is None


def test_a_worker_killed_mid_task_ends_the_task_failed_and_refunded_exactly_once(alice, worker):
    record_transaction(alice.pk, amount=5, type=TransactionType.GIFT, key="welcome")
    task = paid_test_task(alice, steps=40)
    wait_for(lambda: _status(task).progress > 0, what="task running")
    worker.kill()
    assert _status(task).status == TaskStatus.RUNNING  # nobody knows yet

    later = timezone.now() + timedelta(hours=1)
    assert job_services.sweep_stuck_tasks(now=later) == 1
    assert job_services.sweep_stuck_tasks(now=later) == 0
    task = _status(task)
    assert task.status == TaskStatus.FAILED
    assert CreditTransaction.objects.filter(type=TransactionType.REFUND, task=task).count() == 1
    assert CreditBalance.objects.get(user=alice).balance == 5

    # A new worker that receives the redelivered message must not run the task again.
    worker.start()
    job_services.run_task(task.pk)
    assert _status(task).status == TaskStatus.FAILED


def test_a_killed_pool_child_fails_its_task_once_and_the_worker_goes_on(alice, prefork_worker):
    record_transaction(alice.pk, amount=5, type=TransactionType.GIFT, key="welcome")
    task = paid_test_task(alice, steps=40)
    wait_for(lambda: _status(task).progress > 0, what="task running")
    [child] = wait_for(prefork_worker.children, what="the pool's child")
    os.kill(child, signal.SIGKILL)  # the child only, as the kernel's OOM killer would

    # The worker replaces its child; the message comes back (reject on worker lost) and the
    # new child finds the task already running: it does not run it a second time.
    wait_for(lambda: set(prefork_worker.children()) - {child}, what="a new child")
    time.sleep(3)
    progress = _status(task).progress
    time.sleep(1)
    assert prefork_worker.process.poll() is None
    assert _status(task).status == TaskStatus.RUNNING and task.progress == progress

    later = timezone.now() + timedelta(hours=1)
    assert job_services.sweep_stuck_tasks(now=later) == 1
    task = _status(task)
    assert task.status == TaskStatus.FAILED
    assert CreditTransaction.objects.filter(type=TransactionType.REFUND, task=task).count() == 1
    assert CreditBalance.objects.get(user=alice).balance == 5

    # The same worker takes the next task as usual.
    after = _enqueue(alice, steps=2)
    wait_for(lambda: _status(after).status == TaskStatus.COMPLETED, timeout=30, what="next task")
