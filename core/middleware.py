"""Request filters shared by every app."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme

from core.errors import ServiceUnavailable

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _same_site_referer(request: HttpRequest) -> str:
    back = request.META.get("HTTP_REFERER") or "/"
    if not url_has_allowed_host_and_scheme(back, {request.get_host()}):
        back = "/"
    return back


def _has_nul(data: QueryDict) -> bool:
    return any("\x00" in key or any("\x00" in v for v in values) for key, values in data.lists())


class NulByteMiddleware:
    """Answer 400 to a request whose query string or form fields hold a NUL byte.

    No text of ours contains one, PostgreSQL refuses it in every text column and lookup, and a
    browser never sends one from a form: such a request is refused before any view reads it,
    with a page that says why, instead of failing deep inside a query.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        hostile = _has_nul(request.GET)
        if not hostile and request.method == "POST" and request.content_type in FORM_TYPES:
            hostile = _has_nul(request.POST)
        if hostile:
            return render(request, "400.html", {"back": _same_site_referer(request)}, status=400)
        return self.get_response(request)


class ServiceUnavailableMiddleware:
    """A view that needed a service which is down (the task queue) raised ServiceUnavailable
    before doing or charging anything: the user is sent back to the page the form came from,
    with the message, instead of an error page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, ServiceUnavailable):
            return None
        messages.error(request, exception.user_message)
        return HttpResponseRedirect(_same_site_referer(request))
