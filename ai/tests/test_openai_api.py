"""The OpenAI adapter driven through the real SDK against a fake server on 127.0.0.1."""

from __future__ import annotations

import json
import threading
import urllib.request
from typing import Any
from unittest import mock

import pytest
from openai._utils import maybe_transform
from openai.types.chat import completion_create_params

from ai import openai_api
from ai.errors import (
    AICancelled,
    AIConfigurationError,
    AIError,
    AIInvalidResponse,
    AIRefused,
    AITemporaryError,
)
from ai.tests.fakes import FakeOpenAIServer, chat_completion

SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"title": {"type": "string"}, "years": {"type": "integer"}},
    "required": ["title", "years"],
    "additionalProperties": False,
}
MESSAGES = [
    {"role": "system", "content": "Extract the job."},
    {"role": "user", "content": "Senior baker, 5 years."},
]


def ask(**overrides: Any) -> openai_api.CompletionResult:
    params: dict[str, Any] = {
        "model": "gpt-4.1-mini",
        "messages": MESSAGES,
        "schema": SCHEMA,
        "schema_name": "job",
        "timeout": 5.0,
    }
    return openai_api.complete_json(**{**params, **overrides})


def test_it_parses_structured_output(fake_openai: FakeOpenAIServer) -> None:
    fake_openai.enqueue_json(
        {"title": "Baker", "years": 5}, prompt_tokens=120, cached_tokens=20, completion_tokens=9
    )

    result = ask(temperature=0.1)

    assert result.data == {"title": "Baker", "years": 5}
    assert (result.prompt_tokens, result.cached_tokens, result.completion_tokens) == (120, 20, 9)
    assert result.attempts == 1
    [sent] = fake_openai.chat_requests()
    assert sent["model"] == "gpt-4.1-mini"
    assert sent["response_format"]["type"] == "json_schema"
    assert sent["response_format"]["json_schema"]["name"] == "job"
    assert sent["response_format"]["json_schema"]["strict"] is True
    assert sent["response_format"]["json_schema"]["schema"] == SCHEMA
    assert sent["store"] is False
    assert sent["max_completion_tokens"] == openai_api.DEFAULT_MAX_OUTPUT_TOKENS
    assert sent["temperature"] == 0.1
    assert sent["messages"] == MESSAGES


def test_it_sends_what_the_sdk_would_without_walking_the_request(
    fake_openai: FakeOpenAIServer,
) -> None:
    # The SDK's create() walks the whole request against its types before sending (a third of
    # a call's CPU); the adapter posts the same JSON without that walk.
    fake_openai.enqueue_json({"title": "Baker", "years": 5})
    walk = "openai.resources.chat.completions.completions.maybe_transform"

    with mock.patch(walk, side_effect=AssertionError("create() walked the request")):
        ask(temperature=0.1, safety_identifier="user-7")

    [sent] = fake_openai.chat_requests()
    params = openai_api._request_params(
        model="gpt-4.1-mini",
        messages=MESSAGES,
        schema=SCHEMA,
        schema_name="job",
        mode="json_schema",
        temperature=0.1,
        max_output_tokens=openai_api.DEFAULT_MAX_OUTPUT_TOKENS,
        safety_identifier="user-7",
    )
    assert sent == maybe_transform(
        params, completion_create_params.CompletionCreateParamsNonStreaming
    )
    [headers] = fake_openai.request_headers
    assert headers["authorization"] == "Bearer sk-test-fake"


def test_it_sends_no_temperature_to_reasoning_models(fake_openai: FakeOpenAIServer) -> None:
    fake_openai.enqueue_json({"title": "Baker", "years": 5})

    ask(model="o4-mini", temperature=0.1)

    [sent] = fake_openai.chat_requests()
    assert "temperature" not in sent
    assert sent["max_completion_tokens"] > openai_api.DEFAULT_MAX_OUTPUT_TOKENS


def test_it_falls_back_to_json_mode_when_the_server_lacks_json_schema(
    fake_openai: FakeOpenAIServer,
) -> None:
    fake_openai.json_object_only = True
    fake_openai.enqueue_json({"title": "Baker", "years": 5})
    fake_openai.enqueue_json({"title": "Cook", "years": 2})

    first = ask()
    second = ask()

    assert first.data == {"title": "Baker", "years": 5}
    assert first.structured_mode == "json_object"
    assert second.data == {"title": "Cook", "years": 2}
    sent = fake_openai.chat_requests()
    # One refused json_schema request, then JSON mode only, remembered for the next call.
    assert [r["response_format"]["type"] for r in sent] == [
        "json_schema",
        "json_object",
        "json_object",
    ]
    assert '"years"' in sent[1]["messages"][0]["content"]  # the schema moved into the prompt


def test_it_retries_a_429_then_succeeds(fake_openai: FakeOpenAIServer) -> None:
    fake_openai.enqueue_error(429, "Rate limit reached", headers={"Retry-After": "0"})
    fake_openai.enqueue_json({"title": "Baker", "years": 5})

    result = ask()

    assert result.data["title"] == "Baker"
    assert result.attempts == 2
    assert len(fake_openai.chat_requests()) == 2


def test_it_honours_retry_after_up_to_a_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    assert openai_api._retry_delay(1, {"retry-after": "2"}) == 2
    assert openai_api._retry_delay(1, {"retry-after-ms": "1500"}) == 1.5
    assert openai_api._retry_delay(1, {"retry-after": "9999"}) == openai_api.RETRY_WAIT_CAP_SECONDS
    monkeypatch.setattr(openai_api, "BACKOFF_BASE_SECONDS", 1.0)
    assert 4 <= openai_api._retry_delay(3, {}) <= 5  # 1 s x 2^2, plus up to 1 s of jitter


