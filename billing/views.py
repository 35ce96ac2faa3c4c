from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from urllib.parse import urlencode

from allauth.core.internal import ratelimit
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from billing import services, stripe_api, webhooks
from billing.forms import BuyPackForm, RedeemCodeForm, SubscribeForm
from billing.models import (
    CreditBalance,
    CreditPack,
    CreditTransaction,
    Feature,
    PromoKind,
    Referral,
    ReferralStatus,
    Subscription,
    SubscriptionPlan,
)
from billing.services import PaymentError, PromoCodeError
from core.config import SETTINGS, get_setting
from core.http import AuthenticatedHttpRequest

logger = logging.getLogger(__name__)

HISTORY_LIMIT = 100
CENT = Decimal("0.01")


# Wrong promo codes go through allauth's rate limiter (ACCOUNT_RATE_LIMITS["promo_code_failed"]:
# per account and per client address, by TRUSTED_PROXY_COUNT like core.http.client_ip).
PROMO_LIMIT = {"app": "allauth.account", "action": "promo_code_failed", "limit_get": True}


def _promo_guesses_spent(request: HttpRequest) -> bool:
    return not ratelimit.consume(request, dry_run=True, **PROMO_LIMIT)


def _count_wrong_promo(request: HttpRequest) -> None:
    ratelimit.consume(request, **PROMO_LIMIT)


def _too_many_codes_message() -> str:
    return _("Too many wrong codes. Please try again in an hour.")


def _subscription_mode() -> bool:
    return bool(get_setting("subscription_mode_enabled"))


def _absolute(name: str) -> str:
    return f"{settings.SITE_ROOT}{reverse(name)}"


def _pack_rows(packs: list[CreditPack], percent_off: int) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for pack in packs:
        price = (pack.price * (100 - percent_off) / 100).quantize(CENT, rounding=ROUND_HALF_UP)
        per_credit = (price / pack.credit_amount).quantize(CENT, rounding=ROUND_HALF_UP)
        rows.append({"pack": pack, "price": price, "per_credit": per_credit})
    if rows:
        min(rows, key=lambda r: r["per_credit"])["best_value"] = True
    return rows


