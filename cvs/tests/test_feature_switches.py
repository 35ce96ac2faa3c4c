"""Staff switches (feature flags, the section order of new CVs) act on every path they name."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from django.urls import reverse

from cvs import services
from cvs.models import CV, ExportPreset
from joboffers.models import LinkHistory

pytestmark = pytest.mark.django_db

RICH_CV = json.loads((Path(__file__).parent / "fixtures/rich_cv.json").read_text())
OFF_MESSAGE = "This feature is switched off for now."


def _switch_off(name: str) -> None:
    from core.models import Setting  # the setting row is the staff switch under test

    Setting.objects.update_or_create(name=name, defaults={"value": "0", "category": "features"})


@pytest.fixture
def cv(alice) -> CV:
    return services.create_cv(alice, content=copy.deepcopy(RICH_CV), name="Backend CV")


def _refused(response) -> None:
    assert response.status_code == 403
    assert OFF_MESSAGE in response.content.decode()


class TestExportSwitchedOff:
    def test_the_export_page_preview_download_and_presets_are_refused(self, alice_client, cv):
        ExportPreset.objects.create(user=cv.user, name="Mine", options={})
        preset = ExportPreset.objects.get()
        _switch_off("feature_export")

        _refused(alice_client.get(reverse("cvs:export", args=[cv.pk])))
        _refused(alice_client.post(reverse("cvs:export", args=[cv.pk]), {"format": "pdf"}))
        _refused(alice_client.get(reverse("cvs:export_preview", args=[cv.pk]) + "?initial=1"))
        _refused(
            alice_client.post(reverse("cvs:save_preset", args=[cv.pk]), {"preset_name": "New"})
        )
        _refused(alice_client.post(reverse("cvs:delete_preset", args=[cv.pk, preset.pk])))
        assert list(ExportPreset.objects.values_list("name", flat=True)) == ["Mine"]

    def test_the_cv_page_offers_no_export(self, alice_client, cv):
        export_url = reverse("cvs:export", args=[cv.pk])
        assert export_url in alice_client.get(cv.get_absolute_url()).content.decode()

        _switch_off("feature_export")

        assert export_url not in alice_client.get(cv.get_absolute_url()).content.decode()


class TestManualCvSwitchedOff:
    def test_creating_a_blank_cv_is_refused(self, alice_client):
        _switch_off("feature_manual_cv")

        response = alice_client.post(
            reverse("cvs:create"),
            {"full_name": "Alice", "current_title": "Engineer", "email": "", "language": "en"},
        )

        _refused(response)
        assert not CV.objects.exists()

    def test_the_list_offers_no_create_form(self, alice_client):
        create_url = reverse("cvs:create")
        assert create_url in alice_client.get(reverse("cvs:index")).content.decode()

        _switch_off("feature_manual_cv")

        assert create_url not in alice_client.get(reverse("cvs:index")).content.decode()


class TestEditorSwitchedOff:
    def test_every_editing_endpoint_is_refused_htmx_included(self, alice_client, cv):
        before = copy.deepcopy(cv.content)
        _switch_off("feature_edit_mode")
        htmx = {"HTTP_HX_REQUEST": "true"}

        _refused(alice_client.get(reverse("cvs:edit_section", args=[cv.pk, "summary"]), **htmx))
        _refused(
            alice_client.post(
                reverse("cvs:edit_section", args=[cv.pk, "summary"]), {"text": "New"}, **htmx
            )
        )
        _refused(alice_client.post(reverse("cvs:remove_item", args=[cv.pk, "experience", 0])))
        _refused(
            alice_client.post(
                reverse("cvs:move_item", args=[cv.pk, "experience", 0]), {"direction": "down"}
            )
        )
        _refused(
            alice_client.post(
                reverse("cvs:move_section", args=[cv.pk, "skills"]), {"direction": "up"}, **htmx
            )
        )
        cv.refresh_from_db()
        assert cv.content == before

    def test_the_cv_shows_without_its_edit_controls(self, alice_client, cv):
        edit_url = reverse("cvs:edit_section", args=[cv.pk, "header"])
        assert edit_url in alice_client.get(cv.get_absolute_url()).content.decode()

        _switch_off("feature_edit_mode")
        response = alice_client.get(cv.get_absolute_url())

        assert response.status_code == 200
        assert edit_url not in response.content.decode()


class TestLinkHistorySwitchedOff:
    def test_links_are_neither_kept_nor_offered(self, alice, alice_client):
        from joboffers.services import remember_link  # the history's one writer

        remember_link(alice, "https://jobs.example/1")
        page = alice_client.get(reverse("joboffers:index")).content.decode()
        assert '<option value="https://jobs.example/1">' in page

        _switch_off("feature_history")
        remember_link(alice, "https://jobs.example/2")
        page = alice_client.get(reverse("joboffers:index")).content.decode()

        assert list(LinkHistory.objects.values_list("url", flat=True)) == ["https://jobs.example/1"]
        assert "https://jobs.example/1" not in page


ORDER = ["header", "projects", "experience", "skills", "summary", "education", "languages"]


def _set_order(order: list[str]) -> None:
    from core.models import Setting  # the setting row is the staff switch under test

    Setting.objects.update_or_create(
        name="cv_section_order", defaults={"value": json.dumps(order), "category": "cv_display"}
    )


class TestSectionOrderOfNewCvs:
    def test_a_blank_cv_takes_the_order_and_its_export_follows_it(self, alice, alice_client):
        from cvs.export import ExportOptions, render_html  # the export's own renderer

        _set_order(ORDER)
        alice_client.post(
            reverse("cvs:create"),
            {"full_name": "Alice", "current_title": "Engineer", "email": "", "language": "en"},
        )
        cv = CV.objects.get()

        assert cv.content["section_order"] == [*ORDER, "extras"]
        html = render_html({**cv.content, **_filled()}, ExportOptions())
        positions = [html.index(marker) for marker in ("PROJ-X", "EXP-X", "SKILL-X", "SUM-X")]
        assert positions == sorted(positions)

    def test_a_json_resume_without_its_own_order_takes_it(self, alice):
        _set_order(ORDER)
        document = {"basics": {"name": "Alice", "label": "Engineer"}}

        cv = services.import_json_resume(alice, document=document, filename="resume.json")

        assert cv.content["section_order"] == [*ORDER, "extras"]

    def test_existing_cvs_keep_their_own_order(self, cv):
        before = list(cv.content["section_order"])
        _set_order(ORDER)
        cv.refresh_from_db()
        assert cv.content["section_order"] == before


def _filled() -> dict:
    return {
        "summary": {"description": "SUM-X"},
        "skills": {"hard_skills": [{"name": "SKILL-X"}]},
        "experience": [{"title": "EXP-X", "company": "Acme", "start_date": "2020-01"}],
        "projects": [{"name": "PROJ-X", "summary": "A project"}],
    }
