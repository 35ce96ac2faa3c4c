from __future__ import annotations

from celery import shared_task

from cvs import services

# A task that finds its user's slots taken waits this long before trying again.
BUSY_RETRY_SECONDS = 3


@shared_task(bind=True, acks_late=True, max_retries=None, soft_time_limit=900, time_limit=960)
def run_task(self, task_id: str) -> str:  # noqa: ANN001  (Celery's bound task)
    outcome = services.run_task(task_id)
    if outcome == "busy":
        raise self.retry(countdown=BUSY_RETRY_SECONDS)
    return outcome


@shared_task
def sweep_stuck_tasks() -> int:
    return services.sweep_stuck_tasks()
