from __future__ import annotations

import uuid
from types import GenericAlias
from typing import TYPE_CHECKING, Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse

from billing.forms import GrantCreditsForm
from billing.models import (
    CreditBalance,
    CreditPack,
    CreditTransaction,
    FeatureUsageCounter,
    PromoCode,
    PromoRedemption,
    QuotaCharge,
    Referral,
    SignupFingerprint,
    StripeWebhookLog,
    Subscription,
    SubscriptionPlan,
    SubscriptionPlanFeatureLimit,
    TransactionType,
)
from billing.services import PriceSync, grant_credits, push_pack_price, push_plan_prices

if TYPE_CHECKING:
    from django.contrib.admin import ModelAdmin, TabularInline
else:
    # django-stubs types the admin classes as generic over their model; Django's are not
    # subscriptable at run time (django_stubs_ext is a development requirement only).
    class ModelAdmin(admin.ModelAdmin):
        __class_getitem__ = classmethod(GenericAlias)

    class TabularInline(admin.TabularInline):
        __class_getitem__ = classmethod(GenericAlias)


def _tell(model_admin: ModelAdmin[Any], request: HttpRequest, result: PriceSync) -> None:
    """What pushing a price to Stripe did, for the staff member who saved it."""
    if result.created:
        model_admin.message_user(
            request,
            f"Stripe: new price {', '.join(result.created)}"
            + (f"; archived {', '.join(result.archived)}." if result.archived else "."),
            messages.SUCCESS,
        )
    for warning in result.warnings:
        model_admin.message_user(request, warning, messages.WARNING)
    for error in result.errors:
        model_admin.message_user(request, error, messages.ERROR)


class FeatureLimitInline(TabularInline[SubscriptionPlanFeatureLimit, SubscriptionPlan]):
    model = SubscriptionPlanFeatureLimit
    extra = 0


@admin.register(SubscriptionPlan)
class SubscriptionPlanAdmin(ModelAdmin[SubscriptionPlan]):
    list_display = ["name", "tier", "price_monthly", "price_yearly", "is_popular", "is_active"]
    list_filter = ["is_active", "is_popular"]
    search_fields = ["name"]
    inlines = [FeatureLimitInline]

    def save_model(
        self, request: HttpRequest, obj: SubscriptionPlan, form: Any, change: bool
    ) -> None:
        before = SubscriptionPlan.objects.filter(pk=obj.pk).first() if change else None
        super().save_model(request, obj, form, change)
        _tell(self, request, push_plan_prices(obj, before=before))


@admin.register(SubscriptionPlanFeatureLimit)
class SubscriptionPlanFeatureLimitAdmin(ModelAdmin[SubscriptionPlanFeatureLimit]):
    list_display = ["plan", "feature_name", "is_enabled", "usage_limit"]
    list_filter = ["plan", "feature_name", "is_enabled"]


@admin.register(Subscription)
class SubscriptionAdmin(ModelAdmin[Subscription]):
    list_display = ["user", "plan", "status", "billing_period", "current_period_end"]
    list_filter = ["status", "plan", "billing_period", "cancel_at_period_end"]
    search_fields = ["user__email", "stripe_subscription_id"]
    raw_id_fields = ["user"]


