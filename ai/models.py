"""What the model calls cost: each call, daily totals, prices per model, and cost alerts.

The tables were created when this lived in the telemetry app, and keep their names.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class OpenAIUsage(models.Model):
    """Daily aggregate of model calls per user, feature and model (UTC days)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="openai_usage"
    )
    feature_name = models.CharField(max_length=60)
    model = models.CharField(max_length=100)
    date = models.DateField()
    prompt_tokens = models.PositiveBigIntegerField(default=0)
    cached_tokens = models.PositiveBigIntegerField(default=0)
    completion_tokens = models.PositiveBigIntegerField(default=0)
    total_tokens = models.PositiveBigIntegerField(default=0)
    estimated_cost = models.DecimalField(max_digits=14, decimal_places=6, default=0)
    calls_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "telemetry_openaiusage"
        verbose_name = "OpenAI usage (daily)"
        verbose_name_plural = "OpenAI usage (daily)"
        ordering = ["-date"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "feature_name", "model", "date"],
                name="openaiusage_unique_user_feature_model_date",
            )
        ]
        indexes = [
            models.Index(fields=["user"]),
            models.Index(fields=["feature_name"]),
            models.Index(fields=["model"]),
            models.Index(fields=["date"]),
            models.Index(fields=["user", "date"]),
            models.Index(fields=["feature_name", "date"]),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.feature_name} {self.model}"


class CallStatus(models.TextChoices):
    OK = "ok", "Answered"
    INVALID = "invalid", "Unusable answer"
    REFUSED = "refused", "Refused"
    CANCELLED = "cancelled", "Cancelled"
    FAILED = "failed", "Failed"


