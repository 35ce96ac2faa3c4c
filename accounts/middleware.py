from __future__ import annotations

from collections.abc import Callable
from typing import Any

from asgiref.sync import iscoroutinefunction
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.middleware.locale import LocaleMiddleware as DjangoLocaleMiddleware
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.cache import patch_cache_control
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from core.config import get_setting

MAINTENANCE_RETRY_AFTER = "600"
# What non-staff can still reach during maintenance: signing in (staff need it), signing out,
# the second factor of a staff sign-in, the health check and the admin's own login.
MAINTENANCE_OPEN_VIEWS = {
    "account_login",
    "account_logout",
    "mfa_authenticate",
    "healthz",
    "admin:login",
    *(f"{p}_{step}" for p in ("google", "github", "apple") for step in ("login", "callback")),
}


def maintenance_response(request: HttpRequest) -> HttpResponse:
    response = render(request, "accounts/maintenance.html", status=503)
    response["Retry-After"] = MAINTENANCE_RETRY_AFTER
    return response


class LocaleMiddleware(DjangoLocaleMiddleware):
    """Django's, but the language a request activates ends with the request.

    Django leaves it active in the thread: whatever runs there next outside a request (a task
    run in-process, an e-mail rendered after a page) would speak the last visitor's language.
    Everything later in the chain (UserLanguageMiddleware, set_language) is inside this scope.
    """

    def __call__(self, request: HttpRequest) -> Any:
        if iscoroutinefunction(self):  # under ASGI each request has its own context already
            return super().__call__(request)
        with translation.override(translation.get_language()):
            return super().__call__(request)


class UserLanguageMiddleware:
    """A signed-in user's saved interface language wins over the browser's and the cookie's.

    Runs after AuthenticationMiddleware; LocaleMiddleware has already activated the session
    (cookie) or browser language, which stays in force for visitors and users without a choice.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        language = getattr(user, "language", "") if user and user.is_authenticated else ""
        if language and language in dict(settings.LANGUAGES):
            translation.activate(language)
            request.LANGUAGE_CODE = language
        return self.get_response(request)


class MaintenanceModeMiddleware:
    """While the `maintenance_mode` setting is on, non-staff see a 503 maintenance page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> HttpResponse | None:
        if not get_setting("maintenance_mode"):
            return None
        user = request.user
        if user.is_authenticated and user.is_staff:
            return None
        match = request.resolver_match
        if match is not None and match.view_name in MAINTENANCE_OPEN_VIEWS:
            return None
        return maintenance_response(request)


# The admin's and the staff dashboards' URL namespaces, and what stays open in them.
STAFF_NAMESPACES = {"admin", "staff"}
STAFF_OPEN_VIEWS = {"admin:login", "admin:logout"}


class StaffSecondFactorMiddleware:
    """With STAFF_REQUIRE_2FA, the admin and the staff dashboards refuse a staff member who has
    no second factor (an allauth MFA authenticator): they are sent to set one up."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> HttpResponse | None:
        if not settings.STAFF_REQUIRE_2FA:
            return None
        match = request.resolver_match
        if match is None or not STAFF_NAMESPACES & set(match.namespaces):
            return None
        if match.view_name in STAFF_OPEN_VIEWS:
            return None
        user = request.user
        if not (user.is_authenticated and user.is_staff):
            return None
        from allauth.mfa.utils import is_mfa_enabled  # allauth.mfa imports its models

        if is_mfa_enabled(user):
            return None
        messages.warning(
            request, _("Staff pages need two-factor authentication. Please set it up first.")
        )
        return redirect("mfa_activate_totp")


class PrivatePagesMiddleware:
    """Pages served to a signed-in user are never stored by the browser or a proxy: after a
    sign-out on a shared computer, Back must not show someone's CV. A view that sets its own
    Cache-Control keeps it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not response.has_header("Cache-Control"):
            patch_cache_control(response, private=True, no_store=True)
        return response


# Room for the form fields and multipart boundaries around the largest file we accept.
UPLOAD_OVERHEAD_BYTES = 1024 * 1024


class RequestSizeLimitMiddleware:
    """Refuse a request whose declared body is larger than the largest upload we accept (the
    PDF limit, a staff setting) before anything reads it: a 50 MB post is answered 413 without
    being streamed to a temporary file. The forms still check each file's own limit and say
    so; the reverse proxy's body limit covers bodies that do not declare a length."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        # Most requests have no body at all: the setting is read only for a large one (the
        # limit is 1 MB at the least, so nothing under the overhead can pass it).
        if declared <= UPLOAD_OVERHEAD_BYTES:
            return self.get_response(request)
        limit_mb = get_setting("pdf_max_size_mb")
        if declared > limit_mb * 1024 * 1024 + UPLOAD_OVERHEAD_BYTES:
            back = request.META.get("HTTP_REFERER") or "/"
            if not url_has_allowed_host_and_scheme(back, {request.get_host()}):
                back = "/"
            context = {"limit_mb": limit_mb, "back": back}
            return render(request, "413.html", context, status=413)
        return self.get_response(request)