@admin.register(CreditBalance)
class CreditBalanceAdmin(ModelAdmin[CreditBalance]):
    # The balance is the sum of the ledger: staff grant credits through the ledger, not here.
    list_display = ["user", "balance", "total_purchased", "total_used", "disputed", "updated_at"]
    list_filter = ["disputed"]
    search_fields = ["user__email"]
    raw_id_fields = ["user"]
    actions = ["grant_credits_action"]
    change_list_template = "billing/admin_creditbalance_change_list.html"
    readonly_fields = [
        "balance",
        "total_purchased",
        "total_used",
        "total_refunded",
        "total_gifted",
        "balance_after_last_purchase",
        "disputed",
    ]

    def get_urls(self) -> list[URLPattern]:
        grant = path(
            "grant/",
            self.admin_site.admin_view(self.grant_credits_view),
            name="billing_creditbalance_grant",
        )
        return [grant, *super().get_urls()]

    @admin.action(description="Grant credits to the selected users…")
    def grant_credits_action(
        self, request: HttpRequest, queryset: QuerySet[CreditBalance]
    ) -> HttpResponse:
        emails = "\n".join(queryset.values_list("user__email", flat=True))
        url = reverse("admin:billing_creditbalance_grant")
        request.session["billing_grant_emails"] = emails
        return redirect(url)

    def grant_credits_view(self, request: HttpRequest) -> HttpResponse:
        """Add credits to accounts; each grant is a ledger row with the reason and the
        staff member, keyed by the form's token so a double submit grants once."""
        staff = request.user
        if not staff.is_authenticated or not staff.has_perm("billing.add_credittransaction"):
            raise PermissionDenied
        if request.method == "POST":
            form = GrantCreditsForm(request.POST)
            if form.is_valid():
                data = form.cleaned_data
                for user in data["emails"]:
                    grant_credits(
                        user,
                        data["amount"],
                        type=TransactionType.ADMIN_GRANT,
                        key=f"admin-grant:{data['token']}:{user.pk}",
                        reason=data["reason"],
                        by=staff,
                    )
                self.message_user(
                    request,
                    f"Granted {data['amount']} credits to {len(data['emails'])} account(s).",
                    messages.SUCCESS,
                )
                return redirect("admin:billing_creditbalance_changelist")
        else:
            form = GrantCreditsForm(
                initial={
                    "emails": request.session.pop("billing_grant_emails", ""),
                    "token": uuid.uuid4(),
                }
            )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Grant credits",
            "form": form,
        }
        return TemplateResponse(request, "billing/admin_grant_credits.html", context)


@admin.register(CreditTransaction)
class CreditTransactionAdmin(ModelAdmin[CreditTransaction]):
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
class CreditPackAdmin(ModelAdmin[CreditPack]):
    list_display = ["name", "credit_amount", "price", "price_currency", "is_active"]
    list_filter = ["is_active", "price_currency"]
    search_fields = ["name"]

    def save_model(self, request: HttpRequest, obj: CreditPack, form: Any, change: bool) -> None:
        before = CreditPack.objects.filter(pk=obj.pk).first() if change else None
        super().save_model(request, obj, form, change)
        _tell(self, request, push_pack_price(obj, before=before))


@admin.register(FeatureUsageCounter)
class FeatureUsageCounterAdmin(ModelAdmin[FeatureUsageCounter]):
    list_display = ["user", "feature_name", "count", "period_start", "period_end"]
    list_filter = ["feature_name"]
    search_fields = ["user__email"]
    raw_id_fields = ["user"]


@admin.register(StripeWebhookLog)
class StripeWebhookLogAdmin(ModelAdmin[StripeWebhookLog]):
    list_display = ["event_id", "event_type", "processed", "error", "created_at"]
    list_filter = ["event_type", "processed"]
    search_fields = ["event_id"]
    date_hierarchy = "created_at"


@admin.register(Referral)
class ReferralAdmin(ModelAdmin[Referral]):
    list_display = ["referrer", "referred", "status", "rewarded_at", "created_at"]
    list_filter = ["status"]
    search_fields = ["referrer__email", "referred__email"]
    raw_id_fields = ["referrer", "referred"]


class PromoRedemptionInline(TabularInline[PromoRedemption, PromoCode]):
    model = PromoRedemption
    raw_id_fields = ["user"]
    extra = 0


@admin.register(PromoCode)
class PromoCodeAdmin(ModelAdmin[PromoCode]):
    list_display = ["code", "kind", "credits", "percent_off", "uses_count", "max_uses", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["code"]
    readonly_fields = ["uses_count"]
    inlines = [PromoRedemptionInline]


@admin.register(PromoRedemption)
class PromoRedemptionAdmin(ModelAdmin[PromoRedemption]):
    list_display = ["promo_code", "user", "created_at"]
    search_fields = ["promo_code__code", "user__email"]
    raw_id_fields = ["promo_code", "user"]


@admin.register(QuotaCharge)
class QuotaChargeAdmin(ModelAdmin[QuotaCharge]):
    list_display = ["user", "feature_name", "period_start", "released", "created_at"]
    list_filter = ["feature_name", "released"]
    search_fields = ["user__email", "key"]
    raw_id_fields = ["user", "task"]

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(SignupFingerprint)
class SignupFingerprintAdmin(ModelAdmin[SignupFingerprint]):
    list_display = ["email_hash", "user", "created_at"]
    search_fields = ["email_hash", "user__email"]
    raw_id_fields = ["user"]
    readonly_fields = ["email_hash", "user", "created_at"]
