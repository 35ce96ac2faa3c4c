from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from allauth.account.decorators import reauthentication_required
from allauth.account.models import EmailAddress
from allauth.account.utils import perform_login
from allauth.mfa.utils import is_mfa_enabled
from allauth.socialaccount.adapter import get_adapter as get_social_adapter
from allauth.socialaccount.models import SocialAccount
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import consent, onboarding, services
from accounts.bookmarklet import bookmarklet_href
from accounts.forms import (
    BookmarkletForm,
    ConsentForm,
    DeleteAccountForm,
    LanguageForm,
    ProfileForm,
    ResendVerificationForm,
)
from accounts.http import (
    pending_email,
    remember_pending_email,
    sign_in_token_is_bound,
)
from accounts.models import BookmarkletToken, ConsentLog
from billing.models import CreditPack, SubscriptionPlan
from billing.services import PaymentError, feature_cost
from core.config import get_setting
from core.http import AuthenticatedHttpRequest

REFERRAL_CODE_MAX_LENGTH = 16
# A new bookmarklet's token, kept in the session from its creation to the page that shows it
# (once: only its hash is stored).
NEW_BOOKMARKLET_SESSION_KEY = "accounts_new_bookmarklet"
CONSENT_HISTORY_LIMIT = 50
# What credits pay for, as shown on the landing page: (cost setting, label).
# Features by their billing name: the price shown is what charging them takes (feature_cost),
# so an offline translation shows its offline price.
PRICED_FEATURES = [
    ("gpt_cv_generation", gettext_lazy("Tailored CV for one job offer")),
    ("import_pdf", gettext_lazy("Import a CV from PDF")),
    ("optimize_cv", gettext_lazy("Improve a CV from suggestions")),
    ("match_score", gettext_lazy("Match score with suggestions")),
    ("translate_cv", gettext_lazy("Translate a CV")),
    ("export_cv", gettext_lazy("PDF or Word export")),
    ("generate_from_job_title", gettext_lazy("Example CV from a job title")),
    ("create_cv_manual", gettext_lazy("Create and edit CVs by hand")),
]


