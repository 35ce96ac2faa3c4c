"""Workflows of the CV workspace: the background task engine and the CV features.

Background tasks: `enqueue_task` writes a BackgroundTask row and sends its id to Celery once
the transaction commits; `run_task` (called by the Celery task) claims the row with a
conditional UPDATE, runs the handler for its type and records the outcome. The row is the only
source of truth: the UI polls it, cancel and the sweeper change it, and every way a task can
stop without completing goes through `settle_stopped_task` exactly once.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any
from uuid import UUID

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from cvs.models import (
    ACTIVE_STATUSES,
    CV,
    BackgroundTask,
    RunStatus,
    TaskCancelled,
    TaskStatus,
    TaskType,
)
from fitmycv.config import get_setting

logger = logging.getLogger(__name__)

# How long a queued task may wait for its message before the sweeper gives up on it.
QUEUED_DEADLINE = timedelta(hours=6)
GENERIC_FAILURE = "Something went wrong while running this task. You were not charged."


class TaskFailed(Exception):
    """A handler's clean failure: the message is shown to the user as is."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


Handler = Callable[[BackgroundTask], dict[str, Any] | None]
HANDLERS: dict[str, Handler] = {}


def handler(task_type: str) -> Callable[[Handler], Handler]:
    def register(func: Handler) -> Handler:
        HANDLERS[task_type] = func
        return func

    return register


def enqueue_task(
    user: User | None,
    *,
    type: str,
    title: str,
    payload: dict[str, Any] | None = None,
    cv: CV | None = None,
    device_id: str = "",
    feature_name: str = "",
    credits_debited: int = 0,
) -> BackgroundTask:
    """Create a queued task; its Celery message is sent only if the transaction commits."""
    from cvs import tasks

    with transaction.atomic():
        task = BackgroundTask.objects.create(
            user=user,
            type=type,
            title=title[:255],
            payload=payload or {},
            cv=cv,
            device_id=device_id[:100],
            feature_name=feature_name,
            credits_debited=credits_debited,
            credit_used=credits_debited > 0,
        )
        tasks.run_task.delay_on_commit(str(task.pk))
    return task


def _limit_for(task_type: str) -> int:
    if task_type == TaskType.GENERATE_CV:
        return get_setting("tasks_max_generations_per_user")
    return get_setting("tasks_max_other_per_user")


def _claim(task_id: UUID | str) -> str:
    """Move a queued task to running unless a concurrency limit says wait.

    Returns "claimed", "busy" (try again later) or "gone" (cancelled, already running or done).
    """
    with transaction.atomic():
        task = BackgroundTask.objects.filter(pk=task_id).first()
        if task is None or task.status != TaskStatus.QUEUED:
            return "gone"
        if task.user_id is not None:
            # Lock the user's row so two workers cannot both take the user's last free slot.
            User.objects.select_for_update().filter(pk=task.user_id).first()
            running_same_type = BackgroundTask.objects.filter(
                user_id=task.user_id, type=task.type, status=TaskStatus.RUNNING
            ).count()
            if running_same_type >= _limit_for(task.type):
                return "busy"
        running = BackgroundTask.objects.filter(status=TaskStatus.RUNNING).count()
        if running >= get_setting("tasks_max_running_global"):
            return "busy"
        claimed = BackgroundTask.objects.transition(
            task.pk,
            to=TaskStatus.RUNNING,
            only_from=(TaskStatus.QUEUED,),
            started_at=timezone.now(),
        )
        return "claimed" if claimed else "gone"


