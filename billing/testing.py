"""Test helpers that need the ledger (used by the worker-failure tests)."""

from __future__ import annotations

from typing import Any

from billing.models import TransactionType
from billing.services import record_transaction
from jobs import services as job_services
from jobs.models import TaskType


def paid_test_task(user: Any, *, steps: int, sleep: float = 0.3, credits: int = 2) -> Any:
    """A queued task of the test type that cost `credits`, with its debit in the ledger, as a
    paid feature leaves it: what the worker-failure tests kill, cut and sweep."""
    task = job_services.enqueue_task(
        user,
        type=TaskType.TEST,
        title="Queue test",
        payload={"steps": steps, "sleep": sleep},
        feature_name="match_score",
        credits_debited=credits,
    )
    record_transaction(
        user.pk, amount=-credits, type=TransactionType.USAGE, key=f"debit:task:{task.pk}", task=task
    )
    return task
