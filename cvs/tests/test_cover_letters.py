"""Cover letters end to end: the paid task, the editor and its versions, the exports, the price."""

from __future__ import annotations

import copy
import importlib
import io
import json
import re
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from django.apps import apps
from django.urls import reverse
from docx import Document
from pypdf import PdfReader

from ai.errors import AITemporaryError
from billing.models import CreditBalance, SubscriptionPlan, SubscriptionPlanFeatureLimit
from billing.services import feature_cost, record_transaction
from core.config import SETTINGS, format_value, get_setting
from core.models import Setting
from cvs import services
from cvs.models import CV, CoverLetter, CoverLetterVersion
from joboffers.models import JobOffer
from joboffers.services import add_offer_from_text
from jobs.models import BackgroundTask, TaskStatus
from staff.seed import seed_all

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
SAMPLE_CV = json.loads((ROOT / "ai/tests/fixtures/cvs/backend-engineer.cv.json").read_text())
JOB_TEXT = (ROOT / "ai/tests/fixtures/jobs/backend-eng.txt").read_text()
NURSE_JOB = (ROOT / "eval/offers/en-staff-nurse-leeds-01.txt").read_text()


def give_credits(user: Any, amount: int) -> None:
    record_transaction(user.pk, amount=amount, type="gift", key=f"letters:{user.pk}")


def balance(user: Any) -> int:
    return CreditBalance.objects.get(user=user).balance


def token(page: str) -> str:
    match = re.search(r'name="submission" value="([^"]+)"', page)
    assert match, "no one-time token in the page"
    return match.group(1)


@pytest.fixture
def cv(alice: Any) -> CV:
    return services.create_cv(alice, content=copy.deepcopy(SAMPLE_CV), name="Master CV")


@pytest.fixture
def offer(alice: Any) -> JobOffer:
    return add_offer_from_text(alice, JOB_TEXT)


@pytest.fixture
def letter(cv: CV, offer: JobOffer, committed: Any) -> CoverLetter:
    give_credits(cv.user, 10)
    with committed():
        services.start_cover_letter(cv, offer=offer)
    return CoverLetter.objects.get(cv=cv)


def letters_url(cv: CV) -> str:
    return reverse("cvs:letters", args=[cv.pk])


def edit_data(**changes: str) -> dict[str, str]:
    data = {
        "subject": "Application for the Senior Backend Engineer position",
        "greeting": "Dear Hiring Manager,",
        "body": "I am applying.\n\nAt Acme Logistics I built REST APIs.\n\nThank you.",
        "sign_off": "Kind regards,",
    }
    return {**data, **changes}


# --- Writing a letter: the paid background task ---------------------------------------------


def test_it_writes_a_letter_in_the_background_and_charges_once(
    alice_client: Any, alice: Any, cv: CV, offer: JobOffer, committed: Any
) -> None:
    give_credits(alice, 10)
    page = alice_client.get(letters_url(cv)).content.decode()
    data = {"offer": str(offer.pk), "submission": token(page)}

    with committed():
        first = alice_client.post(letters_url(cv), data)
    second = alice_client.post(letters_url(cv), data)  # the same form sent again

    assert first.status_code == 302 and first["Location"] == cv.get_absolute_url()
    assert second.status_code == 302
    task = BackgroundTask.objects.get()
    assert task.status == TaskStatus.COMPLETED and task.feature_name == "cover_letter"
    assert balance(alice) == 10 - feature_cost("cover_letter") == 9
    letter = CoverLetter.objects.get(cv=cv)
    assert letter.job_offer == offer and letter.language == "en"
    offer.refresh_from_db()
    assert letter.role == offer.content["title"]
    assert letter.company == (offer.content["company"] or "")
    assert "Acme Logistics" in " ".join(letter.paragraphs)
    assert letter.cv_version == cv.content_version and letter.version == 1
    assert task.result_url() == letter.get_absolute_url()


def test_the_cv_page_links_the_finished_letter(alice_client: Any, letter: CoverLetter) -> None:
    page = alice_client.get(letter.cv.get_absolute_url()).content.decode()

    assert f'href="{letter.get_absolute_url()}"' in page
    assert f'href="{letters_url(letter.cv)}"' in page


