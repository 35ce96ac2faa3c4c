"""The editor in a real Chromium: a bad date keeps the styled page with the message beside
the field, and a dragged entry lands where it is dropped (SortableJS under our CSP)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from conftest import browser_sign_in, make_user
from cvs import services

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RICH_CV = json.loads((Path(__file__).parent / "fixtures/rich_cv.json").read_text())


def test_a_bad_date_and_a_drag(browser_page: Any, live_server: Any) -> None:
    page = browser_page
    user = make_user("editor@example.org", name="Eddie")
    cv = services.create_cv(user, content=copy.deepcopy(RICH_CV), name="CV")
    companies = [e["company"] for e in RICH_CV["experience"]]
    base = live_server.url
    browser_sign_in(page, base, user.email)
    page.goto(f"{base}{cv.get_absolute_url()}")

    entries = page.locator("#section-experience .cv-entry")
    entries.first.hover()
    entries.first.locator("a:has-text('Edit')").click()
    form = page.locator("#section-experience form.section-form")
    form.locator("input[name=start_date]").evaluate("el => { el.type = 'text'; }")
    form.locator("input[name=start_date]").fill("someday")
    form.locator("button:has-text('Save')").click()
    expect(form.locator(".field-invalid .errorlist")).to_have_text(
        "Use a month like 2020-06, or a year like 2020."
    )
    expect(page.locator("#editor .editor-side")).to_be_visible()  # still the whole page
    form.locator("a:has-text('Cancel')").click()

    entries.first.hover()
    handle = entries.first.locator(".entry-handle")
    # The list reorders in the browser before the server has saved the move: the database is
    # read once the server has answered (on SQLite, reading while it writes would lock it).
    with page.expect_response(lambda response: "/move/" in response.url) as moved:
        handle.drag_to(entries.nth(2), target_position={"x": 20, "y": 40})
    assert moved.value.status == 200
    expect(entries.first).not_to_contain_text(companies[0])
    cv.refresh_from_db()
    assert [e["company"] for e in cv.content["experience"]][-1] == companies[0]
