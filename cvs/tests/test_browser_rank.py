"""In a real Chromium: the ranking of a CV's offers, pasted offers scored without a reload,
then the CV tailored to the ticked ones in one go."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from billing.models import CreditBalance
from billing.services import record_transaction
from conftest import browser_sign_in, make_user
from cvs import services
from joboffers.models import JobOffer
from joboffers.services import add_offer
from jobs.models import BackgroundTask, TaskType

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
JOBS = ROOT / "ai" / "tests" / "fixtures" / "jobs"
SAMPLE_CV = json.loads((ROOT / "ai/tests/fixtures/cvs/backend-engineer.cv.json").read_text())


def test_rank_paste_and_tailor_to_the_ticked_offers(browser_page: Any, live_server: Any) -> None:
    page = browser_page
    user = make_user("ranker@example.org", name="Rosa Ranker")
    record_transaction(user.pk, amount=30, type="gift", key="rank-credits")
    cv = services.create_cv(user, content=copy.deepcopy(SAMPLE_CV), name="Backend CV")
    saved = {
        name: add_offer(user, text=(JOBS / name).read_text())[0]
        for name in ("en-nurse.txt", "backend-eng.txt", "en-sre.txt")
    }
    assert all(o.extracted_at for o in JobOffer.objects.filter(user=user))  # read (eager)
    base = live_server.url
    browser_sign_in(page, base, user.email)

    # From the CV's page to its ranking: every saved offer, the backend one first.
    page.goto(f"{base}{cv.get_absolute_url()}")
    page.click("a:has-text('Rank my offers')")
    page.wait_for_url(f"{base}/cvs/{cv.pk}/rank/")
    rows = page.locator(".rank-row")
    expect(rows).to_have_count(3)
    expect(rows.first).to_contain_text("Senior Backend Engineer")
    expect(rows.first.locator(".rank-points.met li")).not_to_have_count(0)
    expect(rows.last.locator(".rank-points.unmet li")).to_have_count(3)

    # Pasted offers are scored in place, with no reload; one too short is listed with why.
    loads: list[str] = []
    page.on("load", lambda: loads.append(page.url))
    platform = (JOBS / "backend-eng.txt").read_text().replace("Senior Backend", "Lead Platform")
    page.click("summary:has-text('Paste offers')")
    page.fill("textarea[name=offers_text]", f"{platform}\n---\nJust a title")
    page.click("button:has-text('Score the pasted offers')")
    expect(rows).to_have_count(4)
    pasted = page.locator(".rank-row", has_text="Pasted, not saved")
    expect(pasted).to_contain_text("Lead Platform Engineer")
    expect(page.locator(".rank-unranked")).to_contain_text("Pasted offer 2")
    assert loads == []
    assert JobOffer.objects.filter(user=user).count() == 3  # nothing saved by scoring

    # Tick the pasted offer and the SRE one, then tailor to both in one go.
    pasted.locator("input[type=checkbox]").check()
    sre = saved["en-sre.txt"]
    page.check(f"input[value='offer-{sre.pk}']")
    page.click("button:has-text('Tailor my CV to the ticked offers')")
    page.wait_for_url(f"{base}/cvs/tasks/")
    tailorings = BackgroundTask.objects.filter(user=user, type=TaskType.GENERATE_CV)
    assert tailorings.count() == 2
    new = JobOffer.objects.get(user=user, content__title="Lead Platform Engineer")
    assert {t.payload["offer_id"] for t in tailorings} == {sre.pk, new.pk}
    assert CreditBalance.objects.get(user=user).balance == 30 - 2 * 3
