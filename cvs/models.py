from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from accounts.models import User


# The key of the stored breakdown that holds the digest of the content it was computed on.
SCORE_DIGEST_KEY = "content_digest"
SCORE_CRITERIA = ("technical_skills", "experience", "education", "soft_skills_languages")


def content_digest(content: Any) -> str:
    """A short fingerprint of a CV's content: any edit, restore or improvement changes it."""
    text = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def quote_in_content(quote: str, content: Any) -> bool:
    """Whether the CV still says this (a quote may be cut short with "…" at either end)."""
    core = quote.strip().strip("…").strip()
    return bool(core) and any(core in text for text in _strings(content))


class SourceType(models.TextChoices):
    LINK = "link", "Job offer link"
    PDF = "pdf", "PDF"
    TEXT = "text", "Pasted text"
    JOB_TITLE = "job-title", "Job title"
    JSON_RESUME = "json-resume", "JSON Resume"
    REACTIVE_RESUME = "reactive-resume", "Reactive Resume"
    RESUME_MATCHER = "resume-matcher", "Resume-Matcher"


class CreatedBy(models.TextChoices):
    GENERATE_CV = "generate-cv", _("Tailored to an offer")
    IMPORT_PDF = "import-pdf", _("Imported from PDF")
    IMPORT_JSON_RESUME = "import-json-resume", _("Imported from JSON Resume")
    IMPORT_REACTIVE_RESUME = "import-reactive-resume", _("Imported from Reactive Resume")
    IMPORT_RESUME_MATCHER = "import-resume-matcher", _("Imported from Resume-Matcher")
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
    # An offline translation's plan (ai.gateway.translation_plan): what stayed in the source
    # language, told on the CV page. Null for any other CV.
    untranslated = models.JSONField(null=True, blank=True)

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
                violation_error_message=_("The match score is a number from 0 to 100."),
            ),
            models.CheckConstraint(
                condition=Q(score_before__isnull=True) | Q(score_before__lte=100),
                name="cv_score_before_0_100",
                violation_error_message=_(
                    "The score before the improvement is a number from 0 to 100."
                ),
            ),
        ]
        indexes = [
            models.Index(fields=["user", "-created_at"]),
            # Today's CVs on the dashboards (past days come from DailyCVCount).
            models.Index(fields=["created_at"], name="cv_created_at_idx"),
        ]

    def __str__(self) -> str:
        return self.name or self.filename

    def get_absolute_url(self) -> str:
        return reverse("cvs:detail", args=[self.pk])

    @property
    def title(self) -> str:
        return str((self.content.get("header") or {}).get("current_title") or "")

    @property
    def score_criteria(self) -> list[tuple[str, int | None]]:
        """(criterion, sub-score) in display order; None is a criterion the offer does not ask."""
        breakdown = self.score_breakdown if isinstance(self.score_breakdown, dict) else {}
        return [(key, breakdown.get(key)) for key in SCORE_CRITERIA if key in breakdown]

    @property
    def score_is_stale(self) -> bool:
        """The content changed since the stored score was computed (edit, restore, review)."""
        if self.match_score is None or not isinstance(self.score_breakdown, dict):
            return False
        digest = self.score_breakdown.get(SCORE_DIGEST_KEY)
        # A score stored before digests were kept cannot be checked: it is not flagged.
        return bool(digest) and digest != content_digest(self.content)

    @property
    def current_score_evidence(self) -> list[dict[str, Any]]:
        """The stored evidence, each quote marked `current` when the CV still says it."""
        fresh = not self.score_is_stale
        items = []
        for item in self.score_evidence or []:
            if not isinstance(item, dict):
                continue
            quotes = []
            for quote in item.get("cv_evidence") or []:
                text = quote.get("quote", "") if isinstance(quote, dict) else str(quote)
                place = quote if isinstance(quote, dict) else {}
                current = fresh and quote_in_content(text, self.content)
                quotes.append({**place, "quote": text, "current": current})
            items.append({**item, "cv_evidence": quotes})
        return items


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


class DailyCVCount(models.Model):
    """The CVs created on one whole past day (site time zone) by how they were made, for the
    staff dashboards: they read these rows for past days and the CVs only for today. Rebuilt
    from the CVs by `cvs.services.refresh_daily_cv_counts` (CVs deleted or remade since count
    until the next rebuild, within the hour); the telemetry `DailyRollup` named "cvs" says
    through which day they are complete."""

    day = models.DateField()
    created_by = models.CharField(max_length=30, choices=CreatedBy.choices, blank=True)
    cvs = models.PositiveIntegerField()

    class Meta:
        ordering = ["-day"]
        indexes = [models.Index(fields=["day"])]

    def __str__(self) -> str:
        return f"{self.day} {self.created_by or 'by hand'}: {self.cvs}"


