"""The background job engine: every long piece of work is a BackgroundTask row.

`enqueue_task` writes a queued row and sends its id to Celery once the transaction commits;
`run_task` (called by the Celery task) claims the row with a conditional UPDATE, runs the
handler registered for its type and records the outcome. The row is the only source of truth:
pages poll it, cancel and the sweeper change it, and every way a task can stop without
completing goes through `settle_stopped_task` exactly once.

Each user's tasks wait their turn in the database, not in the broker: a task is sent to Celery
only while its user has a free slot for its type, and when one of their tasks stops the engine
sends their next waiting ones (`dispatch_waiting`). So one user queueing hundreds of tasks
puts a handful of messages ahead of everybody else's, and a task waiting for its user's slot
costs nothing until its turn. The sweeper sends again what was sent but lost.

This package knows no feature: apps register the handler of each task type
(`register_handlers`) and what must happen when a task stops without completing
(`on_task_stopped`: billing gives the credits back, the CV app resets its status flags).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING, Any
from uuid import UUID

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from kombu.exceptions import OperationalError

from ai.errors import AICancelled, AIError
from core.config import get_setting
from core.errors import ServiceUnavailable, UserFacingError
from core.limits import HEARTBEAT_STALE, RUNNING_DEADLINE
from core.models import Submission
from core.outage import broker_known_down, broker_reachable, note_broker_failure
from core.pdftext import PdfRejected
from cvdoc.document import CvValidationError
from jobs.models import ACTIVE_STATUSES, BackgroundTask, TaskCancelled, TaskStatus, TaskType, Upload
from telemetry import events
from telemetry.events import record_event

if TYPE_CHECKING:
    from accounts.models import User
    from cvs.models import CV

logger = logging.getLogger(__name__)

# A queued task nobody has looked at for this long may have lost its message (the broker was
# down when it was sent, or lost it): the sweeper sends it again if its user has a free slot.
# A task waiting for a free slot across all users is looked at every few seconds (its
# updated_at moves), so it is never sent twice.
RESEND_AFTER = timedelta(minutes=10)
# How long a queued task may wait for its message before the sweeper gives up on it.
QUEUED_DEADLINE = timedelta(hours=6)
UPLOAD_RETENTION = timedelta(days=1)
SUBMISSION_RETENTION = timedelta(days=1)
QUEUE_UNAVAILABLE = gettext_noop(
    "Background work is unavailable for a moment, so nothing was started and you were not "
    "charged. Please try again in a few minutes."
)
GENERIC_FAILURE = gettext_noop(
    "Something went wrong while running this task. You were not charged."
)


class TaskFailed(Exception):
    """A handler's clean failure: the message is shown to the user as is."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


Result = dict[str, Any]
Handler = Callable[[BackgroundTask], Result | None]
StopHook = Callable[[BackgroundTask], None]
HANDLERS: dict[str, Handler] = {}
STOP_HOOKS: list[StopHook] = []
# The product event each kind of task records when it completes (staff analytics).
TASK_EVENTS: dict[str, str] = {
    TaskType.GENERATE_CV: events.CV_GENERATED,
    TaskType.IMPORT_PDF: events.CV_IMPORTED,
    TaskType.TRANSLATE_CV: events.CV_TRANSLATED,
    TaskType.CREATE_TEMPLATE_CV: events.CV_TEMPLATE_CREATED,
    TaskType.GENERATE_FROM_JOB_TITLE: events.CV_GENERATED_FROM_JOB_TITLE,
    TaskType.CALCULATE_MATCH_SCORE: events.MATCH_SCORE_CALCULATED,
    TaskType.IMPROVE_CV: events.CV_IMPROVED,
    TaskType.EXTRACT_JOB_OFFER: events.JOB_OFFER_EXTRACTED,
    TaskType.WRITE_COVER_LETTER: events.CV_COVER_LETTER_WRITTEN,
}


def register_handlers(handlers: Mapping[str, Handler]) -> None:
    """Apps name the function that runs each of their task types (from AppConfig.ready)."""
    for task_type, run in handlers.items():
        if HANDLERS.get(task_type, run) is not run:
            raise ValueError(f"Task type {task_type!r} already has a handler")
        HANDLERS[task_type] = run


def on_task_stopped(hook: StopHook) -> StopHook:
    """Registers what must happen, once, when a task fails, is cancelled or is swept (give
    back what it cost, put a status flag back). Apps register from AppConfig.ready."""
    if hook not in STOP_HOOKS:
        STOP_HOOKS.append(hook)
    return hook


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
    """Create a queued task; its Celery message is sent only if the transaction commits.

    Raises ServiceUnavailable, before anything is written, when the broker cannot be reached:
    called before the charge, it leaves nothing to refund.
    """
    from jobs import tasks  # the Celery task module imports this one

    if not broker_reachable():
        raise ServiceUnavailable(_(QUEUE_UNAVAILABLE))
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
        transaction.on_commit(partial(_send_if_its_turn, tasks.run_task.delay, task.pk))
    return task


