"""Ranking one CV against every offer before paying: the offline score, free; tailoring to the
chosen ones; the model's paid re-ranking of the ten best."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from billing.models import CreditBalance, CreditTransaction, TransactionType
from billing.services import record_transaction
from cvs import services
from cvs.models import CV
from cvs.ranking import (
    MAX_PASTED_CHARS,
    MAX_PASTED_OFFERS,
    RERANK_COUNT,
    PasteRejected,
    rank,
    split_pasted,
)
from joboffers.models import JobOffer
from joboffers.services import add_offer, add_offer_from_text
from jobs.models import BackgroundTask, TaskStatus, TaskType

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
JOBS = ROOT / "ai" / "tests" / "fixtures" / "jobs"
BACKEND_CV = json.loads((ROOT / "ai/tests/fixtures/cvs/backend-engineer.cv.json").read_text())
BACKEND = (JOBS / "backend-eng.txt").read_text()
NURSE = (JOBS / "en-nurse.txt").read_text()
SRE = (JOBS / "en-sre.txt").read_text()
ACCOUNTANT = (JOBS / "fr-comptable.txt").read_text()


def give_credits(user: Any, amount: int) -> None:
    record_transaction(user.pk, amount=amount, type=TransactionType.GIFT, key=f"test:{user.pk}")


def balance(user: Any) -> int:
    return CreditBalance.objects.get(user=user).balance


def read_offers(user: Any, capture: Any, **texts: str) -> dict[str, JobOffer]:
    """Saved offers, read by the offline engine in their (eager) reading tasks."""
    with capture(execute=True):
        offers = {name: add_offer(user, text=text)[0] for name, text in texts.items()}
    for offer in offers.values():
        offer.refresh_from_db()
        assert offer.extracted_at is not None
    return offers


@pytest.fixture
def cv(alice: Any) -> CV:
    return services.create_cv(alice, content=copy.deepcopy(BACKEND_CV), name="Backend CV")


@pytest.fixture
def offers(alice: Any, django_capture_on_commit_callbacks: Any) -> dict[str, JobOffer]:
    return read_offers(
        alice,
        django_capture_on_commit_callbacks,
        nurse=NURSE,
        backend=BACKEND,
        accountant=ACCOUNTANT,
        sre=SRE,
    )


def rank_url(cv: CV) -> str:
    return reverse("cvs:rank", args=[cv.pk])


class TestRanking:
    def test_it_sorts_every_saved_offer_by_its_offline_score(self, cv, offers):
        ranking = rank(cv)
        titles = [row.offer.pk for row in ranking.rows]
        scores = [row.score for row in ranking.rows]
        assert sorted(titles) == sorted(o.pk for o in offers.values())
        assert scores == sorted(scores, reverse=True)
        # The backend engineer's CV: the backend offer first, the nurse's and accountant's last.
        assert ranking.rows[0].offer == offers["backend"]
        assert {row.offer for row in ranking.rows[-2:]} == {offers["nurse"], offers["accountant"]}

    def test_each_row_shows_its_three_strongest_matches_with_the_cvs_words(self, cv, offers):
        row = next(r for r in rank(cv).rows if r.offer == offers["backend"])
        assert 1 <= len(row.strengths) <= 3
        cv_text = json.dumps(cv.content, ensure_ascii=False)
        for item in row.strengths:
            # The evidence is a line of the CV, quoted (a long line is cut around the match).
            assert item["quote"].strip("…") in cv_text
            assert item["requirement"]
        assert {item["requirement"] for item in row.strengths} & {"Python", "Backend development"}

    def test_each_row_shows_its_three_biggest_gaps_required_ones_first(self, cv, offers):
        row = next(r for r in rank(cv).rows if r.offer == offers["nurse"])
        assert len(row.gaps) == 3
        assert all(gap["required"] for gap in row.gaps)
        assert "Patient care" in {gap["requirement"] for gap in row.gaps}
        assert not any(
            g["requirement"] in {s["requirement"] for s in row.strengths} for g in row.gaps
        )

    def test_the_page_lists_the_offers_best_first_with_matches_and_gaps(
        self, alice_client, cv, offers
    ):
        response = alice_client.get(rank_url(cv))
        assert response.status_code == 200
        page = response.content.decode()
        assert page.index(f'value="offer-{offers["backend"].pk}"') < page.index(
            f'value="offer-{offers["nurse"].pk}"'
        )
        assert "Strongest matches" in page and "Biggest gaps" in page
        assert "Patient care" in page

    def test_it_is_free_and_changes_nothing(self, alice_client, alice, cv, offers):
        give_credits(alice, 5)
        before = (JobOffer.objects.count(), BackgroundTask.objects.count(), CV.objects.count())
        alice_client.get(rank_url(cv))
        alice_client.post(rank_url(cv), {"offers_text": BACKEND.replace("Backend", "Platform")})
        assert balance(alice) == 5
        assert (
            JobOffer.objects.count(),
            BackgroundTask.objects.count(),
            CV.objects.count(),
        ) == before

    def test_an_offer_not_read_is_listed_with_why_not_dropped(self, alice_client, alice, cv):
        offer = add_offer_from_text(alice, BACKEND)  # saved, never read
        BackgroundTask.objects.create(
            user=alice,
            type=TaskType.EXTRACT_JOB_OFFER,
            title="Reading",
            status=TaskStatus.FAILED,
            error="This page asks for a login.",
            payload={"offer_id": offer.pk},
        )
        ranking = rank(cv)
        assert ranking.rows == []
        assert [row.offer for row in ranking.unranked] == [offer]
        assert "This page asks for a login." in ranking.unranked[0].problem
        page = alice_client.get(rank_url(cv)).content.decode()
        assert "Not ranked" in page and "This page asks for a login." in page

    def test_the_query_count_does_not_grow_with_the_offers(
        self, alice, alice_client, cv, offers, django_assert_max_num_queries
    ):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as four:
            alice_client.get(rank_url(cv))
        for n in range(6):
            JobOffer.objects.create(
                user=alice,
                source_type="text",
                source_value=f"text:{n}",
                content=offers["backend"].content,
                extracted_at=offers["backend"].extracted_at,
            )
        with django_assert_max_num_queries(len(four.captured_queries)):
            alice_client.get(rank_url(cv))


class TestPastedOffers:
    def test_blocks_are_split_on_lines_of_dashes_not_blank_lines(self):
        pasted = split_pasted(f"{BACKEND}\n\n\n---\n{NURSE}\n  -----  \n\n{SRE}\n---\n\n")
        assert [item.text for item in pasted] == [BACKEND.strip(), NURSE.strip(), SRE.strip()]
        assert [item.number for item in pasted] == [1, 2, 3]
        assert len(split_pasted("First paragraph.\n\n\n\nSecond paragraph.")) == 1

    def test_too_many_blocks_is_refused(self):
        with pytest.raises(PasteRejected, match=f"at most {MAX_PASTED_OFFERS} offers"):
            split_pasted("\n---\n".join(f"Offer {n}" for n in range(MAX_PASTED_OFFERS + 1)))

    def test_a_block_too_long_is_refused_with_its_number(self):
        with pytest.raises(PasteRejected, match="Offer 2 is"):
            split_pasted(f"{BACKEND}\n---\n{'word ' * (MAX_PASTED_CHARS // 4)}")

    def test_pasted_offers_are_scored_among_the_saved_ones_and_not_saved(
        self, alice_client, cv, offers
    ):
        platform = BACKEND.replace("Senior Backend Engineer", "Senior Platform Engineer")
        response = alice_client.post(
            rank_url(cv), {"offers_text": f"{platform}\n---\n{NURSE.replace('Leeds', 'York')}"}
        )
        assert response.status_code == 200
        page = response.content.decode()
        assert "Senior Platform Engineer" in page and "Pasted, not saved" in page
        # Ranked among the saved offers: the pasted backend offer above the saved nurse's.
        assert page.index("Senior Platform Engineer") < page.index(
            f'value="offer-{offers["nurse"].pk}"'
        )
        assert JobOffer.objects.count() == 4

    def test_the_htmx_answer_is_the_ranking_alone(self, alice_client, cv, offers):
        response = alice_client.post(
            rank_url(cv), {"offers_text": SRE.replace("SRE", "Reliability")}, HTTP_HX_REQUEST="true"
        )
        page = response.content.decode()
        assert response.status_code == 200
        assert page.lstrip().startswith('<div id="ranking">') and "<html" not in page

    def test_unreadable_blocks_are_listed_with_why(self, alice_client, cv, offers):
        gibberish = "lorem ipsum dolor sit amet " * 20
        text = f"Too short\n---\n{gibberish}\n---\n{BACKEND}\n---\n{BACKEND}"
        page = alice_client.post(rank_url(cv), {"offers_text": text}).content.decode()
        assert "Pasted offer 1" in page and "Too short to be an offer" in page
        assert "Pasted offer 2" in page and "No job offer found in this text" in page
        # The saved backend offer pasted again (twice) is ranked once.
        assert "Pasted offer 3" in page and "Already among your saved offers" in page
        assert page.count(f'value="offer-{offers["backend"].pk}"') == 1

    @pytest.mark.parametrize(
        ("text", "message"),
        [
            ("\n---\n".join(f"Offer {n}" for n in range(MAX_PASTED_OFFERS + 1)), "at most"),
            (f"{BACKEND}\n---\n{'word ' * (MAX_PASTED_CHARS // 4)}", "Offer 2 is"),
            ("x" * 500_000, "Paste at most"),
        ],
    )
    def test_limits_are_a_400_with_the_reason_and_nothing_stored(
        self, alice_client, cv, text, message
    ):
        before = (JobOffer.objects.count(), BackgroundTask.objects.count())
        response = alice_client.post(rank_url(cv), {"offers_text": text})
        assert response.status_code == 400
        assert message in response.content.decode()
        assert (JobOffer.objects.count(), BackgroundTask.objects.count()) == before


class TestAccess:
    def test_other_users_offers_are_never_ranked(
        self, bob, cv, offers, django_capture_on_commit_callbacks
    ):
        read_offers(
            bob, django_capture_on_commit_callbacks, bobs=BACKEND.replace("Backend", "Bob's")
        )
        ranking = rank(cv)
        assert {row.offer.user_id for row in ranking.rows + ranking.unranked} == {cv.user_id}

    def test_another_users_cv_is_a_404(self, bob_client, cv):
        assert bob_client.get(rank_url(cv)).status_code == 404
        assert bob_client.post(rank_url(cv), {"offers_text": BACKEND}).status_code == 404

    def test_another_users_offer_cannot_be_chosen(
        self, alice_client, alice, bob, cv, django_capture_on_commit_callbacks
    ):
        give_credits(alice, 10)
        bobs = read_offers(bob, django_capture_on_commit_callbacks, one=BACKEND)["one"]
        response = alice_client.post(
            reverse("cvs:rank_choose", args=[cv.pk]),
            {"chosen": [f"offer-{bobs.pk}"], "action": "tailor"},
        )
        assert response.status_code == 404
        assert not BackgroundTask.objects.filter(user=alice).exists()
        assert balance(alice) == 10

    def test_anonymous_is_sent_to_log_in(self, client, cv):
        response = client.get(rank_url(cv))
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]

    def test_the_choice_and_rerank_refuse_get(self, alice_client, cv):
        assert alice_client.get(reverse("cvs:rank_choose", args=[cv.pk])).status_code == 405
        assert alice_client.get(reverse("cvs:rerank", args=[cv.pk])).status_code == 405

    def test_the_entry_points_lead_to_the_ranking(self, alice_client, cv, offers):
        assert rank_url(cv) in alice_client.get(cv.get_absolute_url()).content.decode()
        start = reverse("cvs:rank_start")
        assert start in alice_client.get(reverse("joboffers:index")).content.decode()
        assert alice_client.get(start)["Location"] == rank_url(cv)


class TestTailorTheChosen:
    def test_it_tailors_to_the_ticked_saved_and_pasted_offers_in_one_go(
        self, alice_client, alice, cv, offers, django_capture_on_commit_callbacks
    ):
        give_credits(alice, 20)
        platform = BACKEND.replace("Senior Backend Engineer", "Senior Platform Engineer")
        pasted = split_pasted(platform)[0]
        with django_capture_on_commit_callbacks(execute=True):
            response = alice_client.post(
                reverse("cvs:rank_choose", args=[cv.pk]),
                {
                    "offers_text": platform,
                    "chosen": [f"offer-{offers['sre'].pk}", pasted.key],
                    "action": "tailor",
                },
            )
        assert response.status_code == 302 and response["Location"] == reverse("cvs:tasks")
        tailorings = BackgroundTask.objects.filter(user=alice, type=TaskType.GENERATE_CV)
        assert tailorings.count() == 2
        assert balance(alice) == 20 - 2 * 3  # credits_gpt_cv_generation per offer
        saved = JobOffer.objects.get(user=alice, source_value=f"text:{pasted.digest}")
        assert {t.payload["offer_id"] for t in tailorings} == {offers["sre"].pk, saved.pk}
        made = CV.objects.filter(user=alice, created_by="generate-cv")
        assert {c.job_offer_id for c in made} == {offers["sre"].pk, saved.pk}

    def test_a_refused_payment_saves_and_charges_nothing(self, alice_client, alice, cv, offers):
        give_credits(alice, 3)
        pasted = split_pasted(SRE.replace("SRE", "Reliability"))[0]
        response = alice_client.post(
            reverse("cvs:rank_choose", args=[cv.pk]),
            {
                "offers_text": pasted.text,
                "chosen": [f"offer-{offers['backend'].pk}", pasted.key],
                "action": "tailor",
            },
        )
        assert response.status_code == 302 and "billing" in response["Location"]
        assert not JobOffer.objects.filter(source_value=f"text:{pasted.digest}").exists()
        assert not BackgroundTask.objects.filter(type=TaskType.GENERATE_CV).exists()
        assert balance(alice) == 3

    def test_saving_the_ticked_pasted_offers_queues_their_reading(
        self, alice_client, alice, cv, offers
    ):
        pasted = split_pasted(
            f"{SRE.replace('SRE', 'Reliability')}\n---\n{NURSE.replace('Leeds', 'York')}"
        )
        response = alice_client.post(
            reverse("cvs:rank_choose", args=[cv.pk]),
            {
                "offers_text": "\n---\n".join(p.text for p in pasted),
                "chosen": [pasted[1].key],
                "action": "save",
            },
        )
        assert response.status_code == 302 and response["Location"] == rank_url(cv)
        assert JobOffer.objects.filter(user=alice, source_value=f"text:{pasted[1].digest}").exists()
        assert not JobOffer.objects.filter(source_value=f"text:{pasted[0].digest}").exists()
        assert BackgroundTask.objects.filter(type=TaskType.EXTRACT_JOB_OFFER).count() == 4 + 1

    def test_saving_past_the_reading_allowance_is_a_429_and_saves_nothing(
        self, alice_client, alice, cv, offers
    ):
        from billing.tests.conftest import set_setting

        set_setting("offer_reads_per_minute", "5")  # 4 offers were read in the fixture
        texts = [SRE.replace("SRE", f"Reliability {n}") for n in range(2)]
        pasted = split_pasted("\n---\n".join(texts))
        response = alice_client.post(
            reverse("cvs:rank_choose", args=[cv.pk]),
            {
                "offers_text": "\n---\n".join(texts),
                "chosen": [p.key for p in pasted],
                "action": "save",
            },
        )
        assert response.status_code == 429
        assert "in the last minute" in response.content.decode()
        assert JobOffer.objects.count() == 4

    def test_a_pasted_choice_that_no_longer_matches_the_text_is_a_400(
        self, alice_client, alice, cv, offers
    ):
        give_credits(alice, 20)
        old = split_pasted(SRE.replace("SRE", "Reliability"))[0]
        response = alice_client.post(
            reverse("cvs:rank_choose", args=[cv.pk]),
            {
                "offers_text": NURSE.replace("Leeds", "York"),
                "chosen": [old.key],
                "action": "tailor",
            },
        )
        assert response.status_code == 400
        assert "changed since they were ranked" in response.content.decode()
        assert not BackgroundTask.objects.filter(type=TaskType.GENERATE_CV).exists()
        assert balance(alice) == 20

    def test_an_unreadable_pasted_offer_cannot_be_chosen(self, alice_client, alice, cv, offers):
        give_credits(alice, 20)
        gibberish = split_pasted("lorem ipsum dolor sit amet " * 20)[0]
        response = alice_client.post(
            reverse("cvs:rank_choose", args=[cv.pk]),
            {"offers_text": gibberish.text, "chosen": [gibberish.key], "action": "tailor"},
        )
        assert response.status_code == 400
        assert "could not be read" in response.content.decode()
        assert JobOffer.objects.count() == 4 and balance(alice) == 20

    @pytest.mark.parametrize("chosen", [[], ["offer-abc"], ["pasted-123"], ["cv-1"]])
    def test_a_bad_choice_is_a_400(self, alice_client, alice, cv, offers, chosen):
        give_credits(alice, 20)
        response = alice_client.post(
            reverse("cvs:rank_choose", args=[cv.pk]), {"chosen": chosen, "action": "tailor"}
        )
        assert response.status_code == 400
        assert not BackgroundTask.objects.filter(type=TaskType.GENERATE_CV).exists()
        assert balance(alice) == 20


def model_answer(**call: Any) -> Any:
    """The fake provider: a match score read from the offer's title (so it differs per offer)."""
    from ai.openai_api import CompletionResult

    offer = call["messages"][1]["content"].split("Job offer:")[-1]
    fit = 90 if "Site Reliability" in offer else 80 if "Backend" in offer else 10
    data = {
        "match_score": 0,
        "score_breakdown": {
            "technical_skills": fit,
            "experience": fit,
            "education": fit,
            "soft_skills_languages": fit,
        },
        "suggestions": [],
        "missing_skills": ["Kubernetes"],
        "matching_skills": ["Python"],
    }
    return CompletionResult(
        data=data,
        model=call["model"],
        prompt_tokens=100,
        cached_tokens=0,
        completion_tokens=50,
        duration_ms=5,
        attempts=1,
    )


