from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from core.config import get_setting
from core.models import Submission

SUBMISSION_FIELD = "submission"
# The htmx event of a response that queued work: the task panel refreshes on it, and
# once_per_submission takes it as the sign that the form started something.
QUEUED_TRIGGER = "taskQueued"


def queued_response(request: HttpRequest, message: str, to: str) -> HttpResponse:
    """The answer of a form that queued background work: a message, and a redirect (to a URL
    or a URL name) that tells the task panel to refresh."""
    messages.success(request, message)
    response = redirect(to)
    response["HX-Trigger"] = QUEUED_TRIGGER
    return response


def feature_required(
    flag: str,
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Refuse a view while staff have switched its feature off (a setting, not just hidden UI)."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not get_setting(flag):
                raise PermissionDenied(_("This feature is switched off for now."))
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def claim_submission(request: HttpRequest, *, result_url: str = "") -> Submission | None:
    """Take the one-time token a paid form was posted with, for a view that answers at once
    (a download) rather than queueing work: the row is committed at once and kept whatever
    happens next, so the token pays for one answer only. None: the token was already used
    (or the post carries none, or the user is anonymous: see `submission_token`)."""
    token = submission_token(request)
    if not token or not request.user.is_authenticated:
        return None
    try:
        with transaction.atomic():
            return Submission.objects.create(
                user=request.user, token=token, result_url=result_url[:500]
            )
    except IntegrityError:
        return None


def submission_token(request: HttpRequest) -> str:
    """The one-time token a form was posted with ("" if none)."""
    return request.POST.get(SUBMISSION_FIELD, "")[:64] if request.method == "POST" else ""


def once_per_submission(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Run a paid form's view once per page: its form carries a one-time token
    ({% submission_token %}); the same token posted again, one after the other or at the
    same moment, is sent to what the first post started, and nothing more is queued or
    charged.

    The first post holds the token's row (a unique key) for the whole view, in one
    transaction: a second post waits for it, then finds the row. A view that did not queue
    anything (an invalid form, no credits) releases the token, so the page can be sent again.
    A post without a token (an old page, a script) is served as before, unprotected.
    """

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        token = submission_token(request)
        if not token or not request.user.is_authenticated:
            return view(request, *args, **kwargs)
        with transaction.atomic():
            try:
                with transaction.atomic():
                    submission = Submission.objects.create(user=request.user, token=token)
            except IntegrityError:
                first = Submission.objects.filter(user=request.user, token=token).first()
                if first is None:  # released between our insert and this read: never kept
                    return view(request, *args, **kwargs)
                messages.info(request, _("This was already sent: here is what it started."))
                response: HttpResponse = HttpResponseRedirect(first.result_url)
                response["HX-Trigger"] = QUEUED_TRIGGER
                return response
            response = view(request, *args, **kwargs)
            if response.get("HX-Trigger") == QUEUED_TRIGGER and response.get("Location"):
                submission.result_url = response["Location"][:500]
                submission.save(update_fields=["result_url"])
            else:
                submission.delete()
            return response

    return wrapper
