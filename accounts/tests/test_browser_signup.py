"""The whole sign-up journey in a real Chromium: landing page, sign-up form, the e-mailed link,
and the automatic sign-in that lands on the CV list."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest
from django.core import mail

from accounts.models import User

pytestmark = pytest.mark.browser

SHOTS = Path(os.getenv("SCREENSHOT_DIR", "/tmp/shots"))
PASSWORD = "Tailored-CV-2026!"


@pytest.fixture
def page(browser_page: Any) -> Any:
    return browser_page


def test_a_visitor_signs_up_confirms_and_lands_on_the_cv_list(page, live_server):
    SHOTS.mkdir(parents=True, exist_ok=True)

    page.goto(live_server.url + "/")
    page.get_by_role("button", name="Accept all").click()
    page.locator("#cookie-banner").wait_for(state="detached")
    page.get_by_role("link", name="Create your free account").click()

    page.wait_for_url(re.compile(r"/accounts/signup/$"))
    page.get_by_label("Full name").fill("Carol Petit")
    page.get_by_label("Email").fill("carol@example.org")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password (again)").fill(PASSWORD)
    page.get_by_label("I accept the terms of use").check()
    page.screenshot(path=str(SHOTS / "signup.png"), full_page=True)
    page.get_by_role("button", name="Create my account").click()

    page.wait_for_url(re.compile(r"/accounts/confirm-email/$"))
    assert page.get_by_role("heading", name="Check your inbox").is_visible()
    assert page.get_by_text("carol@example.org").first.is_visible()
    assert page.get_by_role(
        "button", name=re.compile("ask again|Send the link again")
    ).is_disabled()
    page.screenshot(path=str(SHOTS / "verify.png"), full_page=True)

    assert [m.to for m in mail.outbox] == [["carol@example.org"]]
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mail.outbox[0].body).group(0)
    page.goto(link)
    page.get_by_role("button", name="Confirm").click()

    page.wait_for_url(re.compile(r"/cvs/$"))
    assert page.get_by_role("heading", name="My CVs").is_visible()
    assert page.get_by_role("link", name=re.compile("Carol Petit")).is_visible()
    assert page.locator(".onboarding").is_visible()
    page.screenshot(path=str(SHOTS / "cv-list.png"), full_page=True)

    carol = User.objects.get(email="carol@example.org")
    assert carol.emailaddress_set.get().verified
    assert carol.consent_logs.get().preferences["analytics"] is True
