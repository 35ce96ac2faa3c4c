from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from core.config import SETTINGS, parse_value
from core.models import Setting, Submission


class SettingForm(forms.ModelForm[Setting]):
    class Meta:
        model = Setting
        fields = ["name", "value", "category", "description"]

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        name, value = cleaned.get("name"), cleaned.get("value")
        if name and name not in SETTINGS:
            self.add_error("name", f"Unknown setting {name!r}")
        elif name and value is not None:
            try:
                parse_value(name, value)
            except ValueError as exc:
                self.add_error("value", str(exc))
        return cleaned


class SettingValueForm(forms.ModelForm[Setting]):
    class Meta:
        model = Setting
        fields = ["value"]

    def clean_value(self) -> str:
        value: str = self.cleaned_data["value"]
        try:
            parse_value(self.instance.name, value)
        except (KeyError, ValueError) as exc:
            raise forms.ValidationError(str(exc)) from None
        return value


@admin.register(Setting)
class SettingAdmin(admin.ModelAdmin[Setting]):
    form = SettingForm
    list_display = ["name", "value", "category", "updated_at"]
    list_filter = ["category"]
    search_fields = ["name", "description"]
    list_editable = ["value"]
    ordering = ["category", "name"]

    def get_changelist_form(
        self, request: HttpRequest, **kwargs: Any
    ) -> type[forms.ModelForm[Setting]]:
        # Edits from the list go through the same validation as the change form.
        return SettingValueForm


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin[Submission]):
    """Read-only: which paid forms were sent, for support ("I clicked twice")."""

    list_display = ["created_at", "user", "token", "result_url"]
    search_fields = ["user__email", "token"]
    date_hierarchy = "created_at"
    readonly_fields = ["user", "token", "result_url", "created_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Submission | None = None) -> bool:
        return False
