"""The "Send to FitMyCV" bookmarklet in a real Chromium: made on the account page, clicked on a
job page served from another site (127.0.0.1, while the app is on localhost), it opens a new tab
on the new offer, made of that page's address and main text, or of the selection."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from conftest import browser_sign_in, make_user
from joboffers.models import JobOffer

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
JOB_TEXT = (ROOT / "ai/tests/fixtures/jobs/backend-eng.txt").read_text()
# The job's paragraphs as a browser shows them: the line breaks inside one are spaces.
PARAGRAPHS = [" ".join(p.split()) for p in JOB_TEXT.split("\n\n") if p.strip()]
SELECTED = (
    "Selected part: we are hiring a Senior Backend Engineer to design, build and run the "
    "Python and Django services behind our payments platform, with PostgreSQL, Redis and "
    "Kubernetes, five years of experience at least, remote within Europe."
)
NOISE = "Sign in to see more jobs like this one"
JOB_PAGE = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Senior Backend Engineer · Example Careers</title>
<link rel="icon" href="data:,"></head>
<body>
<nav><a href="/">{NOISE}</a></nav>
<main>{"".join(f"<p>{p}</p>" for p in PARAGRAPHS)}<p id="selected">{SELECTED}</p></main>
<footer>Example Careers · Cookies · Privacy</footer>
</body></html>"""
SHOTS = os.getenv("SCREENSHOT_DIR")


class _JobPage(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = JOB_PAGE.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def job_site() -> Iterator[str]:
    """A job board on another site than the app's: 127.0.0.1, any free port."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _JobPage)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _click_bookmarklet(page: Any, href: str) -> Any:
    """Click the bookmarklet on the current page, as from the bookmarks bar: a link with its
    javascript: address, clicked; returns the tab it opens."""
    page.evaluate(
        """(href) => {
          const a = document.createElement('a');
          a.id = 'bookmarks-bar'; a.href = href; a.textContent = 'Send to FitMyCV';
          document.body.prepend(a);
        }""",
        href,
    )
    with page.context.expect_page() as new_tab:
        page.click("#bookmarks-bar")
    tab = new_tab.value
    page.evaluate("() => document.getElementById('bookmarks-bar').remove()")
    return tab


def test_the_bookmarklet_sends_a_job_page_to_a_new_offer(
    browser_page: Any, live_server: Any, job_site: str
) -> None:
    page = browser_page
    base = live_server.url
    assert "localhost" in base  # another site than the job page's
    user = make_user("bookmarklet@example.org", name="Bo Marklet")
    browser_sign_in(page, base, user.email)

    # Make the bookmarklet on the account page.
    page.goto(f"{base}/account/#bookmarklet")
    page.fill("#bookmarklet input[name=name]", "Chromium")
    page.click("#bookmarklet button:has-text('Make my bookmarklet')")
    link = page.locator("#bookmarklet-link")
    link.wait_for()
    href = link.get_attribute("href")
    assert href and href.startswith("javascript:")
    assert link.get_attribute("draggable") == "true"
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.click("#bookmarklet summary")  # the help, open
        for width, height in ((1280, 800), (390, 844)):
            page.set_viewport_size({"width": width, "height": height})
            page.locator("#bookmarklet").screenshot(path=f"{SHOTS}/bookmarklet-{width}.png")
        page.set_viewport_size({"width": 1280, "height": 900})
    # Clicked here instead of dragged, it says what to do (and trips no CSP error).
    assert not page.locator("[data-bookmarklet-hint]").is_visible()
    link.click()
    assert page.locator("[data-bookmarklet-hint]").is_visible()

    # On the job page, with nothing selected: the page's main text.
    page.goto(f"{job_site}/jobs/42?utm_source=newsletter")
    tab = _click_bookmarklet(page, href)
    tab.wait_for_url(f"{base}/offers/*/")
    offer = JobOffer.objects.get(user=user)
    assert tab.url == f"{base}/offers/{offer.pk}/"
    assert offer.page_url == f"{job_site}/jobs/42"
    assert offer.source_name == "Senior Backend Engineer · Example Careers"
    assert all(paragraph in offer.source_text for paragraph in PARAGRAPHS)
    assert SELECTED in offer.source_text
    assert NOISE not in offer.source_text and "Cookies · Privacy" not in offer.source_text
    # The new tab is signed in and shows the offer, with a link back to the job page.
    tab.locator("#offer-page-url").wait_for()
    assert tab.locator("#offer-page-url").get_attribute("href") == f"{job_site}/jobs/42"
    tab.close()

    # With a selection: only the selected text.
    page.evaluate(
        """() => {
          const range = document.createRange();
          range.selectNodeContents(document.getElementById('selected'));
          getSelection().removeAllRanges();
          getSelection().addRange(range);
        }"""
    )
    tab = _click_bookmarklet(page, href)
    tab.wait_for_url(f"{base}/offers/*/")
    second = JobOffer.objects.exclude(pk=offer.pk).get(user=user)
    assert tab.url == f"{base}/offers/{second.pk}/"
    assert second.source_text == SELECTED
    assert second.page_url == f"{job_site}/jobs/42"
    tab.close()


def test_a_revoked_bookmarklet_opens_a_page_that_says_so(
    browser_page: Any, live_server: Any, job_site: str
) -> None:
    from accounts.bookmarklet import bookmarklet_href
    from accounts.services import create_bookmarklet_token, revoke_bookmarklet_token

    page = browser_page
    base = live_server.url
    user = make_user("revoked@example.org", name="Rey Voked")
    token, raw = create_bookmarklet_token(user, name="Old laptop")
    revoke_bookmarklet_token(token)
    href = bookmarklet_href(raw, action=f"{base}/offers/send/")

    page.goto(f"{job_site}/jobs/7")
    tab = _click_bookmarklet(page, href)
    tab.locator("#send-failed").wait_for()
    assert "This bookmarklet no longer works" in tab.locator("h1").inner_text()
    assert not JobOffer.objects.exists()
