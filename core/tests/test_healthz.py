from __future__ import annotations

import logging
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

pytestmark = pytest.mark.django_db


def test_it_reports_every_dependency_as_json(client: Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert {"database", "cache", "broker"} <= body.keys()
    assert all(body[name]["ok"] for name in ("database", "cache", "broker"))


def test_it_answers_503_and_names_the_broken_dependency_without_details(
    client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    secret = 'could not connect to server: host "db.internal" port 5432 database "fitmycv"'
    with (
        caplog.at_level(logging.ERROR, logger="core.views"),
        mock.patch("core.views._database", side_effect=ConnectionError(secret), autospec=True),
    ):
        response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["database"] == {"ok": False}
    assert body["broker"]["ok"] is True
    assert "db.internal" not in response.content.decode()
    assert "5432" not in response.content.decode()
    assert any("db.internal" in record.getMessage() for record in caplog.records)


def test_a_signed_in_staff_user_sees_the_error_text(client: Client) -> None:
    staff = get_user_model().objects.create_user(
        email="ops@example.com", password="pw-ops-123456", is_superuser=True
    )
    client.force_login(staff)
    with mock.patch("core.views._broker", side_effect=ConnectionError("refused"), autospec=True):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["broker"] == {"ok": False, "error": "ConnectionError: refused"}


def test_a_signed_in_user_who_is_not_staff_sees_no_error_text(client: Client) -> None:
    user = get_user_model().objects.create_user(
        email="plain@example.com", password="pw-plain-123456"
    )
    client.force_login(user)
    with mock.patch("core.views._broker", side_effect=ConnectionError("refused"), autospec=True):
        response = client.get("/healthz")
    assert response.json()["broker"] == {"ok": False}


def test_it_rejects_post(client: Client) -> None:
    assert client.post("/healthz").status_code == 405
