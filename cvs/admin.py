from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin

from cvdoc.document import CvValidationError, normalize_cv
from cvs.models import CV, CVVersion, DailyCVCount, ExportPreset
from telemetry.admin import RollupAdmin


def _checked_content(value: Any) -> dict[str, Any]:
    """The CV document typed into the admin, through the document's validation (the same as
    the editor's): a content the export and resume.json cannot read is never saved."""
    try:
        return normalize_cv(value)
    except CvValidationError as exc:
        raise forms.ValidationError(f"This is not a valid CV: {exc}") from None


# The admin builds each form's Meta (model and fields) from these bases.
class CVAdminForm(forms.ModelForm):
    def clean_content(self) -> dict[str, Any]:
        return _checked_content(self.cleaned_data.get("content"))


class CVVersionAdminForm(forms.ModelForm):
    def clean_content(self) -> dict[str, Any]:
        return _checked_content(self.cleaned_data.get("content"))


class CVVersionInline(admin.TabularInline):
    model = CVVersion
    fields = ["version", "changelog", "change_type", "match_score", "created_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True


@admin.register(CV)
class CVAdmin(admin.ModelAdmin):
    form = CVAdminForm
    list_display = [
        "__str__",
        "user",
        "language",
        "created_by",
        "source_type",
        "match_score",
        "blocked",
        "updated_at",
    ]
    list_filter = ["language", "created_by", "source_type", "blocked", "is_translated"]
    search_fields = ["name", "filename", "user__email", "source_value"]
    raw_id_fields = ["user", "job_offer"]
    readonly_fields = ["created_at", "updated_at"]
    date_hierarchy = "created_at"
    inlines = [CVVersionInline]


@admin.register(CVVersion)
class CVVersionAdmin(admin.ModelAdmin):
    form = CVVersionAdminForm
    list_display = ["cv", "version", "change_type", "changelog", "match_score", "created_at"]
    list_filter = ["change_type"]
    search_fields = ["cv__name", "cv__filename", "cv__user__email", "changelog"]
    raw_id_fields = ["cv"]


@admin.register(ExportPreset)
class ExportPresetAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "updated_at"]
    search_fields = ["name", "user__email"]
    raw_id_fields = ["user"]


@admin.register(DailyCVCount)
class DailyCVCountAdmin(RollupAdmin):
    list_display = ["day", "created_by", "cvs"]
    list_filter = ["created_by"]