def test_a_cv_too_far_from_the_offer_gets_no_letter_and_no_charge(
    alice: Any, cv: CV, committed: Any
) -> None:
    give_credits(alice, 10)
    nursing = add_offer_from_text(alice, NURSE_JOB)

    with committed():
        task = services.start_cover_letter(cv, offer=nursing)

    task.refresh_from_db()
    assert task.status == TaskStatus.FAILED
    assert "too little" in task.error and "not charged" in task.error
    assert balance(alice) == 10
    assert not CoverLetter.objects.exists()


def test_a_failed_task_refunds_the_letter(
    alice: Any, cv: CV, offer: JobOffer, committed: Any
) -> None:
    give_credits(alice, 10)
    failure = AITemporaryError("provider down")

    with (
        mock.patch("ai.gateway.write_cover_letter", autospec=True, side_effect=failure),
        committed(),
    ):
        task = services.start_cover_letter(cv, offer=offer)

    task.refresh_from_db()
    assert task.status == TaskStatus.FAILED
    assert balance(alice) == 10
    assert not CoverLetter.objects.exists()


def test_without_credits_nothing_is_queued(
    alice_client: Any, alice: Any, cv: CV, offer: JobOffer
) -> None:
    give_credits(alice, 0)
    page = alice_client.get(letters_url(cv)).content.decode()

    response = alice_client.post(letters_url(cv), {"offer": offer.pk, "submission": token(page)})

    assert response.status_code == 302 and "billing" in response["Location"]
    assert not BackgroundTask.objects.exists()


def test_the_offer_must_be_one_of_the_users(alice_client: Any, bob: Any, cv: CV) -> None:
    bobs = add_offer_from_text(bob, JOB_TEXT)

    response = alice_client.post(letters_url(cv), {"offer": bobs.pk})

    assert response.status_code == 400
    assert not BackgroundTask.objects.exists()


def test_the_letters_page_is_the_owners_only(client: Any, bob_client: Any, cv: CV) -> None:
    assert bob_client.get(letters_url(cv)).status_code == 404
    anonymous = client.get(letters_url(cv))
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]


# --- Editing and versions --------------------------------------------------------------------


def test_an_edit_saves_the_letter_and_keeps_the_old_text_as_a_version(
    alice_client: Any, letter: CoverLetter
) -> None:
    before = letter.content

    response = alice_client.post(letter.get_absolute_url(), edit_data())

    assert response.status_code == 302
    letter.refresh_from_db()
    assert letter.content["paragraphs"] == [
        "I am applying.",
        "At Acme Logistics I built REST APIs.",
        "Thank you.",
    ]
    assert letter.version == 2
    [version] = letter.versions.all()
    assert version.version == 1 and version.content == before and version.change_type == "edit"


def test_an_unchanged_save_makes_no_version(alice_client: Any, letter: CoverLetter) -> None:
    page = alice_client.get(letter.get_absolute_url())
    form = page.context["form"].initial

    alice_client.post(letter.get_absolute_url(), form)

    assert not letter.versions.exists()


@pytest.mark.parametrize(
    "bad",
    [
        {"body": "   "},
        {"greeting": ""},
        {"body": "x" * 3001},
        {"subject": "s" * 201},
        {"body": "\n\n".join(["A paragraph."] * 13)},
    ],
)
def test_bad_input_is_refused_with_a_message_and_saves_nothing(
    alice_client: Any, letter: CoverLetter, bad: dict[str, str]
) -> None:
    before = copy.deepcopy(letter.content)

    response = alice_client.post(letter.get_absolute_url(), edit_data(**bad))

    assert response.status_code == 400
    assert 'class="form-errors"' in response.content.decode()
    letter.refresh_from_db()
    assert letter.content == before and not letter.versions.exists()


def test_the_editor_answers_htmx_with_the_page_part(alice_client: Any, letter: CoverLetter) -> None:
    before = copy.deepcopy(letter.content)

    refused = alice_client.post(
        letter.get_absolute_url(), edit_data(greeting=""), HTTP_HX_REQUEST="true"
    )
    saved = alice_client.post(letter.get_absolute_url(), edit_data(), HTTP_HX_REQUEST="true")

    # htmx swaps only 2xx answers: the errors come back as a 200 part of the page.
    assert refused.status_code == 200 and 'class="form-errors"' in refused.content.decode()
    assert "<html" not in refused.content.decode()
    assert saved.status_code == 200 and "The letter was saved." in saved.content.decode()
    letter.refresh_from_db()
    assert letter.versions.get().content == before


