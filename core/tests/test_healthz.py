from __future__ import annotations

from unittest import mock

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_it_reports_every_dependency_as_json(client: Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert {"database", "cache", "broker"} <= body.keys()
    assert all(body[name]["ok"] for name in ("database", "cache", "broker"))


def test_it_answers_503_and_names_the_broken_dependency(client: Client) -> None:
    with mock.patch("core.views._broker", side_effect=ConnectionError("refused"), autospec=True):
        response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["broker"] == {"ok": False, "error": "ConnectionError: refused"}
    assert body["database"]["ok"] is True


def test_it_rejects_post(client: Client) -> None:
    assert client.post("/healthz").status_code == 405
