from __future__ import annotations

import threading
from datetime import timedelta
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from billing.models import CreditBalance, CreditTransaction, TransactionType
from billing.services import record_transaction
from core.testing import require_service
from cvs import services
from cvs.models import CV, RunStatus
from jobs import services as job_services
from jobs.models import BackgroundTask, TaskStatus, TaskType

pytestmark = pytest.mark.django_db


def _test_task(user, **payload) -> BackgroundTask:
    return BackgroundTask.objects.create(
        user=user, type=TaskType.TEST, title="Queue test", payload={"sleep": 0, **payload}
    )


def test_it_sends_the_task_only_when_the_transaction_commits(
    alice, django_capture_on_commit_callbacks
):
    with (
        mock.patch("jobs.tasks.run_task.delay", autospec=True) as delay,
        django_capture_on_commit_callbacks(execute=False) as callbacks,
    ):
        task = job_services.enqueue_task(alice, type=TaskType.TEST, title="Queue test")
        assert delay.call_count == 0
    assert len(callbacks) == 1
    callbacks[0]()
    delay.assert_called_once_with(str(task.pk))


def test_it_sends_nothing_when_the_transaction_rolls_back(alice):
    with (
        mock.patch("jobs.tasks.run_task.delay", autospec=True) as delay,
        pytest.raises(RuntimeError),
        services.transaction.atomic(),
    ):
        job_services.enqueue_task(alice, type=TaskType.TEST, title="Queue test")
        raise RuntimeError("the request failed after enqueueing")
    delay.assert_not_called()
    assert not BackgroundTask.objects.exists()


