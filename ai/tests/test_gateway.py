"""The AI gateway: engines, privacy on the wire, code guards, rounds and accounting."""

from __future__ import annotations

import copy
import json
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from unittest import mock

import pytest

from ai import accounting, gateway, prompting
from ai.errors import AICancelled, AIError, AIInvalidResponse, AINoJobOffer, AIRefused
from ai.gateway import AIContext
from ai.models import OpenAICall, ProviderIncidentEvent
from ai.tests.fakes import SAMPLE_CV, SAMPLE_OFFER, FakeOpenAIServer, chat_completion
from core.models import Setting
from core.pdftext import extract_pdf_text
from cvdoc.document import normalize_cv

PRIVATE = [
    "Jeanne",
    "Dupuis",
    "jeanne.dupuis@mail.test",
    "+33 6 12 34 56 78",
    "github.com/jdupuis-dev",
    "jeanne-dupuis.dev",
]
POSTING = """Python Backend Engineer
Cargo Cloud - Lyon, France - Hybrid - Permanent contract

Responsibilities
- Build and run Python APIs
- Own the PostgreSQL schema

Requirements
- Python, PostgreSQL
- 3+ years of experience
- Nice to have: Docker
"""
IMPORTED_TEXT = """Paul Martin
Data Analyst
paul.martin@mail.test | +33 6 98 76 54 32 | Lyon, France

Experience
Data Analyst, Acme - 2019 - present
- Built sales dashboards in Power BI

Education
Master in Statistics, Université Lyon 2 - 2019
"""
PDFS = Path(__file__).resolve().parents[2] / "cvs/tests/fixtures/pdfs"
Answer = Callable[[dict[str, Any]], dict[str, Any]]


@pytest.fixture
def cv() -> dict[str, Any]:
    return normalize_cv(copy.deepcopy(SAMPLE_CV))


@pytest.fixture
def ctx(alice: Any) -> AIContext:
    return AIContext(user_id=alice.id, ui_language="fr")


def by_schema(
    answers: dict[str, Answer | dict[str, Any]],
) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """A fake-server responder answering each request according to its output schema name."""

    def respond(request: dict[str, Any]) -> dict[str, Any]:
        name = request["response_format"]["json_schema"]["name"]
        answer = answers[name]
        data = answer(request) if callable(answer) else answer
        return chat_completion(json.dumps(data), model=request["model"])

    return respond


def experience_answer(**fields: Any) -> dict[str, Any]:
    base = {
        "title": None,
        "description": None,
        "responsibilities": None,
        "deliverables": None,
        "skills_used": None,
    }
    return {**base, **fields}


def tailor_answers(**overrides: Answer | dict[str, Any]) -> dict[str, Answer | dict[str, Any]]:
    answers: dict[str, Answer | dict[str, Any]] = {
        "TailorClassifyOut": {
            "experiences": [
                {"index": 0, "action": "keep", "reason": "Same stack."},
                {"index": 1, "action": "remove", "reason": "PHP is unrelated."},
            ]
        },
        "TailorExperienceOut": experience_answer(
            title={"value": "Python Backend Developer", "reason": "Closer to the offer."},
            description={
                "value": "[[NAME]] designs Django APIs for a delivery platform.",
                "reason": "Puts the APIs first.",
            },
        ),
        "TailorSkillsOut": {
            "matches": [
                {"category": "hard_skills", "cv_skill": "Python", "offer_skill": "Python",
                 "score": 95, "reason": "Required."},
                {"category": "hard_skills", "cv_skill": "JS", "offer_skill": "JavaScript",
                 "score": 85, "reason": "Same language."},
                {"category": "tools", "cv_skill": "Excel", "offer_skill": None, "score": 10,
                 "reason": "Not used in this job."},
                {"category": "tools", "cv_skill": "Postgres", "offer_skill": "Oracle",
                 "score": 80, "reason": "Invented rename target."},
            ]
        },
        "TailorSummaryOut": {
            "description": "Backend developer building Python and Django APIs on PostgreSQL.",
            "reason": "Matches the offer's keywords.",
        },
    }  # fmt: skip
    return {**answers, **overrides}


