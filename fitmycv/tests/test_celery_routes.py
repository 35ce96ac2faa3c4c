"""Model calls, e-mails and upkeep travel on separate queues, so nothing waits behind a model."""

from __future__ import annotations

from fnmatch import fnmatch

import pytest
from django.conf import settings

from fitmycv.celery import app


def _queue_of(task_name: str) -> str:
    return str(app.amqp.router.route({}, task_name)["queue"].name)


def test_every_route_names_tasks_that_exist() -> None:
    app.loader.import_default_modules()
    registered = set(app.tasks)

    for pattern in settings.CELERY_TASK_ROUTES:
        assert any(fnmatch(name, pattern) for name in registered), pattern


def test_every_scheduled_task_exists() -> None:
    app.loader.import_default_modules()

    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert entry["task"] in app.tasks, entry["task"]


@pytest.mark.parametrize(
    ("task", "queue"),
    [
        ("jobs.tasks.run_task", "llm"),
        ("cvs.tasks.run_task", "llm"),
        ("jobs.tasks.sweep_stuck_tasks", "default"),
        ("accounts.tasks.send_inactivity_notices", "default"),
        ("emails.tasks.send_email", "mail"),
        ("emails.tasks.resend_forgotten_emails", "mail"),
    ],
)
def test_each_kind_of_work_has_its_queue(task: str, queue: str) -> None:
    assert _queue_of(task) == queue


def test_upkeep_never_waits_behind_model_calls() -> None:
    app.loader.import_default_modules()
    upkeep = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}

    assert upkeep and all(_queue_of(name) != "llm" for name in upkeep)