class OpenAICall(models.Model):
    """One model call, answered or not, with its status and the tokens the provider billed."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="openai_calls",
    )
    task = models.ForeignKey(
        "jobs.BackgroundTask",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="openai_calls",
    )
    feature_name = models.CharField(max_length=60)
    model = models.CharField(max_length=100)
    prompt_tokens = models.PositiveIntegerField(default=0)
    cached_tokens = models.PositiveIntegerField(default=0)
    completion_tokens = models.PositiveIntegerField(default=0)
    total_tokens = models.PositiveIntegerField(default=0)
    estimated_cost = models.DecimalField(max_digits=14, decimal_places=6, default=0)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=CallStatus.choices, default=CallStatus.OK)
    metadata = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "telemetry_openaicall"
        verbose_name = "OpenAI call"
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["user"]),
            models.Index(fields=["feature_name"]),
            models.Index(fields=["feature_name", "created_at"]),
            models.Index(fields=["user", "feature_name"]),
            models.Index(fields=["created_at"]),
            # The top spenders of a period: read from the index alone.
            models.Index(
                fields=["user", "created_at"],
                include=["total_tokens", "estimated_cost"],
                name="openaicall_user_spend_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.feature_name} {self.model}"


class OpenAIPricing(models.Model):
    """Price per million tokens for a model (USD)."""

    model_name = models.CharField(max_length=100, unique=True)
    input_price_per_mtok = models.DecimalField(max_digits=10, decimal_places=4)
    output_price_per_mtok = models.DecimalField(max_digits=10, decimal_places=4)
    cache_price_per_mtok = models.DecimalField(max_digits=10, decimal_places=4, default=0)
    priority_input_price_per_mtok = models.DecimalField(
        max_digits=10, decimal_places=4, null=True, blank=True
    )
    priority_output_price_per_mtok = models.DecimalField(
        max_digits=10, decimal_places=4, null=True, blank=True
    )
    priority_cache_price_per_mtok = models.DecimalField(
        max_digits=10, decimal_places=4, null=True, blank=True
    )
    description = models.CharField(max_length=255, blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "telemetry_openaipricing"
        verbose_name = "OpenAI pricing"
        verbose_name_plural = "OpenAI pricing"
        ordering = ["model_name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(input_price_per_mtok__gte=0)
                & Q(output_price_per_mtok__gte=0)
                & Q(cache_price_per_mtok__gte=0),
                name="pricing_not_negative",
                violation_error_message="Prices cannot be negative.",
            )
        ]

    def __str__(self) -> str:
        return self.model_name


class AlertType(models.TextChoices):
    USER_DAILY = "user_daily", "Per user per day"
    USER_MONTHLY = "user_monthly", "Per user per month"
    GLOBAL_DAILY = "global_daily", "All users per day"
    GLOBAL_MONTHLY = "global_monthly", "All users per month"
    FEATURE_DAILY = "feature_daily", "Per feature per day"


class OpenAIAlert(models.Model):
    """A cost threshold; staff are notified once per period when it is crossed."""

    type = models.CharField(max_length=20, choices=AlertType.choices)
    threshold = models.DecimalField(max_digits=10, decimal_places=2, help_text="USD")
    feature_name = models.CharField(max_length=60, blank=True)
    name = models.CharField(max_length=100)
    description = models.TextField(blank=True)
    enabled = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "telemetry_openaialert"
        verbose_name = "OpenAI alert"
        constraints = [
            models.CheckConstraint(
                condition=Q(threshold__gt=0),
                name="alert_threshold_positive",
                violation_error_message="The threshold must be more than 0 USD.",
            ),
            models.CheckConstraint(
                condition=~Q(type=AlertType.FEATURE_DAILY) | ~Q(feature_name=""),
                name="alert_feature_named_for_feature_alerts",
                violation_error_message="A per-feature alert needs a feature.",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class OpenAIAlertEvent(models.Model):
    """That an alert fired for a period (and user); unique, so staff are told once."""

    alert = models.ForeignKey(OpenAIAlert, on_delete=models.CASCADE, related_name="events")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    period_key = models.CharField(max_length=100)
    value = models.DecimalField(max_digits=14, decimal_places=6)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "telemetry_openaialertevent"
        verbose_name = "OpenAI alert event"
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["alert", "period_key"], name="alertevent_once_per_key")
        ]

    def __str__(self) -> str:
        return f"{self.alert} {self.period_key}"


class ProviderIncidentEvent(models.Model):
    """That staff were alerted of a provider failure (bad key, no quota, 5xx) in an hour.

    Unique per kind and hour, so however many calls fail at once staff are told once.
    """

    kind = models.CharField(max_length=20)
    period_key = models.CharField(max_length=20)  # the UTC hour, "2026-03-01T10"
    detail = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "AI provider incident"
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "period_key"], name="providerincident_once_per_hour"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.period_key}"


class DailyCallCount(models.Model):
    """The model calls of one whole past day (site time zone), counted by step, model and
    status, for the staff dashboards: they read these rows for past days and the calls only for
    today. Rebuilt from the calls by `ai.accounting.refresh_daily_call_counts`; the telemetry
    `DailyRollup` named "calls" says through which day they are complete."""

    day = models.DateField()
    feature_name = models.CharField(max_length=60)
    model = models.CharField(max_length=100)
    status = models.CharField(max_length=10, choices=CallStatus.choices)
    calls = models.PositiveIntegerField()
    prompt_tokens = models.PositiveBigIntegerField()
    cached_tokens = models.PositiveBigIntegerField()
    completion_tokens = models.PositiveBigIntegerField()
    total_tokens = models.PositiveBigIntegerField()
    estimated_cost = models.DecimalField(max_digits=16, decimal_places=6)

    class Meta:
        ordering = ["-day"]
        indexes = [models.Index(fields=["day"])]

    def __str__(self) -> str:
        return f"{self.day} {self.feature_name} {self.model} {self.status}: {self.calls}"


class CallScope(models.TextChoices):
    STEP = "step", "Recorded step"
    FEATURE = "feature", "Paid feature"
    ANY = "any", "Any call"


class LastCallSeen(models.Model):
    """Each user's, and each task's, latest call before today of each step, of each paid feature
    and (users only) of any kind: the users or tasks that made calls since a moment are the rows
    since then, plus the ones that made calls today (raw calls)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.CASCADE, related_name="+"
    )
    task = models.ForeignKey(
        "jobs.BackgroundTask", null=True, on_delete=models.CASCADE, related_name="+"
    )
    scope = models.CharField(max_length=10, choices=CallScope.choices)
    feature_name = models.CharField(max_length=60, blank=True)  # "" for any call
    last_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=True) ^ Q(task__isnull=True),
                name="lastcallseen_user_or_task",
                violation_error_message="A last call seen is a user's or a task's, not both.",
            ),
        ]
        indexes = [
            models.Index(fields=["user", "scope", "feature_name"]),
            models.Index(fields=["task", "scope", "feature_name"]),
            models.Index(fields=["last_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.user_id or self.task_id} {self.scope} {self.feature_name} at {self.last_at}"


class DailyLastCalls(models.Model):
    """How many users and tasks made their latest call before today (`LastCallSeen`) on each
    day, by scope and name: the users or tasks since a day are the sum of the days from it."""

    day = models.DateField()
    scope = models.CharField(max_length=10, choices=CallScope.choices)
    feature_name = models.CharField(max_length=60, blank=True)
    users = models.PositiveIntegerField()
    tasks = models.PositiveIntegerField()

    class Meta:
        ordering = ["-day"]
        indexes = [models.Index(fields=["day"])]

    def __str__(self) -> str:
        return (
            f"{self.day} {self.scope} {self.feature_name}: {self.users} users, {self.tasks} tasks"
        )


class UserCallTotal(models.Model):
    """Each user's calls of all the days before today, counted and summed (one row without a
    user: the commands'), for the top spenders of all time."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.CASCADE, related_name="+"
    )
    calls = models.PositiveIntegerField()
    total_tokens = models.PositiveBigIntegerField()
    estimated_cost = models.DecimalField(max_digits=16, decimal_places=6)

    class Meta:
        indexes = [models.Index(fields=["-estimated_cost", "user"])]

    def __str__(self) -> str:
        return f"{self.user_id or 'commands'}: {self.calls} calls"
