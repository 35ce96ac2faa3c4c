"""NUL bytes in a query string or form: a 400 page that says why, before any view runs."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path",
    [
        "/cvs/?q=%00",
        "/cvs/tasks/?device=%00",
        "/cvs/tasks/panel/?device=%00",
        "/offers/?q=a%00b",
        "/cvs/?%00=1",
    ],
)
def test_a_nul_byte_in_the_query_string_is_a_400_with_a_message(
    alice_client: Client, path: str
) -> None:
    response = alice_client.get(path)
    assert response.status_code == 400
    assert "NUL byte" in response.content.decode()


def test_a_nul_byte_in_a_form_field_is_a_400(alice_client: Client) -> None:
    response = alice_client.post("/cvs/new/", {"full_name": "A\x00B", "current_title": "Chef"})
    assert response.status_code == 400
    assert "NUL byte" in response.content.decode()


def test_a_back_link_only_leads_to_our_site(alice_client: Client) -> None:
    response = alice_client.get("/cvs/?q=%00", HTTP_REFERER="https://evil.example/")
    assert 'href="/"' in response.content.decode()


def test_ordinary_requests_pass(alice_client: Client) -> None:
    assert alice_client.get("/cvs/?q=data").status_code == 200