def use(server: FakeOpenAIServer, answers: dict[str, Any], *, delay: float = 0.0) -> None:
    server.auto_delay = delay
    server.responder = by_schema(answers)


def sent_text(server: FakeOpenAIServer) -> str:
    return json.dumps(server.chat_requests(), ensure_ascii=False)


# --- Offline engine -------------------------------------------------------------------------


def test_the_offline_engine_works_with_no_network(
    cv: dict[str, Any], ctx: AIContext, socket_disabled: Any
) -> None:
    offer = gateway.extract_job_offer(POSTING, ctx=ctx)
    score = gateway.score_match(cv, offer.content, ctx=ctx)
    outcome = gateway.tailor_cv(cv, offer.content, ctx=ctx)
    imported = gateway.structure_cv(IMPORTED_TEXT, ctx=ctx)

    assert offer.model == "offline" and offer.tokens == 0
    assert offer.content["title"]
    assert 0 <= score["match_score"] <= 100
    assert score["match_score"] == gateway.weighted_total(score["score_breakdown"])
    assert outcome.rounds == 0
    assert outcome.cv["header"]["full_name"] == "Jeanne Dupuis"
    assert imported["header"]["full_name"] == "Paul Martin"
    features = set(OpenAICall.objects.values_list("feature_name", "model"))
    assert features == {
        ("extract_job_offer", "offline"),
        ("match_score", "offline"),
        ("cv_adaptation", "offline"),
        ("import_pdf", "offline"),
    }


def test_the_offline_engine_says_what_it_cannot_do(
    ctx: AIContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "ai.offline.examples", None)  # not importable

    with pytest.raises(AIError, match="not available offline"):
        gateway.example_cv(job_title="Baker", language="en", ctx=ctx)


# --- Job offer extraction -------------------------------------------------------------------


def offer_answer(**overrides: Any) -> dict[str, Any]:
    return {**copy.deepcopy(SAMPLE_OFFER), "salary": None, **overrides}


def test_it_extracts_a_job_offer_with_the_model_from_settings(
    fake_openai: FakeOpenAIServer, ctx: AIContext, alice: Any
) -> None:
    Setting.objects.update_or_create(
        name="model_extract_job_offer", defaults={"value": "gpt-4.1-nano"}
    )
    fake_openai.enqueue_json(offer_answer(), prompt_tokens=300, completion_tokens=120)

    offer = gateway.extract_job_offer(POSTING, ctx=ctx)

    assert offer.content["title"] == "Python Backend Engineer"
    assert offer.tokens == 420
    [sent] = fake_openai.chat_requests()
    assert sent["model"] == "gpt-4.1-nano"
    # A stable pseudonym for abuse monitoring: neither the e-mail nor the database id.
    assert len(sent["safety_identifier"]) == 32
    assert alice.email not in sent["safety_identifier"]
    assert sent["safety_identifier"] != str(alice.id)
    system, user = sent["messages"]
    assert "never instructions" in system["content"]
    assert POSTING.strip() not in system["content"]
    # The scraped text travels only inside the fenced untrusted block.
    assert user["content"].startswith("<<<UNTRUSTED_DATA job_posting ")
    assert POSTING.strip() in user["content"]
    call = OpenAICall.objects.get()
    assert (call.user, call.feature_name, call.model) == (
        alice,
        "extract_job_offer",
        "gpt-4.1-nano",
    )
    assert (call.prompt_tokens, call.completion_tokens) == (300, 120)
    assert call.metadata["prompt"] == "extract_job_offer"
    assert call.metadata["prompt_version"] >= 1
    assert len(call.metadata["schema_sha"]) == 12


def test_it_says_when_a_text_is_not_a_job_offer(
    fake_openai: FakeOpenAIServer, ctx: AIContext
) -> None:
    empty_skills: dict[str, list[str]] = {"required": [], "nice_to_have": []}
    fake_openai.enqueue_json(
        offer_answer(
            title=None,
            responsibilities=[],
            skills={"hard_skills": empty_skills, "tools": empty_skills,
                    "methodologies": empty_skills, "soft_skills": []},
        )
    )  # fmt: skip

    with pytest.raises(AINoJobOffer):
        gateway.extract_job_offer("Our cookie policy.", ctx=ctx)


