"""The AI features end to end: view -> charge -> task -> offline engine -> stored result."""

from __future__ import annotations

import copy
import io
import json
from pathlib import Path

import pytest
from django.urls import reverse

from ai.offline.score import weighted_total
from ai.offline.tailor import invented_facts
from billing.models import CreditBalance, CreditTransaction, TransactionType
from billing.services import record_transaction
from cvs import services
from cvs.models import CV, CreatedBy, CVVersion
from joboffers.models import JobOffer
from jobs.models import BackgroundTask, TaskStatus, TaskType

pytestmark = pytest.mark.django_db

HERE = Path(__file__).parent
ROOT = HERE.parents[1]
SAMPLE_CV = json.loads((ROOT / "ai/tests/fixtures/cvs/backend-engineer.cv.json").read_text())
JOB_TEXT = (ROOT / "ai/tests/fixtures/jobs/backend-eng.txt").read_text()
PDF = HERE / "fixtures" / "pdfs" / "John_Doe_ClassicTheme_CV.pdf"


def give_credits(user, amount: int) -> None:
    record_transaction(user.pk, amount=amount, type=TransactionType.GIFT, key=f"test:{user.pk}")


def balance(user) -> int:
    return CreditBalance.objects.get(user=user).balance


@pytest.fixture
def run_tasks(django_capture_on_commit_callbacks):
    def run(callable_, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return callable_(*args, **kwargs)

    return run


@pytest.fixture
def master(alice) -> CV:
    return services.create_cv(alice, content=copy.deepcopy(SAMPLE_CV), name="Master CV")


@pytest.fixture
def tailored(alice, master, run_tasks) -> CV:
    give_credits(alice, 20)
    run_tasks(services.start_tailoring, alice, base_cv=master, offers=[_offer(alice)])
    return CV.objects.get(created_by=CreatedBy.GENERATE_CV)


def _offer(user, text: str = JOB_TEXT) -> JobOffer:
    from joboffers.services import add_offer_from_text

    return add_offer_from_text(user, text)


class TestImportPdf:
    def test_it_imports_a_real_cv_pdf_and_charges_the_import(self, alice_client, alice, run_tasks):
        give_credits(alice, 5)
        with PDF.open("rb") as pdf:
            response = run_tasks(alice_client.post, reverse("cvs:import_pdf"), {"file": pdf})
        assert response.status_code == 302
        cv = CV.objects.get(user=alice)
        assert cv.content["header"]["full_name"] == "John Doe"
        assert len(cv.content["experience"]) == 5
        assert cv.created_by == CreatedBy.IMPORT_PDF and cv.source_value == PDF.name
        assert balance(alice) == 3

    def test_a_file_that_is_not_a_pdf_is_refused_with_no_charge(self, alice_client, alice):
        give_credits(alice, 5)
        upload = io.BytesIO(b"GIF89a not a pdf")
        upload.name = "cv.pdf"
        response = alice_client.post(reverse("cvs:import_pdf"), {"file": upload}, follow=True)
        assert "not a PDF" in response.content.decode() or "PDF" in response.content.decode()
        assert not BackgroundTask.objects.exists()
        assert balance(alice) == 5

    def test_a_damaged_pdf_fails_the_task_and_refunds(self, alice, run_tasks):
        give_credits(alice, 5)
        task = run_tasks(
            services.start_pdf_import,
            alice,
            data=b"%PDF-1.7\n1 0 obj << /Type /Catalog >> garbage",
            name="broken.pdf",
            content_type="application/pdf",
        )
        task.refresh_from_db()
        assert task.status == TaskStatus.FAILED and task.error
        assert balance(alice) == 5
        assert not CV.objects.exists()


class TestTailoring:
    def test_it_makes_a_tailored_cv_that_invents_nothing(self, alice, master, tailored):
        assert tailored.job_offer.title == "Senior Backend Engineer"
        assert tailored.job_offer_snapshot["content"]["title"] == "Senior Backend Engineer"
        assert invented_facts(master.content, tailored.content) == []
        assert tailored.pending_changes, "every change is offered for review"
        source = CVVersion.objects.get(cv=tailored, version=0)
        assert source.content == master.content
        assert balance(alice) == 20 - 3

    def test_the_view_queues_one_task_per_offer(self, alice_client, alice, master, run_tasks):
        give_credits(alice, 10)
        other = _offer(alice, JOB_TEXT.replace("Senior Backend Engineer", "Staff Engineer"))
        response = run_tasks(
            alice_client.post,
            reverse("cvs:tailor", args=[master.pk]),
            {"offers": [str(other.pk)], "text": JOB_TEXT},
        )
        assert response.status_code == 302
        assert BackgroundTask.objects.filter(type=TaskType.GENERATE_CV).count() == 2
        assert CV.objects.filter(created_by=CreatedBy.GENERATE_CV).count() == 2
        assert balance(alice) == 10 - 6

    def test_not_enough_credits_for_every_offer_queues_and_charges_nothing(
        self, alice_client, alice, master
    ):
        give_credits(alice, 4)  # one offer costs 3
        other = _offer(alice, JOB_TEXT.replace("Senior", "Lead"))
        response = alice_client.post(
            reverse("cvs:tailor", args=[master.pk]), {"offers": [str(other.pk)], "text": JOB_TEXT}
        )
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("billing:index"))
        assert not BackgroundTask.objects.exists()
        assert balance(alice) == 4

    def test_an_offer_that_is_no_offer_fails_and_refunds(self, alice, master, run_tasks):
        give_credits(alice, 5)
        recipe = "Preheat the oven. " * 30
        [task] = run_tasks(
            services.start_tailoring, alice, base_cv=master, offers=[_offer(alice, recipe)]
        )
        task.refresh_from_db()
        assert task.status == TaskStatus.FAILED
        assert "no job offer" in task.error.lower()
        assert balance(alice) == 5
        refund = CreditTransaction.objects.get(type=TransactionType.REFUND)
        assert refund.amount == 3

    def test_another_users_cv_cannot_be_tailored(self, bob_client, master):
        response = bob_client.post(reverse("cvs:tailor", args=[master.pk]), {"text": JOB_TEXT})
        assert response.status_code == 404


