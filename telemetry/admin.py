from __future__ import annotations

from collections.abc import Callable

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from telemetry.models import FeatureUsage, Feedback, FeedbackStatus, TelemetryEvent


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
