from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from accounts.models import User


class SourceType(models.TextChoices):
    LINK = "link", "Job offer link"
    PDF = "pdf", "PDF"
    TEXT = "text", "Pasted text"
    JOB_TITLE = "job-title", "Job title"
    JSON_RESUME = "json-resume", "JSON Resume"


class CreatedBy(models.TextChoices):
    GENERATE_CV = "generate-cv", _("Tailored to an offer")
    IMPORT_PDF = "import-pdf", _("Imported from PDF")
    IMPORT_JSON_RESUME = "import-json-resume", _("Imported from JSON Resume")
    TRANSLATE_CV = "translate-cv", _("Translation")
    CREATE_TEMPLATE = "create-template", _("Example CV for an offer")
    GENERATE_FROM_JOB_TITLE = "generate-cv-job-title", _("Example CV for a job title")
    IMPROVE_CV = "improve-cv", _("Improved")


class RunStatus(models.TextChoices):
    IDLE = "idle", "Idle"
    IN_PROGRESS = "inprogress", "In progress"
    FAILED = "failed", "Failed"


class CVQuerySet(models.QuerySet["CV"]):
    def owned_by(self, user: User) -> CVQuerySet:
        return self.filter(user=user)


class CV(models.Model):
    """One CV of a user: its structured content (see cvs/document.py) and its metadata."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="cvs")
    filename = models.CharField(max_length=255)
    name = models.CharField(max_length=200, blank=True)
    content = models.JSONField(default=dict)
    content_version = models.PositiveIntegerField(default=1)
    language = models.CharField(max_length=8, default="en")

    source_type = models.CharField(max_length=20, choices=SourceType.choices, blank=True)
    source_value = models.TextField(blank=True)
    job_offer = models.ForeignKey(
        "joboffers.JobOffer", null=True, blank=True, on_delete=models.SET_NULL, related_name="cvs"
    )
    # A copy of the offer taken at generation time, so scoring still works if it is deleted.
    job_offer_snapshot = models.JSONField(null=True, blank=True)

    created_by = models.CharField(max_length=30, choices=CreatedBy.choices, blank=True)
    original_created_by = models.CharField(max_length=30, choices=CreatedBy.choices, blank=True)
    is_translated = models.BooleanField(default=False)

    match_score = models.PositiveSmallIntegerField(null=True, blank=True)
    score_before = models.PositiveSmallIntegerField(null=True, blank=True)
    match_score_updated_at = models.DateTimeField(null=True, blank=True)
    match_score_status = models.CharField(
        max_length=12, choices=RunStatus.choices, default=RunStatus.IDLE
    )
    score_breakdown = models.JSONField(null=True, blank=True)
    improvement_suggestions = models.JSONField(null=True, blank=True)
    missing_skills = models.JSONField(null=True, blank=True)
    matching_skills = models.JSONField(null=True, blank=True)
    score_evidence = models.JSONField(null=True, blank=True)

    optimise_status = models.CharField(
        max_length=12, choices=RunStatus.choices, default=RunStatus.IDLE
    )
    optimise_updated_at = models.DateTimeField(null=True, blank=True)

    # Review mode: AI changes waiting for the user's accept/reject, and the version to diff to.
    pending_changes = models.JSONField(null=True, blank=True)
    pending_source_version = models.PositiveIntegerField(null=True, blank=True)

    created_with_credit = models.BooleanField(default=False)
    credit_used_at = models.DateTimeField(null=True, blank=True)
    blocked = models.BooleanField(default=False)
    blocked_at = models.DateTimeField(null=True, blank=True)
    blocked_reason = models.CharField(max_length=255, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CVQuerySet.as_manager()

    class Meta:
        verbose_name = "CV"
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["user", "filename"], name="cv_unique_user_filename"),
            models.CheckConstraint(
                condition=Q(match_score__isnull=True) | Q(match_score__lte=100),
                name="cv_match_score_0_100",
            ),
            models.CheckConstraint(
                condition=Q(score_before__isnull=True) | Q(score_before__lte=100),
                name="cv_score_before_0_100",
            ),
        ]
        indexes = [models.Index(fields=["user", "-created_at"])]

    def __str__(self) -> str:
        return self.name or self.filename

    def get_absolute_url(self) -> str:
        return reverse("cvs:detail", args=[self.pk])

    @property
    def title(self) -> str:
        return str((self.content.get("header") or {}).get("current_title") or "")


class VersionChangeType(models.TextChoices):
    OPTIMIZATION = "optimization", _("AI optimisation")
    ADAPTATION = "adaptation", _("Tailoring")
    RESTORE = "restore", _("Restore")
    IMPORT = "import", _("Source")


class CVVersion(models.Model):
    """A saved state of a CV, made by AI optimisation and by restore (never by manual edits)."""

    cv = models.ForeignKey(CV, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField()
    content = models.JSONField()
    changelog = models.CharField(max_length=255, blank=True)
    change_type = models.CharField(max_length=20, choices=VersionChangeType.choices, blank=True)
    match_score = models.PositiveSmallIntegerField(null=True, blank=True)
    score_breakdown = models.JSONField(null=True, blank=True)
    improvement_suggestions = models.JSONField(null=True, blank=True)
    missing_skills = models.JSONField(null=True, blank=True)
    matching_skills = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "CV version"
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(fields=["cv", "version"], name="cvversion_unique_cv_version")
        ]
        indexes = [models.Index(fields=["cv", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.cv} v{self.version}"


class TaskType(models.TextChoices):
    GENERATE_CV = "generate-cv", "Tailor a CV"
    IMPORT_PDF = "import-pdf", "Import a PDF"
    TRANSLATE_CV = "translate-cv", "Translate a CV"
    CREATE_TEMPLATE_CV = "create-template-cv", "Example CV for an offer"
    GENERATE_FROM_JOB_TITLE = "generate-cv-from-job-title", "CV from a job title"
    CALCULATE_MATCH_SCORE = "calculate-match-score", "Match score"
    IMPROVE_CV = "improve-cv", "Improve a CV"
    EXTRACT_JOB_OFFER = "extract-job-offer", "Read a job offer"
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
        self, task_id: object, *, to: str, only_from: tuple[str, ...], **fields: object
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
        CV, null=True, blank=True, on_delete=models.SET_NULL, related_name="background_tasks"
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
    finished_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = BackgroundTaskQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="task_progress_0_100")
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
        if result.get("cv_id"):
            return reverse("cvs:detail", args=[result["cv_id"]])
        if result.get("offer_id"):
            return reverse("joboffers:detail", args=[result["offer_id"]])
        return ""

    def report_progress(self, progress: int, step: str = "") -> None:
        """Record progress; raise TaskCancelled if the user cancelled the task meanwhile."""
        progress = max(0, min(100, progress))
        updated = BackgroundTask.objects.filter(pk=self.pk, status=TaskStatus.RUNNING).update(
            progress=progress, step=step[:100], updated_at=timezone.now()
        )
        if not updated:
            raise TaskCancelled(str(self.pk))
        self.progress, self.step = progress, step

    def is_cancelled(self) -> bool:
        status = BackgroundTask.objects.filter(pk=self.pk).values_list("status", flat=True).first()
        return status != TaskStatus.RUNNING


class ExportPreset(models.Model):
    """A user's saved export settings (template, paper, sections, options), reusable on any CV."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="export_presets"
    )
    name = models.CharField(max_length=80)
    options = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["user", "name"], name="exportpreset_unique_user_name")
        ]

    def __str__(self) -> str:
        return self.name


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
        indexes = [models.Index(fields=["created_at"])]

    def __str__(self) -> str:
        return self.name