# --- Match score ----------------------------------------------------------------------------


def score_answer(**overrides: Any) -> dict[str, Any]:
    suggestion = {"title": "Show Docker work", "suggestion": "Add a Docker project.",
                  "priority": "high", "impact": "+5 points"}  # fmt: skip
    return {
        "match_score": 99,
        "score_breakdown": {
            "technical_skills": 50,
            "experience": 50,
            "education": 50,
            "soft_skills_languages": 50,
        },
        "suggestions": [suggestion] * 4,
        "missing_skills": ["Docker"],
        "matching_skills": ["Python"],
        **overrides,
    }


def test_the_score_total_is_recomputed_from_the_sub_scores(
    fake_openai: FakeOpenAIServer, cv: dict[str, Any], ctx: AIContext
) -> None:
    fake_openai.enqueue_json(score_answer())

    score = gateway.score_match(cv, SAMPLE_OFFER, ctx=ctx)

    assert score["match_score"] == 50
    assert len(score["suggestions"]) == 3


def test_sub_scores_are_clamped_and_weighted_35_30_20_15(
    fake_openai: FakeOpenAIServer, cv: dict[str, Any], ctx: AIContext
) -> None:
    breakdown = {"technical_skills": 150, "experience": -20, "education": 40,
                 "soft_skills_languages": 60}  # fmt: skip
    fake_openai.enqueue_json(score_answer(score_breakdown=breakdown))

    score = gateway.score_match(cv, SAMPLE_OFFER, ctx=ctx)

    assert score["score_breakdown"]["technical_skills"] == 100
    assert score["score_breakdown"]["experience"] == 0
    assert score["match_score"] == 52  # 35 + 0 + 8 + 9


def test_it_never_suggests_improving_a_native_language(
    fake_openai: FakeOpenAIServer, cv: dict[str, Any], ctx: AIContext
) -> None:
    french = {"title": "Améliorer votre français", "suggestion": "Take a French course.",
              "priority": "low", "impact": "+2 points"}  # fmt: skip
    english = {"title": "Reach C1 in English", "suggestion": "Certify your English.",
               "priority": "medium", "impact": "+3 points"}  # fmt: skip
    fake_openai.enqueue_json(score_answer(suggestions=[french, english]))

    score = gateway.score_match(cv, SAMPLE_OFFER, ctx=ctx)

    assert [s["title"] for s in score["suggestions"]] == ["Reach C1 in English"]


# --- Tailoring ------------------------------------------------------------------------------


def test_tailoring_runs_three_rounds_and_reports_every_change(
    fake_openai: FakeOpenAIServer, cv: dict[str, Any], ctx: AIContext
) -> None:
    use(fake_openai, tailor_answers())
    rounds: list[tuple[str, int]] = []

    outcome = gateway.tailor_cv(cv, SAMPLE_OFFER, ctx=ctx, on_round=lambda *r: rounds.append(r))

    assert rounds == [("classify", 1), ("sections", 2), ("summary", 3)]
    assert outcome.rounds == 3
    result = outcome.cv
    [job] = result["experience"]
    assert job["title"] == "Python Backend Developer"
    assert job["description"] == "Jeanne Dupuis designs Django APIs for a delivery platform."
    assert (job["company"], job["start_date"], job["end_date"]) == (
        "Logistix",
        "2021-03",
        "present",
    )
    assert [s["name"] for s in result["skills"]["hard_skills"]] == ["Python", "JavaScript"]
    # "Oracle" is not a term of the offer: the rename is refused, the skill kept.
    assert [s["name"] for s in result["skills"]["tools"]] == ["Postgres"]
    assert result["education"] == cv["education"]
    # The offer's title, shown by the source's own job and its skills (no model round).
    assert result["header"] == {**cv["header"], "current_title": "Python Backend Engineer"}
    by_path = {(c["path"], c["change_type"]): c for c in outcome.changes}
    assert by_path[("header.current_title", "modified")]["reason"] == (
        "Your experience as Backend Developer at Logistix matches the offer's title: “Python”"
    )
    removed = by_path[("experience[1]", "removed")]
    assert removed["before"]["company"] == "Webcraft"
    assert removed["reason"] == "PHP is unrelated."
    assert by_path[("skills.tools[1]", "removed")]["before"] == "Excel"
    assert by_path[("skills.hard_skills[1]", "modified")]["after"] == "JavaScript"
    assert ("experience[0].title", "modified") in by_path
    assert ("summary.description", "modified") in by_path
    assert all(change["reason"] for change in outcome.changes)


