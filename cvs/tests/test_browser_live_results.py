"""In a real Chromium: a score started on the CV page appears on it when the worker finishes,
with no reload. The worker is held back until the page shows "Computing…", then run."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from billing.services import record_transaction
from conftest import PASSWORD, browser_sign_in, make_user
from cvs import services
from cvs.models import CV, CreatedBy
from joboffers.services import add_offer_from_text
from jobs import services as job_services

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
SAMPLE_CV = json.loads((ROOT / "ai/tests/fixtures/cvs/backend-engineer.cv.json").read_text())
JOB_TEXT = (ROOT / "ai/tests/fixtures/jobs/backend-eng.txt").read_text()


def test_the_score_appears_without_a_reload(
    browser_page: Any, live_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = browser_page
    user = make_user("live@example.org", name="Lou Live")
    record_transaction(user.pk, amount=30, type="gift", key="live-credits")
    master = services.create_cv(user, content=copy.deepcopy(SAMPLE_CV), name="Master")
    services.start_tailoring(user, base_cv=master, offers=[add_offer_from_text(user, JOB_TEXT)])
    tailored = CV.objects.get(created_by=CreatedBy.GENERATE_CV)
    # From now on the worker waits for the test: tasks are queued, not run.
    queued: list[str] = []
    monkeypatch.setattr(job_services, "_send", lambda delay, task_id: queued.append(task_id))

    base = live_server.url
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=login]", user.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url(f"{base}/cvs/")
    if page.locator("button[value=accept_all]").count():
        page.click("button[value=accept_all]")
    page.goto(f"{base}{tailored.get_absolute_url()}")
    page.click("#score button:has-text('Compute the match score')")
    expect(page.locator("#score")).to_contain_text("Computing")

    loads: list[str] = []
    page.on("load", lambda: loads.append(page.url))
    assert len(queued) == 1
    job_services.run_task(queued[0])

    expect(page.locator("#score .score-big")).to_be_visible(timeout=5_000)
    tailored.refresh_from_db()
    assert page.locator(".score-big").inner_text() == str(tailored.match_score)
    assert loads == []  # the page was not reloaded


def test_a_pasted_offer_appears_read_without_a_reload(
    browser_page: Any, live_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = browser_page
    user = make_user("reader@example.org", name="Rita Reader")
    queued: list[str] = []
    monkeypatch.setattr(job_services, "_send", lambda delay, task_id: queued.append(task_id))
    base = live_server.url
    browser_sign_in(page, base, user.email)

    page.goto(f"{base}/offers/")
    page.fill("textarea[name=text]", JOB_TEXT)
    page.click("button:has-text('Add the offer')")
    page.wait_for_url(f"{base}/offers/*/")
    loads: list[str] = []
    page.on("load", lambda: loads.append(page.url))
    assert len(queued) == 1
    job_services.run_task(queued[0])

    expect(page.locator("h1")).to_contain_text("Backend Engineer", timeout=5_000)
    assert loads == []  # the page was not reloaded


def test_a_translation_shows_its_new_cv_without_a_reload(
    browser_page: Any, live_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = browser_page
    user = make_user("translator@example.org", name="Tom Translator")
    record_transaction(user.pk, amount=30, type="gift", key="live-translate")
    master = services.create_cv(user, content=copy.deepcopy(SAMPLE_CV), name="Master")
    queued: list[str] = []
    monkeypatch.setattr(job_services, "_send", lambda delay, task_id: queued.append(task_id))
    base = live_server.url
    browser_sign_in(page, base, user.email)

    page.goto(f"{base}{master.get_absolute_url()}translate/plan/?target=fr")
    page.click("button:has-text('Translate')")
    page.wait_for_url(f"{base}{master.get_absolute_url()}*")
    loads: list[str] = []
    page.on("load", lambda: loads.append(page.url))
    assert len(queued) == 1
    job_services.run_task(queued[0])

    expect(page.locator("#cv-live a.translated-cv")).to_be_visible(timeout=5_000)
    assert loads == []  # the page was not reloaded