def test_another_users_letter_is_a_404_everywhere(bob_client: Any, letter: CoverLetter) -> None:
    cv = letter.cv
    urls = [
        letter.get_absolute_url(),
        reverse("cvs:letter_versions", args=[cv.pk, letter.pk]),
        reverse("cvs:letter_export", args=[cv.pk, letter.pk]) + "?format=pdf",
        reverse("cvs:letter_preview", args=[cv.pk, letter.pk]),
    ]
    for url in urls:
        assert bob_client.get(url).status_code == 404, url
    assert bob_client.post(letter.get_absolute_url(), edit_data()).status_code == 404
    restore = reverse("cvs:restore_letter", args=[cv.pk, letter.pk, 1])
    assert bob_client.post(restore).status_code == 404
    delete = reverse("cvs:delete_letter", args=[cv.pk, letter.pk])
    assert bob_client.post(delete).status_code == 404
    assert CoverLetter.objects.filter(pk=letter.pk).exists()


def test_a_letter_is_reached_only_through_its_own_cv(
    alice: Any, alice_client: Any, letter: CoverLetter
) -> None:
    other = services.create_cv(alice, content=copy.deepcopy(SAMPLE_CV), name="Other")

    url = reverse("cvs:letter", args=[other.pk, letter.pk])

    assert alice_client.get(url).status_code == 404


def test_the_letter_pages_refuse_the_wrong_method(alice_client: Any, letter: CoverLetter) -> None:
    cv = letter.cv
    restore = reverse("cvs:restore_letter", args=[cv.pk, letter.pk, 1])
    assert alice_client.get(restore).status_code == 405
    delete = reverse("cvs:delete_letter", args=[cv.pk, letter.pk])
    assert alice_client.get(delete).status_code == 405
    assert alice_client.put(letter.get_absolute_url()).status_code == 405
    export = reverse("cvs:letter_export", args=[cv.pk, letter.pk])
    assert alice_client.post(export, {"format": "pdf"}).status_code == 405


def test_a_restore_brings_the_old_text_back_and_keeps_the_replaced_one(
    alice_client: Any, letter: CoverLetter
) -> None:
    written = copy.deepcopy(letter.content)
    alice_client.post(letter.get_absolute_url(), edit_data())
    versions = reverse("cvs:letter_versions", args=[letter.cv_id, letter.pk])
    assert "v1" in alice_client.get(versions).content.decode()

    response = alice_client.post(reverse("cvs:restore_letter", args=[letter.cv_id, letter.pk, 1]))

    assert response.status_code == 302
    letter.refresh_from_db()
    assert letter.content == written and letter.version == 3
    assert list(letter.versions.values_list("version", "change_type")) == [
        (2, "restore"),
        (1, "edit"),
    ]
    assert letter.versions.get(version=2).content["paragraphs"][0] == "I am applying."


def test_an_unknown_version_is_a_404(alice_client: Any, letter: CoverLetter) -> None:
    url = reverse("cvs:restore_letter", args=[letter.cv_id, letter.pk, 9])

    assert alice_client.post(url).status_code == 404


def test_versions_rotate_like_the_cvs(alice_client: Any, letter: CoverLetter) -> None:
    for n in range(get_setting("cv_max_versions") + 2):
        alice_client.post(letter.get_absolute_url(), edit_data(body=f"Version {n}."))

    assert letter.versions.count() == get_setting("cv_max_versions")


def test_the_cvs_history_lists_its_letters(alice_client: Any, letter: CoverLetter) -> None:
    page = alice_client.get(reverse("cvs:versions", args=[letter.cv_id])).content.decode()

    assert letter.get_absolute_url() in page
    assert reverse("cvs:letter_versions", args=[letter.cv_id, letter.pk]) in page


def test_a_letter_goes_with_its_cv(letter: CoverLetter) -> None:
    letter.cv.delete()

    assert not CoverLetter.objects.exists() and not CoverLetterVersion.objects.exists()


# --- Exports ---------------------------------------------------------------------------------


def _export(client: Any, letter: CoverLetter, **query: str) -> Any:
    url = reverse("cvs:letter_export", args=[letter.cv_id, letter.pk])
    return client.get(url, query)


