"""Request filters shared by every app."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


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
            back = request.META.get("HTTP_REFERER") or "/"
            if not url_has_allowed_host_and_scheme(back, {request.get_host()}):
                back = "/"
            return render(request, "400.html", {"back": back}, status=400)
        return self.get_response(request)
