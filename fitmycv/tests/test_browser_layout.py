"""Every main page in a real Chromium, at a desktop and a phone size.

Each page must fit the viewport without sideways scrolling, pass axe-core with nothing serious
or critical, and keep the header's tools (Feedback, Tasks) clear of every other control. A
keyboard-only journey checks that the job-seeker's path works with Tab, Enter and Space.

`make screenshots` runs the page test with SCREENSHOT_DIR=docs/screenshots, which also saves
<page>-<width>.png for every page and size.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from conftest import PASSWORD, accept_cookies, browser_sign_in, make_user

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
RESUME = ROOT / "cvs" / "tests" / "fixtures" / "jsonresume" / "sample.resume.json"
JOB_TEXT = (ROOT / "ai/tests/fixtures/jobs/backend-eng.txt").read_text()
SIZES = [(1280, 800), (390, 844)]
LETTER = {
    "subject": "Application for the position of Senior Backend Engineer",
    "greeting": "Dear Hiring Manager,",
    "paragraphs": [
        "I am writing to apply for the Senior Backend Engineer position you advertised.",
        "In my role as Software Engineer since 2021, my work covers what you are looking for: "
        "built REST APIs; migrated the PostgreSQL database; set up CI/CD pipelines.",
        "Before that, I was also in charge of asynchronous workers and the payment API.",
        "I would welcome the opportunity to discuss how my experience could support your team.",
    ],
    "sign_off": "Kind regards,",
}

# The controls a floating or docked tool must never cover, and the tools themselves.
OVERLAPS_JS = """() => {
  const tools = [...document.querySelectorAll('[data-floating]')];
  const visible = (el) => {
    const r = el.getBoundingClientRect();
    const s = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && s.display !== 'none';
  };
  const hits = [];
  for (const tool of tools.filter(visible)) {
    const t = tool.getBoundingClientRect();
    const controls = document.querySelectorAll('a[href], button, input, select, textarea, summary');
    for (const el of controls) {
      if (tool.contains(el) || el.contains(tool) || !visible(el)) continue;
      if (el.closest('[data-floating]')) continue;
      const r = el.getBoundingClientRect();
      const across = r.left < t.right - 1 && t.left < r.right - 1;
      if (across && r.top < t.bottom - 1 && t.top < r.bottom - 1) {
        hits.push(tool.id + ' covers ' + el.outerHTML.slice(0, 90));
      }
    }
  }
  return hits;
}"""

# The innermost elements that reach past the viewport's right edge.
WIDE_JS = """() => [...document.body.querySelectorAll('*')]
  .filter((el) => el.getBoundingClientRect().right > innerWidth + 1)
  .filter((el) => ![...el.children].some((c) => c.getBoundingClientRect().right > innerWidth + 1))
  .slice(0, 5).map((el) => el.outerHTML.slice(0, 80))"""


def _world() -> dict[str, Any]:
    """A job seeker with a CV, an offer and finished tasks, and a staff member."""
    from billing.services import record_transaction
    from cvs.models import CoverLetter
    from cvs.services import import_json_resume, save_letter, save_version
    from joboffers.services import add_offer_from_text, start_extraction
    from jobs.models import BackgroundTask, TaskStatus, TaskType

    user = make_user("layout@example.org", name="Lea Layout")
    record_transaction(user.pk, amount=30, type="gift", key="layout-credits")
    cv = import_json_resume(
        user, document=json.loads(RESUME.read_text()), filename="sample.resume.json"
    )
    offer = add_offer_from_text(user, JOB_TEXT)
    start_extraction(offer)
    offer.refresh_from_db()
    BackgroundTask.objects.create(
        user=user, type=TaskType.TEST, title="Checking the layout", status=TaskStatus.RUNNING
    )
    letter = CoverLetter.objects.create(
        cv=cv,
        job_offer=offer,
        role=offer.content.get("title") or "Backend Engineer",
        company=offer.content.get("company") or "",
        language="en",
        content=LETTER,
    )
    # One saved version of each, for their versions pages.
    save_version(cv, changelog="Before the summary was reworded", change_type="optimization")
    letter = save_letter(letter, content={**LETTER, "sign_off": "With my best regards,"})
    staff = make_user("layout-staff@example.org", name="Sam Staff", role="ADMIN")
    return {"user": user, "cv": cv, "offer": offer, "letter": letter, "staff": staff}


def _pages(world: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(name, path, who): who is "anon", "user" or "staff"."""
    cv, offer = world["cv"], world["offer"]
    return [
        ("home", reverse("home"), "anon"),
        ("login", reverse("account_login"), "anon"),
        ("signup", reverse("account_signup"), "anon"),
        ("cv-list", reverse("cvs:index"), "user"),
        ("cv", reverse("cvs:detail", args=[cv.pk]), "user"),
        ("editor", reverse("cvs:edit_section", args=[cv.pk, "experience"]), "user"),
        ("export", reverse("cvs:export", args=[cv.pk]), "user"),
        ("rank", reverse("cvs:rank", args=[cv.pk]), "user"),
        ("cover-letters", reverse("cvs:letters", args=[cv.pk]), "user"),
        ("cover-letter", world["letter"].get_absolute_url(), "user"),
        ("versions", reverse("cvs:versions", args=[cv.pk]), "user"),
        (
            "letter-versions",
            reverse("cvs:letter_versions", args=[cv.pk, world["letter"].pk]),
            "user",
        ),
        ("offers", reverse("joboffers:index"), "user"),
        ("offer", reverse("joboffers:detail", args=[offer.pk]), "user"),
        ("tasks", reverse("cvs:tasks"), "user"),
        ("billing", reverse("billing:index"), "user"),
        ("account", reverse("accounts:index"), "user"),
        ("staff-dashboard", reverse("staff:overview"), "staff"),
    ]


