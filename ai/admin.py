from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin

from ai.accounting import feature_steps, known_features
from ai.models import (
    DailyCallCount,
    DailyLastCalls,
    LastCallSeen,
    OpenAIAlert,
    OpenAIAlertEvent,
    OpenAICall,
    OpenAIPricing,
    OpenAIUsage,
    ProviderIncidentEvent,
    UserCallTotal,
)
from telemetry.admin import RollupAdmin


@admin.register(OpenAIUsage)
class OpenAIUsageAdmin(admin.ModelAdmin[OpenAIUsage]):
    list_display = ["date", "user", "feature_name", "model", "calls_count", "total_tokens"]
    list_display += ["estimated_cost"]
    list_filter = ["feature_name", "model", "date"]
    search_fields = ["user__email", "feature_name", "model"]
    raw_id_fields = ["user"]
    date_hierarchy = "date"


@admin.register(OpenAICall)
class OpenAICallAdmin(admin.ModelAdmin[OpenAICall]):
    list_display = ["created_at", "user", "feature_name", "model", "total_tokens", "estimated_cost"]
    list_display += ["duration_ms", "status"]
    list_filter = ["status", "feature_name", "model"]
    search_fields = ["user__email", "feature_name", "model"]
    raw_id_fields = ["user", "task"]
    date_hierarchy = "created_at"


@admin.register(OpenAIPricing)
class OpenAIPricingAdmin(admin.ModelAdmin[OpenAIPricing]):
    list_display = ["model_name", "input_price_per_mtok", "output_price_per_mtok"]
    list_display += ["cache_price_per_mtok", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["model_name"]


class OpenAIAlertEventInline(admin.TabularInline[OpenAIAlertEvent, OpenAIAlert]):
    model = OpenAIAlertEvent
    readonly_fields = ["user", "period_key", "value", "created_at"]
    extra = 0
    can_delete = False


class OpenAIAlertForm(forms.ModelForm[OpenAIAlert]):
    """Only features the product records calls under: an alert on a misspelt one never fires."""

    feature_name = forms.ChoiceField(required=False)

    class Meta:
        model = OpenAIAlert
        fields = ["name", "type", "feature_name", "threshold", "enabled", "description"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["feature_name"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "(all features)")] + [
            (name, _feature_choice_label(name)) for name in known_features()
        ]
        field.help_text = "Per-feature alerts only. A paid feature sums all its steps."
        field.error_messages["invalid_choice"] = (
            "%(value)s is not a feature the AI records. Choose one from the list."
        )


def _feature_choice_label(name: str) -> str:
    steps = [step for step in feature_steps(name) if step != name]
    return f"{name} (all steps: {', '.join(steps)})" if steps else name


@admin.register(OpenAIAlert)
class OpenAIAlertAdmin(admin.ModelAdmin[OpenAIAlert]):
    form = OpenAIAlertForm
    list_display = ["name", "type", "threshold", "feature_name", "enabled"]
    list_filter = ["type", "enabled"]
    search_fields = ["name", "feature_name"]
    inlines = [OpenAIAlertEventInline]


@admin.register(OpenAIAlertEvent)
class OpenAIAlertEventAdmin(admin.ModelAdmin[OpenAIAlertEvent]):
    list_display = ["alert", "user", "period_key", "value", "created_at"]
    list_filter = ["alert"]
    search_fields = ["period_key", "user__email"]
    raw_id_fields = ["alert", "user"]


@admin.register(ProviderIncidentEvent)
class ProviderIncidentEventAdmin(admin.ModelAdmin[ProviderIncidentEvent]):
    list_display = ["created_at", "kind", "period_key", "detail"]
    list_filter = ["kind"]


@admin.register(DailyCallCount)
class DailyCallCountAdmin(RollupAdmin):
    list_display = ["day", "feature_name", "model", "status", "calls", "estimated_cost"]
    list_filter = ["status", "feature_name"]
    search_fields = ["feature_name", "model"]


@admin.register(LastCallSeen)
class LastCallSeenAdmin(RollupAdmin):
    list_display = ["user", "task", "scope", "feature_name", "last_at"]
    list_filter = ["scope"]
    search_fields = ["feature_name"]
    raw_id_fields = ["user", "task"]


@admin.register(DailyLastCalls)
class DailyLastCallsAdmin(RollupAdmin):
    list_display = ["day", "scope", "feature_name", "users", "tasks"]
    list_filter = ["scope"]


@admin.register(UserCallTotal)
class UserCallTotalAdmin(RollupAdmin):
    list_display = ["user", "calls", "total_tokens", "estimated_cost"]
    raw_id_fields = ["user"]
