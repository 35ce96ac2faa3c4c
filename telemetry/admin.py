from __future__ import annotations

from collections.abc import Callable

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from telemetry.models import (
    DailyActiveUsers,
    DailyEventCount,
    DailyLastSeen,
    DailyRollup,
    FeatureUsage,
    Feedback,
    FeedbackStatus,
    LastActivity,
    LastEventSeen,
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


class RollupAdmin(admin.ModelAdmin):
    """Daily roll-ups are rebuilt from the rows they count (staff.tasks): shown, never edited."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(DailyEventCount)
class DailyEventCountAdmin(RollupAdmin):
    list_display = ["day", "type", "status", "events", "last_at"]
    list_filter = ["status", "category"]
    search_fields = ["type", "error"]


@admin.register(DailyActiveUsers)
class DailyActiveUsersAdmin(RollupAdmin):
    list_display = ["day", "users"]


@admin.register(LastEventSeen)
class LastEventSeenAdmin(RollupAdmin):
    list_display = ["user", "type", "last_at"]
    search_fields = ["type"]
    raw_id_fields = ["user"]


@admin.register(LastActivity)
class LastActivityAdmin(RollupAdmin):
    list_display = ["user", "last_at"]
    raw_id_fields = ["user"]


@admin.register(DailyLastSeen)
class DailyLastSeenAdmin(RollupAdmin):
    list_display = ["day", "type", "users"]
    search_fields = ["type"]


@admin.register(DailyRollup)
class DailyRollupAdmin(RollupAdmin):
    list_display = ["name", "through", "refreshed_at"]