def _serious_violations(page: Any) -> list[str]:
    # Evaluated through the DevTools protocol, which the page's CSP does not govern (a script
    # tag would be refused, rightly: the page allows no inline script).
    if not page.evaluate("() => typeof axe !== 'undefined'"):
        page.evaluate(f"() => {{ {AXE.read_text()}\n }}")
    results = page.evaluate(
        # The export's watermark is decorative text, faint on purpose (WCAG 1.4.3 exempts it).
        "async () => (await axe.run({exclude: ['.cv-watermark']},"
        " {resultTypes: ['violations']})).violations"
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes'][:3]]}"
        for v in results
        if v["impact"] in ("serious", "critical")
    ]


def _screenshot(page: Any, path: Path) -> None:
    """The whole page, as a 256-colour PNG: a third of the size, as legible."""
    from io import BytesIO

    from PIL import Image

    image = Image.open(BytesIO(page.screenshot(full_page=True)))
    image.convert("RGB").quantize(colors=256).save(path, optimize=True)


def test_every_main_page_fits_is_accessible_and_uncovered(
    browser_page: Any, live_server: Any
) -> None:
    page = browser_page
    base = live_server.url
    world = _world()
    shots = os.getenv("SCREENSHOT_DIR")
    if shots:
        Path(shots).mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    signed_in = "anon"
    for name, path, who in _pages(world):
        if who != signed_in:
            if who == "anon":
                page.context.clear_cookies()
            else:
                browser_sign_in(page, base, world[who].email)
            signed_in = who
        for width, height in SIZES:
            page.set_viewport_size({"width": width, "height": height})
            page.goto(f"{base}{path}")
            page.wait_for_load_state("networkidle")
            where = f"{name} at {width}px"
            scroll_width = page.evaluate("() => document.documentElement.scrollWidth")
            if scroll_width > width:
                wide = page.evaluate(WIDE_JS)
                problems.append(f"{where}: {scroll_width}px wide, past the edge: {wide}")
            problems += [f"{where}: {hit}" for hit in page.evaluate(OVERLAPS_JS)]
            page.evaluate("() => window.scrollTo(0, document.body.scrollHeight)")
            problems += [f"{where} (scrolled): {hit}" for hit in page.evaluate(OVERLAPS_JS)]
            page.evaluate("() => window.scrollTo(0, 0)")
            problems += [f"{where}: {v}" for v in _serious_violations(page)]
            if shots:
                _screenshot(page, Path(shots) / f"{name}-{width}.png")
        if who == "anon":
            accept_cookies(page)
    assert problems == [], "\n".join(problems)


def _tab_to(page: Any, selector: str, *, limit: int = 120) -> None:
    """Press Tab until the focused element matches `selector`; its focus must be visible."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            """(selector) => {
              const el = document.activeElement;
              if (!el || !el.matches(selector)) return null;
              const s = getComputedStyle(el);
              return {visible: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2};
            }""",
            selector,
        )
        if focused:
            assert focused["visible"], f"{selector} has no visible focus"
            return
    raise AssertionError(f"Tab never reached {selector} on {page.url}")


def test_the_job_seeker_journey_with_the_keyboard_alone(
    browser_page: Any, live_server: Any
) -> None:
    page = browser_page
    base = live_server.url
    world = _world()
    cv, offer = world["cv"], world["offer"]
    from jobs.models import BackgroundTask

    page.set_viewport_size({"width": 390, "height": 844})

    # Sign in: type into the fields, Enter submits.
    page.goto(f"{base}{reverse('account_login')}")
    _tab_to(page, "input[name=login]")
    page.keyboard.type(world["user"].email)
    _tab_to(page, "input[name=password]")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}/cvs/")
    _tab_to(page, "button[value=accept_all]")
    page.keyboard.press("Space")
    page.wait_for_selector("#cookie-banner", state="detached")

    # Open the CV.
    _tab_to(page, f"a[href='/cvs/{cv.pk}/']")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}/cvs/{cv.pk}/")

    # Open the menu (a phone), then the offers page.
    _tab_to(page, "[data-menu-toggle]")
    page.keyboard.press("Space")
    _tab_to(page, ".topnav a[href='/offers/']")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}/offers/")

    # Open the offer and start an action: tailor the CV to it.
    _tab_to(page, f"a[href='/offers/{offer.pk}/']")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}/offers/{offer.pk}/")
    queued = BackgroundTask.objects.filter(user=world["user"]).count()
    _tab_to(page, "form[action*=tailor] button")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert BackgroundTask.objects.filter(user=world["user"]).count() == queued + 1
