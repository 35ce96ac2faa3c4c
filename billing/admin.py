from __future__ import annotations

from django.contrib import admin

from billing.models import (
    CreditBalance,
    CreditPack,
    CreditTransaction,
    FeatureUsageCounter,
    PromoCode,
    PromoRedemption,
    Referral,
    StripeWebhookLog,
    Subscription,
    SubscriptionPlan,
    SubscriptionPlanFeatureLimit,
)


class FeatureLimitInline(admin.TabularInline):
    model = SubscriptionPlanFeatureLimit
    extra = 0


@admin.register(SubscriptionPlan)
class SubscriptionPlanAdmin(admin.ModelAdmin):
    list_display = ["name", "tier", "price_monthly", "price_yearly", "is_popular", "is_active"]
    list_filter = ["is_active", "is_popular"]
    search_fields = ["name"]
    inlines = [FeatureLimitInline]


@admin.register(SubscriptionPlanFeatureLimit)
class SubscriptionPlanFeatureLimitAdmin(admin.ModelAdmin):
    list_display = ["plan", "feature_name", "is_enabled", "usage_limit"]
    list_filter = ["plan", "feature_name", "is_enabled"]


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = ["user", "plan", "status", "billing_period", "current_period_end"]
    list_filter = ["status", "plan", "billing_period", "cancel_at_period_end"]
    search_fields = ["user__email", "stripe_subscription_id"]
    raw_id_fields = ["user"]


@admin.register(CreditBalance)
class CreditBalanceAdmin(admin.ModelAdmin):
    # The balance is the sum of the ledger: staff grant credits through the ledger, not here.
    list_display = ["user", "balance", "total_purchased", "total_used", "disputed", "updated_at"]
    list_filter = ["disputed"]
    search_fields = ["user__email"]
    raw_id_fields = ["user"]
    readonly_fields = [
        "balance",
        "total_purchased",
        "total_used",
        "total_refunded",
        "total_gifted",
        "balance_after_last_purchase",
        "disputed",
    ]


@admin.register(CreditTransaction)
class CreditTransactionAdmin(admin.ModelAdmin):
    list_display = ["user", "type", "amount", "feature_name", "refunded", "created_at"]
    list_filter = ["type", "feature_name", "refunded", "created_at"]
    search_fields = ["user__email", "key", "stripe_payment_intent_id", "stripe_invoice_id"]
    raw_id_fields = ["user", "task", "cv", "related_transaction"]
    date_hierarchy = "created_at"

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False  # the ledger is append-only

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(CreditPack)
class CreditPackAdmin(admin.ModelAdmin):
    list_display = ["name", "credit_amount", "price", "price_currency", "is_active"]
    list_filter = ["is_active", "price_currency"]
    search_fields = ["name"]


@admin.register(FeatureUsageCounter)
class FeatureUsageCounterAdmin(admin.ModelAdmin):
    list_display = ["user", "feature_name", "count", "period_start", "period_end"]
    list_filter = ["feature_name"]
    search_fields = ["user__email"]
    raw_id_fields = ["user"]


@admin.register(StripeWebhookLog)
class StripeWebhookLogAdmin(admin.ModelAdmin):
    list_display = ["event_id", "event_type", "processed", "error", "created_at"]
    list_filter = ["event_type", "processed"]
    search_fields = ["event_id"]
    date_hierarchy = "created_at"


@admin.register(Referral)
class ReferralAdmin(admin.ModelAdmin):
    list_display = ["referrer", "referred", "status", "rewarded_at", "created_at"]
    list_filter = ["status"]
    search_fields = ["referrer__email", "referred__email"]
    raw_id_fields = ["referrer", "referred"]


class PromoRedemptionInline(admin.TabularInline):
    model = PromoRedemption
    raw_id_fields = ["user"]
    extra = 0


@admin.register(PromoCode)
class PromoCodeAdmin(admin.ModelAdmin):
    list_display = ["code", "kind", "credits", "percent_off", "uses_count", "max_uses", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["code"]
    readonly_fields = ["uses_count"]
    inlines = [PromoRedemptionInline]


@admin.register(PromoRedemption)
class PromoRedemptionAdmin(admin.ModelAdmin):
    list_display = ["promo_code", "user", "created_at"]
    search_fields = ["promo_code__code", "user__email"]
    raw_id_fields = ["promo_code", "user"]