def _send_if_its_turn(delay: Callable[[str], Any], task_id: UUID) -> None:
    """Send a new task's message unless its user already has as many tasks of its type under
    way (running, or sent and not yet running) as they may run: it then waits in the database
    until one of them stops (`dispatch_waiting`)."""
    task = BackgroundTask.objects.filter(pk=task_id).values("user_id", "type", "created_at").first()
    if task is None:
        return
    if task["user_id"] is not None:
        # Its place in its user's line (created_at, then the id for tasks of the same instant).
        at = task["created_at"]
        in_line = BackgroundTask.objects.filter(
            Q(created_at__lt=at) | Q(created_at=at, pk__lte=task_id),
            user_id=task["user_id"],
            type=task["type"],
            status__in=ACTIVE_STATUSES,
        ).count()
        if in_line > _limit_for(task["type"]):
            return
    _send(delay, str(task_id))


def dispatch_waiting(
    user_id: int | None, task_type: str, *, unseen_since: datetime | None = None
) -> int:
    """Send the messages of the user's oldest queued tasks of this type, as many as they have
    free slots for; returns how many were sent.

    Called once a task stops (whatever the way), and by the sweeper, which sends only those
    nobody has looked at since `unseen_since`. A message sent for a task whose first message is
    still alive does no harm: one of the two claims it, the other finds it gone.
    """
    from jobs import tasks  # the Celery task module imports this one

    if user_id is None:
        return 0
    running = BackgroundTask.objects.filter(
        user_id=user_id, type=task_type, status=TaskStatus.RUNNING
    ).count()
    free = _limit_for(task_type) - running
    if free <= 0:
        return 0
    turns = (
        BackgroundTask.objects.filter(user_id=user_id, type=task_type, status=TaskStatus.QUEUED)
        .order_by("created_at", "pk")
        .values_list("pk", "updated_at")[:free]
    )
    waiting = [pk for pk, seen in turns if unseen_since is None or seen < unseen_since]
    if waiting:
        # Looked at now: the sweeper waits RESEND_AFTER before sending these again.
        BackgroundTask.objects.filter(pk__in=waiting, status=TaskStatus.QUEUED).update(
            updated_at=timezone.now()
        )
    for task_id in waiting:
        _send(tasks.run_task.delay, str(task_id))
    return len(waiting)


def _dispatch_after(task_id: UUID | str) -> None:
    """Once the transaction that stopped a task commits, send its user's next waiting task."""
    task = BackgroundTask.objects.filter(pk=task_id).values("user_id", "type").first()
    if task is not None and task["user_id"] is not None:
        transaction.on_commit(partial(dispatch_waiting, task["user_id"], task["type"]))


def _send(delay: Callable[[str], Any], task_id: str) -> None:
    if broker_known_down():
        # It failed a moment ago: trying again would only make the request wait.
        logger.warning("Broker down: background task %s stays queued for the sweeper", task_id)
        return
    try:
        delay(task_id)
    except OperationalError as exc:
        note_broker_failure(exc)
        # The broker is down after the row (and its charge) committed: a 500 would hide a
        # task that exists. It stays queued; the sweeper fails and refunds it.
        logger.exception("Could not send background task %s to the broker", task_id)


def _limit_for(task_type: str) -> int:
    if task_type == TaskType.GENERATE_CV:
        return int(get_setting("tasks_max_generations_per_user"))
    return int(get_setting("tasks_max_other_per_user"))


def _claim(task_id: UUID | str) -> str:
    """Move a queued task to running unless a concurrency limit says wait.

    Returns "claimed"; "waiting" when its user's slots are taken (the message is dropped: the
    task waits in the database and is sent again when one of the user's tasks stops); "busy"
    when the slots of all users are taken (try again later); or "gone" (cancelled, already
    running or done).
    """
    with transaction.atomic():
        task = BackgroundTask.objects.filter(pk=task_id).first()
        if task is None or task.status != TaskStatus.QUEUED:
            return "gone"
        if task.user_id is not None:
            # Lock the user's row so two workers cannot both take the user's last free slot.
            get_user_model().objects.select_for_update().filter(pk=task.user_id).first()
            running_same_type = BackgroundTask.objects.filter(
                user_id=task.user_id, type=task.type, status=TaskStatus.RUNNING
            ).count()
            if running_same_type >= _limit_for(task.type):
                return "waiting"
        running = BackgroundTask.objects.filter(status=TaskStatus.RUNNING).count()
        if running >= get_setting("tasks_max_running_global"):
            return _still_waiting(task)
        now = timezone.now()
        claimed = BackgroundTask.objects.transition(
            task.pk,
            to=TaskStatus.RUNNING,
            only_from=(TaskStatus.QUEUED,),
            started_at=now,
            heartbeat_at=now,
        )
        return "claimed" if claimed else "gone"


