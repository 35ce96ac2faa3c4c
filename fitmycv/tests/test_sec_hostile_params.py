"""Hostile values in every parameter of every URL: a 4xx or an ordinary page, never a 500.

Every GET route of the URL conf (test_security_matrix.ROUTES) is requested by the user who owns
its objects, with each hostile value below in each query parameter the views read plus the
fields of the forms on the page; every POST route gets the same values in its form's fields.
The values go out already percent-encoded, so invalid UTF-8 reaches the server as such.

The grid is sampled to stay fast: per route, one request per value with every parameter set to
it (the long values excepted); then a NUL byte in each parameter alone, since among all
parameters at once the first field a form refuses answers 400 before a parameter that reaches
a query unchecked; then one request per parameter alone with a value that rotates along the
parameters and routes, so each (parameter, value) pair is exercised across the site.
`test_without_the_nul_byte_filter_the_grid_finds_500s` shows the grid would catch the
middleware's absence (PostgreSQL refuses NUL bytes; SQLite does not mind them).
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote, urlsplit

import pytest
from django.db import connection
from django.test import Client

from core.testing import require_service
from fitmycv.tests.test_security_matrix import (
    GET,
    LOGIN,
    POST,
    PUBLIC,
    REDIRECT,
    STAFF,
    all_routes,
    build_path,
    make_objects,
)

pytestmark = pytest.mark.django_db

# Percent-encoded, as they travel in a query string or a form body.
HOSTILE = {
    "nul": "%00",
    "nul-inside": "a%00b",
    "huge-number": "9" * 5000,
    "negative-huge-number": "-" + "9" * 5000,
    "deep-json": quote("[" * 1000 + "]" * 1000 + '{"a":' * 500 + "1" + "}" * 500),
    "invalid-utf8": "%ff%fe%c0%af%ed%a0%80",
    "long": "x" * 100_000,
}
# The query parameters our views read, whatever the page's forms say.
QUERY_PARAMS = (
    "q", "device", "page", "sort", "target", "preset", "part", "watch", "next", "offer", "cv",
    "format", "status", "days",
)  # fmt: skip
# What the forms read when no page of ours shows the form (POST-only views of a panel).
FORM_FIELDS = (
    "name", "full_name", "current_title", "email", "language", "description", "title",
    "company", "text", "url", "job_title", "target", "offers", "base_cv", "code", "comment",
    "rating", "preset_name", "template", "paper", "format", "sections", "direction", "action",
    "next", "device_id", "credits", "role", "reason", "status", "value",
)  # fmt: skip
# Views that end the session or delete the objects the other requests need.
SKIPPED = {"account/delete/", "cvs/<int:pk>/delete/", "offers/<int:pk>/delete/", "accounts/logout/"}
ACCESS = (PUBLIC, LOGIN, STAFF, REDIRECT)
FIELD_NAME = re.compile(r"<(?:input|select|textarea|button)\b[^>]*?\bname=\"([^\"]+)\"", re.I)
FORM = re.compile(r"<form\b([^>]*)>(.*?)</form>", re.I | re.S)
ACTION = re.compile(r"\b(?:action|hx-post)=\"([^\"]*)\"", re.I)
IGNORED_FIELDS = {"csrfmiddlewaretoken"}
NUL_FILTER = "core.middleware.NulByteMiddleware"
LOGIN_PAGE = "/accounts/login/"


def _routes(method: str) -> list[tuple[str, Any]]:
    return [
        (route, spec)
        for route, spec in all_routes()
        if spec.access in ACCESS and method in spec.methods and route not in SKIPPED
    ]


def _forms(html: str, page: str) -> dict[str, set[str]]:
    """Field names by the path each form of the page posts to."""
    forms: dict[str, set[str]] = {}
    for attrs, body in FORM.findall(html):
        action = ACTION.search(attrs)
        target = urlsplit(action.group(1)).path if action and action.group(1) else page
        names = {n for n in FIELD_NAME.findall(body) if n not in IGNORED_FIELDS}
        forms.setdefault(target, set()).update(names)
    return forms


def _encode(params: list[str], value: str) -> str:
    return "&".join(f"{quote(name)}={value}" for name in params)


def _requests(params: list[str], offset: int) -> list[str]:
    """Encoded query strings (or bodies): every value in every parameter at once, a NUL byte in
    each parameter alone, then each parameter alone with a rotating value."""
    values = list(HOSTILE.values())
    others = [value for name, value in HOSTILE.items() if name != "nul"]
    # The long values go one parameter at a time: all at once they only make megabyte URLs.
    sent = [_encode(params, value) for value in values if len(value) < 5000]
    sent += _nul_alone(params, offset)
    sent += [_encode([name], others[(i + offset) % len(others)]) for i, name in enumerate(params)]
    return sent


def _nul_alone(params: list[str], offset: int = 0) -> list[str]:
    return [_encode([name], HOSTILE["nul"]) for name in params]


@pytest.fixture
def clients(alice: Any, staff: Any, bob: Any) -> Any:
    """A new signed-in client per route: a route that ends the session (a confirmation link
    of another account signs Alice out) must not leave the next routes to a visitor."""

    def client_for(access: str) -> Client:
        client = Client()
        client.force_login(staff if access == STAFF else alice)
        return client

    return client_for


@pytest.fixture
def objects(alice: Any, bob: Any) -> dict[str, Any]:
    return make_objects(alice, bob)


def _status(send: Any, *args: Any, **kwargs: Any) -> int:
    try:
        return int(send(*args, **kwargs).status_code)
    except Exception:  # noqa: BLE001 - the test client raises what a visitor gets as a 500
        return 500


def _sweep(
    clients: Any, objects: dict[str, Any], requests: Any, *, first_only: bool = False
) -> tuple[list[tuple[str, str, int]], int]:
    """Every GET and POST route with the query strings or bodies `requests(params, offset)`
    makes: the answers of 500 or more (all, or the first), and how many requests were sent."""
    failures: list[tuple[str, str, int]] = []
    form_fields: dict[str, set[str]] = {}
    checked = 0

    for offset, (route, spec) in enumerate(_routes(GET)):
        if failures and first_only:
            return failures, checked
        client = clients(spec.access)
        path = build_path(route, spec, objects)
        page = client.get(path)
        assert page.status_code < 500, path
        # Still signed in (allauth's own flows send a user without a pending step to sign in).
        if not path.startswith("/accounts/"):
            assert not page.get("Location", "").startswith(LOGIN_PAGE), path
        if "html" in page.get("Content-Type", "") and not page.streaming:
            for target, names in _forms(page.content.decode(errors="replace"), path).items():
                form_fields.setdefault(target, set()).update(names)
        params = sorted(set(QUERY_PARAMS) | form_fields.get(path, set()))
        for query in requests(params, offset):
            status = _status(client.get, f"{path}?{query}")
            checked += 1
            if status >= 500:
                failures.append(("GET", f"{path}?{query[:80]}", status))

    for offset, (route, spec) in enumerate(_routes(POST)):
        client = clients(spec.access)
        path = build_path(route, spec, objects)
        params = sorted(form_fields.get(path) or set(FORM_FIELDS))
        if failures and first_only:
            return failures, checked
        for body in requests(params, offset):
            status = _status(
                client.post, path, body, content_type="application/x-www-form-urlencoded"
            )
            checked += 1
            if status >= 500:
                failures.append(("POST", f"{path} {body[:80]}", status))
    return failures, checked


def test_hostile_query_and_form_values_never_answer_500(clients, objects):
    failures, checked = _sweep(clients, objects, _requests)
    assert failures == []
    assert checked > 1000


def test_without_the_nul_byte_filter_the_grid_finds_500s(clients, objects, settings):
    """The grid above is what shows core.middleware.NulByteMiddleware is needed: without it,
    a NUL byte alone in some parameter reaches PostgreSQL, which refuses it (a 500)."""
    require_service("PostgreSQL (DATABASE_URL)", connection.vendor == "postgresql")
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if m != NUL_FILTER]
    failures, _checked = _sweep(clients, objects, _nul_alone, first_only=True)
    assert failures, "no route fails on a NUL byte: is this check still needed?"


def test_the_nul_byte_filter_is_installed(settings):
    assert NUL_FILTER in settings.MIDDLEWARE


@pytest.mark.parametrize("version", ["9" * 80, "%C2%B2", "-1"])
def test_a_version_number_out_of_range_in_a_diff_is_a_404(alice_client, objects, version):
    assert alice_client.get(f"/cvs/{objects['cv']}/diff/?b={version}").status_code == 404