def run_task(task_id: UUID | str) -> str:
    """Run one task to its end. Safe to call twice for the same id (redelivery)."""
    outcome = _claim(task_id)
    if outcome != "claimed":
        return outcome
    task = BackgroundTask.objects.get(pk=task_id)
    run = HANDLERS.get(task.type)
    started = time.monotonic()
    try:
        if run is None:
            raise TaskFailed(_("This kind of task is not available."))
        result = run(task)
    except TaskCancelled:
        return "cancelled"  # cancel_task already settled it
    except TaskFailed as exc:
        fail_task(task.pk, exc.message)
        return "failed"
    except Exception:
        logger.exception("Background task %s (%s) crashed", task.pk, task.type)
        fail_task(task.pk, _(GENERIC_FAILURE))
        return "failed"
    completed = BackgroundTask.objects.transition(
        task.pk,
        to=TaskStatus.COMPLETED,
        only_from=(TaskStatus.RUNNING,),
        progress=100,
        result=result or {},
    )
    logger.info(
        "Background task %s (%s) %s in %.1f s",
        task.pk,
        task.type,
        "completed" if completed else "ended after cancel",
        time.monotonic() - started,
    )
    return "completed" if completed else "cancelled"


def fail_task(task_id: UUID | str, message: str) -> bool:
    failed = BackgroundTask.objects.transition(
        task_id, to=TaskStatus.FAILED, only_from=ACTIVE_STATUSES, error=message
    )
    if failed:
        settle_stopped_task(task_id)
    return failed


def cancel_task(task: BackgroundTask) -> bool:
    """Cancel a queued or running task. A queued one never starts; a running one stops at its
    next progress report, and its in-flight model calls are abandoned (they poll the row)."""
    cancelled = BackgroundTask.objects.transition(
        task.pk, to=TaskStatus.CANCELLED, only_from=ACTIVE_STATUSES
    )
    if cancelled:
        settle_stopped_task(task.pk)
    return cancelled


def settle_stopped_task(task_id: UUID | str) -> None:
    """The one hook for a task that failed, was cancelled or was swept.

    Called exactly once per task (after the conditional UPDATE that stopped it won): puts the
    CV's status flags back to idle and gives back what the task cost.
    """
    task = BackgroundTask.objects.select_related("cv").get(pk=task_id)
    if task.cv is not None:
        CV.objects.filter(pk=task.cv_id, match_score_status=RunStatus.IN_PROGRESS).update(
            match_score_status=RunStatus.IDLE
        )
        CV.objects.filter(pk=task.cv_id, optimise_status=RunStatus.IN_PROGRESS).update(
            optimise_status=RunStatus.IDLE
        )
    from billing.services import refund_task

    refund_task(task)


def sweep_stuck_tasks(*, now: Any = None) -> int:
    """Fail running tasks past their deadline and queued tasks whose message was lost.

    Each candidate is failed by a conditional UPDATE, so two sweepers (or a sweeper racing a
    worker that finally finishes) never settle the same task twice.
    """
    now = now or timezone.now()
    deadline = now - timedelta(minutes=get_setting("tasks_deadline_minutes"))
    stuck = BackgroundTask.objects.filter(
        Q(status=TaskStatus.RUNNING, started_at__lt=deadline)
        | Q(status=TaskStatus.QUEUED, created_at__lt=now - QUEUED_DEADLINE)
    ).values_list("pk", flat=True)
    swept = 0
    message = _("This task took too long and was stopped. You were not charged.")
    for task_id in list(stuck):
        if fail_task(task_id, message):
            swept += 1
    if swept:
        logger.warning("Swept %d stuck background task(s)", swept)
    return swept


@handler(TaskType.TEST)
def run_test_task(task: BackgroundTask) -> dict[str, Any]:
    """A task that only sleeps and reports progress; operators use it to check the queue."""
    steps = int(task.payload.get("steps", 3))
    pause = float(task.payload.get("sleep", 0.5))
    fail_at = task.payload.get("fail_at")
    for step in range(1, steps + 1):
        if fail_at == step:
            raise TaskFailed(f"Test task failed at step {step}, as asked.")
        time.sleep(pause)
        task.report_progress(step * 100 // steps, f"Step {step} of {steps}")
    return {"steps": steps}
