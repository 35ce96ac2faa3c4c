"""Fit to one page (or two): tighter layout within readable limits first, then bullets
proposed for removal, left out only once the user accepts them."""

from __future__ import annotations

import io
import json
import re
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from docx import Document as DocxDocument
from pypdf import PdfReader

from ai.offline import extract_job_offer
from billing.models import CreditBalance
from billing.services import record_transaction
from cvs import services
from cvs.export import (
    DENSITIES,
    MIN_BODY_PT,
    MIN_LINE_HEIGHT,
    MIN_MARGIN_MM,
    MIN_SMALL_PT,
    TEMPLATES,
    ExportOptions,
    density_css,
    render_docx,
    render_pdf,
    write_pdf,
)
from cvs.fit import drop_candidates, fit_export
from cvs.models import CV, ExportPreset
from cvs.tests.fitting_cvs import BACKEND_BULLETS, OFFER_TEXT, OTHER_BULLETS, long_cv
from joboffers.models import JobOffer

# Sizes measured for each template: two pages as designed, one page once tightened.
TWO_PAGES_THAT_TIGHTEN_TO_ONE = {"classic": (4, 5), "modern": (4, 5), "compact": (6, 5)}
# Two pages even at the densest readable step, in every template.
TOO_LONG = (7, 6)


def pages(pdf: bytes) -> int:
    return len(PdfReader(io.BytesIO(pdf)).pages)


def text_of(pdf: bytes) -> str:
    return " ".join((page.extract_text() or "") for page in PdfReader(io.BytesIO(pdf)).pages)


def mark(line: str) -> str:
    """Each bullet ends with its "(job.line)" mark, short enough never to be cut by a wrap."""
    found = re.search(r"\(\d+\.\d+\)$", line)
    assert found
    return found.group(0)


def bullet_marks(cv: dict[str, Any]) -> list[str]:
    return [mark(line) for job in cv["experience"] for line in job["responsibilities"]]


def declarations(css: str) -> list[tuple[str, str, str]]:
    """(selector, property, value) of every declaration in a stylesheet of flat rules."""
    found = []
    for selector, body in re.findall(r"([^{}]+)\{([^{}]*)\}", css):
        for declaration in body.split(";"):
            if ":" in declaration:
                prop, _, value = declaration.partition(":")
                found.append((selector.strip(), prop.strip(), value.strip()))
    return found


def assert_within_readable_limits(template: str, step: int) -> None:
    css = density_css(template, step)
    body = [d for d in declarations(css) if d[0] == f".cv-doc--{template}"]
    body_size = [float(v[:-2]) for _, p, v in body if p == "font-size"]
    body_leading = [float(v) for _, p, v in body if p == "line-height"]
    assert body_leading and all(value >= MIN_LINE_HEIGHT for value in body_leading)
    assert all(value >= MIN_BODY_PT for value in body_size)
    for selector, prop, value in declarations(css):
        if prop == "font-size" and "watermark" not in selector:
            assert float(value[:-2]) >= 7.5, (selector, value)  # 7.5 pt: as designed
        if prop == "line-height" and "header__name" not in selector:
            assert float(value) >= MIN_LINE_HEIGHT, (selector, value)
        if selector.startswith("@page") and prop == "margin":
            sides = [float(v[:-2]) if v.endswith("mm") else 0.0 for v in value.split()]
            assert all(side == 0 or side >= MIN_MARGIN_MM for side in sides), (selector, value)
    assert (MIN_BODY_PT, MIN_SMALL_PT, MIN_LINE_HEIGHT, MIN_MARGIN_MM) == (9.0, 8.0, 1.2, 10.0)


# --- The fitting engine ----------------------------------------------------------------------


