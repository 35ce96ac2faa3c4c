"""The time limits hold together: a paid task's worst case fits its Celery limits, and the
sweeper's deadlines come after them (core.limits)."""

from __future__ import annotations

import inspect
from datetime import timedelta

from django.conf import settings

from ai import gateway, openai_api
from core import limits
from fitmycv.celery import app as celery_app
from jobs import tasks


def test_a_model_calls_attempts_and_waits_fit_its_budget() -> None:
    worst = (
        limits.MODEL_ATTEMPTS * limits.MODEL_REQUEST_TIMEOUT
        + (limits.MODEL_ATTEMPTS - 1) * limits.RETRY_WAIT_CAP
    )
    assert worst <= limits.MODEL_CALL_BUDGET
    # The adapter uses these numbers: attempts, budget, the longest wait, the request timeout.
    defaults = inspect.signature(openai_api.complete_json).parameters
    assert defaults["max_attempts"].default == limits.MODEL_ATTEMPTS
    assert defaults["budget"].default == limits.MODEL_CALL_BUDGET
    assert openai_api._retry_delay(9, {"retry-after": "600"}) <= limits.RETRY_WAIT_CAP
    assert openai_api._retry_delay(9, {}) <= limits.RETRY_WAIT_CAP
    assert settings.OPENAI_TIMEOUT_SECONDS <= limits.MODEL_REQUEST_TIMEOUT
    assert gateway._request_timeout() <= limits.MODEL_REQUEST_TIMEOUT


def test_a_paid_tasks_sequential_calls_end_before_its_time_limits() -> None:
    # The longest task: reading the offer, then the tailoring's sequential rounds.
    assert 1 + gateway.TAILOR_ROUNDS <= limits.TASK_SEQUENTIAL_CALLS
    calls = limits.TASK_SEQUENTIAL_CALLS * limits.MODEL_CALL_BUDGET
    assert calls + limits.TASK_OVERHEAD <= limits.TASK_SOFT_TIME_LIMIT
    assert limits.TASK_SOFT_TIME_LIMIT < limits.TASK_HARD_TIME_LIMIT
    assert tasks.RUN_OPTIONS["soft_time_limit"] == limits.TASK_SOFT_TIME_LIMIT
    assert tasks.RUN_OPTIONS["time_limit"] == limits.TASK_HARD_TIME_LIMIT


def test_the_sweeper_never_fails_a_live_task_and_finds_a_dead_one_within_five_minutes() -> None:
    assert timedelta(seconds=limits.TASK_HARD_TIME_LIMIT) < limits.RUNNING_DEADLINE
    # Several beats fit before a heartbeat is stale, so one slow poll does not lose a task.
    assert limits.HEARTBEAT_EVERY * 3 <= limits.HEARTBEAT_STALE
    assert timedelta(minutes=5) >= limits.HEARTBEAT_STALE + limits.SWEEP_INTERVAL
    schedule = celery_app.conf.beat_schedule["sweep-stuck-tasks"]["schedule"]
    assert schedule == limits.SWEEP_INTERVAL
