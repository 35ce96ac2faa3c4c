from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.http import AuthenticatedHttpRequest
from core.pdftext import PdfRejected
from joboffers import services
from joboffers.fetch import InvalidUrl
from joboffers.forms import AddOfferForm, UseOfferForm, master_cvs
from joboffers.models import JobOffer, LinkHistory
from jobs.models import TaskType


def _get_offer_for_user(request: AuthenticatedHttpRequest, pk: int) -> JobOffer:
    return get_object_or_404(JobOffer.objects.owned_by(request.user), pk=pk)


@login_required
@require_http_methods(["GET", "POST"])
def index(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = AddOfferForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data["url"]:
                offer = services.add_offer_from_url(request.user, data["url"])
            elif data["text"]:
                offer = services.add_offer_from_text(request.user, data["text"])
            else:
                upload = data["file"]
                offer = services.add_offer_from_pdf(
                    request.user,
                    data=upload.read(),
                    name=upload.name,
                    content_type=upload.content_type or "",
                )
        except InvalidUrl as exc:
            form.add_error("url", exc.message)
        except PdfRejected as exc:
            form.add_error("file", exc.message)
        else:
            if services.start_extraction(offer):
                messages.success(request, _("We are reading this offer."))
            else:
                messages.info(request, _("You already added this offer."))
            return redirect("joboffers:detail", offer.pk)
    offers = JobOffer.objects.owned_by(request.user).defer("source_text").order_by("-created_at")
    ctx = {
        "form": form,
        "offers": offers,
        "history": LinkHistory.objects.filter(user=request.user).order_by("-created_at")[:20],
    }
    return render(request, "joboffers/index.html", ctx, status=400 if form.errors else 200)


@login_required
@require_GET
def detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    offer = _get_offer_for_user(request, pk)
    extracting = offer.extracted_at is None and (
        offer.user.background_tasks.active()
        .filter(type=TaskType.EXTRACT_JOB_OFFER, payload__offer_id=offer.pk)
        .exists()
    )
    ctx = {
        "offer": offer,
        "content": offer.content,
        "extracting": extracting,
        "use_form": UseOfferForm(cvs=master_cvs(request.user)),
        "cvs_for_offer": offer.cvs.order_by("-created_at")[:20],
    }
    return render(request, "joboffers/detail.html", ctx)


@login_required
@require_POST
def reextract(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    offer = _get_offer_for_user(request, pk)
    JobOffer.objects.filter(pk=offer.pk).update(extracted_at=None)
    offer.refresh_from_db()
    services.start_extraction(offer)
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
