from __future__ import annotations

import csv
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.db import transaction
from django.forms import ModelForm
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import User
from ai.models import OpenAIPricing
from billing.models import TransactionType
from billing.services import grant_credits
from core.config import SETTINGS, get_setting, invalidate_settings_cache
from core.http import AuthenticatedHttpRequest
from core.models import Setting, SettingCategory
from staff import dashboards
from staff.dashboards import Dashboard, Period, Table
from staff.forms import (
    BlockForm,
    FeedbackTriageForm,
    GrantCreditsForm,
    PeriodForm,
    RoleForm,
    SettingsForm,
    UserSearchForm,
)
from telemetry.models import FeedbackStatus

View = Callable[..., HttpResponse]

# The dashboards, in the order of the tab bar: (URL name, title).
NAV = [
    ("overview", "Overview"),
    ("features", "Features"),
    ("errors", "Errors"),
    ("extractions", "Extractions"),
    ("ai_costs", "AI costs"),
    ("feedback_dashboard", "Feedback"),
    ("users", "Users"),
    ("onboarding", "Onboarding"),
    ("revenue", "Revenue"),
    ("emails", "E-mails"),
    ("settings", "Settings"),
]
TITLES = dict(NAV)
# The dashboards that are a period and a builder, by URL name; feedback and users have views
# of their own.
BUILDERS: dict[str, Callable[..., Dashboard]] = {
    "overview": dashboards.overview.build,
    "features": dashboards.features.build,
    "errors": dashboards.errors.build,
    "extractions": dashboards.extractions.build,
    "ai_costs": dashboards.ai_costs.build,
    "onboarding": dashboards.onboarding.build,
    "revenue": dashboards.revenue.build,
    "emails": dashboards.emails.build,
}
# The query parameters a dashboard filters on, passed to its builder as keyword arguments.
FILTERS = {"extractions": ("domain",)}
USERS_PER_PAGE = 50
MAX_CSV_USERS = 10_000


# --- Staff pages --------------------------------------------------------------------------------