@pytest.mark.parametrize("template", TEMPLATES)
def test_a_two_page_cv_fits_one_page_by_spacing_alone(template: str) -> None:
    jobs, bullets = TWO_PAGES_THAT_TIGHTEN_TO_ONE[template]
    cv = long_cv(jobs=jobs, bullets=bullets)
    assert pages(render_pdf(cv, ExportOptions(template=template))) == 2

    result = fit_export(cv, ExportOptions(template=template, fit_pages=1))
    pdf = write_pdf(result.document)

    assert result.fits and result.proposal == []
    assert pages(pdf) == result.pages == 1
    assert 0 < result.density < len(DENSITIES)
    assert_within_readable_limits(template, result.density)
    text = text_of(pdf)
    assert all(m in text for m in bullet_marks(cv)), "every bullet is still there"
    # The least dense step that fits: the step before it does not.
    looser = ExportOptions(template=template, density=result.density - 1)
    assert pages(render_pdf(cv, looser)) == 2


@pytest.mark.parametrize("template", TEMPLATES)
def test_the_densest_step_stays_within_the_readable_limits(template: str) -> None:
    assert_within_readable_limits(template, len(DENSITIES) - 1)


def test_a_cv_that_fits_as_designed_is_left_as_designed() -> None:
    result = fit_export(long_cv(jobs=2, bullets=3), ExportOptions(fit_pages=1))

    assert (result.fits, result.pages, result.density, result.renders) == (True, 1, 0, 1)


def test_a_three_page_cv_fits_two_pages() -> None:
    cv = long_cv(jobs=TOO_LONG[0], bullets=TOO_LONG[1])
    assert pages(render_pdf(cv, ExportOptions(template="modern"))) == 3

    result = fit_export(cv, ExportOptions(template="modern", fit_pages=2))

    assert result.fits and pages(write_pdf(result.document)) == 2


def test_a_cv_too_long_gets_bullets_proposed_least_relevant_to_the_offer_first() -> None:
    cv = long_cv(jobs=TOO_LONG[0], bullets=TOO_LONG[1])
    offer = extract_job_offer(OFFER_TEXT)

    result = fit_export(cv, ExportOptions(fit_pages=1), offer=offer)

    assert not result.fits and result.density == len(DENSITIES) - 1
    assert result.ranked_by_offer and result.proposal
    scores = [b.relevance or 0 for b in result.proposal]
    assert None not in [b.relevance for b in result.proposal]
    assert scores == sorted(scores)
    # The off-topic jobs' lines go before any backend line.
    off_topic = [b for b in result.proposal if b.text.startswith(tuple(OTHER_BULLETS))]
    assert result.proposal[: len(off_topic)] == off_topic
    backend = [b for b in result.proposal if b.text.startswith(tuple(BACKEND_BULLETS))]
    assert min(b.relevance or 0 for b in backend) > max(b.relevance or 0 for b in off_topic)
    # Nothing is dropped by a proposal: the PDF still has everything, on 2 pages.
    pdf = write_pdf(result.document)
    assert pages(pdf) == result.pages == 2
    assert all(m in text_of(pdf) for m in bullet_marks(cv))


def test_accepted_removals_make_it_fit_and_leave_out_only_them() -> None:
    cv = long_cv(jobs=TOO_LONG[0], bullets=TOO_LONG[1])
    offer = extract_job_offer(OFFER_TEXT)
    proposal = fit_export(cv, ExportOptions(fit_pages=1), offer=offer).proposal

    accepted = ExportOptions(fit_pages=1, drop_bullets=[b.path for b in proposal])
    result = fit_export(cv, accepted, offer=offer)
    pdf = write_pdf(result.document)

    assert result.fits and pages(pdf) == 1
    text = text_of(pdf)
    dropped = {mark(b.text) for b in proposal}
    assert all((m in text) != (m in dropped) for m in bullet_marks(cv))
    assert cv == long_cv(jobs=TOO_LONG[0], bullets=TOO_LONG[1]), "the CV itself is unchanged"


