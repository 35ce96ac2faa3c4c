from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import redirect

from accounts.models import AutoSignInToken, BookmarkletToken, ConsentLog, User
from accounts.services import (
    delete_account,
    reset_onboarding,
    revoke_bookmarklet_token,
    set_up_staff_created_account,
)
from billing.services import PaymentError


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
    actions = ["reset_onboarding_action"]

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if not change:
            # Staff vouch for the address; the account gets what a sign-up gives.
            set_up_staff_created_account(obj)

    def get_deleted_objects(self, objs: Any, request: HttpRequest) -> Any:
        # The ledger refuses deletes from its own admin; an account is erased by the same
        # service as a user's own deletion, which handles the ledger rows. The page still
        # lists everything that goes.
        deleted, counts, _perms_needed, protected = super().get_deleted_objects(objs, request)
        return deleted, counts, set(), protected

    def delete_model(self, request: HttpRequest, obj: User) -> None:
        self._erase(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        for user in list(queryset):
            self._erase(request, user)

    def response_delete(self, request: HttpRequest, obj_display: str, obj_id: int) -> Any:
        if getattr(request, "erasure_failed", False):
            # Not "deleted successfully": back to the user, with the error message.
            return redirect("admin:accounts_user_change", obj_id)
        return super().response_delete(request, obj_display, obj_id)

    def _erase(self, request: HttpRequest, user: User) -> None:
        try:
            delete_account(user)
        except PaymentError as exc:
            request.erasure_failed = True  # type: ignore[attr-defined]
            self.message_user(
                request,
                f"{user.email} was not deleted: their Stripe customer could not be deleted "
                f"({exc}). Nothing of theirs was changed; try again later.",
                messages.ERROR,
            )

    @admin.action(description="Reset the onboarding tour of the selected users")
    def reset_onboarding_action(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        users = list(queryset)
        for user in users:
            reset_onboarding(user)
        self.message_user(
            request, f"The onboarding tour starts again for {len(users)} user(s).", messages.SUCCESS
        )


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


@admin.register(BookmarkletToken)
class BookmarkletTokenAdmin(admin.ModelAdmin[BookmarkletToken]):
    """Read-only: which bookmarklets a user has and when they were used; staff can only revoke
    them (a user who reports a lost or leaked one). The token itself is never stored."""

    list_display = ["user", "name", "prefix", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["created_at", "last_used_at", "revoked_at"]
    search_fields = ["user__email", "name", "prefix"]
    list_select_related = ["user"]
    exclude = ["token_hash"]
    date_hierarchy = "created_at"
    actions = ["revoke_action"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(
        self, request: HttpRequest, obj: BookmarkletToken | None = None
    ) -> bool:
        return False

    @admin.action(description="Revoke the selected bookmarklets")
    def revoke_action(self, request: HttpRequest, queryset: QuerySet[BookmarkletToken]) -> None:
        tokens = list(queryset.filter(revoked_at__isnull=True))
        for token in tokens:
            revoke_bookmarklet_token(token)
        self.message_user(
            request, f"{len(tokens)} bookmarklet(s) revoked: they no longer work.", messages.SUCCESS
        )