def staff_required(view: View) -> View:
    """Anonymous visitors are sent to sign in; signed-in non-staff get a plain 404."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not (request.user.is_active and request.user.is_staff):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def _context(request: HttpRequest, active: str, **extra: Any) -> dict[str, Any]:
    return {
        **admin.site.each_context(request),
        # The tab bar replaces the admin's model sidebar on these wide pages.
        "is_nav_sidebar_enabled": False,
        "title": TITLES[active],
        "nav": NAV,
        "active": active,
        **extra,
    }


def _csv_response(table: Table, name: str) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    writer = csv.writer(response)
    writer.writerows(table.csv_rows())
    return response


def _dashboard_page(
    request: HttpRequest,
    active: str,
    build: Callable[[Period], Dashboard],
    *,
    template: str = "staff/dashboard.html",
    **extra: Any,
) -> HttpResponse:
    form = PeriodForm(request.GET or None)
    period = form.get_period()
    dashboard = build(period)
    if request.GET.get("format") == "csv":
        table = dashboard.table(request.GET.get("table"))
        if table is None:
            raise Http404
        return _csv_response(table, f"fitmycv-{active}-{table.key}-{period.start}-{period.end}")
    status = 400 if form.is_bound and not form.is_valid() else 200
    ctx = _context(request, active, dashboard=dashboard, period_form=form, period=period, **extra)
    return render(request, template, ctx, status=status)


@require_GET
@staff_required
def dashboard(request: HttpRequest, name: str) -> HttpResponse:
    """One of the dashboards built from a period, by URL name (see `BUILDERS`)."""
    build = BUILDERS[name]
    filters = {key: request.GET.get(key, "")[:255] for key in FILTERS.get(name, ())}
    return _dashboard_page(request, name, lambda period: build(period, **filters))


@require_GET
@staff_required
def feedback_dashboard(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    status = status if status in FeedbackStatus.values else ""
    bugs = request.GET.get("bugs", "")
    return _dashboard_page(
        request,
        "feedback_dashboard",
        lambda period: dashboards.feedback.build(period, status=status, bugs=bugs),
        template="staff/feedback_dashboard.html",
        statuses=FeedbackStatus.choices,
    )


@require_POST
@staff_required
def feedback_triage(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = FeedbackTriageForm(request.POST)
    back = request.POST.get("next", "")
    # A path only: redirect() would take a bare word for a view name and fail.
    if not back.startswith("/") or not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}
    ):
        back = reverse("staff:feedback_dashboard")
    if not form.is_valid():
        messages.error(request, _("Select at least one message and a status."))
        return redirect(back)
    status = form.cleaned_data["status"]
    selected = form.cleaned_data["ids"]
    with transaction.atomic():
        count = selected.update(status=status)
        LogEntry.objects.log_actions(request.user.pk, selected, CHANGE, f"Marked as {status}")
    messages.success(
        request,
        _("%(n)d messages marked as %(status)s.")
        % {"n": count, "status": FeedbackStatus(status).label.lower()},
    )
    return redirect(back)


@require_GET
@staff_required
def users(request: HttpRequest) -> HttpResponse:
    form = UserSearchForm(request.GET)
    filters = form.cleaned_data if form.is_valid() else {}
    found = dashboards.users_queryset(
        q=filters.get("q", ""), role=filters.get("role", ""), state=filters.get("state", "")
    )
    if request.GET.get("format") == "csv":
        table = dashboards.USERS_TABLE.build(dashboards.user_rows(found[:MAX_CSV_USERS]))
        return _csv_response(table, "fitmycv-users")
    page = Paginator(found, USERS_PER_PAGE).get_page(request.GET.get("page"))
    table = dashboards.USERS_TABLE.build(dashboards.user_rows(page.object_list))
    query = request.GET.copy()
    query.pop("page", None)
    ctx = _context(
        request,
        "users",
        dashboard=dashboards.users_summary(),
        search_form=form,
        table=table,
        page=page,
        query=query.urlencode(),
    )
    return render(request, "staff/users.html", ctx)


def _user_page(
    request: HttpRequest, target: User, *, status: int = 200, **forms: Any
) -> HttpResponse:
    ctx = _context(
        request,
        "users",
        target=target,
        activity=dashboards.user_activity(target),
        grant_form=forms.get("grant_form") or GrantCreditsForm(),
        role_form=forms.get("role_form") or RoleForm(instance=target),
        block_form=forms.get("block_form") or BlockForm(instance=target),
        is_self=target.pk == request.user.pk,
    )
    ctx["title"] = target.email
    return render(request, "staff/user_detail.html", ctx, status=status)


@require_GET
@staff_required
def user_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _user_page(request, get_object_or_404(User, pk=pk))


@require_POST
@staff_required
def user_grant(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    target = get_object_or_404(User, pk=pk)
    form = GrantCreditsForm(request.POST)
    if not form.is_valid():
        return _user_page(request, target, status=400, grant_form=form)
    amount, reason = form.cleaned_data["amount"], form.cleaned_data["reason"]
    with transaction.atomic():
        grant_credits(
            target,
            amount,
            type=TransactionType.ADMIN_GRANT,
            key=f"admin-grant:{target.pk}:{form.cleaned_data['nonce']}",
            reason=reason,
            by=request.user,
        )
        _log_user_change(request, target, f"Granted {amount} credits: {reason}")
    messages.success(
        request, _("%(n)d credits granted to %(email)s.") % {"n": amount, "email": target.email}
    )
    return redirect("staff:user_detail", pk=target.pk)


def _log_user_change(request: AuthenticatedHttpRequest, target: User, message: str) -> None:
    LogEntry.objects.log_actions(
        request.user.pk, User.objects.filter(pk=target.pk), CHANGE, message, single_object=True
    )


def _change_user(
    request: AuthenticatedHttpRequest,
    pk: int,
    form_class: type[ModelForm],
    *,
    form_key: str,
    refuse_self: str,
    log: Callable[[User], str],
    done: Callable[[User], str],
) -> HttpResponse:
    """Save a staff form on a user account (role, access): never on one's own account, logged
    in the admin history, the user page again with the errors when invalid."""
    target = get_object_or_404(User, pk=pk)
    form = form_class(request.POST, instance=target)
    if form.is_valid() and target.pk == request.user.pk:
        # A staff member cannot lock themselves out of the admin by mistake.
        form.add_error(None, refuse_self)
    if not form.is_valid():
        target.refresh_from_db()
        return _user_page(request, target, status=400, **{form_key: form})
    with transaction.atomic():
        form.save()
        _log_user_change(request, target, log(target))
    messages.success(request, done(target))
    return redirect("staff:user_detail", pk=target.pk)


@require_POST
@staff_required
def user_role(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _change_user(
        request,
        pk,
        RoleForm,
        form_key="role_form",
        refuse_self=_("You cannot change your own role."),
        log=lambda target: f"Role set to {target.role}",
        done=lambda target: (
            _("%(email)s is now %(role)s.")
            % {"email": target.email, "role": target.get_role_display()}
        ),
    )


@require_POST
@staff_required
def user_access(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    # A blocked user's sessions stop working at their next request: the authentication
    # backend refuses inactive users.
    return _change_user(
        request,
        pk,
        BlockForm,
        form_key="block_form",
        refuse_self=_("You cannot block your own account."),
        log=lambda target: "Unblocked" if target.is_active else "Blocked",
        done=lambda target: (
            (_("%(email)s can sign in again.") if target.is_active else _("%(email)s is blocked."))
            % {"email": target.email}
        ),
    )


@require_http_methods(["GET", "POST"])
@staff_required
def settings_editor(request: AuthenticatedHttpRequest) -> HttpResponse:
    current = {name: get_setting(name) for name in SETTINGS}
    priced = set(OpenAIPricing.objects.filter(is_active=True).values_list("model_name", flat=True))
    form = SettingsForm(request.POST or None, current=current, priced=priced)
    if request.method == "POST":
        if form.is_valid():
            changed = form.changed_settings()
            _save_settings(request.user, changed)
            if changed:
                messages.success(
                    request,
                    _("Saved %(n)d settings: %(names)s.")
                    % {"n": len(changed), "names": ", ".join(changed)},
                )
            else:
                messages.info(request, _("Nothing changed."))
            return redirect("staff:settings")
        messages.error(
            request,
            _("Nothing was saved: %(n)d values are not valid.") % {"n": len(form.errors)},
        )
    groups = [
        (label, [form[name] for name, spec in SETTINGS.items() if spec.category == category])
        for category, label in SettingCategory.choices
    ]
    ctx = _context(
        request,
        "settings",
        form=form,
        groups=[(label, fields) for label, fields in groups if fields],
        unpriced=form.unpriced_models(),
    )
    return render(request, "staff/settings.html", ctx, status=400 if form.errors else 200)


def _save_settings(by: User, changed: dict[str, str]) -> None:
    with transaction.atomic():
        for name, value in changed.items():
            spec = SETTINGS[name]
            Setting.objects.update_or_create(
                name=name,
                defaults={
                    "value": value,
                    "category": spec.category,
                    "description": spec.description,
                },
            )
        if changed:
            LogEntry.objects.log_actions(
                by.pk,
                Setting.objects.filter(name__in=changed),
                CHANGE,
                "Changed from the settings editor",
            )
        # Each save drops the cached table, but another process may cache the old values
        # again before this transaction commits: drop it once more after the commit.
        transaction.on_commit(invalidate_settings_cache)
