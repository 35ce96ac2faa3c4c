"""Hostile values in every parameter of every URL: a 4xx or an ordinary page, never a 500.

Every GET route of the URL conf (test_security_matrix.ROUTES) is requested by the user who owns
its objects, with each hostile value below in each query parameter the views read plus the
fields of the forms on the page; every POST route gets the same values in its form's fields.
The values go out already percent-encoded, so invalid UTF-8 reaches the server as such.

The grid is sampled to stay fast: per route, one request per value with every parameter set to
it (the long values excepted), then one request per parameter alone with a value that rotates
along the parameters and routes, so each (parameter, value) pair is exercised across the site.
"""

from __future__ import annotations

import re
import time
from typing import Any
from urllib.parse import quote, urlsplit

import pytest
from django.test import Client

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
    """Encoded query strings (or bodies): every value in every parameter at once, then each
    parameter alone with a rotating value."""
    values = list(HOSTILE.values())
    # The long values go one parameter at a time: all at once they only make megabyte URLs.
    sent = [_encode(params, value) for value in values if len(value) < 5000]
    sent += [_encode([name], values[(i + offset) % len(values)]) for i, name in enumerate(params)]
    return sent


@pytest.fixture
def clients(alice_client: Client, staff_client: Client, bob: Any) -> dict[str, Client]:
    return {LOGIN: alice_client, PUBLIC: alice_client, REDIRECT: alice_client, STAFF: staff_client}


@pytest.fixture
def objects(alice: Any, bob: Any) -> dict[str, Any]:
    return make_objects(alice, bob)


def test_hostile_query_and_form_values_never_answer_500(clients, objects):
    started = time.monotonic()
    failures: list[tuple[str, str, int]] = []
    form_fields: dict[str, set[str]] = {}
    checked = 0

    for offset, (route, spec) in enumerate(_routes(GET)):
        client = clients[spec.access]
        path = build_path(route, spec, objects)
        page = client.get(path)
        assert page.status_code < 500, path
        if "html" in page.get("Content-Type", "") and not page.streaming:
            for target, names in _forms(page.content.decode(errors="replace"), path).items():
                form_fields.setdefault(target, set()).update(names)
        params = sorted(set(QUERY_PARAMS) | form_fields.get(path, set()))
        for query in _requests(params, offset):
            response = client.get(f"{path}?{query}")
            checked += 1
            if response.status_code >= 500:
                failures.append(("GET", f"{path}?{query[:80]}", response.status_code))

    for offset, (route, spec) in enumerate(_routes(POST)):
        client = clients[spec.access]
        path = build_path(route, spec, objects)
        params = sorted(form_fields.get(path) or set(FORM_FIELDS))
        for body in _requests(params, offset):
            response = client.post(path, body, content_type="application/x-www-form-urlencoded")
            checked += 1
            if response.status_code >= 500:
                failures.append(("POST", f"{path} {body[:80]}", response.status_code))

    assert failures == []
    assert checked > 1000
    assert time.monotonic() - started < 90  # the whole grid; sampled to stay well under this