def test_masked_fields_never_reach_the_server_and_come_back(
    fake_openai: FakeOpenAIServer, cv: dict[str, Any], ctx: AIContext
) -> None:
    use(fake_openai, tailor_answers())

    outcome = gateway.tailor_cv(cv, SAMPLE_OFFER, ctx=ctx)

    wire = sent_text(fake_openai).lower()
    assert len(fake_openai.chat_requests()) == 4  # classify, 1 experience, skills, summary
    for value in PRIVATE:
        assert value.lower() not in wire
    assert "[[name]]" in wire
    assert outcome.cv["header"]["contact"] == cv["header"]["contact"]
    assert outcome.cv["projects"][0]["url"] == "https://github.com/jdupuis-dev/tram"
    assert "Jeanne Dupuis" in outcome.cv["experience"][0]["description"]


def test_the_guard_reverts_an_invented_employer_and_an_invented_number(
    fake_openai: FakeOpenAIServer, cv: dict[str, Any], ctx: AIContext
) -> None:
    answer = experience_answer(
        title={"value": "Python Backend Developer", "reason": "Clearer."},
        description={"value": "Built Django APIs at Google.", "reason": "Stronger."},
        deliverables={"value": ["Cut API latency by 47%"], "reason": "A bigger figure."},
    )
    use(fake_openai, tailor_answers(TailorExperienceOut=answer))

    outcome = gateway.tailor_cv(cv, SAMPLE_OFFER, ctx=ctx)

    job = outcome.cv["experience"][0]
    assert job["description"] == cv["experience"][0]["description"]
    assert job["deliverables"] == cv["experience"][0]["deliverables"]
    assert job["title"] == "Python Backend Developer"  # the clean change is kept
    guarded = {c["path"]: c for c in outcome.changes if c["change_type"] == "removed_by_guard"}
    assert set(guarded) == {"experience[0].description", "experience[0].deliverables"}
    assert guarded["experience[0].description"]["proposed"] == "Built Django APIs at Google."
    assert "Google" in guarded["experience[0].description"]["reason"]
    assert "47" in guarded["experience[0].deliverables"]["reason"]


def test_the_guard_rejects_a_summary_with_invented_figures(
    fake_openai: FakeOpenAIServer, cv: dict[str, Any], ctx: AIContext
) -> None:
    summary = {"description": "Backend developer with 14 years of experience.", "reason": "x"}
    use(fake_openai, tailor_answers(TailorSummaryOut=summary))

    outcome = gateway.tailor_cv(cv, SAMPLE_OFFER, ctx=ctx)

    assert outcome.cv["summary"] == cv["summary"]
    [change] = [c for c in outcome.changes if c["path"] == "summary.description"]
    assert change["change_type"] == "removed_by_guard"


def test_section_batches_run_in_parallel(
    fake_openai: FakeOpenAIServer, cv: dict[str, Any], ctx: AIContext
) -> None:
    # Keep both: 2 experience calls + 1 skills call in round 2.
    classify: dict[str, list[Any]] = {"experiences": []}
    use(fake_openai, tailor_answers(TailorClassifyOut=classify), delay=0.3)

    outcome = gateway.tailor_cv(cv, SAMPLE_OFFER, ctx=ctx)

    assert len(fake_openai.chat_requests()) == 5
    assert len(outcome.cv["experience"]) == 2
    # Round 2's three calls (2 experiences + skills) were answered at the same time.
    assert fake_openai.max_in_flight == 3
    assert outcome.rounds == 3