def _safe_next(request: HttpRequest, url: str | None, fallback: str) -> str:
    """`url` when it is a path of this site, else `fallback` (no open redirects).

    Only paths: redirect() would take a bare word ("0", "home") for a view name and fail.
    """
    if (
        url
        and url.startswith("/")
        and url_has_allowed_host_and_scheme(
            url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return url
    return fallback


def _wants_json(request: HttpRequest) -> bool:
    return request.headers.get("Accept", "").startswith("application/json")


# Public pages -----------------------------------------------------------------------------------


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("cvs:index")
    packs = []
    for pack in CreditPack.objects.filter(is_active=True).order_by("credit_amount"):
        per_credit = (pack.price / pack.credit_amount).quantize(
            Decimal("0.01"), rounding=ROUND_HALF_UP
        )
        packs.append({"pack": pack, "per_credit": per_credit})
    if packs:
        min(packs, key=lambda p: p["per_credit"])["best_value"] = True
    plans = (
        SubscriptionPlan.objects.filter(is_active=True).order_by("tier")
        if get_setting("subscription_mode_enabled")
        else SubscriptionPlan.objects.none()
    )
    costs = [(label, feature_cost(name)) for name, label in PRICED_FEATURES]
    return render(
        request,
        "pages/home.html",
        {
            "packs": packs,
            "plans": plans,
            "costs": costs,
            "welcome_credits": get_setting("welcome_credits"),
        },
    )


@require_GET
def about(request: HttpRequest) -> HttpResponse:
    return render(request, "pages/about.html")


@require_GET
def terms(request: HttpRequest) -> HttpResponse:
    return render(request, "pages/terms.html")


@require_GET
def privacy(request: HttpRequest) -> HttpResponse:
    return render(request, "pages/privacy.html")


@require_GET
def cookies(request: HttpRequest) -> HttpResponse:
    current = consent.consent_from_request(request)
    form = ConsentForm(
        initial={
            "choice": consent.CHOICE_CUSTOM,
            "functional": bool(current and current["functional"]),
            "analytics": bool(current and current["analytics"]),
        }
    )
    history = (
        ConsentLog.objects.filter(user=request.user)[:CONSENT_HISTORY_LIMIT]
        if request.user.is_authenticated
        else []
    )
    return render(
        request,
        "pages/cookies.html",
        {
            "current": current,
            "form": form,
            "history": history,
            "registry": consent.COOKIE_REGISTRY,
        },
    )


@require_POST
def save_consent(request: HttpRequest) -> HttpResponse:
    form = ConsentForm(request.POST)
    if not form.is_valid():
        if _wants_json(request):
            return JsonResponse({"errors": form.errors}, status=400)
        messages.error(request, _("Your cookie choice could not be saved. Please try again."))
        return redirect("accounts:cookies")
    preferences = form.preferences()
    action = consent.consent_action(consent.consent_from_request(request), preferences)
    if request.user.is_authenticated:
        services.log_consent_from_request(
            request.user,  # type: ignore[arg-type]
            request=request,
            preferences=preferences,
            action=action,
        )
    response: HttpResponse
    if _wants_json(request):
        response = JsonResponse({"preferences": preferences, "action": action})
    else:
        messages.success(request, _("Your cookie preferences have been saved."))
        response = redirect(_safe_next(request, form.cleaned_data["next"], reverse("home")))
    consent.set_consent_cookie(response, preferences)
    return response


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    form = LanguageForm(request.POST)
    next_url = _safe_next(request, request.POST.get("next"), reverse("home"))
    if not form.is_valid():
        messages.error(request, _("This language is not available."))
        return redirect(next_url)
    language = form.cleaned_data["language"]
    if request.user.is_authenticated:
        request.user.language = language  # type: ignore[union-attr]
        request.user.save(update_fields=["language", "updated_at"])  # type: ignore[union-attr]
    translation.activate(language)
    response = redirect(next_url)
    _set_language_cookie(response, language)
    return response


def _set_language_cookie(response: HttpResponse, language: str) -> None:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


@require_GET
def referral_landing(request: HttpRequest, code: str) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("accounts:index")
    code = code.strip().upper()
    # Unknown codes are kept too and ignored at sign-up, so this page says nothing about codes.
    if code.isalnum() and len(code) <= REFERRAL_CODE_MAX_LENGTH:
        request.session[services.REFERRAL_SESSION_KEY] = code
    return redirect("account_signup")


# Sign-up and verification -----------------------------------------------------------------------


@require_GET
def verify_email_sent(request: HttpRequest) -> HttpResponse:
    """The "check your inbox" page shown after sign-up and to unverified users who sign in."""
    email = pending_email(request)
    form = ResendVerificationForm(initial={"email": email})
    return render(
        request,
        "account/verification_sent.html",
        {"form": form, "email": email, "cooldown": services.verification_cooldown_left(email)},
    )


@require_POST
def resend_verification(request: HttpRequest) -> HttpResponse:
    form = ResendVerificationForm(request.POST)
    if not form.is_valid():
        return render(
            request,
            "account/verification_sent.html",
            {"form": form, "email": "", "cooldown": 0},
        )
    email = form.cleaned_data["email"]
    remember_pending_email(request, email)
    if services.send_verification_again(request, email=email):
        messages.info(
            request,
            _("If this address is waiting to be confirmed, a new link is on its way to it."),
        )
    else:
        messages.warning(request, _("Please wait a minute before asking for another link."))
    return redirect("account_email_verification_sent")


@never_cache
@require_GET
def complete_signin(request: HttpRequest) -> HttpResponse:
    """Exchange the one-use token from the verification redirect for a session."""
    token = request.GET.get("token", "")
    try:
        if not sign_in_token_is_bound(request, token):
            raise services.SignInTokenError("invalid")
        user = services.redeem_auto_sign_in_token(token)
    except services.SignInTokenError as exc:
        return render(
            request, "accounts/complete_signin_failed.html", {"reason": exc.reason}, status=400
        )
    if request.user.is_authenticated and request.user.pk != user.pk:
        logout(request)
    return perform_login(request, user)


# Account page -----------------------------------------------------------------------------------


def _new_bookmarklet(request: AuthenticatedHttpRequest) -> dict[str, Any] | None:
    """The bookmarklet made just before this page, to drag now: its token is never shown again."""
    new = request.session.pop(NEW_BOOKMARKLET_SESSION_KEY, None)
    if not isinstance(new, dict) or not isinstance(new.get("pk"), int):
        return None
    pk, raw = new["pk"], str(new.get("token", ""))
    if not BookmarkletToken.objects.owned_by(request.user).active().filter(pk=pk).exists():
        return None
    # The bookmarklet posts to the address the user reached us by (SITE_ROOT may be another).
    action = request.build_absolute_uri(reverse("joboffers:send"))
    return {"pk": pk, "href": bookmarklet_href(raw, action=action)}


def _account_context(
    request: AuthenticatedHttpRequest,
    form: ProfileForm,
    *,
    bookmarklet_form: BookmarkletForm | None = None,
) -> dict[str, Any]:
    user = request.user
    providers = get_social_adapter().list_providers(request)
    state = onboarding.normalise(user.onboarding_state)
    return {
        "form": form,
        "primary_email": EmailAddress.objects.filter(user=user, primary=True).first(),
        "social_accounts": SocialAccount.objects.filter(user=user).order_by("provider"),
        "providers": providers,
        "mfa_enabled": is_mfa_enabled(user),
        "referral_url": settings.SITE_ROOT
        + reverse("accounts:referral", kwargs={"code": user.referral_code}),
        "referral_count": user.referrals.count(),
        "onboarding": state,
        "onboarding_active": onboarding.is_active(state),
        "bookmarklets": BookmarkletToken.objects.owned_by(user).active(),
        "bookmarklet_form": bookmarklet_form or BookmarkletForm(),
        "new_bookmarklet": _new_bookmarklet(request),
        "max_bookmarklets": services.MAX_ACTIVE_BOOKMARKLETS,
    }


@login_required
@require_GET
def index(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = ProfileForm(instance=request.user)
    return render(request, "accounts/index.html", _account_context(request, form))


@login_required
@require_POST
def update_profile(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = ProfileForm(request.POST, instance=request.user)
    if not form.is_valid():
        return render(request, "accounts/index.html", _account_context(request, form))
    user = form.save()
    response = redirect("accounts:index")
    if user.language:
        # Before the message, so that it is written in the language just chosen.
        translation.activate(user.language)
        _set_language_cookie(response, user.language)
    messages.success(request, _("Your profile has been saved."))
    return response


def _get_bookmarklet_for_user(request: AuthenticatedHttpRequest, pk: int) -> BookmarkletToken:
    return get_object_or_404(BookmarkletToken.objects.owned_by(request.user).active(), pk=pk)


@login_required
@require_POST
def create_bookmarklet(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = BookmarkletForm(request.POST)
    if form.is_valid():
        try:
            token, raw = services.create_bookmarklet_token(
                request.user, name=form.cleaned_data["name"]
            )
        except services.TooManyBookmarklets:
            form.add_error(
                None,
                _(
                    "You have %(n)d bookmarklets already, the most an account may have. "
                    "Remove one you no longer use first."
                )
                % {"n": services.MAX_ACTIVE_BOOKMARKLETS},
            )
        else:
            request.session[NEW_BOOKMARKLET_SESSION_KEY] = {"pk": token.pk, "token": raw}
            messages.success(
                request, _("Your bookmarklet is ready: drag it to your bookmarks bar.")
            )
            return redirect(reverse("accounts:index") + "#bookmarklet")
    context = _account_context(request, ProfileForm(instance=request.user), bookmarklet_form=form)
    return render(request, "accounts/index.html", context, status=400)


@login_required
@require_POST
def revoke_bookmarklet(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    token = _get_bookmarklet_for_user(request, pk)
    services.revoke_bookmarklet_token(token)
    messages.success(
        request,
        _("The bookmarklet “%(name)s” no longer works. You can remove it from your browser.")
        % {"name": token.name},
    )
    return redirect(reverse("accounts:index") + "#bookmarklet")


@login_required
@require_POST
def onboarding_action(request: AuthenticatedHttpRequest, action: str) -> HttpResponse:
    transition = onboarding.TRANSITIONS.get(action)
    if transition is None:
        raise Http404("Unknown onboarding action")
    onboarding.apply_transition(request.user, transition)
    if action == "replay":
        messages.info(request, _("The tour starts again from the first step."))
        return redirect("cvs:index")
    return redirect(_safe_next(request, request.POST.get("next"), reverse("cvs:index")))


@login_required
@never_cache
@require_GET
def export_data(request: AuthenticatedHttpRequest) -> HttpResponse:
    data = services.export_user_data(request.user)
    response = JsonResponse(data, json_dumps_params={"indent": 2, "ensure_ascii": False})
    filename = f"fitmycv-data-{timezone.now():%Y-%m-%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
@reauthentication_required(allow_get=True)
def delete_account(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Password (or 2FA) users re-authenticate before the POST; everyone types their address."""
    if request.method == "POST":
        form = DeleteAccountForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                services.delete_account(request.user)
            except PaymentError:
                # Their subscription must end with the account: nothing is deleted until
                # the payment service has ended it.
                form.add_error(
                    None,
                    _(
                        "Your subscription could not be ended with the payment service just "
                        "now, so nothing was deleted. Please try again in a few minutes."
                    ),
                )
                return render(request, "accounts/delete.html", {"form": form}, status=503)
            logout(request)
            messages.success(request, _("Your account and all its data have been deleted."))
            return redirect("home")
    else:
        form = DeleteAccountForm(user=request.user)
    return render(request, "accounts/delete.html", {"form": form})
