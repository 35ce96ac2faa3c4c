"""A dead worker's task is failed and refunded within minutes; a live long task is not."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine

from billing.models import CreditBalance, CreditTransaction, TransactionType
from billing.services import record_transaction
from core import limits
from jobs import services
from jobs.models import BackgroundTask, TaskStatus, TaskType

pytestmark = pytest.mark.django_db
START = datetime(2026, 3, 1, 10, 0, tzinfo=UTC)


def claimed_paid_task(user: Any) -> BackgroundTask:
    """A paid task a worker has claimed at START (and is running, or died running)."""
    record_transaction(user.pk, amount=5, type=TransactionType.GIFT, key="welcome")
    task = BackgroundTask.objects.create(
        user=user,
        type=TaskType.TEST,
        title="t",
        feature_name="match_score",
        credits_debited=2,
        credit_used=True,
    )
    record_transaction(
        user.pk, amount=-2, type=TransactionType.USAGE, key=f"debit:task:{task.pk}", task=task
    )
    with time_machine.travel(START, tick=False):
        assert services._claim(task.pk) == "claimed"
    return BackgroundTask.objects.get(pk=task.pk)


def sweep_at(delay: timedelta) -> int:
    return services.sweep_stuck_tasks(now=START + delay)


def test_a_dead_workers_paid_task_is_failed_and_refunded_within_five_minutes(alice: Any) -> None:
    claimed_paid_task(alice)  # ... and its worker dies: no heartbeat after START

    # The last sweep before the heartbeat goes stale leaves it alone; the next one fails it.
    assert sweep_at(limits.HEARTBEAT_STALE - limits.SWEEP_INTERVAL) == 0
    assert sweep_at(limits.DEAD_TASK_REFUNDED_WITHIN) == 1

    assert timedelta(minutes=5) >= limits.DEAD_TASK_REFUNDED_WITHIN
    task = BackgroundTask.objects.get()
    assert task.status == TaskStatus.FAILED
    assert CreditBalance.objects.get(user=alice).balance == 5
    assert CreditTransaction.objects.filter(type=TransactionType.REFUND, task=task).count() == 1


def test_a_live_task_waiting_on_a_long_model_call_is_not_swept(alice: Any) -> None:
    task = claimed_paid_task(alice)
    # A model call polls for a cancel several times a second: each poll may beat.
    elapsed = timedelta()
    while elapsed < timedelta(seconds=limits.TASK_SOFT_TIME_LIMIT):
        elapsed += limits.HEARTBEAT_EVERY
        with time_machine.travel(START + elapsed, tick=False):
            assert not task.is_cancelled()
        assert sweep_at(elapsed + limits.SWEEP_INTERVAL) == 0

    assert BackgroundTask.objects.get().status == TaskStatus.RUNNING


def test_a_task_still_running_past_its_hard_limit_is_swept(alice: Any) -> None:
    task = claimed_paid_task(alice)
    late = timedelta(seconds=limits.TASK_HARD_TIME_LIMIT) + limits.SWEEP_INTERVAL
    with time_machine.travel(START + late, tick=False):
        assert not task.is_cancelled()  # it beats, but no live task can be this old

    assert sweep_at(late + timedelta(seconds=1)) == 1


def test_polling_beats_at_most_every_heartbeat_interval(alice: Any) -> None:
    task = claimed_paid_task(alice)
    with time_machine.travel(START + limits.HEARTBEAT_EVERY / 2, tick=False):
        assert not task.is_cancelled()
    assert BackgroundTask.objects.get().heartbeat_at == START
    with time_machine.travel(START + limits.HEARTBEAT_EVERY, tick=False):
        assert not task.is_cancelled()
    assert BackgroundTask.objects.get().heartbeat_at == START + limits.HEARTBEAT_EVERY


def test_a_cancelled_task_reads_as_cancelled_when_it_beats(alice: Any) -> None:
    task = claimed_paid_task(alice)
    services.cancel_task(task)
    with time_machine.travel(START + limits.HEARTBEAT_EVERY, tick=False):
        assert task.is_cancelled()