class TestReview:
    def test_accept_and_reject_one_change(self, alice_client, tailored):
        changes = tailored.pending_changes
        first, second = changes[0], changes[1]
        alice_client.post(
            reverse("cvs:review", args=[tailored.pk]), {"change": first["id"], "action": "accept"}
        )
        alice_client.post(
            reverse("cvs:review", args=[tailored.pk]), {"change": second["id"], "action": "reject"}
        )
        tailored.refresh_from_db()
        statuses = {c["id"]: c["status"] for c in tailored.pending_changes}
        assert statuses[first["id"]] == "accepted"
        assert statuses[second["id"]] in ("rejected", "orphaned")

    def test_rejecting_everything_gives_back_the_source_cv(self, alice_client, master, tailored):
        ids = [c["id"] for c in tailored.pending_changes]
        response = alice_client.post(
            reverse("cvs:review", args=[tailored.pk]),
            {"change": ids, "action": "reject"},
            HTTP_HX_REQUEST="true",
        )
        assert 'id="editor"' in response.content.decode()
        tailored.refresh_from_db()
        assert tailored.pending_changes is None  # all reviewed
        for section in ("experience", "skills", "summary", "education"):
            assert tailored.content[section] == master.content[section], section

    def test_headline_summary_and_added_skills_are_listed_and_each_can_be_rejected(
        self, master, tailored
    ):
        changes = {c["path"]: c for c in tailored.pending_changes}
        headline = changes["header.current_title"]
        summary = changes["summary.description"]
        added = [c for c in tailored.pending_changes if c["change_type"] == "added"]
        assert (
            tailored.content["header"]["current_title"] == headline["after"] != headline["before"]
        )
        assert tailored.content["summary"]["description"] == summary["after"]
        assert {c["after"]["name"] for c in added} >= {"Amazon RDS"}
        assert all(c["reason"].startswith("The offer asks for it. From your") for c in added)

        for change in (headline, summary, *added):
            services.review_changes(tailored, change_ids=[change["id"]], action="reject")
        tailored.refresh_from_db()
        statuses = {c["id"]: c["status"] for c in tailored.pending_changes}
        assert {statuses[c["id"]] for c in (headline, summary, *added)} == {"rejected"}
        content = tailored.content
        assert content["header"]["current_title"] == master.content["header"]["current_title"]
        assert content["summary"] == master.content["summary"]
        names = {s["name"] for s in content["skills"]["hard_skills"] + content["skills"]["tools"]}
        assert not names & {c["after"]["name"] for c in added}
        # The other changes are still there, waiting for review.
        assert content["experience"] != master.content["experience"]

    def test_reviewing_a_change_completes_the_review_step_of_the_tour(
        self, alice_client, alice, tailored
    ):
        change = tailored.pending_changes[0]
        alice_client.post(
            reverse("cvs:review", args=[tailored.pk]), {"change": change["id"], "action": "reject"}
        )
        alice.refresh_from_db()
        assert "review_changes" in alice.onboarding_state["completed_steps"]

    def test_a_reviewed_change_cannot_be_reviewed_again(self, alice_client, tailored):
        change = tailored.pending_changes[0]
        url = reverse("cvs:review", args=[tailored.pk])
        alice_client.post(url, {"change": change["id"], "action": "accept"})
        alice_client.post(url, {"change": change["id"], "action": "reject"})
        tailored.refresh_from_db()
        assert {c["id"]: c["status"] for c in tailored.pending_changes}[change["id"]] == "accepted"

    def test_another_user_cannot_review(self, bob_client, tailored):
        change = tailored.pending_changes[0]
        response = bob_client.post(
            reverse("cvs:review", args=[tailored.pk]), {"change": change["id"], "action": "reject"}
        )
        assert response.status_code == 404


