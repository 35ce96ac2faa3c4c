from __future__ import annotations

from typing import Any

from celery import shared_task

from core.limits import TASK_HARD_TIME_LIMIT, TASK_SOFT_TIME_LIMIT
from jobs import services

# A task that finds its user's slots taken waits this long before trying again.
BUSY_RETRY_SECONDS = 3
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
        raise task.retry(countdown=BUSY_RETRY_SECONDS)
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
