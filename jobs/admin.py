from __future__ import annotations

from django.contrib import admin

from jobs.models import BackgroundTask, Upload


@admin.register(BackgroundTask)
class BackgroundTaskAdmin(admin.ModelAdmin[BackgroundTask]):
    list_display = ["title", "type", "status", "progress", "user", "credits_debited", "created_at"]
    list_filter = ["status", "type", "created_at"]
    search_fields = ["id", "title", "user__email", "device_id", "error"]
    raw_id_fields = ["user", "cv"]
    readonly_fields = ["id", "created_at", "started_at", "finished_at", "updated_at"]
    date_hierarchy = "created_at"


@admin.register(Upload)
class UploadAdmin(admin.ModelAdmin[Upload]):
    list_display = ["name", "user", "size", "created_at"]
    search_fields = ["name", "user__email", "sha256"]
    raw_id_fields = ["user"]
    exclude = ["data"]
