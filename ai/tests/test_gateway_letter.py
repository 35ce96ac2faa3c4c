"""Cover letters through the gateway: the model writes, the guard checks, nothing is invented."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from ai import gateway, prompting
from ai.errors import AINotEnoughInCommon
from ai.gateway import AIContext
from ai.models import OpenAICall
from ai.tests.fakes import SAMPLE_CV, SAMPLE_OFFER, FakeOpenAIServer, chat_completion
from cvdoc.document import normalize_cv

CLEAN = [
    "I am applying for the Python Backend Engineer position at Cargo Cloud.",
    "As Backend Developer at Logistix, I built REST APIs in Django and ran PostgreSQL "
    "migrations. I cut API latency by 30%.",
    "At Webcraft I maintained PHP sites as a Junior Developer.",
    "I would welcome an interview. Thank you for your time.",
]


@pytest.fixture
def cv() -> dict[str, Any]:
    return normalize_cv(copy.deepcopy(SAMPLE_CV))


@pytest.fixture
def ctx(alice: Any) -> AIContext:
    return AIContext(user_id=alice.id, ui_language="en")


def answer(server: FakeOpenAIServer, paragraphs: list[str], **fields: str) -> None:
    letter = {
        "subject": "Application: Python Backend Engineer",
        "greeting": "Dear Hiring Manager,",
        "paragraphs": paragraphs,
        "sign_off": "Kind regards,",
        **fields,
    }
    server.auto_delay = 0.0
    server.responder = lambda request: chat_completion(json.dumps(letter), model=request["model"])


def test_the_models_letter_is_kept_when_it_invents_nothing(
    fake_openai: FakeOpenAIServer, cv: dict[str, Any], ctx: AIContext
) -> None:
    answer(fake_openai, CLEAN)

    outcome = gateway.write_cover_letter(cv, SAMPLE_OFFER, ctx=ctx)

    assert outcome.letter["paragraphs"] == CLEAN
    assert outcome.removed == [] and not outcome.replaced
    [request] = fake_openai.chat_requests()
    assert request["response_format"]["json_schema"]["name"] == "CoverLetterOut"
    sent = json.dumps(request, ensure_ascii=False)
    assert "jeanne.dupuis@mail.test" not in sent  # the CV is masked on the wire
    call = OpenAICall.objects.get(feature_name="cover_letter")
    assert call.metadata["prompt"] == "cover_letter"


def test_the_guard_removes_sentences_with_an_invented_employer_or_figure(
    fake_openai: FakeOpenAIServer, cv: dict[str, Any], ctx: AIContext
) -> None:
    invented = [
        CLEAN[0],
        CLEAN[1] + " Before that I scaled search at Google Cloud to 45 countries.",
        CLEAN[2],
        CLEAN[3],
    ]
    answer(fake_openai, invented)

    outcome = gateway.write_cover_letter(cv, SAMPLE_OFFER, ctx=ctx)

    text = " ".join(outcome.letter["paragraphs"])
    assert "Google" not in text and "45" not in text
    assert "ran PostgreSQL migrations" in text  # the clean sentences stay
    assert outcome.removed == ["employer: Google Cloud", "number: 45"]
    assert not outcome.replaced


def test_a_letter_too_spoiled_to_clean_is_replaced_by_the_offline_one(
    fake_openai: FakeOpenAIServer, cv: dict[str, Any], ctx: AIContext
) -> None:
    answer(
        fake_openai,
        [CLEAN[0], "As Head of Engineering at Google I managed 80 people.", CLEAN[3]],
    )

    outcome = gateway.write_cover_letter(cv, SAMPLE_OFFER, ctx=ctx)

    assert outcome.replaced
    assert "Google" not in json.dumps(outcome.letter)
    assert "Logistix" in outcome.letter["paragraphs"][1]
    assert {"employer: Google", "number: 80"} <= set(outcome.removed)


def test_no_model_is_called_when_the_cv_and_the_offer_share_too_little(
    fake_openai: FakeOpenAIServer, cv: dict[str, Any], ctx: AIContext
) -> None:
    answer(fake_openai, CLEAN)
    nursing = {
        **SAMPLE_OFFER,
        "title": "Staff Nurse",
        "company": "City Hospital",
        "skills": {
            "hard_skills": {"required": ["Cannulation", "Wound care"], "nice_to_have": []},
            "tools": {"required": [], "nice_to_have": []},
            "methodologies": {"required": [], "nice_to_have": []},
            "soft_skills": [],
        },
        "responsibilities": ["Care for acutely unwell patients"],
        "education": {"level": None, "field": None},
    }

    with pytest.raises(AINotEnoughInCommon) as refused:
        gateway.write_cover_letter(cv, nursing, ctx=ctx)

    assert fake_openai.chat_requests() == []
    assert "not charged" in refused.value.user_message


def test_the_offline_engine_writes_the_letter_without_network(
    cv: dict[str, Any], ctx: AIContext, socket_disabled: Any
) -> None:
    outcome = gateway.write_cover_letter(cv, SAMPLE_OFFER, ctx=ctx)

    assert outcome.engine == "offline" and outcome.removed == []
    assert "Cargo Cloud" in outcome.letter["paragraphs"][0]
    assert OpenAICall.objects.get(feature_name="cover_letter").model == "offline"


def test_the_cover_letter_prompt_renders_with_the_shared_rules() -> None:
    rendered = prompting.render("cover_letter", {"output_language": "German"})

    assert "German" in rendered.text and "{{" not in rendered.text
    assert "never instructions" in rendered.text
    assert rendered.includes["_shared/facts_rules.md"] >= 1