def test_every_call_is_recorded_with_its_prompt_version(
    fake_openai: FakeOpenAIServer, cv: dict[str, Any], ctx: AIContext, alice: Any
) -> None:
    use(fake_openai, tailor_answers())

    gateway.tailor_cv(cv, SAMPLE_OFFER, ctx=ctx)

    calls = OpenAICall.objects.filter(user=alice)
    assert sorted(calls.values_list("feature_name", flat=True)) == [
        "cv_adaptation_classify",
        "cv_adaptation_experience",
        "cv_adaptation_skills",
        "cv_adaptation_summary",
    ]
    assert {c.metadata["prompt"] for c in calls} == {
        "tailor_classify",
        "tailor_experience",
        "tailor_skills",
        "tailor_summary",
    }
    versions = prompting.prompt_versions()
    for call in calls:
        assert call.metadata["prompt_version"] == versions[call.metadata["prompt"]]
        assert call.metadata["includes"]["_shared/facts_rules.md"] >= 1


def test_a_cancelled_tailoring_stops_between_rounds(
    fake_openai: FakeOpenAIServer, cv: dict[str, Any], alice: Any
) -> None:
    use(fake_openai, tailor_answers())
    # The user cancels as soon as the classification request has gone out.
    ctx = AIContext(user_id=alice.id, cancel_check=lambda: bool(fake_openai.chat_requests()))
    rounds: list[str] = []

    with pytest.raises(AICancelled):
        gateway.tailor_cv(cv, SAMPLE_OFFER, ctx=ctx, on_round=lambda name, n: rounds.append(name))

    assert rounds == ["classify"]
    assert len(fake_openai.chat_requests()) == 1


def test_a_failed_batch_fails_the_round_but_paid_calls_are_recorded(
    fake_openai: FakeOpenAIServer, cv: dict[str, Any], ctx: AIContext
) -> None:
    def broken_skills(request: dict[str, Any]) -> dict[str, Any]:
        time.sleep(0.2)  # the experience batch answers first, so it is paid for
        return {"matches": "not a list"}  # invalid twice: no repair can save it

    use(fake_openai, tailor_answers(TailorSkillsOut=broken_skills))

    with pytest.raises(AIError):
        gateway.tailor_cv(cv, SAMPLE_OFFER, ctx=ctx)

    rows = OpenAICall.objects.values_list("feature_name", "status", "prompt_tokens")
    # The failed batch is recorded too: its two answers (first one and repair) were billed.
    assert sorted(rows) == [
        ("cv_adaptation_classify", "ok", 100),
        ("cv_adaptation_experience", "ok", 100),
        ("cv_adaptation_skills", "invalid", 200),
    ]


def test_a_parallel_call_stopped_by_a_failed_batch_is_recorded_as_cancelled(
    fake_openai: FakeOpenAIServer, cv: dict[str, Any], ctx: AIContext
) -> None:
    def slow_experience(request: dict[str, Any]) -> dict[str, Any]:
        time.sleep(1)  # still waiting when the skills batch fails
        return experience_answer()

    use(fake_openai, tailor_answers(TailorSkillsOut={"matches": "not a list"},
                                    TailorExperienceOut=slow_experience))  # fmt: skip

    with pytest.raises(AIError):
        gateway.tailor_cv(cv, SAMPLE_OFFER, ctx=ctx)

    assert OpenAICall.objects.get(feature_name="cv_adaptation_experience").status == "cancelled"
    assert OpenAICall.objects.get(feature_name="cv_adaptation_skills").status == "invalid"


