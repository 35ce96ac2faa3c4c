from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin

from cvdoc.document import CvValidationError, normalize_cv
from cvs.models import (
    CV,
    CoverLetter,
    CoverLetterVersion,
    CVVersion,
    DailyCVCount,
    ExportPreset,
    checked_letter_content,
)
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


class CoverLetterAdminForm(forms.ModelForm):
    def clean_content(self) -> dict[str, Any]:
        return checked_letter_content(self.cleaned_data.get("content"))


class CoverLetterVersionInline(admin.TabularInline):
    model = CoverLetterVersion
    fields = ["version", "change_type", "changelog", "created_at"]
    readonly_fields = ["version", "change_type", "changelog", "created_at"]
    extra = 0
    can_delete = False


@admin.register(CoverLetter)
class CoverLetterAdmin(admin.ModelAdmin):
    form = CoverLetterAdminForm
    list_display = ["__str__", "cv", "language", "version", "engine", "updated_at"]
    list_filter = ["language", "engine"]
    search_fields = ["role", "company", "cv__name", "cv__user__email"]
    raw_id_fields = ["cv", "job_offer", "task"]
    readonly_fields = ["version", "cv_version", "engine", "guard_notes", "created_at", "updated_at"]
    inlines = [CoverLetterVersionInline]


@admin.register(CoverLetterVersion)
class CoverLetterVersionAdmin(admin.ModelAdmin):
    """Saved texts: a log, read-only (a restore from the letter's page makes new ones)."""

    list_display = ["letter", "version", "change_type", "changelog", "created_at"]
    list_filter = ["change_type"]
    search_fields = ["letter__role", "letter__company", "letter__cv__user__email"]
    readonly_fields = ["letter", "version", "content", "change_type", "changelog", "created_at"]

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False
