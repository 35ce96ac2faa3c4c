from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from billing.services import PaymentRequired

PAYMENT_REQUIRED_STATUS = 402


def render_payment_required(request: HttpRequest, exc: PaymentRequired) -> HttpResponse:
    """The "not enough credits" answer to a refused paid feature: a full page (status 402),
    or for an htmx request the message component alone with status 200, because htmx
    does not swap error responses into the page."""
    context = {"payment_required": exc}
    if getattr(request, "htmx", False):
        return render(request, "billing/_payment_required.html", context)
    return render(request, "billing/payment_required.html", context, status=PAYMENT_REQUIRED_STATUS)


def redirect_payment_required(request: HttpRequest, exc: PaymentRequired) -> HttpResponse:
    """For a refused form post: the message on the next page, which is where to buy credits
    (or the plans, when the plan does not include the feature)."""
    messages.error(request, exc.message)
    return redirect(exc.url)
