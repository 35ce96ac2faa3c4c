"""The feedback form every signed-in user sees (its triage is a staff page)."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.config import get_setting
from core.decorators import feature_required
from core.http import AuthenticatedHttpRequest
from telemetry import events
from telemetry.forms import FeedbackForm
from telemetry.models import Feedback

FEEDBACK_WINDOW = timedelta(hours=24)


def _same_origin_path(request: HttpRequest, url: str) -> str:
    """The path (and query) of a URL on this site, or "" for anything else."""
    parts = urlsplit(url or "")
    if (parts.scheme or parts.netloc) and parts.netloc != request.get_host():
        return ""
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    if not path.startswith("/") or not url_has_allowed_host_and_scheme(
        path, allowed_hosts={request.get_host()}
    ):
        return ""
    return path[:2000]


def _feedback_reply(
    request: HttpRequest, form: FeedbackForm, *, status: int, error: str = ""
) -> HttpResponse:
    ctx = {"feedback_form": form, "feedback_error": error, "feedback_open": True}
    if request.htmx:
        # htmx does not swap error responses: the form with its message comes back as a 200.
        return render(request, "telemetry/_feedback_widget.html#panel", ctx)
    return render(request, "telemetry/feedback.html", ctx, status=status)


@login_required
@require_POST
@feature_required("feature_feedback")
def feedback(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = FeedbackForm(request.POST)
    if not form.is_valid():
        return _feedback_reply(request, form, status=400)
    limit = get_setting("feedback_max_per_day")
    since = timezone.now() - FEEDBACK_WINDOW
    # Two posts at the same instant may both pass: one extra message is harmless here.
    if Feedback.objects.filter(user=request.user, created_at__gte=since).count() >= limit:
        error = _(
            "You have sent %(n)d messages in the last 24 hours, the most we accept. "
            "Thank you! Please try again tomorrow."
        ) % {"n": limit}
        return _feedback_reply(request, form, status=429, error=error)
    data = form.cleaned_data
    cv = None
    if data["cv"]:
        # The CV model is reached through the relation Feedback declares: telemetry sits below
        # the CV app and does not import it.
        cv_model = Feedback._meta.get_field("current_cv").related_model
        cv = cv_model.objects.filter(user=request.user, pk=data["cv"]).first()
    page = _same_origin_path(request, data["page"] or request.headers.get("referer", ""))
    item = Feedback.objects.create(
        user=request.user,
        rating=data["rating"],
        comment=data["comment"],
        is_bug_report=data["is_bug_report"],
        current_cv=cv,
        user_agent=request.headers.get("user-agent", "")[:500],
        page_url=page,
    )
    events.record_event(
        events.FEEDBACK_SENT,
        user=request.user,
        metadata={"feedback": item.pk, "rating": item.rating, "bug": item.is_bug_report},
    )
    if request.htmx:
        return render(request, "telemetry/_feedback_widget.html#thanks", {})
    messages.success(request, _("Thank you for your feedback!"))
    return redirect(page or "home")
