"""Fit to one page in a real Chromium: check the fit, review the bullets proposed for removal,
accept them one by one, see the page count change, download the one-page PDF."""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from ai.offline import extract_job_offer
from billing.models import CreditBalance
from billing.services import record_transaction
from conftest import browser_sign_in, make_user
from cvs import services
from cvs.tests.fitting_cvs import OFFER_TEXT, OTHER_BULLETS, long_cv
from joboffers.models import JobOffer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(os.getenv("SCREENSHOT_DIR", "/tmp/shots"))
# A check lays the CV out up to ten times: generous on a busy machine (not a speed test).
FIT_WAIT_MS = 60_000


@pytest.mark.parametrize("viewport", [(1280, 800), (390, 844)])
def test_fit_to_one_page_with_removals_reviewed_one_by_one(
    browser_page: Any, live_server: Any, viewport: tuple[int, int]
) -> None:
    page = browser_page
    page.set_viewport_size({"width": viewport[0], "height": viewport[1]})
    SHOTS.mkdir(parents=True, exist_ok=True)
    user = make_user(f"fit{viewport[0]}@example.org", name="Sam Rivera")
    record_transaction(user.pk, amount=5, type="gift", key="fit-credits")
    cv = services.create_cv(user, content=long_cv(jobs=7, bullets=6), name="Long CV")
    offer = JobOffer.objects.create(
        user=user,
        source_type="text",
        source_value="text:backend",
        source_text=OFFER_TEXT,
        content=extract_job_offer(OFFER_TEXT),
    )
    base = live_server.url
    browser_sign_in(page, base, user.email)

    page.goto(f"{base}/cvs/{cv.pk}/export/")
    page.select_option("select[name=fit_pages]", "1")
    page.select_option("select[name=fit_offer]", str(offer.pk))
    page.click("#fit-check")

    status = page.locator("#fit-status")
    expect(status).to_contain_text("It does not fit on 1 page", timeout=FIT_WAIT_MS)
    rows = page.locator(".fit-bullets li")
    proposed = rows.count()
    assert proposed > 1
    # Least relevant first: the off-topic lines lead the proposal; nothing is ticked for the user.
    assert rows.first.locator(".fit-bullet").inner_text().startswith(tuple(OTHER_BULLETS))
    expect(page.locator(".fit-bullets input:checked")).to_have_count(0)
    if viewport[0] == 1280:
        page.locator(".export-options").screenshot(path=str(SHOTS / "export-fit-proposal.png"))

    # Accepted one at a time, each answered with the new page count; the rows keep their places.
    first_text = rows.first.locator(".fit-bullet").inner_text()
    for accepted in range(1, proposed + 1):
        page.locator(".fit-bullets input[name=drop]:not(:checked)").first.check()
        panel = page.locator(f"#fit-result[data-accepted='{accepted}']")
        expect(panel).to_have_count(1, timeout=FIT_WAIT_MS)
        if accepted < proposed:
            expect(status).to_contain_text("It does not fit on 1 page", timeout=FIT_WAIT_MS)
    assert rows.first.locator(".fit-bullet").inner_text() == first_text
    expect(status).to_contain_text("The PDF has 1 page", timeout=FIT_WAIT_MS)
    if viewport[0] == 1280:
        page.locator(".export-options").screenshot(path=str(SHOTS / "export-fit-accepted.png"))
    with page.expect_download() as download_info:
        page.click("button:has-text('Download PDF')")
    pdf = Path(download_info.value.path()).read_bytes()
    assert len(PdfReader(io.BytesIO(pdf)).pages) == 1
    assert CreditBalance.objects.get(user=user).balance == 4
    cv.refresh_from_db()
    assert cv.content["experience"] == long_cv(jobs=7, bullets=6)["experience"]
