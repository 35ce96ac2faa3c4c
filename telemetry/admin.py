from __future__ import annotations

from collections.abc import Callable

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from telemetry.models import (
    FeatureUsage,
    Feedback,
    FeedbackStatus,
    OpenAIAlert,
    OpenAIAlertEvent,
    OpenAICall,
    OpenAIPricing,
    OpenAIUsage,
    TelemetryEvent,
)


@admin.register(TelemetryEvent)
class TelemetryEventAdmin(admin.ModelAdmin):
    list_display = ["type", "category", "user", "status", "duration_ms", "timestamp"]
    list_filter = ["category", "status", "type"]
    search_fields = ["type", "user__email", "device_id", "error"]
    raw_id_fields = ["user"]
    date_hierarchy = "timestamp"


@admin.register(FeatureUsage)
class FeatureUsageAdmin(admin.ModelAdmin):
    list_display = ["user", "feature_name", "usage_count", "total_duration_ms", "last_used_at"]
    list_filter = ["feature_name"]
    search_fields = ["user__email", "feature_name"]
    raw_id_fields = ["user"]


@admin.register(OpenAIUsage)
class OpenAIUsageAdmin(admin.ModelAdmin):
    list_display = ["date", "user", "feature_name", "model", "calls_count", "total_tokens"]
    list_display += ["estimated_cost"]
    list_filter = ["feature_name", "model", "date"]
    search_fields = ["user__email", "feature_name", "model"]
    raw_id_fields = ["user"]
    date_hierarchy = "date"


@admin.register(OpenAICall)
class OpenAICallAdmin(admin.ModelAdmin):
    list_display = ["created_at", "user", "feature_name", "model", "total_tokens", "estimated_cost"]
    list_display += ["duration_ms"]
    list_filter = ["feature_name", "model"]
    search_fields = ["user__email", "feature_name", "model"]
    raw_id_fields = ["user", "task"]
    date_hierarchy = "created_at"


@admin.register(OpenAIPricing)
class OpenAIPricingAdmin(admin.ModelAdmin):
    list_display = ["model_name", "input_price_per_mtok", "output_price_per_mtok"]
    list_display += ["cache_price_per_mtok", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["model_name"]


class OpenAIAlertEventInline(admin.TabularInline):
    model = OpenAIAlertEvent
    readonly_fields = ["user", "period_key", "value", "created_at"]
    extra = 0
    can_delete = False


@admin.register(OpenAIAlert)
class OpenAIAlertAdmin(admin.ModelAdmin):
    list_display = ["name", "type", "threshold", "feature_name", "enabled"]
    list_filter = ["type", "enabled"]
    search_fields = ["name", "feature_name"]
    inlines = [OpenAIAlertEventInline]


def _mark(status: str) -> Callable[[admin.ModelAdmin, HttpRequest, QuerySet[Feedback]], None]:
    def action(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet) -> None:
        count = queryset.update(status=status)
        modeladmin.message_user(
            request, f"{count} feedback marked as {FeedbackStatus(status).label.lower()}."
        )

    action.__name__ = f"mark_{status}"
    action.short_description = f"Mark selected feedback as {FeedbackStatus(status).label.lower()}"
    return action


@admin.register(Feedback)
class FeedbackAdmin(admin.ModelAdmin):
    list_display = ["created_at", "user", "rating", "is_bug_report", "status", "comment"]
    list_filter = ["status", "is_bug_report", "rating", ("created_at", admin.DateFieldListFilter)]
    list_editable = ["status"]
    list_select_related = ["user"]
    search_fields = ["comment", "user__email", "page_url"]
    raw_id_fields = ["user", "current_cv"]
    date_hierarchy = "created_at"
    actions = [_mark(status) for status in FeedbackStatus.values]


@admin.register(OpenAIAlertEvent)
class OpenAIAlertEventAdmin(admin.ModelAdmin):
    list_display = ["alert", "user", "period_key", "value", "created_at"]
    list_filter = ["alert"]
    search_fields = ["period_key", "user__email"]
    raw_id_fields = ["alert", "user"]
