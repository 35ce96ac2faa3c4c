"""A task cancelled while its model call runs delivers nothing: the result is saved, and the
task completed, in the one transaction that locks the task's row and finds it still running."""

from __future__ import annotations

import copy
import json
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from django.db import connection

from billing.models import CreditBalance, CreditTransaction, TransactionType
from billing.services import record_transaction
from core.testing import require_service, run_in_threads
from cvs import services
from cvs.models import CV
from joboffers.services import add_offer_from_text
from jobs import services as job_services
from jobs.models import BackgroundTask, TaskStatus, TaskType

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).parents[2]
SAMPLE_CV = json.loads((ROOT / "ai/tests/fixtures/cvs/backend-engineer.cv.json").read_text())
JOB_TEXT = (ROOT / "ai/tests/fixtures/jobs/backend-eng.txt").read_text()
PDF = Path(__file__).parent / "fixtures" / "pdfs" / "John_Doe_ClassicTheme_CV.pdf"


def _balance(user) -> int:
    return CreditBalance.objects.get(user=user).balance


@pytest.fixture
def alice_with_credits(alice):
    record_transaction(alice.pk, amount=50, type=TransactionType.GIFT, key="test-credits")
    return alice


@pytest.fixture
def master(alice_with_credits) -> CV:
    return services.create_cv(alice_with_credits, content=copy.deepcopy(SAMPLE_CV), name="Master")


def _queued(start: Callable[[], Any]) -> BackgroundTask:
    """Start a paid task without running it (its Celery message is never sent)."""
    with mock.patch("jobs.tasks.run_task.delay", autospec=True):
        started = start()
    return started[0] if isinstance(started, list) else started


def _cancelled_after(name: str, task_holder: list[BackgroundTask]) -> Any:
    """The gateway call `name`, which returns its answer only after the user cancelled."""
    real = getattr(services.gateway, name)

    def call(*args: Any, **kwargs: Any) -> Any:
        answer = real(*args, **kwargs)
        assert job_services.cancel_task(task_holder[0])
        return answer

    return mock.patch.object(services.gateway, name, side_effect=call)


def _starts(alice, master) -> dict[str, tuple[str, Callable[[], Any]]]:
    offer = add_offer_from_text(alice, JOB_TEXT)
    return {
        "translation": ("translate_cv", lambda: services.start_translation(master, target="fr")),
        "pdf import": (
            "structure_cv",
            lambda: services.start_pdf_import(
                alice, data=PDF.read_bytes(), name=PDF.name, content_type="application/pdf"
            ),
        ),
        "example cv for an offer": (
            "example_cv",
            lambda: services.start_example_cv(alice, offer=offer),
        ),
        "example cv for a job title": (
            "example_cv",
            lambda: services.start_example_cv(alice, job_title="Backend engineer"),
        ),
        "tailoring": (
            "tailor_cv",
            lambda: services.start_tailoring(alice, base_cv=master, offers=[offer]),
        ),
    }


@pytest.mark.parametrize(
    "kind",
    [
        "translation",
        "pdf import",
        "example cv for an offer",
        "example cv for a job title",
        "tailoring",
    ],
)
def test_a_cancel_between_the_model_call_and_the_save_leaves_no_result(
    alice_with_credits, master, kind
):
    alice = alice_with_credits
    method, start = _starts(alice, master)[kind]
    cvs_before = CV.objects.count()
    balance_before = _balance(alice)
    task = _queued(start)
    charged = _balance(alice) < balance_before  # a free translation plan charges nothing
    holder = [task]
    with _cancelled_after(method, holder):
        outcome = job_services.run_task(task.pk)

    assert outcome == "cancelled"
    task.refresh_from_db()
    assert task.status == TaskStatus.CANCELLED and not task.result
    assert CV.objects.count() == cvs_before
    assert _balance(alice) == balance_before  # refunded, once
    refunds = CreditTransaction.objects.filter(type=TransactionType.REFUND, task=task).count()
    assert refunds == (1 if charged else 0)


def test_a_task_saved_before_the_cancel_is_completed_and_kept(alice_with_credits, master):
    alice = alice_with_credits
    task = _queued(lambda: services.start_translation(master, target="fr"))
    charged = _balance(alice)
    assert job_services.run_task(task.pk) == "completed"
    assert not job_services.cancel_task(task)  # too late: nothing is given back
    task.refresh_from_db()
    assert task.status == TaskStatus.COMPLETED and task.progress == 100
    assert CV.objects.filter(pk=task.result["cv_id"], is_translated=True).exists()
    assert _balance(alice) == charged


RACES = 100


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_cancel_and_complete_racing_give_no_result_to_a_cancelled_task_and_no_double_refund(
    alice,
):
    require_service("PostgreSQL (DATABASE_URL)", connection.vendor == "postgresql")
    record_transaction(alice.pk, amount=RACES, type=TransactionType.GIFT, key="race-credits")

    def handler(task: BackgroundTask) -> dict[str, Any]:
        def save() -> dict[str, Any]:
            cv = services.create_cv(
                alice, content=copy.deepcopy(SAMPLE_CV), name="Raced", source_value=str(task.pk)
            )
            return {"cv_id": cv.pk, "message": "done"}

        time.sleep(0.001)  # the model call
        return job_services.save_result(task, save)

    tasks = []
    with mock.patch.dict(job_services.HANDLERS, {TaskType.TEST: handler}):
        for _ in range(RACES):
            task = BackgroundTask.objects.create(
                user=alice,
                type=TaskType.TEST,
                title="race",
                status=TaskStatus.RUNNING,
                credits_debited=1,
                credit_used=True,
            )
            record_transaction(
                alice.pk,
                amount=-1,
                type=TransactionType.USAGE,
                key=f"debit:task:{task.pk}",
                task=task,
            )
            tasks.append(task)
            actions = iter([partial(job_services._run_claimed, task), partial(_cancel, task)])
            run_in_threads(lambda actions=actions: next(actions)(), 2)

    cancelled = 0
    for task in tasks:
        task.refresh_from_db()
        results = CV.objects.filter(source_value=str(task.pk)).count()
        refunds = CreditTransaction.objects.filter(type=TransactionType.REFUND, task=task).count()
        if task.status == TaskStatus.CANCELLED:
            cancelled += 1
            assert (results, refunds, task.result or None) == (0, 1, None), task.pk
        else:
            assert task.status == TaskStatus.COMPLETED, task.status
            assert (results, refunds) == (1, 0), task.pk
    assert _balance(alice) == cancelled  # each cancelled task gave its credit back once
    print(f"{cancelled} of {RACES} races won by the cancel")


def _cancel(task: BackgroundTask) -> None:
    job_services.cancel_task(BackgroundTask.objects.get(pk=task.pk))