def _still_waiting(task: BackgroundTask) -> str:
    """A queued task's message is alive and waiting for a slot: say so (see RESEND_AFTER)."""
    BackgroundTask.objects.filter(pk=task.pk, status=TaskStatus.QUEUED).update(
        updated_at=timezone.now()
    )
    return "busy"


def run_task(task_id: UUID | str) -> str:
    """Run one task to its end. Safe to call twice for the same id (redelivery)."""
    outcome = _claim(task_id)
    if outcome != "claimed":
        return outcome
    task = BackgroundTask.objects.select_related("user").get(pk=task_id)
    language = (getattr(task.user, "language", "") if task.user else "") or settings.LANGUAGE_CODE
    # Workers have no request: messages the task stores are written in its user's language.
    with translation.override(language):
        outcome = _run_claimed(task)
    if outcome == "completed" and task.user_id is not None:
        # Its user's next waiting task (a failure or a cancel did this when it stopped the task).
        transaction.on_commit(partial(dispatch_waiting, task.user_id, task.type))
    return outcome


def _drop_broken_connection() -> None:
    """After a crash, a database connection the server dropped would fail the recording of the
    failure too (and leave the task running until the sweeper): reconnect first."""
    if (
        connection.connection is not None
        and not connection.in_atomic_block
        and not connection.is_usable()
    ):
        connection.close()


def _run_claimed(task: BackgroundTask) -> str:
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
    except AICancelled:
        return "cancelled"
    except (AIError, UserFacingError, PdfRejected, CvValidationError) as exc:
        logger.info("Background task %s (%s) failed: %r", task.pk, task.type, exc)
        fail_task(task.pk, user_message(exc))
        return "failed"
    except Exception:
        logger.exception("Background task %s (%s) crashed", task.pk, task.type)
        _drop_broken_connection()
        fail_task(task.pk, _(GENERIC_FAILURE))
        return "failed"
    result = result or {}
    duration_ms = int((time.monotonic() - started) * 1000)
    # A handler that saved through save_result completed its task there, with its result.
    completed = (
        task.status == TaskStatus.COMPLETED
        or _complete(task.pk, result)
        or _completed_by_save_result(task)
    )
    if completed and task.type in TASK_EVENTS:
        record_event(
            TASK_EVENTS[task.type],
            user=task.user_id,
            device_id=task.device_id,
            duration_ms=duration_ms,
            metadata={"task": str(task.pk), "cv": result.get("cv_id") or task.cv_id},
        )
    logger.info(
        "Background task %s (%s) %s in %.1f s",
        task.pk,
        task.type,
        "completed" if completed else "ended after cancel",
        time.monotonic() - started,
    )
    return "completed" if completed else "cancelled"


def _complete(task_id: UUID, result: Result) -> bool:
    """A running task completed with its result (its message shown to the user); False when
    it was no longer running."""
    return BackgroundTask.objects.transition(
        task_id,
        to=TaskStatus.COMPLETED,
        only_from=(TaskStatus.RUNNING,),
        progress=100,
        result=result,
        success_message=str(result.get("message", ""))[:255],
    )


def save_result(task: BackgroundTask, save: Callable[[], Result]) -> Result:
    """Write a handler's result and complete its task, both or neither.

    Every handler that creates or changes a CV makes its final write through this: one
    transaction locks the task's row, checks it is still running (TaskCancelled otherwise:
    nothing is written) and runs `save`, whose return value is the task's result; the task is
    completed in that same transaction. A cancel (or a sweep) waits for the lock and then
    finds the task completed, so it gives nothing back; one that came first leaves no result.
    """
    with transaction.atomic():
        status = (
            BackgroundTask.objects.select_for_update()
            .filter(pk=task.pk)
            .values_list("status", flat=True)
            .first()
        )
        if status != TaskStatus.RUNNING:
            raise TaskCancelled(str(task.pk))
        result = save()
        _complete(task.pk, result)
    task.status = TaskStatus.COMPLETED  # the caller need not complete it again
    return result


def _completed_by_save_result(task: BackgroundTask) -> bool:
    """A handler that saved through save_result completed its task there, with its result."""
    return BackgroundTask.objects.filter(pk=task.pk, status=TaskStatus.COMPLETED).exists()


def user_message(exc: Exception) -> str:
    """What a user may read about an error that was already explained by whoever raised it."""
    if isinstance(exc, AIError):
        return exc.user_message
    if isinstance(exc, UserFacingError):
        return exc.user_message
    if isinstance(exc, PdfRejected):
        return str(exc.message)
    if isinstance(exc, CvValidationError):
        return _("The result was not a valid CV: %(error)s") % {"error": exc}
    return _(GENERIC_FAILURE)