class TestScore:
    def test_it_scores_with_a_total_recomputed_from_the_breakdown(
        self, alice_client, alice, tailored, run_tasks
    ):
        run_tasks(alice_client.post, reverse("cvs:score", args=[tailored.pk]))
        tailored.refresh_from_db()
        assert 0 <= tailored.match_score <= 100
        assert tailored.match_score == weighted_total(tailored.score_breakdown)
        assert set(tailored.score_breakdown) == {
            "technical_skills",
            "experience",
            "education",
            "soft_skills_languages",
            "content_digest",
        }
        assert not tailored.score_is_stale
        assert len(tailored.improvement_suggestions) <= 3
        assert tailored.score_evidence and all("met" in e for e in tailored.score_evidence)
        assert balance(alice) == 20 - 3 - 1

    def test_the_same_cv_and_offer_always_give_the_same_score(self, alice, tailored, run_tasks):
        run_tasks(services.start_scoring, tailored)
        tailored.refresh_from_db()
        first = (tailored.match_score, tailored.score_breakdown, tailored.missing_skills)
        run_tasks(services.start_scoring, tailored)
        tailored.refresh_from_db()
        assert (tailored.match_score, tailored.score_breakdown, tailored.missing_skills) == first

    def test_an_edit_makes_the_score_stale_and_hides_quotes_it_removed(
        self, alice_client, tailored, run_tasks
    ):
        run_tasks(services.start_scoring, tailored)
        tailored.refresh_from_db()
        quoted = [q for item in tailored.current_score_evidence for q in item["cv_evidence"]]
        assert quoted and all(q["current"] for q in quoted)
        page = alice_client.get(tailored.get_absolute_url()).content.decode()
        assert "Your CV changed since this score" not in page

        gone = quoted[0]["quote"]
        content = copy.deepcopy(tailored.content)
        strip = lambda value: (  # noqa: E731
            value.replace(gone, "Redacted") if isinstance(value, str)
            else [strip(v) for v in value] if isinstance(value, list)
            else {k: strip(v) for k, v in value.items()} if isinstance(value, dict) else value
        )  # fmt: skip
        services.save_cv_content(tailored, strip(content))
        tailored.refresh_from_db()

        assert tailored.score_is_stale
        assert not any(
            q["current"] for item in tailored.current_score_evidence for q in item["cv_evidence"]
        )
        page = alice_client.get(tailored.get_absolute_url()).content.decode()
        assert "Your CV changed since this score: recompute" in page
        run_tasks(services.start_scoring, tailored)
        tailored.refresh_from_db()
        assert not tailored.score_is_stale

    def test_a_restore_brings_back_a_score_only_as_fresh_as_it_was(self, tailored, run_tasks):
        before = copy.deepcopy(tailored.content)
        run_tasks(services.start_scoring, tailored)
        tailored.refresh_from_db()
        version = services.save_version(tailored, changelog="scored", change_type="optimization")
        changed = {**before, "summary": {"description": "Something else entirely."}}
        services.save_cv_content(tailored, changed)
        run_tasks(services.start_scoring, tailored)
        tailored.refresh_from_db()
        assert not tailored.score_is_stale and tailored.score_evidence

        # Back to the scored version: its score is fresh for it, the other content's quotes go.
        services.restore_version(tailored, version)
        tailored.refresh_from_db()
        assert tailored.content == before
        assert not tailored.score_is_stale
        assert not tailored.score_evidence

        # A version whose content changed after its score comes back stale.
        stale = services.save_version(tailored, changelog="edited", change_type="optimization")
        services.save_cv_content(tailored, changed)
        tailored.refresh_from_db()
        assert tailored.score_is_stale
        stale.content = changed
        stale.save()
        services.restore_version(tailored, stale)
        tailored.refresh_from_db()
        assert tailored.score_is_stale

    def test_a_cv_without_an_offer_cannot_be_scored(self, alice_client, alice, master):
        give_credits(alice, 5)
        alice_client.post(reverse("cvs:score", args=[master.pk]))
        assert not BackgroundTask.objects.exists()
        assert balance(alice) == 5