def test_without_an_offer_the_oldest_jobs_bullets_go_first_and_each_job_keeps_one() -> None:
    cv = long_cv(jobs=3, bullets=3)

    candidates = drop_candidates(cv, ExportOptions(), offer=None)

    assert [b.path for b in candidates] == [
        "experience[2].responsibilities[2]",
        "experience[2].responsibilities[1]",
        "experience[1].responsibilities[2]",
        "experience[1].responsibilities[1]",
        "experience[0].responsibilities[2]",
        "experience[0].responsibilities[1]",
    ]
    assert all(b.relevance is None for b in candidates)


def test_only_bullets_the_export_shows_are_candidates() -> None:
    cv = long_cv(jobs=3, bullets=3)

    candidates = drop_candidates(cv, ExportOptions(experience_items=[1]), offer=None)
    hidden = drop_candidates(
        cv, ExportOptions(sections=["header", "summary", "education"]), offer=None
    )

    assert {b.path.split(".")[0] for b in candidates} == {"experience[1]"}
    assert hidden == []


def test_a_cv_too_long_even_without_every_candidate_says_so() -> None:
    cv = long_cv(jobs=14, bullets=2)  # one bullet may go per job: far from enough

    result = fit_export(cv, ExportOptions(fit_pages=1))

    assert not result.fits and result.removals_cannot_fit and result.proposal == []


