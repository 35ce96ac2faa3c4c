"""Background jobs: a row per long job (what the pages read), and the files waiting for one.

The tables were created when this lived in the CV app, and keep their names.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import connection, models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.limits import HEARTBEAT_EVERY

STATUS_READ_EVERY = timedelta(seconds=1)

if TYPE_CHECKING:
    from accounts.models import User


class TaskType(models.TextChoices):
    GENERATE_CV = "generate-cv", "Tailor a CV"
    IMPORT_PDF = "import-pdf", "Import a PDF"
    TRANSLATE_CV = "translate-cv", "Translate a CV"
    CREATE_TEMPLATE_CV = "create-template-cv", "Example CV for an offer"
    GENERATE_FROM_JOB_TITLE = "generate-cv-from-job-title", "CV from a job title"
    CALCULATE_MATCH_SCORE = "calculate-match-score", "Match score"
    IMPROVE_CV = "improve-cv", "Improve a CV"
    EXTRACT_JOB_OFFER = "extract-job-offer", "Read a job offer"
    RERANK_OFFERS = "rerank-offers", "Re-rank offers with the AI model"
    WRITE_COVER_LETTER = "write-cover-letter", "Write a cover letter"
    TEST = "test", "Queue test"


class TaskStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    COMPLETED = "completed", _("Completed")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


ACTIVE_STATUSES = (TaskStatus.QUEUED, TaskStatus.RUNNING)
FINAL_STATUSES = (TaskStatus.COMPLETED, TaskStatus.FAILED, TaskStatus.CANCELLED)


class TaskCancelled(Exception):
    """The task was cancelled while running: stop at once, write nothing more."""


class BackgroundTaskQuerySet(models.QuerySet["BackgroundTask"]):
    def owned_by(self, user: User) -> BackgroundTaskQuerySet:
        return self.filter(user=user)

    def active(self) -> BackgroundTaskQuerySet:
        return self.filter(status__in=ACTIVE_STATUSES)

    def transition(
        self, task_id: uuid.UUID | str, *, to: str, only_from: tuple[str, ...], **fields: object
    ) -> bool:
        """Move one task to `to` if (and only if) it is in one of `only_from`.

        A conditional UPDATE: the database decides which of two racing workers, sweepers or
        cancel clicks wins; the loser sees False and must do nothing.
        """
        now = timezone.now()
        if to in FINAL_STATUSES:
            fields.setdefault("finished_at", now)
        updated = self.filter(pk=task_id, status__in=only_from).update(
            status=to, updated_at=now, **fields
        )
        return updated == 1


class BackgroundTask(models.Model):
    """A long job (import, tailoring, scoring...). This row is what the UI reads; Celery only
    carries the id."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="background_tasks",
    )
    device_id = models.CharField(max_length=100, blank=True)
    type = models.CharField(max_length=40, choices=TaskType.choices)
    status = models.CharField(max_length=12, choices=TaskStatus.choices, default=TaskStatus.QUEUED)
    title = models.CharField(max_length=255)
    success_message = models.CharField(max_length=255, blank=True)
    cv = models.ForeignKey(
        "cvs.CV", null=True, blank=True, on_delete=models.SET_NULL, related_name="background_tasks"
    )
    should_update_cv_list = models.BooleanField(default=False)
    payload = models.JSONField(default=dict, blank=True)
    result = models.JSONField(null=True, blank=True)
    error = models.TextField(blank=True)
    progress = models.PositiveSmallIntegerField(default=0)
    step = models.CharField(max_length=100, blank=True)

    # What was charged for this task, so failure, cancel and sweep refund exactly that.
    credit_used = models.BooleanField(default=False)
    credits_debited = models.PositiveIntegerField(default=0)
    feature_name = models.CharField(max_length=40, blank=True)
    feature_counter_period_start = models.DateTimeField(null=True, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    # Moved by the worker while the task runs (core.limits.HEARTBEAT_EVERY): a running task
    # whose heartbeat is stale lost its worker, and the sweeper fails and refunds it.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = BackgroundTaskQuerySet.as_manager()

    class Meta:
        db_table = "cvs_backgroundtask"
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(progress__lte=100),
                name="task_progress_0_100",
                violation_error_message=_("The progress is a percentage from 0 to 100."),
            )
        ]
        indexes = [
            models.Index(fields=["device_id"]),
            models.Index(fields=["status"]),
            models.Index(fields=["created_at"]),
            models.Index(fields=["cv", "status"]),
            models.Index(fields=["user", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.status})"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    def result_url(self) -> str:
        """Where the user sees what the task made (a CV, an offer), if anything."""
        result = self.result or {}
        if self.status != TaskStatus.COMPLETED:
            return ""
        if result.get("letter_id") and result.get("cv_id"):
            return reverse("cvs:letter", args=[result["cv_id"], result["letter_id"]])
        if result.get("cv_id"):
            return reverse("cvs:detail", args=[result["cv_id"]])
        if result.get("offer_id"):
            return reverse("joboffers:detail", args=[result["offer_id"]])
        return ""

    def report_progress(self, progress: int, step: str = "") -> None:
        """Record progress; raise TaskCancelled if the user cancelled the task meanwhile."""
        progress = max(0, min(100, progress))
        now = timezone.now()
        updated = BackgroundTask.objects.filter(pk=self.pk, status=TaskStatus.RUNNING).update(
            progress=progress, step=step[:100], updated_at=now, heartbeat_at=now
        )
        self.heartbeat_at = now
        if not updated:
            raise TaskCancelled(str(self.pk))
        self.progress, self.step = progress, step

    # When this process last read the task as running (is_cancelled), not a column.
    _running_at: datetime | None = None

    def is_cancelled(self) -> bool:
        """True once the task stopped running (cancelled, swept). Model calls ask this several
        times a second while they wait, so it also beats the heartbeat every HEARTBEAT_EVERY,
        and reads the status at most every STATUS_READ_EVERY (a cancel stops the call within
        that; the 40 tasks of a worker would otherwise read 200 times a second)."""
        try:
            now = timezone.now()
            if self.heartbeat_at is None or now - self.heartbeat_at >= HEARTBEAT_EVERY:
                self.heartbeat_at = now
                running = BackgroundTask.objects.filter(pk=self.pk, status=TaskStatus.RUNNING)
                return not running.update(heartbeat_at=now)
            if self._running_at is not None and now - self._running_at < STATUS_READ_EVERY:
                return False
            status = (
                BackgroundTask.objects.filter(pk=self.pk).values_list("status", flat=True).first()
            )
            if status == TaskStatus.RUNNING:
                self._running_at = now
            return status != TaskStatus.RUNNING
        finally:
            release_pooled_connection()


def release_pooled_connection() -> None:
    """Give this thread's connection back to the pool (DB_POOL_MAX_SIZE) outside a transaction.

    Called between the short queries of a task that mostly waits on the network, so the threads
    of a worker share a few connections instead of holding one each for the whole task. Without
    a pool, closing would mean reconnecting at the next query: the connection is kept.
    """
    if connection.settings_dict.get("OPTIONS", {}).get("pool") and not connection.in_atomic_block:
        connection.close()


class Upload(models.Model):
    """An uploaded file waiting for its background task (a CV or an offer as PDF).

    Kept in the database so any worker can read it, whatever host it runs on; deleted once the
    task has read it, and by the sweeper after a day at most.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="uploads"
    )
    name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100, blank=True)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    data = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "cvs_upload"
        indexes = [models.Index(fields=["created_at"])]

    def __str__(self) -> str:
        return self.name