@pytest.fixture
def provider(settings: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """An AI provider configured, its adapter faked (no request leaves the machine)."""
    from unittest import mock

    from ai import openai_api

    settings.AI_ENGINE = "openai"
    fake = mock.create_autospec(openai_api.complete_json, side_effect=model_answer)
    monkeypatch.setattr(openai_api, "complete_json", fake)
    return fake


def rerank_charges(user: Any) -> int:
    return CreditTransaction.objects.filter(
        user=user, type=TransactionType.USAGE, feature_name="rerank_offers"
    ).count()


class TestRerankWithTheModel:
    def test_without_a_provider_it_is_not_offered_and_refused(
        self, alice_client, alice, cv, offers
    ):
        give_credits(alice, 10)
        page = alice_client.get(rank_url(cv)).content.decode()
        assert reverse("cvs:rerank", args=[cv.pk]) not in page
        response = alice_client.post(reverse("cvs:rerank", args=[cv.pk]))
        assert response.status_code == 400
        assert "needs an AI provider" in response.content.decode()
        assert balance(alice) == 10
        assert not BackgroundTask.objects.filter(type=TaskType.RERANK_OFFERS).exists()

    def test_with_a_provider_it_is_offered_with_its_price(self, alice_client, cv, offers, provider):
        page = alice_client.get(rank_url(cv)).content.decode()
        assert reverse("cvs:rerank", args=[cv.pk]) in page
        assert "Re-rank my 4 best offers with the AI model" in page
        assert "2 credits for all of them" in page

    def test_it_charges_once_and_reorders_the_top_ten_by_the_models_scores(
        self, alice_client, alice, cv, offers, provider, django_capture_on_commit_callbacks
    ):
        give_credits(alice, 10)
        with django_capture_on_commit_callbacks(execute=True):
            response = alice_client.post(
                reverse("cvs:rerank", args=[cv.pk]), {"submission": "one-page-load"}
            )
        assert response.status_code == 302 and response["Location"] == rank_url(cv)
        task = BackgroundTask.objects.get(type=TaskType.RERANK_OFFERS)
        assert task.status == TaskStatus.COMPLETED
        assert provider.call_count == 4  # one model call per offer, in one parallel round
        assert balance(alice) == 10 - 2 and rerank_charges(alice) == 1
        # The same page posted again takes nothing more.
        alice_client.post(reverse("cvs:rerank", args=[cv.pk]), {"submission": "one-page-load"})
        assert balance(alice) == 8 and rerank_charges(alice) == 1

        ranking = rank(cv)
        assert ranking.rows[0].offer == offers["sre"]  # the model's 90 before the backend's 80
        assert [row.model_score for row in ranking.rows] == [90, 80, 10, 10]
        page = alice_client.get(rank_url(cv)).content.decode()
        assert "✦ 90" in page and "Kubernetes" in page

    def test_it_takes_only_the_ten_best_saved_offers(self, alice, cv, offers, provider):
        give_credits(alice, 10)
        for n in range(RERANK_COUNT):
            JobOffer.objects.create(
                user=alice,
                source_type="text",
                source_value=f"text:copy-{n}",
                content=offers["nurse"].content,
                extracted_at=offers["nurse"].extracted_at,
            )
        ranking = rank(cv)
        best = ranking.top_saved()
        assert len(best) == RERANK_COUNT
        assert offers["backend"].pk in best and offers["sre"].pk in best
        worst = ranking.rows[-1].offer.pk
        assert worst not in best

    def test_a_failure_refunds_the_charge(
        self, alice, cv, offers, provider, django_capture_on_commit_callbacks
    ):
        from ai.errors import AITemporaryError

        give_credits(alice, 10)
        provider.side_effect = AITemporaryError("the provider is down")
        with django_capture_on_commit_callbacks(execute=True):
            task = services.start_reranking(cv, offer_ids=rank(cv).top_saved())
        task.refresh_from_db()
        assert task.status == TaskStatus.FAILED
        assert "busy or unreachable" in task.error
        assert balance(alice) == 10
        assert rerank_charges(alice) == 1  # charged once, refunded once
        assert (
            CreditTransaction.objects.filter(user=alice, type=TransactionType.REFUND).count() == 1
        )
        assert all(row.model_score is None for row in rank(cv).rows)

    def test_a_cv_changed_since_hides_the_models_scores(
        self, alice, cv, offers, provider, django_capture_on_commit_callbacks
    ):
        give_credits(alice, 10)
        with django_capture_on_commit_callbacks(execute=True):
            services.start_reranking(cv, offer_ids=rank(cv).top_saved())
        services.save_cv_content(cv, {**cv.content, "summary": {"description": "Changed."}})
        ranking = rank(cv)
        assert ranking.rerank_stale
        assert all(row.model_score is None for row in ranking.rows)

    def test_the_gateway_never_reranks_offline(self, cv):
        from ai import gateway
        from ai.errors import AIUnavailableOffline

        with pytest.raises(AIUnavailableOffline):
            gateway.rerank_offers(cv.content, [{}], ctx=gateway.AIContext(user_id=cv.user_id))


@pytest.mark.django_db(transaction=True)
def test_the_rerank_sent_four_times_at_once_is_charged_once(alice, cv, offers, provider):
    from django.test import Client

    from core.testing import run_in_threads

    give_credits(alice, 10)
    browsers = []
    for _ in range(4):
        client = Client()
        client.force_login(alice)
        browsers.append(client)
    pending = iter(browsers)
    answers: list[int] = []

    def double_click() -> None:
        response = next(pending).post(reverse("cvs:rerank", args=[cv.pk]), {"submission": "page"})
        answers.append(response.status_code)

    run_in_threads(double_click, 4)

    assert answers == [302] * 4
    assert BackgroundTask.objects.filter(type=TaskType.RERANK_OFFERS).count() == 1
    assert balance(alice) == 10 - 2 and rerank_charges(alice) == 1
