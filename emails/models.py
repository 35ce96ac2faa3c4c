from __future__ import annotations

from django.conf import settings
from django.db import models


class TriggerCategory(models.TextChoices):
    AUTHENTICATION = "authentication", "Authentication"
    ACCOUNT = "account", "Account"
    PAYMENTS = "payments", "Payments"
    STAFF = "staff", "Staff"


class EmailTrigger(models.Model):
    """An event that sends an e-mail (verification, welcome, purchase...)."""

    name = models.CharField(max_length=60, unique=True)
    label = models.CharField(max_length=100)
    description = models.TextField(blank=True)
    variables = models.JSONField(default=list, blank=True)
    category = models.CharField(max_length=20, choices=TriggerCategory.choices)
    is_system = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["category", "name"]

    def __str__(self) -> str:
        return self.label


class EmailTemplate(models.Model):
    """Staff-editable subject and bodies; the file templates are the fallback."""

    name = models.CharField(max_length=60, unique=True)
    trigger = models.ForeignKey(
        EmailTrigger, null=True, blank=True, on_delete=models.SET_NULL, related_name="templates"
    )
    subject = models.CharField(max_length=255)
    html_content = models.TextField()
    text_content = models.TextField(blank=True)
    design_json = models.JSONField(null=True, blank=True)
    variables = models.JSONField(default=list, blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["is_active"])]
        constraints = [
            # The sender picks "the" active template of a trigger: two would be ambiguous.
            models.UniqueConstraint(
                fields=["trigger"],
                condition=models.Q(is_active=True),
                name="emails_one_active_template_per_trigger",
                violation_error_message=(
                    "Another template of this trigger is active. Use the “Activate” action "
                    "to switch, or save this one inactive."
                ),
            )
        ]

    def __str__(self) -> str:
        return self.name


class EmailStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    SENT = "sent", "Sent"
    DELIVERED = "delivered", "Delivered"
    BOUNCED = "bounced", "Bounced"
    COMPLAINED = "complained", "Marked as spam"
    FAILED = "failed", "Failed"


class EmailLogQuerySet(models.QuerySet["EmailLog"]):
    def counts_by(self, field: str) -> dict[str, int]:
        """Number of logs per value of `field`, in one query."""
        rows = self.order_by().values_list(field).annotate(n=models.Count("pk"))
        return {str(value): n for value, n in rows}


class EmailLog(models.Model):
    template = models.ForeignKey(
        EmailTemplate, null=True, blank=True, on_delete=models.SET_NULL, related_name="logs"
    )
    template_name = models.CharField(max_length=60)
    recipient_email = models.EmailField()
    recipient_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="email_logs",
    )
    subject = models.CharField(max_length=255)
    status = models.CharField(
        max_length=12, choices=EmailStatus.choices, default=EmailStatus.QUEUED
    )
    error = models.TextField(blank=True)
    provider = models.CharField(max_length=20, blank=True)
    provider_message_id = models.CharField(max_length=255, blank=True)
    is_test_email = models.BooleanField(default=False)
    # The rendered message waits here for the mail worker and is cleared once it is handed to
    # the provider (or given up on): links with tokens must not stay in the table for a year.
    text_body = models.TextField(blank=True)
    html_body = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = EmailLogQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["template"]),
            models.Index(fields=["template_name"]),
            models.Index(fields=["recipient_email"]),
            models.Index(fields=["recipient_user"]),
            models.Index(fields=["status"]),
            models.Index(fields=["created_at"]),
            models.Index(fields=["provider_message_id"]),
        ]

    def __str__(self) -> str:
        return f"{self.template_name} to {self.recipient_email} ({self.status})"


class InactivityNotice(models.Model):
    """A deletion warning sent for one inactivity period (the activity date it counts from).

    Signing in starts a new period, so a user can be warned again years later, but never twice
    for the same period.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="inactivity_notices"
    )
    for_last_activity = models.DateTimeField()
    deletion_date = models.DateTimeField()
    sent_at = models.DateTimeField()
    email_log = models.ForeignKey(
        EmailLog, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "for_last_activity"], name="emails_one_notice_per_inactivity"
            )
        ]

    def __str__(self) -> str:
        return f"Inactivity notice to {self.user_id} ({self.sent_at:%Y-%m-%d})"
