from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class EventCategory(models.TextChoices):
    CV_MANAGEMENT = "cv_management", "CV management"
    AUTH = "auth", "Authentication"
    JOB_PROCESSING = "job_processing", "Background jobs"
    BILLING = "billing", "Billing"
    NAVIGATION = "navigation", "Navigation"
    INTERACTION = "interaction", "Interaction"


class EventStatus(models.TextChoices):
    SUCCESS = "success", "Success"
    ERROR = "error", "Error"
    CANCELLED = "cancelled", "Cancelled"


class TelemetryEvent(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="telemetry_events",
    )
    type = models.CharField(max_length=50)
    category = models.CharField(max_length=20, choices=EventCategory.choices)
    metadata = models.JSONField(default=dict, blank=True)
    device_id = models.CharField(max_length=100, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=EventStatus.choices, blank=True)
    error = models.TextField(blank=True)
    timestamp = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-timestamp"]
        indexes = [
            models.Index(fields=["user"]),
            models.Index(fields=["type"]),
            models.Index(fields=["category"]),
            models.Index(fields=["device_id"]),
            models.Index(fields=["timestamp"]),
            models.Index(fields=["user", "type"]),
            models.Index(fields=["type", "timestamp"]),
        ]

    def __str__(self) -> str:
        return f"{self.type} at {self.timestamp:%Y-%m-%d %H:%M}"


class FeatureUsage(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="feature_usage"
    )
    feature_name = models.CharField(max_length=50)
    usage_count = models.PositiveIntegerField(default=0)
    last_used_at = models.DateTimeField()
    total_duration_ms = models.PositiveBigIntegerField(default=0)
    metadata = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "feature_name"], name="featureusage_unique_user_feature"
            )
        ]
        indexes = [
            models.Index(fields=["user"]),
            models.Index(fields=["feature_name"]),
            models.Index(fields=["last_used_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.feature_name} x{self.usage_count}"


class FeedbackStatus(models.TextChoices):
    NEW = "new", "New"
    REVIEWED = "reviewed", "Reviewed"
    RESOLVED = "resolved", "Resolved"


class Feedback(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="feedbacks"
    )
    rating = models.PositiveSmallIntegerField(null=True, blank=True)
    comment = models.TextField(max_length=500)
    is_bug_report = models.BooleanField(default=False)
    current_cv = models.ForeignKey(
        "cvs.CV", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    user_agent = models.TextField(blank=True)
    page_url = models.CharField(max_length=2000, blank=True)
    status = models.CharField(
        max_length=10, choices=FeedbackStatus.choices, default=FeedbackStatus.NEW
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "feedback"
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | (Q(rating__gte=1) & Q(rating__lte=5)),
                name="feedback_rating_1_5",
                violation_error_message=_("The rating is a number of stars from 1 to 5, or empty."),
            )
        ]
        indexes = [
            models.Index(fields=["user"]),
            models.Index(fields=["created_at"]),
            models.Index(fields=["is_bug_report"]),
            models.Index(fields=["status"]),
        ]

    def __str__(self) -> str:
        return f"{self.rating or '-'}★ {self.comment[:40]}"


class DailyEventCount(models.Model):
    """The events of one whole past day (site time zone), counted by type, status and error
    message, for the staff dashboards: they read these rows for past days and raw events only
    for today. Rebuilt from the events by `telemetry.services.refresh_daily_event_counts`;
    `DailyRollup` says through which day they are complete."""

    day = models.DateField()
    type = models.CharField(max_length=50)
    category = models.CharField(max_length=20, choices=EventCategory.choices)
    status = models.CharField(max_length=10, choices=EventStatus.choices, blank=True)
    error = models.TextField(blank=True)
    events = models.PositiveIntegerField()
    timed = models.PositiveIntegerField()  # the events that have a duration
    duration_ms = models.PositiveBigIntegerField()  # the sum of their durations
    last_at = models.DateTimeField()

    class Meta:
        ordering = ["-day"]
        indexes = [models.Index(fields=["day", "type"])]

    def __str__(self) -> str:
        return f"{self.day} {self.type} {self.status}: {self.events}"


class DailyActiveUsers(models.Model):
    """How many signed-in users had at least one event on a whole past day (everybody)."""

    day = models.DateField(unique=True)
    users = models.PositiveIntegerField()

    def __str__(self) -> str:
        return f"{self.day}: {self.users}"


class LastEventSeen(models.Model):
    """Each user's latest event of each type before today: who did something since a moment
    is who has a row here since then, plus who did it today (raw events)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    type = models.CharField(max_length=50)
    category = models.CharField(max_length=20, choices=EventCategory.choices)
    last_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "type", "category"], name="lasteventseen_unique_user_type"
            )
        ]
        indexes = [models.Index(fields=["last_at", "type", "category", "user"])]

    def __str__(self) -> str:
        return f"{self.user_id} {self.type} at {self.last_at}"


class LastActivity(models.Model):
    """Each user's latest event of any type before today (LastEventSeen across types)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    last_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.user_id} at {self.last_at}"


class DailyLastSeen(models.Model):
    """How many users had their latest event before today (`LastEventSeen`; `LastActivity` for
    any type, where type is "") on each day: the users active since a day are the sum of the
    days from it, without counting their rows one by one."""

    day = models.DateField()
    type = models.CharField(max_length=50, blank=True)
    category = models.CharField(max_length=20, choices=EventCategory.choices, blank=True)
    users = models.PositiveIntegerField()

    class Meta:
        ordering = ["-day"]
        indexes = [models.Index(fields=["day"])]

    def __str__(self) -> str:
        return f"{self.day} {self.type or 'any event'}: {self.users}"


class DailyRollup(models.Model):
    """Through which day a daily roll-up table is complete, and when it was last rebuilt."""

    name = models.CharField(max_length=50, unique=True)
    through = models.DateField()
    refreshed_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} through {self.through}"