def test_a_docx_gets_the_fitted_steps_type_and_removals() -> None:
    cv = long_cv(jobs=3, bullets=3)
    dense = ExportOptions(
        template="classic",
        density=len(DENSITIES) - 1,
        drop_bullets=["experience[0].responsibilities[1]"],
    )

    loose = DocxDocument(io.BytesIO(render_docx(cv, ExportOptions(template="classic"))))
    tight = DocxDocument(io.BytesIO(render_docx(cv, dense)))

    assert loose.styles["Normal"].font.size.pt == 10.5
    assert tight.styles["Normal"].font.size.pt == MIN_BODY_PT  # 9.03 pt, in Word's half points
    margin = tight.sections[0].left_margin
    assert margin is not None and margin.mm == pytest.approx(MIN_MARGIN_MM, abs=0.1)
    texts = [p.text for p in tight.paragraphs]
    assert cv["experience"][0]["responsibilities"][1] not in texts
    assert cv["experience"][0]["responsibilities"][0] in texts


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"fit_pages": 0}, "fit_pages must be one of 1, 2"),
        ({"fit_pages": 3}, "fit_pages must be one of 1, 2"),
        ({"density": 99}, "density must be a step"),
        ({"drop_bullets": ["header.full_name"]}, "drop_bullets must be a list"),
    ],
)
def test_export_options_refuse_fits_they_cannot_make(options: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        ExportOptions.from_dict(options)


# --- The export page ---------------------------------------------------------------------------


@pytest.fixture
def credited(alice: Any) -> Any:
    record_transaction(alice.pk, amount=10, type="gift", key="test-credits")
    return alice


def make_cv(user: Any, jobs: int, bullets: int) -> CV:
    return services.create_cv(user, content=long_cv(jobs=jobs, bullets=bullets), name="Long CV")


@pytest.fixture
def offer(alice: Any) -> JobOffer:
    return JobOffer.objects.create(
        user=alice,
        source_type="text",
        source_value="text:backend",
        source_text=OFFER_TEXT,
        content=extract_job_offer(OFFER_TEXT),
    )


def form_data(cv: CV, **overrides: Any) -> dict[str, Any]:
    data = {
        "template": "classic",
        "paper": "a4",
        "language": "en",
        "sections": cv.content["section_order"],
        "experience_items": [str(i) for i in range(len(cv.content["experience"]))],
        "education_items": ["0"],
        "fit_pages": "1",
    }
    data.update(overrides)
    return data


def balance(user: Any) -> int:
    return CreditBalance.objects.get(user=user).balance


@pytest.mark.django_db
def test_checking_the_fit_shows_the_page_count_and_charges_nothing(alice_client, credited):
    cv = make_cv(credited, *TWO_PAGES_THAT_TIGHTEN_TO_ONE["classic"])
    before = balance(credited)

    response = alice_client.post(reverse("cvs:export_fit", args=[cv.pk]), form_data(cv))

    body = response.content.decode()
    assert response.status_code == 200
    assert "The PDF has 1 page, with the layout tightened to step" in body
    assert "Type never under 9 pt" in body
    assert balance(credited) == before


@pytest.mark.django_db
def test_a_fitted_download_has_the_pages_asked_for(alice_client, credited):
    cv = make_cv(credited, *TWO_PAGES_THAT_TIGHTEN_TO_ONE["modern"])

    response = alice_client.post(
        reverse("cvs:export", args=[cv.pk]), form_data(cv, template="modern", format="pdf")
    )

    assert response["Content-Type"] == "application/pdf"
    assert pages(response.content) == 1 and response["X-Page-Count"] == "1"
    assert all(m in text_of(response.content) for m in bullet_marks(cv.content))


@pytest.mark.django_db
def test_the_check_works_as_a_plain_form_post_too(alice_client, credited):
    cv = make_cv(credited, *TWO_PAGES_THAT_TIGHTEN_TO_ONE["classic"])
    before = balance(credited)

    response = alice_client.post(reverse("cvs:export", args=[cv.pk]), form_data(cv, format="fit"))

    assert response.status_code == 200
    assert "The PDF has 1 page, with the layout tightened to step" in response.content.decode()
    assert balance(credited) == before


@pytest.mark.django_db
def test_the_htmx_check_answers_with_the_panel_only(alice_client, credited):
    cv = make_cv(credited, *TWO_PAGES_THAT_TIGHTEN_TO_ONE["compact"])

    response = alice_client.post(
        reverse("cvs:export_fit", args=[cv.pk]),
        form_data(cv, template="compact"),
        headers={"HX-Request": "true"},
    )

    body = response.content.decode()
    assert body.lstrip().startswith('<div id="fit-result"') and "<html" not in body
    assert "The PDF has 1 page" in body


@pytest.mark.django_db
def test_a_proposal_drops_nothing_until_accepted(alice_client, credited, offer):
    cv = make_cv(credited, *TOO_LONG)
    data = form_data(cv, fit_offer=str(offer.pk))

    check = alice_client.post(reverse("cvs:export_fit", args=[cv.pk]), data).content.decode()
    keys = re.findall(r'name="drop" value="([^"]+)"(?! checked)', check)
    assert (
        "It does not fit on 1 page: at the tightest readable layout the PDF has 2 pages." in check
    )
    assert "the least relevant to the offer" in check
    assert keys and all(k.startswith("experience[") for k in keys)
    before = balance(credited)

    # Downloading without accepting anything makes no file: the page says why.
    refused = alice_client.post(reverse("cvs:export", args=[cv.pk]), {**data, "format": "pdf"})
    assert refused["Content-Type"].startswith("text/html")
    assert "It does not fit on 1 page" in refused.content.decode()
    assert balance(credited) == before

    accepted = alice_client.post(
        reverse("cvs:export", args=[cv.pk]), {**data, "format": "pdf", "drop": keys}
    )
    assert pages(accepted.content) == 1
    text = text_of(accepted.content)
    texts = {
        f"experience[{i}].responsibilities[{j}]": line
        for i, job in enumerate(cv.content["experience"])
        for j, line in enumerate(job["responsibilities"])
    }
    dropped = {texts[key.split(":")[0]][-6:] for key in keys}
    assert all((line[-6:] in text) != (line[-6:] in dropped) for line in texts.values())
    assert balance(credited) == before - 1
    cv.refresh_from_db()
    unchanged = long_cv(jobs=TOO_LONG[0], bullets=TOO_LONG[1])["experience"]
    assert cv.content["experience"] == unchanged, "the CV keeps every bullet"


@pytest.mark.django_db
def test_rejected_removals_keep_the_content_and_say_it_does_not_fit(alice_client, credited):
    cv = make_cv(credited, *TOO_LONG)
    url = reverse("cvs:export_fit", args=[cv.pk])
    alice_client.post(url, {**form_data(cv), "fit_all": "accept"})

    rejected = alice_client.post(url, {**form_data(cv), "fit_all": "reject"}).content.decode()
    assert "It does not fit on 1 page" in rejected
    assert 'name="drop" value="' in rejected
    assert not re.search(r'name="drop" value="[^"]+" checked', rejected), "nothing ticked"
    assert 'name="fit_accept_pages" value="2"' in rejected
    assert "Downloading now gives a PDF of 2 pages." in rejected

    anyway = alice_client.post(
        reverse("cvs:export", args=[cv.pk]),
        {**form_data(cv), "format": "pdf", "fit_accept_pages": "2"},
    )
    assert pages(anyway.content) == 2
    assert all(m in text_of(anyway.content) for m in bullet_marks(cv.content))


@pytest.mark.django_db
def test_accept_all_ticks_the_proposal_and_fits(alice_client, credited):
    cv = make_cv(credited, *TOO_LONG)

    response = alice_client.post(
        reverse("cvs:export_fit", args=[cv.pk]), {**form_data(cv), "fit_all": "accept"}
    )

    body = response.content.decode()
    assert "The PDF has 1 page" in body
    assert re.search(r'name="drop" value="[^"]+" checked', body)
    assert "makes it fit." not in body  # it fits: no proposal left


@pytest.mark.django_db
@pytest.mark.parametrize("pages_asked", ["0", "99", "two"])
def test_a_page_count_other_than_1_or_2_is_refused(alice_client, credited, pages_asked):
    cv = make_cv(credited, 2, 2)
    before = balance(credited)

    for name in ("cvs:export_fit", "cvs:export"):
        response = alice_client.post(
            reverse(name, args=[cv.pk]), form_data(cv, fit_pages=pages_asked, format="pdf")
        )
        assert response.status_code == 400
        assert "A CV can be fitted to 1 or 2 pages." in response.content.decode()
    assert balance(credited) == before


@pytest.mark.django_db
def test_checking_the_fit_needs_a_page_count(alice_client, credited):
    cv = make_cv(credited, 2, 2)

    response = alice_client.post(
        reverse("cvs:export_fit", args=[cv.pk]), form_data(cv, fit_pages="")
    )

    assert response.status_code == 400
    assert "Choose 1 or 2 pages to fit the CV to." in response.content.decode()


@pytest.mark.django_db
def test_another_users_offer_or_an_unknown_one_is_refused(alice_client, credited, bob):
    cv = make_cv(credited, 2, 2)
    bobs = JobOffer.objects.create(
        user=bob, source_type="text", source_value="text:x", content={"title": "Chef"}
    )

    for offer_id in (str(bobs.pk), "999999", "abc"):
        response = alice_client.post(
            reverse("cvs:export_fit", args=[cv.pk]), form_data(cv, fit_offer=offer_id)
        )
        assert response.status_code == 400
        assert "Choose one of your offers." in response.content.decode()


@pytest.mark.django_db
def test_a_removal_from_before_an_edit_is_refused(alice_client, credited):
    cv = make_cv(credited, 3, 3)
    stale = "experience[0].responsibilities[1]:0000000000"

    response = alice_client.post(
        reverse("cvs:export", args=[cv.pk]), form_data(cv, drop=[stale], format="pdf")
    )

    assert response.status_code == 400
    assert "This CV changed since these removals were proposed" in response.content.decode()


@pytest.mark.django_db
def test_another_users_cv_is_not_found(bob_client, credited):
    cv = make_cv(credited, 2, 2)

    response = bob_client.post(reverse("cvs:export_fit", args=[cv.pk]), form_data(cv))

    assert response.status_code == 404


@pytest.mark.django_db
def test_checking_the_fit_needs_a_post_and_a_user(client, alice_client, credited):
    cv = make_cv(credited, 2, 2)
    url = reverse("cvs:export_fit", args=[cv.pk])

    assert alice_client.get(url).status_code == 405
    anonymous = client.post(url, form_data(cv))
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]