LETTER_LINE_CHARS = 200
LETTER_PARAGRAPH_CHARS = 3000
LETTER_BODY_CHARS = 10_000
LETTER_MAX_PARAGRAPHS = 12


def checked_letter_content(value: Any) -> dict[str, Any]:
    """A cover letter's stored shape, or ValidationError: the one rule the editor and the admin
    share, so the page and the exports can always render what is saved."""
    if not isinstance(value, dict):
        raise ValidationError(_("A cover letter is an object with its subject and paragraphs."))
    lines = {key: value.get(key, "") for key in ("subject", "greeting", "sign_off")}
    paragraphs = value.get("paragraphs")
    if not all(isinstance(text, str) for text in lines.values()):
        raise ValidationError(_("The subject, greeting and closing of a letter are text."))
    if not isinstance(paragraphs, list) or not all(isinstance(p, str) for p in paragraphs):
        raise ValidationError(_("A letter's paragraphs are a list of texts."))
    paragraphs = [" ".join(p.split()) for p in paragraphs if p.strip()]
    if not paragraphs:
        raise ValidationError(_("A letter needs at least one paragraph."))
    if len(paragraphs) > LETTER_MAX_PARAGRAPHS:
        raise ValidationError(
            _("A letter has %(n)s paragraphs at most.") % {"n": LETTER_MAX_PARAGRAPHS}
        )
    if any(len(p) > LETTER_PARAGRAPH_CHARS for p in paragraphs):
        raise ValidationError(
            _("A paragraph has %(n)s characters at most.") % {"n": LETTER_PARAGRAPH_CHARS}
        )
    if any(len(text) > LETTER_LINE_CHARS for text in lines.values()):
        raise ValidationError(
            _("The subject, greeting and closing have %(n)s characters at most.")
            % {"n": LETTER_LINE_CHARS}
        )
    return {**{key: text.strip() for key, text in lines.items()}, "paragraphs": paragraphs}


class CoverLetterQuerySet(models.QuerySet["CoverLetter"]):
    def owned_by(self, user: User) -> CoverLetterQuerySet:
        return self.filter(cv__user=user)


class CoverLetter(models.Model):
    """A cover letter written for a CV and a job offer, in the CV's language.

    It belongs to the CV (deleted with it) and keeps its own versions (CoverLetterVersion):
    each edit and each restore keeps the text it replaces. `content` is the letter as
    `ai.offline.letter.Letter.as_json` shapes it: subject, greeting, paragraphs, sign_off.
    """

    cv = models.ForeignKey(CV, on_delete=models.CASCADE, related_name="cover_letters")
    job_offer = models.ForeignKey(
        "joboffers.JobOffer",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cover_letters",
    )
    # The role and company as the offer names them, kept if the offer is deleted.
    role = models.CharField(max_length=255)
    company = models.CharField(max_length=255, blank=True)
    language = models.CharField(max_length=8)
    content = models.JSONField()
    version = models.PositiveIntegerField(default=1)
    # The CV's content version the letter was written from (CV.content_version).
    cv_version = models.PositiveIntegerField(default=1)
    engine = models.CharField(max_length=100, blank=True)
    # What the guard removed from a model's letter, told on the letter's page.
    guard_notes = models.JSONField(default=dict, blank=True)
    task = models.OneToOneField(
        "jobs.BackgroundTask",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cover_letter",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CoverLetterQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(language__in=["en", "fr", "de", "es"]),
                name="coverletter_language_known",
                violation_error_message=_(
                    "A cover letter is in English, French, German or Spanish."
                ),
            ),
            models.CheckConstraint(
                condition=Q(version__gte=1),
                name="coverletter_version_from_1",
                violation_error_message=_("A cover letter's version number starts at 1."),
            ),
        ]
        indexes = [models.Index(fields=["cv", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.role} — {self.company}".strip(" —")

    def get_absolute_url(self) -> str:
        return reverse("cvs:letter", args=[self.cv_id, self.pk])

    @property
    def paragraphs(self) -> list[str]:
        return [str(p) for p in self.content.get("paragraphs") or []]

    @property
    def cv_changed(self) -> bool:
        """The CV was changed by the AI or a restore since the letter was written."""
        return self.cv.content_version != self.cv_version


class LetterChangeType(models.TextChoices):
    EDIT = "edit", _("Edit")
    RESTORE = "restore", _("Restore")


class CoverLetterVersion(models.Model):
    """A saved text of a cover letter: the one an edit or a restore replaced."""

    letter = models.ForeignKey(CoverLetter, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField()
    content = models.JSONField()
    change_type = models.CharField(max_length=20, choices=LetterChangeType.choices)
    changelog = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "cover letter version"
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["letter", "version"],
                name="coverletterversion_unique_letter_version",
                violation_error_message=_("A cover letter has one version of each number."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.letter} v{self.version}"

    @property
    def paragraphs(self) -> list[str]:
        return [str(p) for p in self.content.get("paragraphs") or []]
