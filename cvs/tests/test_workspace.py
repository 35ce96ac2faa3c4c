from __future__ import annotations

import copy
import io
import json
from pathlib import Path

import pytest
from django.urls import reverse

from cvs import services
from cvs.models import CV, CVVersion, VersionChangeType

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "fixtures"
RICH_CV = json.loads((FIXTURES / "rich_cv.json").read_text())


@pytest.fixture
def cv(alice) -> CV:
    return services.create_cv(alice, content=copy.deepcopy(RICH_CV), name="Backend CV")


def _url(name: str, *args) -> str:
    return reverse(f"cvs:{name}", args=args)


# Every URL of the workspace that takes a CV, with the method that changes something.
CV_URLS = [
    ("detail", "get", ()),
    ("edit_section", "get", ("summary",)),
    ("edit_section", "post", ("summary",)),
    ("edit_item", "post", ("experience", 0)),
    ("remove_item", "post", ("experience", 0)),
    ("move_item", "post", ("experience", 0)),
    ("move_section", "post", ("skills",)),
    ("rename", "post", ()),
    ("duplicate", "post", ()),
    ("delete", "get", ()),
    ("delete", "post", ()),
    ("versions", "get", ()),
    ("diff", "get", ()),
    ("export_json_resume", "get", ()),
    ("export", "get", ()),
    ("export", "post", ()),
    ("export_preview", "get", ()),
    ("save_preset", "post", ()),
]


@pytest.mark.parametrize(("name", "method", "extra"), CV_URLS)
def test_another_users_cv_is_a_404_everywhere(bob_client, cv, name, method, extra):
    before = copy.deepcopy(cv.content)
    response = getattr(bob_client, method)(_url(name, cv.pk, *extra), {"name": "pwned"})
    assert response.status_code == 404
    cv.refresh_from_db()
    assert cv.content == before and cv.name == "Backend CV"


@pytest.mark.parametrize(("name", "method", "extra"), CV_URLS)
def test_anonymous_visitors_are_sent_to_login(client, cv, name, method, extra):
    response = getattr(client, method)(_url(name, cv.pk, *extra))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


class TestList:
    def test_it_lists_only_the_users_cvs(self, alice_client, cv, bob):
        services.create_cv(bob, content=RICH_CV, name="Bob's CV")
        body = alice_client.get(_url("index")).content.decode()
        assert "Backend CV" in body and "Bob" not in body

    def test_it_searches_names_and_titles(self, alice_client, cv, alice):
        other = copy.deepcopy(RICH_CV)
        other["header"]["current_title"] = "Pastry chef"
        services.create_cv(alice, content=other, name="Kitchen")
        body = alice_client.get(_url("index"), {"q": "pastry"}).content.decode()
        assert "Kitchen" in body and "Backend CV" not in body

    def test_it_sorts_by_name(self, alice_client, alice):
        for name in ("Zebra", "Alpha"):
            services.create_cv(alice, content=RICH_CV, name=name)
        body = alice_client.get(_url("index"), {"sort": "name"}).content.decode()
        assert body.index("Alpha") < body.index("Zebra")

    def test_its_query_count_does_not_grow_with_cvs(
        self, alice_client, alice, django_assert_max_num_queries
    ):
        services.create_cv(alice, content=RICH_CV)
        with django_assert_max_num_queries(10) as few:
            alice_client.get(_url("index"))
        for _ in range(15):
            services.create_cv(alice, content=RICH_CV)
        with django_assert_max_num_queries(len(few.captured_queries)):
            alice_client.get(_url("index"))


class TestCreate:
    def test_it_creates_a_blank_cv_and_opens_it(self, alice_client, alice):
        response = alice_client.post(
            _url("create"),
            {"full_name": "Alice Martin", "current_title": "Data analyst", "language": "fr"},
        )
        cv = CV.objects.get(user=alice)
        assert response.status_code == 302 and response["Location"] == cv.get_absolute_url()
        assert cv.content["header"]["full_name"] == "Alice Martin"
        assert cv.language == "fr"

    def test_it_refuses_a_missing_title(self, alice_client, alice):
        response = alice_client.post(_url("create"), {"full_name": "Alice", "language": "en"})
        assert response.status_code == 400
        assert not CV.objects.exists()

    def test_it_rejects_get(self, alice_client):
        assert alice_client.get(_url("create")).status_code == 405