@pytest.mark.parametrize("template", ["classic", "modern", "compact"])
def test_the_pdf_holds_the_letter_in_the_cvs_template(
    alice_client: Any, letter: CoverLetter, template: str
) -> None:
    response = _export(alice_client, letter, format="pdf", template=template, paper="a4")

    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].endswith('.pdf"')
    reader = PdfReader(io.BytesIO(response.content))
    text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    for paragraph in letter.paragraphs:
        assert " ".join(paragraph.split()) in text
    assert letter.content["greeting"] in text and letter.content["sign_off"] in text
    assert SAMPLE_CV["header"]["full_name"] in text  # the CV's header is the letterhead
    assert len(reader.pages) == 1


def test_the_docx_holds_the_letter(alice_client: Any, letter: CoverLetter) -> None:
    response = _export(alice_client, letter, format="docx", template="modern", paper="letter")

    assert response.status_code == 200
    document = Document(io.BytesIO(response.content))
    paragraphs = [p.text for p in document.paragraphs]
    for paragraph in letter.paragraphs:
        assert paragraph in paragraphs
    assert letter.content["subject"] in paragraphs
    assert paragraphs[-1] == SAMPLE_CV["header"]["full_name"]
    assert document.core_properties.language == "en"


def test_bad_export_settings_are_refused_without_a_file(
    alice_client: Any, letter: CoverLetter
) -> None:
    response = _export(alice_client, letter, format="exe", template="classic", paper="a4")

    assert response.status_code == 400
    assert "These export settings are not valid." in response.content.decode()


def test_the_letter_is_exported_in_the_cvs_language(
    alice: Any, alice_client: Any, committed: Any
) -> None:
    content = json.loads((ROOT / "eval/cvs/fr-comptable-01.json").read_text())
    cv = services.create_cv(alice, content=content, name="CV FR")
    posting = (ROOT / "eval/offers/fr-comptable-nantes-01.txt").read_text()
    offer = add_offer_from_text(alice, posting)
    give_credits(alice, 5)
    with committed():
        services.start_cover_letter(cv, offer=offer)
    letter = CoverLetter.objects.get(cv=cv)

    response = _export(alice_client, letter, format="pdf", template="classic", paper="a4")

    text = PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    assert letter.language == "fr" and "Madame, Monsieur," in text
    assert "décembre" in text or "janvier" in text or " 20" in text


# --- The price: seeded and editable like the other features ----------------------------------


def test_the_price_is_seeded_with_the_other_settings() -> None:
    seed_all()

    row = Setting.objects.get(name="credits_cover_letter")
    assert (row.value, row.category) == ("1", "credits")
    pro = SubscriptionPlan.objects.get(name="Pro")
    assert pro.limits.get(feature_name="cover_letter").usage_limit == 25


def test_a_database_seeded_before_letters_gets_their_rows_from_the_migration() -> None:
    seed_all()
    Setting.objects.filter(name__in=["credits_cover_letter", "feature_cover_letter"]).delete()
    SubscriptionPlanFeatureLimit.objects.filter(feature_name="cover_letter").delete()
    Setting.objects.update_or_create(name="model_cover_letter", defaults={"value": "gpt-5"})
    migration = importlib.import_module("billing.migrations.0008_cover_letter_feature")

    migration.seed_cover_letters(apps, None)

    assert Setting.objects.get(name="credits_cover_letter").value == "1"
    assert Setting.objects.get(name="model_cover_letter").value == "gpt-5"  # staff's kept
    limits = SubscriptionPlanFeatureLimit.objects.filter(feature_name="cover_letter")
    assert sorted(limits.values_list("usage_limit", flat=True)) == [0, 25, 60]


def test_staff_change_the_price_and_the_next_letter_costs_it(
    staff_client: Any, alice: Any, cv: CV, offer: JobOffer, committed: Any
) -> None:
    data = {}
    for name, spec in SETTINGS.items():
        value = get_setting(name)
        if spec.type is bool:
            if value:
                data[name] = "on"
        else:
            data[name] = format_value(name, value)
    data["credits_cover_letter"] = "4"

    response = staff_client.post("/admin/dashboards/settings/", data)

    assert response.status_code == 302
    assert get_setting("credits_cover_letter") == 4
    give_credits(alice, 10)
    with committed():
        services.start_cover_letter(cv, offer=offer)
    assert balance(alice) == 6


def test_the_feature_switch_closes_the_pages(alice_client: Any, letter: CoverLetter) -> None:
    Setting.objects.create(name="feature_cover_letter", value="0", category="features")

    assert alice_client.get(letters_url(letter.cv)).status_code == 403
    assert alice_client.get(letter.get_absolute_url()).status_code == 403
