"""The cover letter in a real Chromium: written from the CV page, edited, refused when
broken, restored from its versions, previewed and downloaded, at a desktop and a phone size."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from billing.services import record_transaction
from conftest import browser_sign_in, make_user
from cvs import services
from cvs.models import CoverLetter
from joboffers.services import add_offer_from_text

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
CV = json.loads((ROOT / "ai/tests/fixtures/cvs/backend-engineer.cv.json").read_text())
JOB_TEXT = (ROOT / "ai/tests/fixtures/jobs/backend-eng.txt").read_text()


def test_the_cover_letter_editor(browser_page: Any, live_server: Any) -> None:
    page = browser_page
    base = live_server.url
    user = make_user("letters@example.org", name="Lou Letters")
    record_transaction(user.pk, amount=10, type="gift", key="letters-browser")
    cv = services.create_cv(user, content=copy.deepcopy(CV), name="Backend CV")
    offer = add_offer_from_text(user, JOB_TEXT)
    browser_sign_in(page, base, user.email)
    if page.locator("button:has-text('Skip tour')").count():
        page.click("button:has-text('Skip tour')")

    # From the CV page: the letters page, an offer, and the task's link to the letter.
    page.goto(f"{base}{cv.get_absolute_url()}")
    page.click("a:has-text('Cover letters')")
    page.check(f"input[name=offer][value='{offer.pk}']")
    page.click("button:has-text('Write the letter')")
    page.wait_for_url(f"{base}{cv.get_absolute_url()}")
    page.click("a.cover-letter-link")
    letter = CoverLetter.objects.get(cv=cv)
    page.wait_for_url(f"{base}{letter.get_absolute_url()}")
    written = letter.content
    body = page.locator("textarea[name=body]")
    expect(body).to_have_value("\n\n".join(written["paragraphs"]))
    preview = page.frame_locator("iframe.export-preview-frame")
    expect(preview.locator(".cl-greeting")).to_have_text(written["greeting"])

    # An edit: saved, shown in the preview, and the old text kept as version 1.
    body.fill("I apply for this role.\n\nAt Acme Logistics I built REST APIs in Django.")
    page.click("#letter-form button:has-text('Save')")
    expect(page.locator("#letter-form .saved")).to_have_text("✓ The letter was saved.")
    expect(preview.locator(".cl-paragraph").first).to_have_text("I apply for this role.")
    expect(page.locator("a:has-text('Versions') .badge")).to_have_text("1")

    # A broken letter: refused beside the field, the page styled, nothing saved.
    page.locator("input[name=greeting]").evaluate("el => el.removeAttribute('required')")
    page.fill("input[name=greeting]", "")
    page.click("#letter-form button:has-text('Save')")
    expect(page.locator("#letter-form .form-errors")).to_be_visible()
    expect(page.locator("#letter-form .errorlist")).to_be_visible()
    letter.refresh_from_db()
    assert letter.content["paragraphs"][0] == "I apply for this role."

    # Versions: restore the letter as it was written.
    page.click("a:has-text('Versions')")
    page.click("button:has-text('Restore')")
    page.wait_for_url(f"{base}{letter.get_absolute_url()}")
    expect(body).to_have_value("\n\n".join(written["paragraphs"]))

    # Another of the CV's templates in the preview.
    page.select_option("select[name=template]", "modern")
    expect(preview.locator("article.cv-doc--modern")).to_be_visible()

    # The editor fits a phone's width too (its screenshots: test_browser_layout).
    for width, height in ((390, 844), (1280, 800)):
        page.set_viewport_size({"width": width, "height": height})
        page.wait_for_load_state("networkidle")
        assert page.evaluate("() => document.documentElement.scrollWidth") <= width

    # Downloads: a PDF and a Word file.
    for button, magic in (("Download PDF", b"%PDF"), ("Download DOCX", b"PK")):
        with page.expect_download() as download:
            page.click(f"button:has-text('{button}')")
        assert Path(download.value.path()).read_bytes()[:4].startswith(magic)