class TestJsonResume:
    def test_it_imports_a_json_resume_file(self, alice_client, alice):
        data = (FIXTURES / "jsonresume" / "sample.resume.json").read_bytes()
        upload = io.BytesIO(data)
        upload.name = "resume.json"
        response = alice_client.post(_url("import_json"), {"file": upload})
        cv = CV.objects.get(user=alice)
        assert response.status_code == 302
        assert cv.content["header"]["full_name"] == "Richard Hendriks"
        assert cv.created_by == "import-json-resume"

    def test_it_refuses_an_invalid_document_and_saves_nothing(self, alice_client):
        upload = io.BytesIO(b'{"basics": {"name": 42}, "work": "a string"}')
        upload.name = "bad.json"
        response = alice_client.post(_url("import_json"), {"file": upload})
        assert response.status_code == 400
        assert "work" in response.content.decode()
        assert not CV.objects.exists()

    def test_it_refuses_a_file_that_is_not_json(self, alice_client):
        upload = io.BytesIO(b"%PDF-1.7 not json")
        upload.name = "cv.pdf"
        response = alice_client.post(_url("import_json"), {"file": upload})
        assert response.status_code == 400
        assert "not valid JSON" in response.content.decode()

    def test_it_exports_a_json_resume_that_validates(self, alice_client, cv):
        from cvs.jsonresume import validate_json_resume

        response = alice_client.get(_url("export_json_resume", cv.pk))
        assert response["Content-Disposition"].startswith("attachment;")
        document = json.loads(response.content)
        validate_json_resume(document)
        assert document["basics"]["name"] == RICH_CV["header"]["full_name"]


class TestEditor:
    def test_it_shows_the_cv_as_a_document(self, alice_client, cv):
        body = alice_client.get(_url("detail", cv.pk)).content.decode()
        assert RICH_CV["header"]["full_name"] in body
        assert RICH_CV["experience"][0]["company"] in body

    def test_its_query_count_does_not_grow_with_versions(
        self, alice_client, cv, django_assert_max_num_queries
    ):
        with django_assert_max_num_queries(12) as few:
            alice_client.get(_url("detail", cv.pk))
        for _ in range(4):
            services.save_version(cv, changelog="x", change_type=VersionChangeType.OPTIMIZATION)
        with django_assert_max_num_queries(len(few.captured_queries)):
            alice_client.get(_url("detail", cv.pk))

    def test_a_section_edit_saves_and_returns_the_section(self, alice_client, cv):
        response = alice_client.post(
            _url("edit_section", cv.pk, "summary"),
            {"description": "Builds reliable payment systems.", "language": "en"},
            HTTP_HX_REQUEST="true",
        )
        body = response.content.decode()
        assert response.status_code == 200
        assert 'id="section-summary"' in body and "Saved" in body
        cv.refresh_from_db()
        assert cv.content["summary"]["description"] == "Builds reliable payment systems."

    def test_a_manual_edit_creates_no_version(self, alice_client, cv):
        alice_client.post(
            _url("edit_section", cv.pk, "summary"), {"description": "New.", "language": "en"}
        )
        assert not CVVersion.objects.exists()
        cv.refresh_from_db()
        assert cv.content_version == 1

    def test_a_plain_form_post_redirects_back_to_the_editor(self, alice_client, cv):
        response = alice_client.post(
            _url("edit_section", cv.pk, "summary"), {"description": "x", "language": "en"}
        )
        assert response.status_code == 302
        assert response["Location"].endswith("#section-summary")

    def test_an_invalid_date_is_refused_and_nothing_is_saved(self, alice_client, cv):
        before = copy.deepcopy(cv.content)
        fields = {
            "title": "Engineer",
            "company": "Acme",
            "start_date": "last spring",
            "end_date": "present",
        }
        response = alice_client.post(_url("edit_item", cv.pk, "experience", 0), fields)
        assert response.status_code == 400
        assert "Use a month like 2020-06" in response.content.decode()
        cv.refresh_from_db()
        assert cv.content == before

    def test_a_bad_skill_level_is_refused(self, alice_client, cv):
        before = copy.deepcopy(cv.content)
        response = alice_client.post(
            _url("edit_section", cv.pk, "skills"), {"hard_skills": "Python | 9"}
        )
        assert response.status_code == 400
        assert "0 to 5" in response.content.decode()
        cv.refresh_from_db()
        assert cv.content == before

    def test_it_edits_skills_with_levels(self, alice_client, cv):
        alice_client.post(
            _url("edit_section", cv.pk, "skills"),
            {"hard_skills": "Python | 5\nSQL", "tools": "Docker | 3", "soft_skills": "Mentoring"},
        )
        cv.refresh_from_db()
        assert cv.content["skills"]["hard_skills"] == [
            {"name": "Python", "proficiency": 5},
            {"name": "SQL", "proficiency": None},
        ]
        assert cv.content["skills"]["soft_skills"] == ["Mentoring"]

    def test_it_adds_an_experience(self, alice_client, cv):
        count = len(cv.content["experience"])
        alice_client.post(
            _url("edit_section", cv.pk, "experience"),
            {
                "title": "Intern",
                "company": "Startup",
                "start_date": "2015-06",
                "end_date": "2015-09",
                "responsibilities": "Wrote tests\n- Fixed bugs",
            },
        )
        cv.refresh_from_db()
        assert len(cv.content["experience"]) == count + 1
        assert cv.content["experience"][-1]["responsibilities"] == ["Wrote tests", "Fixed bugs"]

    def test_it_removes_and_reorders_entries(self, alice_client, cv):
        first, second = (e["company"] for e in cv.content["experience"][:2])
        alice_client.post(_url("move_item", cv.pk, "experience", 0), {"direction": "down"})
        cv.refresh_from_db()
        assert [e["company"] for e in cv.content["experience"][:2]] == [second, first]
        alice_client.post(_url("remove_item", cv.pk, "experience", 0))
        cv.refresh_from_db()
        assert cv.content["experience"][0]["company"] == first

    def test_it_moves_a_section_but_never_above_the_header(self, alice_client, cv):
        alice_client.post(_url("move_section", cv.pk, "summary"), {"direction": "up"})
        cv.refresh_from_db()
        assert cv.content["section_order"][0] == "header"
        alice_client.post(_url("move_section", cv.pk, "experience"), {"direction": "up"})
        cv.refresh_from_db()
        order = cv.content["section_order"]
        assert order.index("experience") < order.index("skills")

    def test_an_unknown_section_or_entry_is_a_404(self, alice_client, cv):
        assert alice_client.get(_url("edit_section", cv.pk, "hobbies")).status_code == 404
        assert alice_client.post(_url("remove_item", cv.pk, "experience", 99)).status_code == 404

    def test_a_blocked_cv_is_read_only(self, alice_client, cv):
        CV.objects.filter(pk=cv.pk).update(blocked=True, blocked_reason="Plan limit reached")
        body = alice_client.get(_url("detail", cv.pk)).content.decode()
        assert "Plan limit reached" in body
        response = alice_client.post(
            _url("edit_section", cv.pk, "summary"), {"description": "x", "language": "en"}
        )
        assert response.status_code == 403
        cv.refresh_from_db()
        assert cv.content["summary"] == RICH_CV["summary"]

    def test_edit_rejects_put(self, alice_client, cv):
        assert alice_client.put(_url("edit_section", cv.pk, "summary")).status_code == 405