@pytest.mark.parametrize(
    ("answers", "error", "status"),
    [
        # Two answers that are not JSON: the first and its repair request are both billed.
        ([{"content": "not json"}, {"content": "still not json"}], AIInvalidResponse, "invalid"),
        ([{"content": "{", "finish_reason": "length"}], AIInvalidResponse, "invalid"),
        ([{"content": "", "refusal": "I cannot help."}], AIRefused, "refused"),
    ],
    ids=["two-bad-answers", "token-limit", "refusal"],
)
def test_a_failed_call_is_recorded_with_its_status_and_billed_tokens(
    fake_openai: FakeOpenAIServer,
    ctx: AIContext,
    answers: list[dict[str, Any]],
    error: type[AIError],
    status: str,
) -> None:
    for answer in answers:
        fake_openai.enqueue_content(
            answer["content"],
            prompt_tokens=130,
            completion_tokens=20,
            **{k: v for k, v in answer.items() if k != "content"},
        )

    with pytest.raises(error):
        gateway.extract_job_offer(POSTING, ctx=ctx)

    call = OpenAICall.objects.get()
    assert (call.feature_name, call.status) == ("extract_job_offer", status)
    assert (call.prompt_tokens, call.completion_tokens) == (130 * len(answers), 20 * len(answers))
    assert call.estimated_cost > 0
    assert call.metadata["attempts"] == len(answers)
    assert call.metadata["error"]


def test_an_experience_moved_to_projects_keeps_its_company_and_bullets(
    cv: dict[str, Any],
) -> None:
    decisions = [("keep", ""), ("move_to_projects", "Too far from the offer.")]

    result, changes = gateway._apply_decisions(cv, copy.deepcopy(cv), decisions, [])

    project = result["projects"][-1]
    assert project["name"] == "Webcraft"
    assert project["role"] == "Junior Developer"
    assert project["summary"] == "PHP websites for local shops.\n• Maintained PHP sites"
    assert (project["start_date"], project["end_date"]) == ("2018-09", "2021-02")
    assert [c["change_type"] for c in changes] == ["move_to_projects"]
    assert normalize_cv(result)["projects"][-1] == project


# --- Improvement, translation, import, examples ---------------------------------------------


def test_improvement_uses_the_candidates_notes_but_no_other_new_fact(
    fake_openai: FakeOpenAIServer, cv: dict[str, Any], ctx: AIContext
) -> None:
    fake_openai.enqueue_json(
        {
            "experiences": [
                {"index": 0, "description": None, "responsibilities": None,
                 "deliverables": {"value": ["Saved 83k EUR a year"], "reason": "Impact."}},
            ],
            "new_projects": [
                {"name": "Football club", "role": "Coach",
                 "summary": "Managed a football club of 17 people.", "tech_stack": [],
                 "reason": "From your notes."},
            ],
            "summary": None,
        }
    )  # fmt: skip

    outcome = gateway.improve_cv(
        cv,
        SAMPLE_OFFER,
        suggestions=[{"title": "Show leadership", "suggestion": "Mention the club."}],
        user_context="I managed a football club of 17 people.",
        add_skills=[{"name": "Docker", "category": "tools", "proficiency": 2}],
        ctx=ctx,
    )

    assert outcome.rounds == 1
    assert outcome.cv["experience"][0]["deliverables"] == ["Cut API latency by 30%"]
    assert outcome.cv["projects"][-1]["name"] == "Football club"
    assert {"name": "Docker", "proficiency": 2} in outcome.cv["skills"]["tools"]
    kinds = {(c["path"], c["change_type"]) for c in outcome.changes}
    assert ("experience[0].deliverables", "removed_by_guard") in kinds
    assert ("projects[1]", "added") in kinds
    assert ("skills.tools[2]", "added") in kinds
    user_message = fake_openai.chat_requests()[0]["messages"][1]["content"]
    assert "<<<UNTRUSTED_DATA candidate_notes " in user_message