@pytest.mark.django_db
def test_a_preset_keeps_the_page_target(alice_client, credited):
    cv = make_cv(credited, 2, 2)

    alice_client.post(
        reverse("cvs:save_preset", args=[cv.pk]), {**form_data(cv), "preset_name": "One page"}
    )

    assert ExportPreset.objects.get(user=credited, name="One page").options["fit_pages"] == 1


# --- The export_cv command ---------------------------------------------------------------------


def write_cv(tmp_path: Any, cv: dict[str, Any]) -> str:
    path = tmp_path / "cv.json"
    path.write_text(json.dumps(cv), encoding="utf-8")
    return str(path)


def test_the_command_fits_a_cv_to_one_page(tmp_path: Any) -> None:
    source = write_cv(tmp_path, long_cv(jobs=4, bullets=5))
    out = tmp_path / "cv.pdf"
    stdout = io.StringIO()

    call_command("export_cv", "--in", source, "--format", "pdf", "--fit-pages", "1",
                 "--out", str(out), stdout=stdout)  # fmt: skip

    assert pages(out.read_bytes()) == 1
    assert "Fits on 1 page(s) at step" in stdout.getvalue()


def test_the_command_lists_the_bullets_to_drop_and_writes_nothing(tmp_path: Any) -> None:
    cv = long_cv(jobs=TOO_LONG[0], bullets=TOO_LONG[1])
    source, out = write_cv(tmp_path, cv), tmp_path / "cv.pdf"
    args = ["export_cv", "--in", source, "--format", "pdf", "--fit-pages", "1", "--out", str(out)]

    with pytest.raises(CommandError, match="does not fit on 1 page: 2 pages") as refused:
        call_command(*args)
    places = re.findall(r"--drop '([^']+)'", str(refused.value))
    assert places and not out.exists()

    call_command(*args, *[f"--drop={place}" for place in places], stdout=io.StringIO())
    assert pages(out.read_bytes()) == 1


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--fit-pages", "3"], "invalid choice: '3'"),
        (["--drop", "experience[0].responsibilities[0]"], "--drop applies only with --fit-pages"),
        (["--fit-pages", "1", "--drop", "header"], "drop_bullets must be a list"),
    ],
)
def test_the_command_refuses_fits_it_cannot_make(tmp_path: Any, extra: list, message: str) -> None:
    source = write_cv(tmp_path, long_cv(jobs=1, bullets=1))

    with pytest.raises(CommandError, match=re.escape(message)):
        call_command("export_cv", "--in", source, "--format", "pdf", *extra,
                     "--out", str(tmp_path / "cv.pdf"))  # fmt: skip


@pytest.mark.django_db
def test_fit_checks_are_limited_per_user_a_minute(alice_client, bob_client, credited, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "export_fit": "2/m/user"}
    cv = make_cv(credited, *TWO_PAGES_THAT_TIGHTEN_TO_ONE["classic"])
    url = reverse("cvs:export_fit", args=[cv.pk])
    for _ in range(2):
        assert alice_client.post(url, form_data(cv)).status_code == 200

    refused = alice_client.post(url, form_data(cv))
    in_panel = alice_client.post(url, form_data(cv), headers={"HX-Request": "true"})
    plain_form = alice_client.post(reverse("cvs:export", args=[cv.pk]), form_data(cv, format="fit"))

    assert refused.status_code == 429 and plain_form.status_code == 429
    for response in (refused, in_panel, plain_form):
        body = response.content.decode()
        assert "Too many fit checks in a minute" in body
        assert "The PDF has" not in body
    # A download is not a check: it is never refused by this limit.
    download = alice_client.post(reverse("cvs:export", args=[cv.pk]), form_data(cv, format="pdf"))
    assert download["Content-Type"] == "application/pdf"
