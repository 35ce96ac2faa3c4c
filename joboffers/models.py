from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from accounts.models import User


class OfferSourceType(models.TextChoices):
    URL = "url", _("Link")
    PDF = "pdf", _("PDF")
    TEXT = "text", _("Pasted text")


class JobOfferQuerySet(models.QuerySet["JobOffer"]):
    def owned_by(self, user: User) -> JobOfferQuerySet:
        return self.filter(user=user)


class JobOffer(models.Model):
    """A job offer extracted once per (user, source) and reused by every CV tailored to it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="job_offers"
    )
    source_type = models.CharField(max_length=10, choices=OfferSourceType.choices)
    # The normalised URL, or "pdf:<sha256 of the text>" / "text:<sha256>" for uploads and pastes.
    source_value = models.CharField(max_length=2000)
    source_name = models.CharField(max_length=255, blank=True)
    # The page a text offer was sent from by the bookmarklet (normalised); empty otherwise.
    page_url = models.CharField(max_length=2000, blank=True)
    content_hash = models.CharField(max_length=64, blank=True)
    source_text = models.TextField(blank=True)
    content = models.JSONField(default=dict)
    extracted_at = models.DateTimeField(null=True, blank=True)
    extraction_model = models.CharField(max_length=100, blank=True)
    tokens_used = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = JobOfferQuerySet.as_manager()

    # How its last reading went, set by joboffers.services.mark_read_states (not stored):
    # "reading", "failed" (the last reading failed and nothing was ever read) or "".
    read_state: str = ""
    read_error: str = ""

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "source_value"], name="joboffer_unique_user_source"
            )
        ]
        indexes = [models.Index(fields=["user"])]

    def __str__(self) -> str:
        return self.title or self.source_name or self.source_value[:80]

    @property
    def read_failed(self) -> bool:
        return self.read_state == "failed"

    @property
    def title(self) -> str:
        return str(self.content.get("title") or "")

    @property
    def company(self) -> str:
        return str(self.content.get("company") or "")


class LinkHistory(models.Model):
    """Job offer URLs a user has used, offered back as suggestions."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="link_history"
    )
    url = models.CharField(max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "link history"
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["user", "url"], name="linkhistory_unique_user_url")
        ]
        indexes = [models.Index(fields=["user", "created_at"])]

    def __str__(self) -> str:
        return self.url