@pytest.mark.parametrize(
    ("status", "error"),
    [(400, AIError), (401, AIConfigurationError), (404, AIConfigurationError), (422, AIError)],
)
def test_it_does_not_retry_other_4xx(
    fake_openai: FakeOpenAIServer, status: int, error: type[AIError]
) -> None:
    fake_openai.enqueue_error(status, "Invalid value for 'messages'")
    fake_openai.enqueue_json({"title": "Baker", "years": 5})

    with pytest.raises(error):
        ask()

    assert len(fake_openai.chat_requests()) == 1


def test_it_does_not_retry_an_exhausted_quota(fake_openai: FakeOpenAIServer) -> None:
    fake_openai.enqueue_error(429, "You exceeded your current quota", code="insufficient_quota")

    with pytest.raises(AIConfigurationError):
        ask()

    assert len(fake_openai.chat_requests()) == 1


def test_it_retries_a_timeout(fake_openai: FakeOpenAIServer) -> None:
    fake_openai.enqueue_json({"title": "Slow", "years": 1}, delay=3)
    fake_openai.enqueue_json({"title": "Baker", "years": 5})

    result = ask(timeout=0.5)

    assert result.data["title"] == "Baker"
    assert len(fake_openai.chat_requests()) == 2


def test_it_gives_up_after_max_attempts_of_server_errors(fake_openai: FakeOpenAIServer) -> None:
    for _ in range(5):
        fake_openai.enqueue_error(500, "The server had an error")

    with pytest.raises(AITemporaryError) as caught:
        ask(max_attempts=3)

    assert len(fake_openai.chat_requests()) == 3
    assert caught.value.retryable


def test_a_wait_longer_than_the_calls_budget_fails_at_once(fake_openai: FakeOpenAIServer) -> None:
    fake_openai.enqueue_error(429, "slow down", headers={"retry-after": "8"})
    fake_openai.enqueue_json({"title": "Baker", "years": 5})

    # 8 s of waiting would outlive the call's 3 s budget: no second request, no wait.
    with pytest.raises(AITemporaryError, match="budget"):
        ask(budget=3.0)

    assert len(fake_openai.chat_requests()) == 1


def test_a_call_with_its_budget_spent_sends_nothing(fake_openai: FakeOpenAIServer) -> None:
    with pytest.raises(AITemporaryError, match="budget"):
        ask(budget=0.0)

    assert fake_openai.chat_requests() == []


def test_it_repairs_invalid_json_with_one_retry(fake_openai: FakeOpenAIServer) -> None:
    fake_openai.enqueue_content('{"title": "Baker", "years": ')
    fake_openai.enqueue_json({"title": "Baker", "years": 5})

    result = ask()

    assert result.data == {"title": "Baker", "years": 5}
    first, repair = fake_openai.chat_requests()
    assert len(repair["messages"]) == len(first["messages"]) + 2
    assert repair["messages"][-2]["role"] == "assistant"
    assert "not valid JSON" in repair["messages"][-1]["content"]
    # Both answers were billed, so both count.
    assert result.prompt_tokens == 200


def test_it_repairs_a_schema_violation_and_names_the_field(fake_openai: FakeOpenAIServer) -> None:
    fake_openai.enqueue_json({"title": "Baker", "years": "five"})
    fake_openai.enqueue_json({"title": "Baker", "years": 5})

    assert ask().data["years"] == 5

    repair = fake_openai.chat_requests()[1]
    assert "years" in repair["messages"][-1]["content"]


def test_it_fails_when_the_repair_is_invalid_too(fake_openai: FakeOpenAIServer) -> None:
    fake_openai.enqueue_content("no json here")
    fake_openai.enqueue_content("still no json")
    fake_openai.enqueue_json({"title": "Baker", "years": 5})

    with pytest.raises(AIInvalidResponse):
        ask()

    assert len(fake_openai.chat_requests()) == 2


def test_it_reports_a_refusal(fake_openai: FakeOpenAIServer) -> None:
    fake_openai.enqueue(200, chat_completion("", refusal="I can't help with that."))

    with pytest.raises(AIRefused):
        ask()


def test_it_rejects_a_truncated_answer(fake_openai: FakeOpenAIServer) -> None:
    fake_openai.enqueue(200, chat_completion('{"title": "Ba', finish_reason="length"))

    with pytest.raises(AIInvalidResponse):
        ask()


def test_it_cancels_an_in_flight_call_quickly(fake_openai: FakeOpenAIServer) -> None:
    fake_openai.enqueue_json({"title": "Baker", "years": 5}, delay=10)
    cancelled = threading.Event()
    threading.Timer(0.3, cancelled.set).start()
    # The answer would take 10 s: getting AICancelled means the call was abandoned on the way.
    with pytest.raises(AICancelled):
        ask(timeout=30, cancel_check=cancelled.is_set)

    assert len(fake_openai.chat_requests()) == 1


def test_it_does_not_send_when_already_cancelled(fake_openai: FakeOpenAIServer) -> None:
    with pytest.raises(AICancelled):
        ask(cancel_check=lambda: True)

    assert fake_openai.chat_requests() == []


def test_it_needs_an_api_key(settings: Any, fake_openai: FakeOpenAIServer) -> None:
    settings.OPENAI_API_KEY = ""

    with pytest.raises(AIConfigurationError):
        ask()


def test_the_fake_server_lists_models(fake_openai: FakeOpenAIServer) -> None:
    with urllib.request.urlopen(f"{fake_openai.url}/models", timeout=5) as response:
        listing = json.load(response)

    assert [model["id"] for model in listing["data"]] == ["fake-model"]