def fail_task(task_id: UUID | str, message: str) -> bool:
    failed = BackgroundTask.objects.transition(
        task_id, to=TaskStatus.FAILED, only_from=ACTIVE_STATUSES, error=message
    )
    if failed:
        _dispatch_after(task_id)
        task = settle_stopped_task(task_id)
        record_event(
            events.TASK_FAILED,
            user=task.user_id,
            status="error",
            error=message,
            metadata={"task": str(task.pk), "type": task.type},
        )
    return failed


def cancel_task(task: BackgroundTask) -> bool:
    """Cancel a queued or running task. A queued one never starts; a running one stops at its
    next progress report, and its in-flight model calls are abandoned (they poll the row)."""
    cancelled = BackgroundTask.objects.transition(
        task.pk, to=TaskStatus.CANCELLED, only_from=ACTIVE_STATUSES
    )
    if cancelled:
        _dispatch_after(task.pk)
        settle_stopped_task(task.pk)
        record_event(
            events.TASK_CANCELLED,
            user=task.user_id,
            status="cancelled",
            metadata={"task": str(task.pk), "type": task.type},
        )
    return cancelled


def settle_stopped_task(task_id: UUID | str) -> BackgroundTask:
    """The one hook for a task that failed, was cancelled or was swept.

    Called exactly once per task (after the conditional UPDATE that stopped it won): runs the
    hooks the apps registered (the CV's status flags go back to idle, what the task cost is
    given back).
    """
    task = BackgroundTask.objects.get(pk=task_id)
    for hook in STOP_HOOKS:
        hook(task)
    return task


def sweep_stuck_tasks(*, now: datetime | None = None) -> int:
    """Fail running tasks whose worker died (no heartbeat for HEARTBEAT_STALE) or that are past
    their hard time limit, and queued tasks whose message was lost; send again the message of
    queued tasks nobody has looked at for RESEND_AFTER. Runs every SWEEP_INTERVAL.

    Each candidate is failed by a conditional UPDATE, so two sweepers (or a sweeper racing a
    worker that finally finishes) never settle the same task twice; a message sent again for
    a task that turns out to be alive finds it claimed and does nothing.
    """
    now = now or timezone.now()
    stuck = (
        BackgroundTask.objects.annotate(
            last_sign=Coalesce("heartbeat_at", "started_at", "created_at")
        )
        .filter(
            Q(status=TaskStatus.RUNNING, last_sign__lt=now - HEARTBEAT_STALE)
            | Q(status=TaskStatus.RUNNING, started_at__lt=now - RUNNING_DEADLINE)
            | Q(status=TaskStatus.QUEUED, created_at__lt=now - QUEUED_DEADLINE)
        )
        .values_list("pk", "user__language")
    )
    swept = 0
    for task_id, language in list(stuck):
        # The sweeper has no request: the message is written in the task's user's language.
        with translation.override(language or settings.LANGUAGE_CODE):
            message = _("This task took too long and was stopped. You were not charged.")
        if fail_task(task_id, message):
            swept += 1
    _resend_forgotten_tasks(now)
    # Files no task will read any more (cancelled, swept, or an offer that failed to read).
    Upload.objects.filter(created_at__lt=now - UPLOAD_RETENTION).delete()
    # One-time form tokens outlive any double click by far after a day.
    Submission.objects.filter(created_at__lt=now - SUBMISSION_RETENTION).delete()
    if swept:
        logger.warning("Swept %d stuck background task(s)", swept)
    return swept


def _resend_forgotten_tasks(now: datetime) -> None:
    """Send again the messages of queued tasks nobody has looked at for RESEND_AFTER: those of
    no user at once, the others as their users' free slots allow (the rest keep waiting)."""
    from jobs import tasks  # the Celery task module imports this one

    forgotten = BackgroundTask.objects.filter(
        status=TaskStatus.QUEUED,
        updated_at__lt=now - RESEND_AFTER,
        created_at__gte=now - QUEUED_DEADLINE,
    )
    orphans = list(forgotten.filter(user__isnull=True).values_list("pk", flat=True))
    for task_id in orphans:
        # Marked first: the next sweep waits RESEND_AFTER again before another try.
        BackgroundTask.objects.filter(pk=task_id, status=TaskStatus.QUEUED).update(updated_at=now)
        _send(tasks.run_task.delay, str(task_id))
    sent = len(orphans)
    owners = (
        forgotten.filter(user__isnull=False).order_by().values_list("user_id", "type").distinct()
    )
    for user_id, task_type in list(owners):
        sent += dispatch_waiting(user_id, task_type, unseen_since=now - RESEND_AFTER)
    if sent:
        logger.warning("Sent %d queued background task(s) again", sent)
