"""The template editor's live preview in a real Chromium: the draft is rendered in the sandboxed
frame with its inline styles, staff-written scripts do not run, errors show as you type."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import PASSWORD, make_user
from core.testing import require_service
from emails.models import EmailTemplate, EmailTrigger

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync"]


@pytest.fixture(autouse=True)
def _allow_orm_beside_playwright(monkeypatch: pytest.MonkeyPatch) -> None:
    # Playwright's sync API runs an event loop in this thread; Django would otherwise refuse
    # the ORM calls made by the test itself.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def browser_page(live_server: Any, transactional_db: Any) -> Iterator[tuple[Any, list[str]]]:
    require_service("chromium", Path(CHROMIUM).exists())
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_context(viewport={"width": 1280, "height": 1200}).new_page()
        page.set_default_timeout(15_000)
        errors: list[str] = []

        def on_console(message: Any) -> None:
            # The admin has no favicon link, so the browser's own /favicon.ico guess is a 404.
            if message.type == "error" and "favicon.ico" not in message.location.get("url", ""):
                errors.append(message.text)

        page.on("console", on_console)
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        yield page, errors
        browser.close()


def test_the_preview_follows_the_draft(browser_page, live_server):
    page, errors = browser_page
    make_user("staff@example.org", name="Sam Staff", role="ADMIN")
    trigger = EmailTrigger.objects.create(name="welcome", label="Welcome", category="account")
    template = EmailTemplate.objects.create(
        name="welcome",
        trigger=trigger,
        subject="Welcome {{ user_name }}",
        html_content="<p>Hello {{ user_name }}</p>",
        text_content="Hello {{ user_name }}",
    )
    page.goto(f"{live_server.url}/admin/login/")  # staff sign in through the site's login
    page.fill("#id_login", "staff@example.org")
    page.fill("#id_password", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")
    page.goto(f"{live_server.url}/admin/emails/emailtemplate/{template.pk}/change/")
    frame = page.frame_locator("iframe[name=email-preview-frame]")
    assert frame.locator("p", has_text="Hello").inner_text() == "Hello Alice Martin"
    assert page.locator("[data-preview-error-box]").is_hidden()

    page.fill("#id_subject", "Hey {{ user_name }}!")
    page.fill("#id_html_content", '<p style="color: rgb(1, 2, 3)">New {{ welcome_credits }}</p>')
    page.locator("[data-preview-subject]", has_text="Hey Alice Martin!").wait_for()
    paragraph = frame.locator("p", has_text="New 15")
    paragraph.wait_for()
    # The email's inline styles apply inside the frame, under the preview's own policy.
    assert paragraph.evaluate("p => getComputedStyle(p).color") == "rgb(1, 2, 3)"
    assert errors == []  # no CSP violation or script error on the editor page

    page.fill(
        "#id_html_content",
        "<p>Scripted</p><script>parent.document.title = 'changed'</script>",
    )
    frame.locator("p", has_text="Scripted").wait_for()
    assert page.title() != "changed"

    page.fill("#id_subject", "Hi {{ coupon }}")
    page.locator("[data-preview-error-box]", has_text="Unknown variable {{ coupon }}").wait_for()
    frame.locator("body", has_text="cannot be rendered").wait_for()
    template.refresh_from_db()
    assert template.subject == "Welcome {{ user_name }}"  # nothing saved
