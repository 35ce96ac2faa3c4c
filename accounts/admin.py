from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db import models

from accounts.models import AutoSignInToken, ConsentLog, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["email", "name", "role", "is_active", "language", "created_at", "last_login"]
    list_filter = ["role", "is_active", "language", "created_at"]
    search_fields = ["email", "name", "referral_code", "stripe_customer_id"]
    ordering = ["-created_at"]
    readonly_fields = ["created_at", "updated_at", "last_login", "referral_code"]
    raw_id_fields = ["referred_by"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Profile", {"fields": ["name", "image", "language", "onboarding_state"]}),
        ("Access", {"fields": ["role", "is_active", "is_superuser"]}),
        ("Billing", {"fields": ["stripe_customer_id", "referral_code", "referred_by"]}),
        ("Dates", {"fields": ["last_login", "created_at", "updated_at"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "name", "role", "password1", "password2"]})
    ]
    filter_horizontal: list[str] = []
    # Django 6 reads a URL typed without a scheme as https; say so now (5.2 warns otherwise).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(ConsentLog)
class ConsentLogAdmin(admin.ModelAdmin):
    list_display = ["user", "action", "preferences", "ip", "created_at"]
    list_filter = ["action", "created_at"]
    search_fields = ["user__email", "ip"]
    raw_id_fields = ["user"]
    date_hierarchy = "created_at"


@admin.register(AutoSignInToken)
class AutoSignInTokenAdmin(admin.ModelAdmin):
    list_display = ["user", "expires_at", "created_at"]
    search_fields = ["user__email"]
    raw_id_fields = ["user"]
    exclude = ["token_hash"]
