from __future__ import annotations

import random
from typing import Any

from celery import shared_task

from core.limits import TASK_HARD_TIME_LIMIT, TASK_SOFT_TIME_LIMIT
from jobs import services

# A task that finds the slots of all users taken tries again later: after about 3 s, then twice
# as long each time up to a minute, each delay drawn at random from its upper half, so tasks
# held back together do not all come back at the same moment. (A task that finds its own
# user's slots taken is not retried: it waits in the database for its turn.)
BUSY_RETRY_SECONDS = 3
BUSY_RETRY_MAX_SECONDS = 60


def busy_retry_delay(retries: int) -> float:
    """How long a task held back by the slots of all users waits before its next try."""
    ceiling = min(BUSY_RETRY_MAX_SECONDS, BUSY_RETRY_SECONDS * 2 ** min(retries, 10))
    return random.uniform(ceiling / 2, ceiling)  # noqa: S311 - spreading retries, not secrets


RUN_OPTIONS: dict[str, Any] = {
    "bind": True,
    "acks_late": True,
    "max_retries": None,
    "soft_time_limit": TASK_SOFT_TIME_LIMIT,
    "time_limit": TASK_HARD_TIME_LIMIT,
}


def _run(task: Any, task_id: str) -> str:
    outcome = services.run_task(task_id)
    if outcome == "busy":
        raise task.retry(countdown=busy_retry_delay(task.request.retries or 0))
    return outcome


@shared_task(**RUN_OPTIONS)  # type: ignore[untyped-decorator]  # celery-types: no overload for **options
def run_task(self: Any, task_id: str) -> str:
    return _run(self, task_id)


@shared_task
def sweep_stuck_tasks() -> int:
    return services.sweep_stuck_tasks()


# Messages queued before the job engine had its own app carry the old task names: the same
# code answers them, so a deploy never strands a queued task.
@shared_task(name="cvs.tasks.run_task", **RUN_OPTIONS)
def run_task_previous_name(self: Any, task_id: str) -> str:
    return _run(self, task_id)


@shared_task(name="cvs.tasks.sweep_stuck_tasks")
def sweep_stuck_tasks_previous_name() -> int:
    return services.sweep_stuck_tasks()