class TestImprove:
    def test_it_saves_a_version_and_shows_the_score_before_and_after(
        self, alice_client, alice, tailored, run_tasks
    ):
        run_tasks(services.start_scoring, tailored)
        tailored.refresh_from_db()
        before = tailored.match_score
        missing = tailored.missing_skills[0]
        run_tasks(
            alice_client.post,
            reverse("cvs:improve", args=[tailored.pk]),
            {"skills": [missing], "skill_level": "3", "context": "I ran the on-call rota."},
        )
        tailored.refresh_from_db()
        assert tailored.score_before == before
        assert CVVersion.objects.filter(cv=tailored, version__gt=0).count() == 1
        skills = tailored.content["skills"]
        names = [s["name"] for g in ("hard_skills", "tools") for s in skills[g]]
        names += skills["methodologies"] + skills["soft_skills"]
        assert missing in names

    def test_no_change_means_no_charge(self, alice, tailored, run_tasks):
        run_tasks(services.start_scoring, tailored)
        tailored.refresh_from_db()
        credits = balance(alice)
        # Already in the CV's skills: adding it again changes nothing.
        present = tailored.content["skills"]["hard_skills"][0]["name"]
        task = run_tasks(
            services.start_improvement,
            tailored,
            suggestions=[],
            user_context="",
            add_skills=[{"skill": present, "level": 3}],
        )
        task.refresh_from_db()
        assert task.status == TaskStatus.COMPLETED and task.result["no_changes"] is True
        assert balance(alice) == credits
        assert not CVVersion.objects.filter(cv=tailored, version__gt=0).exists()

    def test_it_needs_a_suggestion_or_a_skill(self, alice_client, alice, tailored):
        alice_client.post(reverse("cvs:improve", args=[tailored.pk]), {"context": "hello"})
        assert not BackgroundTask.objects.filter(type=TaskType.IMPROVE_CV).exists()

    def test_the_user_context_is_capped_at_500_characters(self, alice_client, tailored):
        alice_client.post(
            reverse("cvs:improve", args=[tailored.pk]),
            {"skills": ["Kubernetes"], "skill_level": "3", "context": "x" * 501},
        )
        assert not BackgroundTask.objects.filter(type=TaskType.IMPROVE_CV).exists()


class TestTranslate:
    def test_it_makes_a_new_cv_that_keeps_proper_nouns(
        self, alice_client, alice, master, run_tasks
    ):
        give_credits(alice, 2)
        run_tasks(alice_client.post, reverse("cvs:translate", args=[master.pk]), {"target": "fr"})
        translated = CV.objects.get(created_by=CreatedBy.TRANSLATE_CV)
        assert translated.language == "fr" and translated.is_translated
        assert translated.content["header"]["full_name"] == master.content["header"]["full_name"]
        assert translated.content["header"]["contact"] == master.content["header"]["contact"]
        assert [e["company"] for e in translated.content["experience"]] == [
            e["company"] for e in master.content["experience"]
        ]
        assert [(e["start_date"], e["end_date"]) for e in translated.content["experience"]] == [
            (e["start_date"], e["end_date"]) for e in master.content["experience"]
        ]
        master.refresh_from_db()
        assert master.language == "en"

    def test_an_unknown_language_is_refused(self, alice_client, alice, master):
        give_credits(alice, 2)
        alice_client.post(reverse("cvs:translate", args=[master.pk]), {"target": "it"})
        assert not BackgroundTask.objects.exists() and balance(alice) == 2