@login_required
@require_GET
def index(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The balance, what credits pay for, and the packs to buy."""
    user = request.user
    balance = CreditBalance.objects.filter(user=user).first() or CreditBalance(user=user)
    promo, promo_error = None, ""
    status = 200
    code = request.GET.get("promo", "").strip()
    if code and _promo_guesses_spent(request):
        promo_error, status = _too_many_codes_message(), 429
    elif code:
        try:
            promo = services.percent_promo_for_checkout(user, code)
        except PromoCodeError as exc:
            promo_error = exc.message
            _count_wrong_promo(request)
    packs = list(CreditPack.objects.filter(is_active=True).order_by("credit_amount"))
    # Manual edits are free and have no price setting: only priced features are listed.
    costs = [
        (label, services.feature_cost(value))
        for value, label in Feature.choices
        if f"credits_{value}" in SETTINGS
    ]
    return render(
        request,
        "billing/index.html",
        {
            "balance": balance,
            "blocked": balance.balance < 0 or balance.disputed,
            "packs": _pack_rows(packs, promo.percent_off if promo else 0),
            "promo": promo,
            "promo_error": promo_error,
            "costs": costs,
            "payments_enabled": stripe_api.is_enabled(),
            "subscription_mode": _subscription_mode(),
            "token": uuid.uuid4(),
            "tab": "credits",
        },
        status=status,
    )


@login_required
@require_POST
def buy_pack(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    pack = get_object_or_404(CreditPack, pk=pk, is_active=True)
    form = BuyPackForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("This purchase form is not valid. Please try again."))
        return redirect("billing:index")
    if form.cleaned_data["promo_code"] and _promo_guesses_spent(request):
        messages.error(request, _too_many_codes_message())
        return redirect("billing:index")
    try:
        url = services.start_pack_checkout(
            request.user,
            pack=pack,
            promo_code=form.cleaned_data["promo_code"],
            token=str(form.cleaned_data["token"] or ""),
        )
    except PromoCodeError as exc:
        _count_wrong_promo(request)
        messages.error(request, exc.message)
        return redirect("billing:index")
    except PaymentError as exc:
        messages.error(request, str(exc))
        return redirect("billing:index")
    return redirect(url)


@login_required
@require_GET
def plans(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not _subscription_mode():
        raise Http404
    user = request.user
    subscription = Subscription.objects.filter(user=user).select_related("plan").first()
    current = services.current_plan(user)
    usage = services.feature_usage(user)
    cards, quotas = [], []
    for plan in SubscriptionPlan.objects.filter(is_active=True).prefetch_related("limits"):
        limits = [limit for limit in plan.limits.all() if limit.is_enabled]
        cards.append({"plan": plan, "limits": limits, "current": plan == current})
        if plan == current:
            quotas = [
                {"limit": limit, "used": usage.get(limit.feature_name, 0)}
                for limit in limits
                if limit.usage_limit >= 0
            ]
    return render(
        request,
        "billing/plans.html",
        {
            "cards": cards,
            "quotas": quotas,
            "subscription": subscription,
            "current_plan": current,
            "payments_enabled": stripe_api.is_enabled(),
            "subscription_mode": True,
            "token": uuid.uuid4(),
            "tab": "plans",
        },
    )


@login_required
@require_POST
def subscribe(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    if not _subscription_mode():
        raise Http404
    plan = get_object_or_404(SubscriptionPlan, pk=pk, is_active=True)
    form = SubscribeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose monthly or yearly billing."))
        return redirect("billing:plans")
    try:
        url = services.start_plan_checkout(
            request.user,
            plan=plan,
            billing_period=form.cleaned_data["billing_period"],
            token=str(form.cleaned_data["token"] or ""),
        )
    except PaymentError as exc:
        messages.error(request, str(exc))
        return redirect("billing:plans")
    return redirect(url)


@login_required
@require_POST
def portal(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Stripe's customer portal: cards, invoices, plan changes and cancellation."""
    try:
        url = services.open_customer_portal(request.user, return_url=_absolute("billing:index"))
    except PaymentError as exc:
        messages.error(request, str(exc))
        return redirect("billing:index")
    return redirect(url)


def _invoice_row(invoice: dict[str, Any]) -> dict[str, Any]:
    created = invoice.get("created")
    return {
        "number": invoice.get("number") or invoice.get("id"),
        "date": datetime.fromtimestamp(int(created), tz=UTC) if created else None,
        "total": services.format_money(invoice.get("total"), str(invoice.get("currency") or "")),
        "status": invoice.get("status") or "",
        "url": invoice.get("hosted_invoice_url") or "",
        "pdf": invoice.get("invoice_pdf") or "",
    }


@login_required
@require_GET
def history(request: AuthenticatedHttpRequest) -> HttpResponse:
    transactions = CreditTransaction.objects.filter(user=request.user).only(
        "amount", "type", "feature_name", "refunded", "created_at", "metadata"
    )[:HISTORY_LIMIT]
    return render(
        request,
        "billing/history.html",
        {
            "transactions": transactions,
            "invoices": [_invoice_row(i) for i in services.customer_invoices(request.user)],
            "payments_enabled": stripe_api.is_enabled(),
            "subscription_mode": _subscription_mode(),
            "tab": "history",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def redeem(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = RedeemCodeForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid() and _promo_guesses_spent(request):
        form.add_error("code", _too_many_codes_message())
        status = 429
    elif request.method == "POST" and form.is_valid():
        code = form.cleaned_data["code"]
        try:
            promo = services.redeem_promo_code(request.user, code)
        except PromoCodeError as exc:
            form.add_error("code", exc.message)
            _count_wrong_promo(request)
        else:
            if promo.kind == PromoKind.PERCENT:
                messages.info(
                    request,
                    _("Code accepted: %(percent)s%% off the credit pack you buy now.")
                    % {"percent": promo.percent_off},
                )
                query = urlencode({"promo": promo.code})
                return redirect(f"{reverse('billing:index')}?{query}#packs")
            messages.success(
                request,
                ngettext(
                    "Code accepted: %(count)s credit was added to your balance.",
                    "Code accepted: %(count)s credits were added to your balance.",
                    promo.credits,
                )
                % {"count": promo.credits},
            )
            return redirect("billing:index")
    return render(
        request,
        "billing/redeem.html",
        {"form": form, "subscription_mode": _subscription_mode(), "tab": "redeem"},
        status=status,
    )


@login_required
@require_GET
def referral(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    link = settings.SITE_ROOT + reverse("accounts:referral", args=[user.referral_code])
    referrals = Referral.objects.filter(referrer=user)
    return render(
        request,
        "billing/referral.html",
        {
            "referral_url": link,
            "signed_up": referrals.count(),
            "rewarded": referrals.filter(status=ReferralStatus.REWARDED).count(),
            "referrer_credits": get_setting("referral_referrer_credits"),
            "referred_credits": get_setting("referral_referred_credits"),
            "subscription_mode": _subscription_mode(),
            "tab": "referral",
        },
    )


@login_required
@require_GET
def checkout_done(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Where Checkout sends the buyer back. Fulfils the session too (the same idempotent
    service as the webhook), so credits show at once even if the webhook is late."""
    session_id = request.GET.get("session_id", "")
    if not session_id.startswith("cs_") or not stripe_api.is_enabled():
        raise Http404
    try:
        session = stripe_api.retrieve_checkout_session(session_id)
    except PaymentError as exc:
        messages.error(request, str(exc))
        return redirect("billing:index")
    if str(session.get("client_reference_id")) != str(request.user.pk):
        raise Http404
    row = services.fulfil_checkout_session(session)
    return render(
        request,
        "billing/checkout_done.html",
        {
            "paid": session.get("payment_status") in services.PAID_SESSION_STATUSES,
            "is_subscription": session.get("mode") == "subscription",
            "credits": row.amount if row is not None else 0,
            "subscription_mode": _subscription_mode(),
            "tab": "credits",
        },
    )


@csrf_exempt
@require_POST
def webhook(request: HttpRequest) -> HttpResponse:
    try:
        event = stripe_api.construct_event(
            request.body, request.headers.get("Stripe-Signature", "")
        )
    except PaymentError:
        return HttpResponseBadRequest("Invalid signature")
    try:
        outcome = webhooks.process_event(event)
    except Exception:
        # Nothing was kept (one transaction): a 500 makes Stripe deliver the event again.
        logger.exception("Stripe event %s (%s) failed", event.get("id"), event.get("type"))
        return HttpResponse("Event processing failed", status=500)
    return JsonResponse({"status": outcome})
