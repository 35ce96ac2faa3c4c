from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from django.urls import reverse

from cvs import services
from cvs.models import CV

pytestmark = pytest.mark.django_db

RICH_CV = json.loads((Path(__file__).parent / "fixtures/rich_cv.json").read_text())
ENTRY = {"title": "Engineer", "company": "Acme", "start_date": "June 2020x", "end_date": ""}


@pytest.fixture
def cv(alice) -> CV:
    return services.create_cv(alice, content=copy.deepcopy(RICH_CV), name="Backend CV")


def _url(name: str, *args: object) -> str:
    return reverse(f"cvs:{name}", args=args)


class TestErrorsBesideTheField:
    def test_an_htmx_edit_with_a_bad_date_gets_the_form_back_with_the_message(
        self, alice_client, cv
    ):
        before = copy.deepcopy(cv.content)
        response = alice_client.post(
            _url("edit_item", cv.pk, "experience", 0), ENTRY, HTTP_HX_REQUEST="true"
        )
        body = response.content.decode()
        # 200, or htmx would not swap the form in.
        assert response.status_code == 200
        assert 'class="section-form"' in body
        start = body.index('name="start_date"')
        assert body.index("Use a month like 2020-06", start) < body.index('name="end_date"')
        assert "experience[0]" not in body and "YYYY" not in body
        cv.refresh_from_db()
        assert cv.content == before

    def test_a_plain_post_with_a_bad_date_keeps_the_styled_page(self, alice_client, cv):
        response = alice_client.post(_url("edit_item", cv.pk, "experience", 0), ENTRY)
        body = response.content.decode()
        assert response.status_code == 400
        assert "css/app.css" in body and 'id="editor"' in body
        assert "field-invalid" in body and "Use a month like 2020-06" in body

    def test_the_message_speaks_the_users_language(self, alice, alice_client, cv):
        alice.language = "fr"
        alice.save(update_fields=["language"])
        response = alice_client.post(
            _url("edit_item", cv.pk, "experience", 0),
            {**ENTRY, "start_date": "2020-06", "end_date": "someday"},
            HTTP_HX_REQUEST="true",
        )
        body = response.content.decode()
        assert "Indiquez un mois comme 2020-06, ou cochez En cours." in body
        assert "must be" not in body

    def test_a_start_date_cannot_be_present(self, alice_client, cv):
        response = alice_client.post(
            _url("edit_item", cv.pk, "experience", 0), {**ENTRY, "start_date": "present"}
        )
        assert "Only the end of an entry can be Present." in response.content.decode()

    def test_a_refusal_of_the_document_lands_beside_its_field(self, alice_client, cv):
        response = alice_client.post(
            _url("edit_section", cv.pk, "header"),
            {"full_name": "Camille", "current_title": "Engineer", "links": "javascript:alert(1)"},
        )
        body = response.content.decode()
        assert response.status_code == 400
        links = body.index('name="links"')
        assert body.index("This value is not accepted here.", links) > links
        assert "header.contact" not in body


class TestDates:
    def test_a_month_input_and_the_present_box_round_trip(self, alice_client, cv):
        response = alice_client.post(
            _url("edit_item", cv.pk, "experience", 1),
            {**ENTRY, "start_date": "2020-06", "end_date": "2021-01", "end_present": "on"},
        )
        assert response.status_code == 302
        cv.refresh_from_db()
        entry = cv.content["experience"][1]
        assert (entry["start_date"], entry["end_date"]) == ("2020-06", "present")

        body = alice_client.get(_url("edit_item", cv.pk, "experience", 1)).content.decode()
        assert '<input type="month" name="start_date" value="2020-06"' in body
        assert '<input type="month" name="end_date"' in body
        assert 'name="end_present" id="id_end_present" checked' in body

    def test_it_reads_the_dates_people_type(self, alice_client, cv):
        alice_client.post(
            _url("edit_item", cv.pk, "experience", 1),
            {**ENTRY, "start_date": "juin 2020", "end_date": "03/2022"},
        )
        cv.refresh_from_db()
        entry = cv.content["experience"][1]
        assert (entry["start_date"], entry["end_date"]) == ("2020-06", "2022-03")

    def test_a_date_known_by_its_year_stays_a_text_box(self, alice_client, cv):
        content = copy.deepcopy(cv.content)
        content["education"][0]["start_date"] = "2011"
        services.save_cv_content(cv, content)
        body = alice_client.get(_url("edit_item", cv.pk, "education", 0)).content.decode()
        assert '<input type="text" name="start_date" value="2011"' in body


class TestCountry:
    def test_the_country_list_is_in_the_users_language(self, alice, alice_client, cv):
        alice.language = "de"
        alice.save(update_fields=["language"])
        body = alice_client.get(_url("edit_item", cv.pk, "experience", 0)).content.decode()
        assert '<option value="FR" selected>Frankreich</option>' in body
        assert '<option value="DE">Deutschland</option>' in body

    def test_it_stores_the_code_the_document_uses(self, alice_client, cv):
        alice_client.post(
            _url("edit_item", cv.pk, "experience", 0),
            {**ENTRY, "start_date": "2020", "country_code": "BE", "city": "Gent"},
        )
        cv.refresh_from_db()
        location = cv.content["experience"][0]["location"]
        assert (location["city"], location["country_code"]) == ("Gent", "BE")

    def test_an_old_free_text_country_is_kept(self, alice_client, cv):
        content = copy.deepcopy(cv.content)
        content["header"]["contact"]["location"]["country_code"] = "Bretagne"
        services.save_cv_content(cv, content)
        body = alice_client.get(_url("edit_section", cv.pk, "header")).content.decode()
        assert '<option value="Bretagne" selected>Bretagne</option>' in body


class TestDragAndDrop:
    def test_an_entry_dropped_elsewhere_moves_there(self, alice_client, cv):
        companies = [e["company"] for e in cv.content["experience"]]
        response = alice_client.post(
            _url("move_item", cv.pk, "experience", 0), {"to": "2"}, HTTP_HX_REQUEST="true"
        )
        assert response.status_code == 200
        assert 'id="section-experience"' in response.content.decode()
        cv.refresh_from_db()
        assert [e["company"] for e in cv.content["experience"]] == [*companies[1:], companies[0]]

    def test_a_place_beyond_the_list_changes_nothing(self, alice_client, cv):
        before = copy.deepcopy(cv.content)
        alice_client.post(_url("move_item", cv.pk, "experience", 0), {"to": "9"})
        cv.refresh_from_db()
        assert cv.content == before

    def test_a_section_dropped_elsewhere_moves_there_below_the_header(self, alice_client, cv):
        response = alice_client.post(
            _url("move_section", cv.pk, "extras"), {"to": "0"}, HTTP_HX_REQUEST="true"
        )
        assert 'id="cv-document"' in response.content.decode()
        cv.refresh_from_db()
        assert cv.content["section_order"][:3] == ["header", "extras", "summary"]

    def test_the_header_does_not_move(self, alice_client, cv):
        alice_client.post(_url("move_section", cv.pk, "header"), {"to": "3"})
        cv.refresh_from_db()
        assert cv.content["section_order"] == RICH_CV["section_order"]

    def test_the_editor_offers_handles_and_keeps_the_arrows(self, alice_client, cv):
        body = alice_client.get(_url("detail", cv.pk)).content.decode()
        assert "vendor/sortablejs/Sortable.min.js" in body and "js/cv-editor.js" in body
        assert 'data-move-section="' in body and "entry-handle" in body
        assert 'name="direction" value="down"' in body