class TestOfflineTranslation:
    def test_the_page_shows_the_plan_before_paying(self, alice_client, alice, master):
        give_credits(alice, 2)

        response = alice_client.get(
            reverse("cvs:translate_plan", args=[master.pk]), {"target": "de"}
        )

        page = response.content.decode()
        assert response.status_code == 200
        assert "Offline translation:" in page and "skill names" in page
        assert "These parts stay in English" in page and "bullet points" in page
        assert "Configure an AI provider for a full translation." in page
        assert "This translation is free." in page
        assert not BackgroundTask.objects.exists() and balance(alice) == 2

    def test_a_cv_of_english_prose_costs_the_offline_price_not_the_full_one(
        self, alice_client, alice, master, run_tasks
    ):
        give_credits(alice, 2)

        run_tasks(alice_client.post, reverse("cvs:translate", args=[master.pk]), {"target": "fr"})

        translated = CV.objects.get(created_by=CreatedBy.TRANSLATE_CV)
        assert translated.untranslated["coverage"] < 1
        assert translated.untranslated["kept"]["bullet"] > 0
        assert balance(alice) == 2  # credits_translate_offline, 0 by default
        task = BackgroundTask.objects.get(type=TaskType.TRANSLATE_CV)
        assert "stayed in English" in task.result["message"]
        page = alice_client.get(translated.get_absolute_url()).content.decode()
        assert "Translated offline: these parts stayed in English" in page

    def test_the_offline_price_is_a_setting(self, alice_client, alice, master, run_tasks):
        from billing.tests.conftest import set_setting

        give_credits(alice, 2)
        set_setting("credits_translate_offline", "1")
        set_setting("credits_translate_cv", "5")

        run_tasks(alice_client.post, reverse("cvs:translate", args=[master.pk]), {"target": "es"})

        assert balance(alice) == 1

    def test_with_a_language_model_it_costs_the_full_price(self, alice, master, settings):
        give_credits(alice, 2)
        settings.AI_ENGINE = "openai"

        services.start_translation(master, target="fr")

        assert balance(alice) == 1  # credits_translate_cv
        assert services.translation_plan(master, "fr") is None


class TestExampleCvs:
    def test_a_cv_from_a_job_title_is_clearly_an_example(self, alice_client, alice, run_tasks):
        give_credits(alice, 2)
        run_tasks(
            alice_client.post,
            reverse("cvs:from_job_title"),
            {"job_title": "Data analyst", "language": "en"},
        )
        cv = CV.objects.get(created_by=CreatedBy.GENERATE_FROM_JOB_TITLE)
        assert "example" in cv.content["summary"]["description"].lower()
        assert cv.content["header"]["contact"]["email"].endswith("example.com")

    def test_gibberish_fails_cleanly_and_refunds(self, alice, run_tasks):
        give_credits(alice, 2)
        task = run_tasks(services.start_example_cv, alice, job_title="xkcdqwrtz", language="en")
        task.refresh_from_db()
        assert task.status == TaskStatus.FAILED and task.error
        assert balance(alice) == 2

    def test_an_example_cv_for_an_offer(self, alice_client, alice, run_tasks):
        give_credits(alice, 5)
        offer = _offer(alice)
        run_tasks(alice_client.post, reverse("offer_cvs:example_cv", args=[offer.pk]))
        cv = CV.objects.get(created_by=CreatedBy.CREATE_TEMPLATE)
        assert cv.job_offer == offer


def test_a_feature_switched_off_is_refused_on_the_server(alice_client, alice, master):
    from core.models import Setting

    give_credits(alice, 5)
    Setting.objects.create(name="feature_translate", value="0", category="features")
    response = alice_client.post(reverse("cvs:translate", args=[master.pk]), {"target": "fr"})
    assert response.status_code == 403
    assert not BackgroundTask.objects.exists()


def test_the_actions_are_recorded_as_product_events(alice, master, tailored, run_tasks):
    from telemetry.models import FeatureUsage, TelemetryEvent

    run_tasks(services.start_example_cv, alice, job_title="xkcdqwrtz", language="en")
    types = set(TelemetryEvent.objects.filter(user=alice).values_list("type", flat=True))
    assert {"CV_GENERATED", "TASK_FAILED"} <= types
    assert FeatureUsage.objects.filter(user=alice, feature_name="gpt_cv_generation").exists()