class TestManage:
    def test_rename(self, alice_client, cv):
        alice_client.post(_url("rename", cv.pk), {"name": "For fintech"})
        cv.refresh_from_db()
        assert cv.name == "For fintech"

    def test_rename_refuses_an_empty_name(self, alice_client, cv):
        alice_client.post(_url("rename", cv.pk), {"name": ""})
        cv.refresh_from_db()
        assert cv.name == "Backend CV"

    def test_duplicate_copies_the_content(self, alice_client, cv, alice):
        response = alice_client.post(_url("duplicate", cv.pk))
        copy_ = CV.objects.exclude(pk=cv.pk).get(user=alice)
        assert response["Location"] == copy_.get_absolute_url()
        assert copy_.content == cv.content and copy_.filename != cv.filename

    def test_delete_asks_first_then_deletes(self, alice_client, cv):
        assert "Delete this CV?" in alice_client.get(_url("delete", cv.pk)).content.decode()
        assert CV.objects.filter(pk=cv.pk).exists()
        alice_client.post(_url("delete", cv.pk))
        assert not CV.objects.filter(pk=cv.pk).exists()


class TestVersions:
    def test_versions_rotate_at_the_setting(self, cv):
        from core.models import Setting

        Setting.objects.create(name="cv_max_versions", value="3", category="system")
        for n in range(5):
            cv.content = {**cv.content, "summary": {"description": f"v{n + 1}"}}
            cv.save()
            services.save_version(cv, changelog=f"AI {n}", change_type="optimization")
            cv.refresh_from_db()
        assert list(cv.versions.values_list("version", flat=True)) == [5, 4, 3]
        assert cv.content_version == 6

    def test_restore_brings_back_the_content_and_keeps_the_current_as_a_version(
        self, alice_client, cv
    ):
        services.save_version(cv, changelog="Before AI", change_type="optimization")
        cv.refresh_from_db()
        services.save_cv_content(cv, {**cv.content, "summary": {"description": "AI text"}})
        response = alice_client.post(_url("restore", cv.pk, 1))
        assert response.status_code == 302
        cv.refresh_from_db()
        assert cv.content["summary"] == RICH_CV["summary"]
        latest = cv.versions.order_by("-version").first()
        assert latest.change_type == "restore"
        assert latest.content["summary"]["description"] == "AI text"

    def test_a_version_is_shown_read_only(self, alice_client, cv):
        services.save_version(cv, changelog="Before AI", change_type="optimization")
        body = alice_client.get(_url("version", cv.pk, 1)).content.decode()
        assert "read-only" in body
        assert "item-controls" not in body and "section-controls" not in body

    def test_the_version_list_shows_changelogs(self, alice_client, cv):
        services.save_version(cv, changelog="Before AI optimisation", change_type="optimization")
        body = alice_client.get(_url("versions", cv.pk)).content.decode()
        assert "Before AI optimisation" in body

    def test_diff_shows_what_changed(self, alice_client, cv):
        services.save_version(cv, changelog="x", change_type="optimization")
        cv.refresh_from_db()
        services.save_cv_content(
            cv, {**cv.content, "summary": {"description": "A brand new summary"}}
        )
        body = alice_client.get(_url("diff", cv.pk), {"a": "1", "b": "current"}).content.decode()
        assert "diff-changed" in body
        assert "A brand new summary" in body
        assert RICH_CV["summary"]["description"][:26] in body

    def _diff_after_editing_a_bullet(self, alice_client, cv) -> str:
        services.save_version(cv, changelog="x", change_type="optimization")
        cv.refresh_from_db()
        content = copy.deepcopy(cv.content)
        content["experience"][0]["responsibilities"][0] = "Encadrer une équipe de 8 ingénieurs"
        services.save_cv_content(cv, content)
        return alice_client.get(_url("diff", cv.pk), {"a": "1", "b": "current"}).content.decode()

    def test_diff_marks_only_the_changed_words_of_a_bullet(self, alice_client, cv):
        body = self._diff_after_editing_a_bullet(alice_client, cv)
        assert "Encadrer une équipe de <del>5</del><ins>8</ins> ingénieurs" in body

    def test_diff_names_entries_as_the_reader_knows_them(self, alice_client, cv):
        body = self._diff_after_editing_a_bullet(alice_client, cv)
        assert "Lead data engineer at Énergie Verte SA" in body
        for path in ("experience[", "responsibilities", "current_title", "start_date", " › "):
            assert path not in body, path

    def test_diff_folds_unchanged_entries(self, alice_client, cv):
        body = self._diff_after_editing_a_bullet(alice_client, cv)
        sections = body.split('<section class="diff">')
        experience = next(s for s in sections if "Lead data engineer" in s)
        changed, _, folded = experience.partition('<details class="diff-unchanged">')
        assert "Lead data engineer at Énergie Verte SA" in changed
        second = RICH_CV["experience"][1]
        assert f"{second['title']} at {second['company']}" in folded.split("</details>")[0]
        assert f"{second['title']} at {second['company']}" not in changed

    def test_diff_of_an_unknown_version_is_a_404(self, alice_client, cv):
        assert alice_client.get(_url("diff", cv.pk), {"a": "7"}).status_code == 404
        assert alice_client.get(_url("diff", cv.pk), {"a": "x"}).status_code == 404


def test_the_list_and_the_task_list_speak_the_users_language(alice, alice_client):
    from cvs.models import CreatedBy
    from jobs.models import BackgroundTask, TaskType

    services.create_cv(
        alice, content=copy.deepcopy(RICH_CV), name="CV", created_by=CreatedBy.IMPORT_PDF
    )
    BackgroundTask.objects.create(user=alice, type=TaskType.TEST, title="t", status="failed")
    alice.language = "fr"
    alice.save(update_fields=["language"])

    assert "Importé depuis un PDF" in alice_client.get(reverse("cvs:index")).content.decode()
    assert "Échouée" in alice_client.get(reverse("cvs:tasks")).content.decode()
