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

    def __str__(self) -> str:
        return self.name


class EmailStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    SENT = "sent", "Sent"
    DELIVERED = "delivered", "Delivered"
    BOUNCED = "bounced", "Bounced"
    COMPLAINED = "complained", "Marked as spam"
    FAILED = "failed", "Failed"


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
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

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
