"""Each user's tasks wait their turn in the database: one user queueing hundreds of tasks puts
no more messages ahead of another user's task than they may run at once, and their waiting
tasks cost nothing until their turn."""

from __future__ import annotations

import statistics
from collections import deque
from datetime import timedelta
from typing import Any
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.models import Setting
from jobs import services, tasks
from jobs.models import BackgroundTask, TaskStatus, TaskType

pytestmark = pytest.mark.django_db


class Broker:
    """The Celery queue, in memory: messages in the order they were sent."""

    def __init__(self) -> None:
        self.messages: deque[str] = deque()

    def send(self, task_id: str) -> None:
        self.messages.append(task_id)

    def deliver(self, limit: int) -> list[tuple[str, str]]:
        """What a worker does with the next `limit` messages: (task id, outcome), in order.
        A task the worker would retry later goes back to the end of the queue."""
        outcomes = []
        for _ in range(min(limit, len(self.messages))):
            task_id = self.messages.popleft()
            outcome = services.run_task(task_id)
            if outcome == "busy":
                self.messages.append(task_id)
            outcomes.append((task_id, outcome))
        return outcomes


@pytest.fixture
def broker() -> Any:
    queue = Broker()
    with mock.patch("jobs.tasks.run_task.delay", side_effect=queue.send):
        yield queue


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks: Any) -> Any:
    """Call something as a request or a worker would: what it sends goes out on commit."""

    def call(function: Any, *args: Any) -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            return function(*args)

    return call


@pytest.fixture
def enqueue(on_commit: Any) -> Any:
    def enqueue(user: Any) -> BackgroundTask:
        return on_commit(
            lambda: services.enqueue_task(
                user, type=TaskType.TEST, title="Queue test", payload={"sleep": 0}
            )
        )

    return enqueue


def _holding_a_slot(user: Any) -> BackgroundTask:
    """A task of the user's running elsewhere (another worker) for as long as the test lasts."""
    return BackgroundTask.objects.create(
        user=user, type=TaskType.TEST, title="t", status=TaskStatus.RUNNING,
        started_at=timezone.now(),
    )  # fmt: skip


def test_tasks_past_the_users_slots_are_not_sent_to_the_broker(alice, broker, enqueue):
    _holding_a_slot(alice)
    for _ in range(300):
        enqueue(alice)
    assert BackgroundTask.objects.filter(status=TaskStatus.QUEUED).count() == 300
    assert len(broker.messages) == 0


def test_another_users_task_is_the_next_message_whatever_one_user_queued(
    alice, bob, broker, enqueue
):
    _holding_a_slot(alice)
    waiting = [enqueue(alice) for _ in range(300)]
    bobs = enqueue(bob)

    with CaptureQueriesContext(connection) as queries:
        outcomes = broker.deliver(limit=1)

    assert outcomes == [(str(bobs.pk), "completed")]
    # Alice's 300 waiting tasks did nothing while Bob's ran: no query names one of them.
    ids = {task.pk.hex for task in waiting} | {str(task.pk) for task in waiting}
    assert not [q for q in queries.captured_queries if any(i in q["sql"] for i in ids)]
    assert BackgroundTask.objects.filter(user=alice, status=TaskStatus.QUEUED).count() == 300


def test_a_task_waiting_for_its_users_slot_is_not_retried(alice):
    _holding_a_slot(alice)
    waiting = BackgroundTask.objects.create(
        user=alice, type=TaskType.TEST, title="t", payload={"sleep": 0}
    )
    with mock.patch.object(tasks.run_task, "retry") as retry:
        assert tasks.run_task.run(str(waiting.pk)) == "waiting"
    retry.assert_not_called()
    waiting.refresh_from_db()
    assert waiting.status == TaskStatus.QUEUED


@pytest.mark.parametrize("stop", ["complete", "fail", "cancel"])
def test_when_a_task_stops_its_users_next_waiting_task_is_sent(
    alice, stop, broker, enqueue, on_commit
):
    first, second, third = enqueue(alice), enqueue(alice), enqueue(alice)
    assert list(broker.messages) == [str(first.pk)]
    broker.messages.clear()

    if stop == "cancel":
        on_commit(services.cancel_task, first)
    else:
        if stop == "fail":
            BackgroundTask.objects.filter(pk=first.pk).update(payload={"fail_at": 1})
        on_commit(services.run_task, first.pk)

    assert list(broker.messages) == [str(second.pk)]
    assert BackgroundTask.objects.get(pk=third.pk).status == TaskStatus.QUEUED


def test_a_user_with_several_slots_gets_as_many_tasks_sent(alice, broker, enqueue):
    Setting.objects.create(name="tasks_max_other_per_user", value="3", category="tasks")
    queued = [enqueue(alice) for _ in range(10)]
    assert list(broker.messages) == [str(t.pk) for t in queued[:3]]


def test_a_lost_message_is_sent_again_by_the_sweeper_only_when_its_turn_came(
    alice, broker, enqueue, on_commit
):
    lost, behind = enqueue(alice), enqueue(alice)
    broker.messages.clear()  # the broker lost the first message
    stale = timezone.now() - services.RESEND_AFTER - timedelta(minutes=1)
    BackgroundTask.objects.update(updated_at=stale)

    services.sweep_stuck_tasks()
    assert list(broker.messages) == [str(lost.pk)]
    services.sweep_stuck_tasks()  # looked at just now: not sent twice
    assert list(broker.messages) == [str(lost.pk)]

    on_commit(services.run_task, broker.messages.popleft())
    assert list(broker.messages) == [str(behind.pk)]


def test_the_global_cap_retry_backs_off_with_jitter_up_to_a_minute():
    for retries in range(12):
        ceiling = min(tasks.BUSY_RETRY_MAX_SECONDS, tasks.BUSY_RETRY_SECONDS * 2**retries)
        delays = [tasks.busy_retry_delay(retries) for _ in range(50)]
        assert all(ceiling / 2 <= d <= ceiling for d in delays)
        assert len(set(delays)) > 1
    medians = [statistics.median(tasks.busy_retry_delay(n) for _ in range(50)) for n in range(6)]
    assert medians == sorted(medians)
    assert tasks.busy_retry_delay(50) <= tasks.BUSY_RETRY_MAX_SECONDS
