from __future__ import annotations

from django.contrib import admin

from joboffers.models import JobOffer, LinkHistory


@admin.register(JobOffer)
class JobOfferAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "user",
        "source_type",
        "extraction_model",
        "tokens_used",
        "created_at",
    ]
    list_filter = ["source_type", "extraction_model", "created_at"]
    search_fields = ["source_value", "source_name", "user__email"]
    raw_id_fields = ["user"]
    date_hierarchy = "created_at"


@admin.register(LinkHistory)
class LinkHistoryAdmin(admin.ModelAdmin):
    list_display = ["url", "user", "created_at"]
    search_fields = ["url", "user__email"]
    raw_id_fields = ["user"]