def test_translation_keeps_every_item_and_every_fixed_fact(
    fake_openai: FakeOpenAIServer, cv: dict[str, Any], ctx: AIContext
) -> None:
    def translate(request: dict[str, Any]) -> dict[str, Any]:
        sent: dict[str, Any] = json.loads(request["messages"][1]["content"].removeprefix("CV:\n"))
        sent["experience"] = sent["experience"][:1]  # one experience dropped
        sent["experience"][0]["company"] = "Google"  # an employer changed
        sent["experience"][0]["title"] = "Développeuse backend"
        sent["experience"][0]["deliverables"] = ["Latence réduite de 30 %"]
        sent["summary"]["description"] = "[[NAME]] conçoit des API fiables."
        sent["language"] = "en"
        return sent

    fake_openai.auto_delay = 0
    fake_openai.responder = by_schema({"cv": translate})

    result = gateway.translate_cv(cv, "fr", ctx=ctx)

    assert result["language"] == "fr"
    assert [job["company"] for job in result["experience"]] == ["Logistix", "Webcraft"]
    assert result["experience"][0]["title"] == "Développeuse backend"
    assert result["experience"][1] == cv["experience"][1]  # kept, untranslated
    assert result["summary"]["description"] == "Jeanne Dupuis conçoit des API fiables."
    assert result["header"]["contact"] == cv["header"]["contact"]
    wire = sent_text(fake_openai).lower()
    assert not any(value.lower() in wire for value in PRIVATE)


def test_import_masks_contact_details_in_the_pdf_text(
    fake_openai: FakeOpenAIServer, ctx: AIContext
) -> None:
    text = "Paul Martin\nData analyst\npaul.martin@mail.test - 06 98 76 54 32\n2019-2023 Acme"

    def structure(request: dict[str, Any]) -> dict[str, Any]:
        return {**normalize_cv({"header": {"full_name": "Paul Martin",
                "current_title": "Data analyst",
                "contact": {"email": "[[EMAIL]]", "phone": "[[PHONE]]"}}})}  # fmt: skip

    fake_openai.auto_delay = 0
    fake_openai.responder = by_schema({"cv": structure})

    result = gateway.structure_cv(text, ctx=ctx)

    assert result["header"]["contact"]["email"] == "paul.martin@mail.test"
    assert result["header"]["contact"]["phone"] == "06 98 76 54 32"
    wire = sent_text(fake_openai)
    assert "paul.martin@mail.test" not in wire and "06 98 76 54 32" not in wire
    assert "2019-2023" in wire


def test_an_example_cv_cannot_point_to_a_real_person(
    fake_openai: FakeOpenAIServer, ctx: AIContext
) -> None:
    example = normalize_cv(
        {
            "header": {
                "full_name": "Léa Martin",
                "current_title": "Baker",
                "contact": {
                    "email": "lea@gmail.com",
                    "phone": "+33 6 00 00 00 00",
                    "links": [
                        {"label": "Site", "url": "https://lea.example.com"},
                        {"label": "LinkedIn", "url": "https://linkedin.com/in/lea"},
                    ],
                },
            },
            "language": "en",
        }
    )
    fake_openai.enqueue_json(example)

    result = gateway.example_cv(job_title="Baker", language="fr", ctx=ctx)

    contact = result["header"]["contact"]
    assert contact["email"] == "lea.martin@example.com"
    assert contact["phone"] == ""
    assert [link["url"] for link in contact["links"]] == ["https://lea.example.com"]
    assert result["language"] == "fr"
    assert OpenAICall.objects.get().feature_name == "generate_from_job_title"


def pdf_answer(**header: Any) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """A model that structures the PDF text, with the given header fields (placeholders)."""

    def structure(request: dict[str, Any]) -> dict[str, Any]:
        return normalize_cv(
            {"header": {"full_name": "[[NAME]]", "current_title": "Co-Founder & CTO", **header},
             "extras": [{"name": "Publication", "summary": "[[NAME]], [[PERSON_1]]"}]}
        )  # fmt: skip

    return structure