def test_it_runs_a_task_to_completion_through_celery(alice, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        task = job_services.enqueue_task(
            alice, type=TaskType.TEST, title="Queue test", payload={"steps": 4, "sleep": 0}
        )
    task.refresh_from_db()
    assert task.status == TaskStatus.COMPLETED
    assert task.progress == 100
    assert task.result == {"steps": 4}
    assert task.started_at is not None and task.finished_at is not None


def test_a_failing_step_fails_the_task_with_its_message_and_settles_once(alice):
    task = _test_task(alice, steps=3, fail_at=2)
    with mock.patch("billing.services.refund_task", autospec=True) as refund:
        assert job_services.run_task(task.pk) == "failed"
    task.refresh_from_db()
    assert task.status == TaskStatus.FAILED
    assert task.error == "Test task failed at step 2, as asked."
    assert refund.call_count == 1


def test_a_crash_fails_the_task_with_a_generic_message(alice):
    task = _test_task(alice)
    with mock.patch("time.sleep", side_effect=MemoryError("boom")):
        assert job_services.run_task(task.pk) == "failed"
    task.refresh_from_db()
    assert task.status == TaskStatus.FAILED
    assert "boom" not in task.error
    assert "not charged" in task.error


def test_a_cancelled_queued_task_never_starts(alice):
    task = _test_task(alice)
    assert job_services.cancel_task(task)
    with mock.patch.dict(job_services.HANDLERS, {TaskType.TEST: mock.Mock()}) as handlers:
        assert job_services.run_task(task.pk) == "gone"
        handlers[TaskType.TEST].assert_not_called()
    task.refresh_from_db()
    assert task.status == TaskStatus.CANCELLED


def test_a_running_task_stops_at_its_next_step_when_cancelled(alice):
    task = _test_task(alice, steps=5)
    steps_done = []

    def cancel_after_first_step(running: BackgroundTask) -> dict:
        running.report_progress(20, "one")
        steps_done.append(1)
        job_services.cancel_task(running)  # the user clicks Cancel
        running.report_progress(40, "two")
        steps_done.append(2)
        return {"never": "stored"}

    with mock.patch.dict(job_services.HANDLERS, {TaskType.TEST: cancel_after_first_step}):
        assert job_services.run_task(task.pk) == "cancelled"
    task.refresh_from_db()
    assert steps_done == [1]
    assert task.status == TaskStatus.CANCELLED
    assert task.result is None


def test_cancelling_twice_settles_once(alice):
    task = _test_task(alice)
    with mock.patch("billing.services.refund_task", autospec=True) as refund:
        assert job_services.cancel_task(task) is True
        assert job_services.cancel_task(task) is False
    assert refund.call_count == 1


def test_a_redelivered_message_does_no_double_work(alice):
    task = _test_task(alice)
    handler = mock.Mock(return_value={"ok": True})
    with mock.patch.dict(job_services.HANDLERS, {TaskType.TEST: handler}):
        assert job_services.run_task(task.pk) == "completed"
        assert job_services.run_task(task.pk) == "gone"
    assert handler.call_count == 1


def test_it_waits_when_the_user_runs_three_generations_already(alice, bob):
    for _ in range(3):
        BackgroundTask.objects.create(
            user=alice, type=TaskType.GENERATE_CV, title="g", status=TaskStatus.RUNNING
        )
    fourth = BackgroundTask.objects.create(user=alice, type=TaskType.GENERATE_CV, title="g")
    assert job_services.run_task(fourth.pk) == "waiting"
    fourth.refresh_from_db()
    assert fourth.status == TaskStatus.QUEUED
    # Bob's slots are his own.
    bobs = BackgroundTask.objects.create(
        user=bob, type=TaskType.TEST, title="t", payload={"sleep": 0}
    )
    assert job_services.run_task(bobs.pk) == "completed"


def test_it_allows_one_task_of_every_other_type_at_a_time(alice):
    BackgroundTask.objects.create(
        user=alice, type=TaskType.TRANSLATE_CV, title="t", status=TaskStatus.RUNNING
    )
    second = BackgroundTask.objects.create(user=alice, type=TaskType.TRANSLATE_CV, title="t")
    other_type = _test_task(alice)
    assert job_services.run_task(second.pk) == "waiting"
    assert job_services.run_task(other_type.pk) == "completed"


def test_a_celery_task_held_back_by_the_global_cap_retries_later(alice):
    from core.models import Setting
    from jobs import tasks

    Setting.objects.create(name="tasks_max_running_global", value="1", category="tasks")
    BackgroundTask.objects.create(
        user=alice, type=TaskType.TRANSLATE_CV, title="t", status=TaskStatus.RUNNING
    )
    waiting = _test_task(alice)
    with (
        mock.patch.object(tasks.run_task, "retry", side_effect=RuntimeError("retry")) as retry,
        pytest.raises(RuntimeError, match="retry"),
    ):
        tasks.run_task.run(str(waiting.pk))
    assert 0 < retry.call_args.kwargs["countdown"] <= tasks.BUSY_RETRY_SECONDS


def test_the_global_cap_holds_every_user_back(alice, bob, settings):
    from core.models import Setting

    Setting.objects.create(name="tasks_max_running_global", value="1", category="tasks")
    BackgroundTask.objects.create(user=bob, type=TaskType.TEST, title="t", status="running")
    assert job_services.run_task(_test_task(alice).pk) == "busy"


def test_the_sweeper_fails_tasks_past_their_deadline_and_leaves_others(alice):
    old = timezone.now() - timedelta(hours=1)
    stuck = BackgroundTask.objects.create(
        user=alice, type=TaskType.TEST, title="t", status=TaskStatus.RUNNING
    )
    BackgroundTask.objects.filter(pk=stuck.pk).update(started_at=old)
    fresh = BackgroundTask.objects.create(
        user=alice,
        type=TaskType.TRANSLATE_CV,
        title="t",
        status=TaskStatus.RUNNING,
        started_at=timezone.now(),
    )
    assert job_services.sweep_stuck_tasks() == 1
    stuck.refresh_from_db()
    fresh.refresh_from_db()
    assert stuck.status == TaskStatus.FAILED
    assert "took too long" in stuck.error
    assert fresh.status == TaskStatus.RUNNING
    assert job_services.sweep_stuck_tasks() == 0


def test_the_sweeper_resets_the_cvs_in_progress_flags(alice):
    cv = CV.objects.create(user=alice, filename="cv.json", match_score_status=RunStatus.IN_PROGRESS)
    task = BackgroundTask.objects.create(
        user=alice,
        type=TaskType.CALCULATE_MATCH_SCORE,
        title="t",
        cv=cv,
        status=TaskStatus.RUNNING,
        started_at=timezone.now() - timedelta(hours=2),
    )
    job_services.sweep_stuck_tasks()
    cv.refresh_from_db()
    task.refresh_from_db()
    assert task.status == TaskStatus.FAILED
    assert cv.match_score_status == RunStatus.IDLE


def test_the_sweep_command_reports_what_it_did(alice):
    import io

    from django.core.management import call_command

    BackgroundTask.objects.create(
        user=alice,
        type=TaskType.TEST,
        title="t",
        status=TaskStatus.RUNNING,
        started_at=timezone.now() - timedelta(hours=1),
    )
    out = io.StringIO()
    call_command("sweep_tasks", stdout=out)
    assert "1 stuck task(s) failed" in out.getvalue()


def test_a_failed_paid_task_is_refunded_exactly_once(alice):
    record_transaction(alice.pk, amount=5, type=TransactionType.GIFT, key="welcome")
    task = BackgroundTask.objects.create(
        user=alice,
        type=TaskType.TEST,
        title="t",
        payload={"sleep": 0, "fail_at": 1},
        feature_name="match_score",
        credits_debited=2,
        credit_used=True,
    )
    record_transaction(
        alice.pk, amount=-2, type=TransactionType.USAGE, key=f"debit:task:{task.pk}", task=task
    )
    job_services.run_task(task.pk)
    job_services.settle_stopped_task(
        task.pk
    )  # a second settle (e.g. a retry) must not refund twice
    assert CreditBalance.objects.get(user=alice).balance == 5
    refunds = CreditTransaction.objects.filter(type=TransactionType.REFUND, task=task)
    assert refunds.count() == 1
    assert CreditTransaction.objects.get(type=TransactionType.USAGE).refunded is True


@pytest.mark.django_db(transaction=True)
def test_two_sweepers_at_once_settle_each_task_once(alice):
    # SQLite's in-memory test database locks whole tables: concurrency is a PostgreSQL matter.
    require_service("PostgreSQL (DATABASE_URL)", connection.vendor == "postgresql")
    started = timezone.now() - timedelta(hours=1)
    for _ in range(5):
        BackgroundTask.objects.create(
            user=alice, type=TaskType.TEST, title="t", status=TaskStatus.RUNNING, started_at=started
        )
    barrier = threading.Barrier(2)
    counts: list[int] = []

    def sweep() -> None:
        try:
            barrier.wait()
            counts.append(job_services.sweep_stuck_tasks())
        finally:
            connection.close()

    with mock.patch("billing.services.refund_task", autospec=True) as refund:
        threads = [threading.Thread(target=sweep) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert sum(counts) == 5
    assert refund.call_count == 5
    assert BackgroundTask.objects.filter(status=TaskStatus.FAILED).count() == 5


def test_a_task_whose_message_was_lost_is_sent_again_and_runs(alice):
    lost = _test_task(alice)
    stale = timezone.now() - job_services.RESEND_AFTER - timedelta(minutes=1)
    BackgroundTask.objects.filter(pk=lost.pk).update(created_at=stale, updated_at=stale)

    job_services.sweep_stuck_tasks()  # Celery runs eagerly in tests: the message is worked at once

    lost.refresh_from_db()
    assert lost.status == TaskStatus.COMPLETED


def test_a_task_is_sent_again_at_most_once_per_delay(alice):
    lost = _test_task(alice)
    stale = timezone.now() - job_services.RESEND_AFTER - timedelta(minutes=1)
    BackgroundTask.objects.filter(pk=lost.pk).update(created_at=stale, updated_at=stale)
    with mock.patch("jobs.tasks.run_task.delay", autospec=True) as delay:
        job_services.sweep_stuck_tasks()
        job_services.sweep_stuck_tasks()
    delay.assert_called_once_with(str(lost.pk))


def test_a_task_waiting_for_a_slot_is_not_sent_again(alice):
    BackgroundTask.objects.create(
        user=alice, type=TaskType.TEST, title="t", status=TaskStatus.RUNNING,
        started_at=timezone.now(),
    )  # fmt: skip
    waiting = _test_task(alice)
    stale = timezone.now() - job_services.RESEND_AFTER - timedelta(minutes=1)
    BackgroundTask.objects.filter(pk=waiting.pk).update(created_at=stale, updated_at=stale)
    assert job_services.run_task(waiting.pk) == "waiting"  # its turn comes when the other stops

    with mock.patch("jobs.tasks.run_task.delay", autospec=True) as delay:
        job_services.sweep_stuck_tasks()

    delay.assert_not_called()


def test_the_sweeper_forgets_day_old_form_tokens(alice):
    from core.models import Submission

    old = Submission.objects.create(user=alice, token="old", result_url="/cvs/tasks/")
    Submission.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=2))
    recent = Submission.objects.create(user=alice, token="recent", result_url="/cvs/tasks/")

    job_services.sweep_stuck_tasks()

    assert list(Submission.objects.values_list("pk", flat=True)) == [recent.pk]


