from __future__ import annotations

from django.conf import settings
from django.db import models


class SettingCategory(models.TextChoices):
    AI_MODELS = "ai_models", "AI models"
    CREDITS = "credits", "Credits"
    FEATURES = "features", "Feature flags"
    SYSTEM = "system", "System"
    TASKS = "tasks", "Background tasks"
    PDF_IMPORT = "pdf_import", "PDF import"
    CV_DISPLAY = "cv_display", "CV display"
    BILLING = "billing", "Billing"
    RETENTION = "retention", "Data retention"
    GENERAL = "general", "General"


class Setting(models.Model):
    """A product setting staff can change at run time (AI models, credit costs, switches).

    Values are stored as text, as the seed does; `core.config.get_setting` parses them
    into the type declared in `core.config.SETTINGS`.
    """

    name = models.CharField(max_length=100, unique=True)
    value = models.TextField()
    category = models.CharField(
        max_length=20, choices=SettingCategory.choices, default=SettingCategory.GENERAL
    )
    description = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        # The table and index names of the first layout, where this model lived in `fitmycv`.
        db_table = "fitmycv_setting"
        ordering = ["category", "name"]
        indexes = [models.Index(fields=["category"], name="fitmycv_set_categor_653ce8_idx")]

    def __str__(self) -> str:
        return f"{self.name} = {self.value}"


class Submission(models.Model):
    """A paid form that was sent, by the one-time token its page carried: the same form posted
    again (a double click, a resent request, two at once) finds this row and starts nothing.
    The row is kept only when the form started its work; the sweeper drops day-old rows."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    token = models.CharField(max_length=64)
    # Where the first post sent the browser (its task list or CV): repeats are sent there too.
    result_url = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "fitmycv_submission"
        constraints = [
            models.UniqueConstraint(fields=["user", "token"], name="submission_once_per_user")
        ]
        indexes = [models.Index(fields=["created_at"], name="fitmycv_sub_created_09b661_idx")]

    def __str__(self) -> str:
        return f"{self.token} -> {self.result_url}"
