from __future__ import annotations

from django.contrib import admin

from emails.models import EmailLog, EmailTemplate, EmailTrigger


@admin.register(EmailTrigger)
class EmailTriggerAdmin(admin.ModelAdmin):
    list_display = ["name", "label", "category", "is_system"]
    list_filter = ["category", "is_system"]
    search_fields = ["name", "label"]


@admin.register(EmailTemplate)
class EmailTemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "subject", "trigger", "is_active", "updated_at"]
    list_filter = ["is_active", "trigger"]
    search_fields = ["name", "subject"]


@admin.register(EmailLog)
class EmailLogAdmin(admin.ModelAdmin):
    list_display = ["created_at", "template_name", "recipient_email", "status", "is_test_email"]
    list_filter = ["status", "template_name", "is_test_email", "provider"]
    search_fields = ["recipient_email", "subject", "provider_message_id"]
    raw_id_fields = ["template", "recipient_user"]
    date_hierarchy = "created_at"