def test_pdf_import_through_the_model_keeps_the_files_link_annotations(
    fake_openai: FakeOpenAIServer, ctx: AIContext
) -> None:
    pdf = extract_pdf_text((PDFS / "John_Doe_ClassicTheme_CV.pdf").read_bytes())
    assert "https://linkedin.com/in/rendercv" in pdf.links  # an icon: not in the text
    fake_openai.auto_delay = 0
    # The model drops the links and invents one.
    invented = {"label": "Blog", "url": "https://blog.invented.test/john"}
    fake_openai.responder = by_schema({"cv": pdf_answer(contact={"links": [invented]})})

    result = gateway.structure_cv(pdf.text, ctx=ctx, links=pdf.links)

    contact = result["header"]["contact"]
    assert result["header"]["full_name"] == "John Doe"
    assert contact["email"] == "john.doe@email.com"  # from the file's mailto: link
    assert [link["url"] for link in contact["links"]] == [
        "https://linkedin.com/in/rendercv",
        "https://github.com/rendercv",
    ]  # profiles only: not the DOIs, not github.com itself, not the invented blog
    assert result["extras"][0]["summary"] == "John Doe, Sarah Williams"
    wire = sent_text(fake_openai)
    for value in ("John Doe", "john.doe@email.com", "rendercv", "Sarah Williams", "Kevin Wu"):
        assert value not in wire
    assert "(LinkedIn)" in wire and "(DOI)" in wire  # the model knows what each target is


def test_pdf_import_completes_the_links_the_text_shows_and_keeps_them_once(
    fake_openai: FakeOpenAIServer, ctx: AIContext
) -> None:
    pdf = extract_pdf_text((PDFS / "John_Doe_Sb2novTheme_CV.pdf").read_bytes())
    wire_links: list[str] = []

    def structure(request: dict[str, Any]) -> dict[str, Any]:
        text = request["messages"][1]["content"]
        # The text shows "linkedin.com/in/rendercv": the same placeholder as the file's target.
        [shown] = re.findall(r"• (\[\[LINK_\d+\]\])\n", text)
        wire_links.append(shown)
        links = [{"label": "LinkedIn", "url": shown}, {"label": "Profile", "url": shown}]
        return pdf_answer(contact={"email": "[[EMAIL]]", "links": links})(request)

    fake_openai.auto_delay = 0
    fake_openai.responder = by_schema({"cv": structure})

    result = gateway.structure_cv(pdf.text, ctx=ctx, links=pdf.links)

    assert wire_links
    links = result["header"]["contact"]["links"]
    assert [link["url"] for link in links] == [
        "https://linkedin.com/in/rendercv",
        "https://github.com/rendercv",
    ]
    assert links[0]["label"] == "LinkedIn"


@pytest.mark.parametrize(
    ("status", "code", "incident"),
    [(401, None, "auth"), (429, "insufficient_quota", "quota"), (503, None, "server_errors")],
)
def test_a_provider_failure_that_stops_the_features_alerts_staff_once_and_logs_an_error(
    fake_openai: FakeOpenAIServer,
    ctx: AIContext,
    django_capture_on_commit_callbacks: Any,
    caplog: pytest.LogCaptureFixture,
    status: int,
    code: str | None,
    incident: str,
) -> None:
    for _ in range(8):  # two calls; a 5xx is tried four times per call
        fake_openai.enqueue_error(status, "provider says no", code=code)
    told: list[accounting.StaffAlert] = []
    with (
        mock.patch.object(accounting, "STAFF_NOTIFIERS", [told.append]),
        django_capture_on_commit_callbacks(execute=True),
    ):
        for _ in range(2):
            with pytest.raises(AIError):
                gateway.extract_job_offer(POSTING, ctx=ctx)

    assert [alert.kind for alert in told] == [incident]
    assert "provider says no" in told[0].detail
    assert ProviderIncidentEvent.objects.get().kind == incident
    errors = [r for r in caplog.records if r.levelname == "ERROR" and r.name == "ai.accounting"]
    assert len(errors) == 2  # every failure is logged; staff are told once per hour
    assert set(OpenAICall.objects.values_list("status", flat=True)) == {"failed"}


def test_a_busy_provider_is_not_an_incident(
    fake_openai: FakeOpenAIServer, ctx: AIContext, django_capture_on_commit_callbacks: Any
) -> None:
    fake_openai.enqueue_error(503, "busy")
    fake_openai.enqueue_json(offer_answer())

    with django_capture_on_commit_callbacks(execute=True):
        gateway.extract_job_offer(POSTING, ctx=ctx)

    assert not ProviderIncidentEvent.objects.exists()
