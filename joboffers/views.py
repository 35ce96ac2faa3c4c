from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.services import BookmarkletRefused, authenticate_bookmarklet
from core.config import get_setting
from core.http import AuthenticatedHttpRequest
from core.pdftext import PdfRejected
from joboffers import services
from joboffers.fetch import InvalidUrl
from joboffers.forms import (
    AddOfferForm,
    PickRoleForm,
    SendFromPageForm,
    UseOfferForm,
    master_cvs,
)
from joboffers.models import JobOffer, LinkHistory
from joboffers.roles import cv_skills_and_titles, role_for_cv, roles_of


def _get_offer_for_user(request: AuthenticatedHttpRequest, pk: int) -> JobOffer:
    return get_object_or_404(JobOffer.objects.owned_by(request.user), pk=pk)


@login_required
@require_http_methods(["GET", "POST"])
def index(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = AddOfferForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        upload = data["file"]
        try:
            offer, reading = services.add_offer(
                request.user,
                url=data["url"],
                text=data["text"],
                pdf=(upload.read(), upload.name, upload.content_type or "") if upload else None,
            )
        except InvalidUrl as exc:
            form.add_error("url", exc.message)
        except PdfRejected as exc:
            form.add_error("file", exc.message)
        except services.ReadingLimitReached as exc:
            form.add_error(None, exc.message)
            status = 429
        else:
            if reading:
                messages.success(request, _("We are reading this offer."))
            else:
                messages.info(request, _("You already added this offer."))
            return redirect("joboffers:detail", offer.pk)
    if form.errors and status == 200:
        status = 400
    offers = services.mark_read_states(
        JobOffer.objects.owned_by(request.user).defer("source_text").order_by("-created_at")
    )
    ctx = {
        "form": form,
        "offers": offers,
        "history": (
            LinkHistory.objects.filter(user=request.user).order_by("-created_at")[:20]
            if get_setting("feature_history")
            else []
        ),
    }
    # An htmx request gets the form alone, with its message.
    template = "joboffers/index.html#add-offer" if request.htmx else "joboffers/index.html"
    return render(request, template, ctx, status=status)


@login_required
@require_GET
def detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return detail_page(request, pk)


def detail_page(request: AuthenticatedHttpRequest, pk: int, *, status: int = 200) -> HttpResponse:
    offer = services.read_state(_get_offer_for_user(request, pk))
    cvs = master_cvs(request.user)
    roles = [role["title"] for role in roles_of(offer.content)]
    content, role, picked = offer.content, None, False
    if roles:
        # The CV the tailoring form offers first stands for "your CV" until the user picks.
        first = next(iter(cvs), None)
        skills, titles = cv_skills_and_titles(first.content if first else {})
        content, role, picked = role_for_cv(offer.content, skills, titles)
    ctx = {
        "offer": offer,
        "content": content,
        "roles": roles,
        "role": role,
        "role_picked": picked,
        "role_form": PickRoleForm(roles=roles, initial={"role": role if picked else ""}),
        "use_form": UseOfferForm(cvs=cvs),
        "cvs_for_offer": offer.cvs.order_by("-created_at")[:20],
    }
    # The page polls its body while the offer is being read: the answer is the offer once read,
    # the reason and a retry if reading failed, or the same waiting body.
    template = "joboffers/detail.html#offer-body" if request.htmx else "joboffers/detail.html"
    return render(request, template, ctx, status=status)


@login_required
@require_POST
def pick_role(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The role of a posting for several that CVs are tailored and scored against; empty for
    "the closest to my CV"."""
    offer = _get_offer_for_user(request, pk)
    form = PickRoleForm(request.POST, roles=[role["title"] for role in roles_of(offer.content)])
    if form.is_valid():
        content = {**offer.content, "selected_role": form.cleaned_data["role"] or None}
        JobOffer.objects.filter(pk=offer.pk).update(content=content)
        messages.success(request, _("Role saved."))
    else:
        messages.error(request, _("This role is not one of the offer's."))
    return redirect("joboffers:detail", offer.pk)


@login_required
@require_POST
def reextract(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    offer = _get_offer_for_user(request, pk)
    try:
        services.read_offer_again(offer)
    except services.ReadingLimitReached as exc:
        if request.htmx:
            return HttpResponse(exc.message, status=429, content_type="text/plain; charset=utf-8")
        messages.error(request, exc.message)
        return detail_page(request, offer.pk, status=429)
    messages.success(request, _("We are reading this offer again."))
    return redirect("joboffers:detail", offer.pk)


@login_required
@require_POST
def delete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    offer = _get_offer_for_user(request, pk)
    LinkHistory.objects.filter(user=request.user, url=offer.source_value).delete()
    offer.delete()
    messages.success(request, _("The offer was deleted. CVs made for it keep a copy."))
    return redirect("joboffers:index")


def _not_sent(request: HttpRequest, *, status: int, reason: str, message: str) -> HttpResponse:
    """The page the bookmarklet's tab shows when no offer was added, and why."""
    return render(
        request, "joboffers/send_failed.html", {"reason": reason, "message": message}, status=status
    )


# The bookmarklet posts from the job page's site, with none of our cookies (SameSite) and no
# CSRF token: its own token authenticates it, which a page that has not run the bookmarklet
# cannot know. Cookies are never read here, so a forged cross-site post adds nothing.
@csrf_exempt
@require_POST
def send_from_page(request: HttpRequest) -> HttpResponse:
    """A job page sent by the "Send to FitMyCV" bookmarklet becomes a new offer of the token's
    user, read like a pasted text (same allowance, size limits and cache); the answer is the
    offer's page, or a page saying why not: never data a page could read back."""
    data = request.POST  # read once by the site's form guard (core.middleware), size-capped
    try:
        user = authenticate_bookmarklet(data.get("token", ""))
    except BookmarkletRefused as exc:
        return _not_sent(request, status=403, reason=exc.reason, message="")
    # The answer speaks the user's language, not the job site's visitor's.
    with translation.override(user.language or translation.get_language()):
        form = SendFromPageForm(data)
        if not form.is_valid():
            too_large = form.has_error(NON_FIELD_ERRORS, "too_large")
            return _not_sent(
                request,
                status=413 if too_large else 400,
                reason="too_large" if too_large else "text",
                message=" ".join(str(error) for error in form.non_field_errors()),
            )
        try:
            offer, _reading = services.add_offer(
                user,
                text=form.cleaned_data["offer_text"],
                page_url=form.cleaned_data["page_url"],
                title=form.cleaned_data["title"],
            )
        except services.ReadingLimitReached as exc:
            return _not_sent(request, status=429, reason="limit", message=exc.message)
    # See Other: the new tab then GETs the offer's page, where the user's own session shows it.
    response = redirect("joboffers:detail", offer.pk)
    response.status_code = 303
    return response