@pytest.mark.django_db(transaction=True)  # as in a worker: no test transaction around it
def test_a_crash_on_a_dropped_connection_reconnects_to_record_the_failure(alice, monkeypatch):
    from django.db import connections

    task = _test_task(alice)
    closed = []
    wrapper = connections["default"]
    monkeypatch.setattr(wrapper, "is_usable", lambda: False)
    monkeypatch.setattr(wrapper, "close", lambda: closed.append(True))

    def crash(task):
        raise RuntimeError("server closed the connection unexpectedly")

    with mock.patch.dict(job_services.HANDLERS, {TaskType.TEST: crash}):
        assert job_services.run_task(task.pk) == "failed"

    assert closed == [True]
    task.refresh_from_db()
    assert task.status == TaskStatus.FAILED


def test_a_task_saved_through_save_result_is_completed_by_one_write(alice):
    task = _test_task(alice)

    def handler(task: BackgroundTask) -> dict[str, str]:
        return job_services.save_result(task, lambda: {"message": "Saved."})

    with (
        mock.patch.dict(job_services.HANDLERS, {TaskType.TEST: handler}),
        CaptureQueriesContext(connection) as queries,
    ):
        assert job_services.run_task(task.pk) == "completed"

    task.refresh_from_db()
    assert (task.status, task.result, task.success_message) == (
        TaskStatus.COMPLETED,
        {"message": "Saved."},
        "Saved.",
    )
    # Each query a worker's tailoring saves is CPU (bench/throughput.py): the engine trusts
    # save_result instead of trying to complete the task again and then checking.
    completions = [q["sql"] for q in queries if 'SET "status"' in q["sql"]]
    assert len(completions) == 2  # claimed, then completed
    assert not [q["sql"] for q in queries if q["sql"].startswith('SELECT 1 AS "a"')]
