"""The OpenAI adapter: the only module that imports the `openai` SDK.

`complete_json` sends one chat completion that must answer with a JSON object matching a JSON
Schema, and returns the parsed object with its token usage. It works against OpenAI and any
OpenAI-compatible server (`OPENAI_BASE_URL`: Ollama, vLLM, LM Studio...), including servers that
only know JSON mode. Retries, repair of invalid answers, cancellation and error mapping live
here so that every feature gets the same behaviour.
"""

from __future__ import annotations

import json
import random
import re
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any, Literal

import jsonschema
import openai
from django.conf import settings
from openai.types.chat import ChatCompletion

from ai.errors import (
    AICancelled,
    AIConfigurationError,
    AIError,
    AIInvalidResponse,
    AIRefused,
    AITemporaryError,
    BilledUsage,
    ProviderIncident,
)
from core.limits import MODEL_ATTEMPTS, MODEL_CALL_BUDGET, RETRY_WAIT_CAP

StructuredMode = Literal["json_schema", "json_object"]

BACKOFF_BASE_SECONDS = 1.0
# No wait between two attempts is longer, whatever the server's Retry-After asks (core.limits).
RETRY_WAIT_CAP_SECONDS = float(RETRY_WAIT_CAP)
CANCEL_POLL_SECONDS = 0.2
DEFAULT_MAX_OUTPUT_TOKENS = 4_000
# Reasoning models spend output tokens thinking before they write the answer.
REASONING_OUTPUT_FACTOR = 4
MAX_OUTPUT_TOKENS_CAP = 32_000
REPAIR_EXCERPT_CHARS = 4_000
REASONING_MODEL = re.compile(r"^(?:[\w-]+/)?(?:o1|o3|o4|gpt-5)", re.IGNORECASE)
NOT_RETRYABLE_STATUSES = frozenset({400, 401, 403, 404, 409, 413, 422})

# Base URLs whose server refused `json_schema` once: later calls of this process go straight
# to JSON mode instead of paying a failed request each time.
_JSON_OBJECT_ONLY: set[str] = set()
_JSON_OBJECT_ONLY_LOCK = threading.Lock()


@dataclass(frozen=True)
class CompletionResult:
    data: dict[str, Any]
    model: str
    prompt_tokens: int
    cached_tokens: int
    completion_tokens: int
    duration_ms: int
    attempts: int
    structured_mode: StructuredMode = "json_schema"


_clients: dict[tuple[str, str], openai.OpenAI] = {}
_clients_lock = threading.Lock()


def shared_client() -> openai.OpenAI:
    """The process's client for the configured key and URL; the SDK's own retries are off
    because we retry ourselves. Shared because building one loads the CA certificates (tens of
    milliseconds of CPU, more than the rest of a call), and its connection pool is thread-safe:
    the threads of a worker send their calls through it. Each call sets its own timeout."""
    if not settings.OPENAI_API_KEY:
        raise AIConfigurationError("OPENAI_API_KEY is not set", incident=ProviderIncident.AUTH)
    key = (settings.OPENAI_API_KEY, settings.OPENAI_BASE_URL)
    with _clients_lock:
        client = _clients.get(key)
        if client is None:
            client = _clients[key] = openai.OpenAI(
                api_key=key[0], base_url=key[1] or None, max_retries=0
            )
    return client


def is_reasoning_model(model: str) -> bool:
    return bool(REASONING_MODEL.match(model))


def complete_json(
    *,
    model: str,
    messages: list[dict[str, Any]],
    schema: dict[str, Any],
    schema_name: str,
    timeout: float,
    max_attempts: int = MODEL_ATTEMPTS,
    budget: float = MODEL_CALL_BUDGET,
    cancel_check: Callable[[], bool] | None = None,
    structured_mode: StructuredMode = "json_schema",
    temperature: float | None = None,
    max_output_tokens: int = DEFAULT_MAX_OUTPUT_TOKENS,
    safety_identifier: str | None = None,
) -> CompletionResult:
    """Ask `model` for one JSON object valid against `schema`.

    Transient failures (429, 5xx, timeouts, connection errors) are retried up to `max_attempts`
    requests with exponential backoff; an answer that is not valid JSON or breaks the schema gets
    one repair request quoting the validation error. The whole call never outlives `budget`
    seconds: no request or wait goes past it. Raises only `AIError` subclasses.
    """
    tally = _Tally(model=model, started=time.monotonic())
    tally.deadline = tally.started + budget
    try:
        return _complete_json(
            tally,
            model=model,
            messages=messages,
            schema=schema,
            schema_name=schema_name,
            timeout=timeout,
            max_attempts=max_attempts,
            cancel_check=cancel_check,
            structured_mode=structured_mode,
            temperature=temperature,
            max_output_tokens=max_output_tokens,
            safety_identifier=safety_identifier,
        )
    except AIError as exc:
        # Every answered request is billed, whatever became of the call: the caller records it.
        exc.usage = tally.billed()
        raise


@dataclass
class _Tally:
    """What the requests of one call cost so far (every answered request is billed)."""

    model: str
    started: float
    prompt_tokens: int = 0
    cached_tokens: int = 0
    completion_tokens: int = 0
    requests: int = 0
    deadline: float = float("inf")

    def remaining(self) -> float:
        """Seconds left of the call's budget; AITemporaryError once it is spent."""
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise AITemporaryError("the call used up its time budget")
        return left

    def add(self, completion: Any) -> None:
        self.model = completion.model or self.model
        if completion.usage is None:
            return
        self.prompt_tokens += completion.usage.prompt_tokens or 0
        self.completion_tokens += completion.usage.completion_tokens or 0
        details = completion.usage.prompt_tokens_details
        self.cached_tokens += (details.cached_tokens or 0) if details else 0

    def billed(self) -> BilledUsage:
        return BilledUsage(
            model=self.model,
            prompt_tokens=self.prompt_tokens,
            cached_tokens=self.cached_tokens,
            completion_tokens=self.completion_tokens,
            duration_ms=int((time.monotonic() - self.started) * 1000),
            attempts=self.requests,
        )


def _complete_json(
    tally: _Tally,
    *,
    model: str,
    messages: list[dict[str, Any]],
    schema: dict[str, Any],
    schema_name: str,
    timeout: float,
    max_attempts: int,
    cancel_check: Callable[[], bool] | None,
    structured_mode: StructuredMode,
    temperature: float | None,
    max_output_tokens: int,
    safety_identifier: str | None,
) -> CompletionResult:
    base_url = str(settings.OPENAI_BASE_URL or "default")
    with _JSON_OBJECT_ONLY_LOCK:
        mode: StructuredMode = "json_object" if base_url in _JSON_OBJECT_ONLY else structured_mode
    validator = jsonschema.Draft202012Validator(schema)
    conversation = list(messages)
    failures = 0
    repaired = fell_back = False
    while True:
        if cancel_check is not None and cancel_check():
            raise AICancelled("cancelled before the request")
        params = _request_params(
            model=model,
            messages=conversation,
            schema=schema,
            schema_name=schema_name,
            mode=mode,
            temperature=temperature,
            max_output_tokens=max_output_tokens,
            safety_identifier=safety_identifier,
        )
        request_timeout = min(timeout, tally.remaining())
        tally.requests += 1
        try:
            completion = _send(params, timeout=request_timeout, cancel_check=cancel_check)
        except openai.APIStatusError as exc:
            if (
                exc.status_code == 400
                and mode == "json_schema"
                and not fell_back
                and "response_format" in _error_text(exc)
            ):
                # The server does not do structured outputs: JSON mode plus schema in the prompt.
                mode, fell_back = "json_object", True
                with _JSON_OBJECT_ONLY_LOCK:
                    _JSON_OBJECT_ONLY.add(base_url)
                continue
            error = _map_status_error(exc)
            failures += 1
            if not error.retryable or failures >= max_attempts:
                if exc.status_code >= 500 and failures >= max_attempts:
                    error.incident = ProviderIncident.SERVER_ERRORS
                raise error from None
            _sleep(_retry_delay(failures, exc.response.headers), cancel_check, tally)
            continue
        except (openai.APITimeoutError, openai.APIConnectionError) as exc:
            failures += 1
            if failures >= max_attempts:
                raise AITemporaryError(f"{type(exc).__name__}: {exc}") from None
            _sleep(_retry_delay(failures, {}), cancel_check, tally)
            continue
        except openai.OpenAIError as exc:
            raise AIError(f"{type(exc).__name__}: {exc}") from None

        tally.add(completion)
        content = _answer_text(completion)
        try:
            data = _parse(content, validator)
        except AIInvalidResponse as exc:
            if repaired:
                raise
            repaired = True
            conversation = [
                *conversation,
                {"role": "assistant", "content": content[:REPAIR_EXCERPT_CHARS]},
                {
                    "role": "user",
                    "content": f"Your answer was rejected: {exc}. Reply again with only the "
                    "corrected JSON object, valid against the schema.",
                },
            ]
            continue
        billed = tally.billed()
        return CompletionResult(
            data=data,
            model=billed.model,
            prompt_tokens=billed.prompt_tokens,
            cached_tokens=billed.cached_tokens,
            completion_tokens=billed.completion_tokens,
            duration_ms=billed.duration_ms,
            attempts=billed.attempts,
            structured_mode=mode,
        )


def _request_params(
    *,
    model: str,
    messages: list[dict[str, Any]],
    schema: dict[str, Any],
    schema_name: str,
    mode: StructuredMode,
    temperature: float | None,
    max_output_tokens: int,
    safety_identifier: str | None,
) -> dict[str, Any]:
    reasoning = is_reasoning_model(model)
    params: dict[str, Any] = {
        "model": model,
        # Nothing we send may be kept on the provider side for later retrieval.
        "store": False,
        "max_completion_tokens": min(
            MAX_OUTPUT_TOKENS_CAP,
            max_output_tokens * (REASONING_OUTPUT_FACTOR if reasoning else 1),
        ),
    }
    if temperature is not None and not reasoning:
        params["temperature"] = temperature
    if safety_identifier:
        params["safety_identifier"] = safety_identifier
    if mode == "json_schema":
        params["messages"] = messages
        params["response_format"] = {
            "type": "json_schema",
            "json_schema": {"name": schema_name, "schema": schema, "strict": True},
        }
    else:
        params["messages"] = _with_schema_in_prompt(messages, schema)
        params["response_format"] = {"type": "json_object"}
    return params


def _with_schema_in_prompt(
    messages: list[dict[str, Any]], schema: dict[str, Any]
) -> list[dict[str, Any]]:
    # JSON mode only promises syntactically valid JSON, so the shape must be in the prompt
    # (and OpenAI's JSON mode requires the word "JSON" somewhere in the messages).
    note = (
        "\n\nReply with one JSON object, and nothing else, valid against this JSON Schema:\n"
        + json.dumps(schema, ensure_ascii=False, separators=(",", ":"))
    )
    if messages and messages[0].get("role") == "system":
        first = messages[0]
        return [{**first, "content": f"{first['content']}{note}"}, *messages[1:]]
    return [{"role": "system", "content": note.strip()}, *messages]


def _send(
    params: dict[str, Any], *, timeout: float, cancel_check: Callable[[], bool] | None
) -> Any:
    client = shared_client()
    if cancel_check is None:
        return _post_completion(client, params, timeout)
    # The SDK call blocks, so it runs in a daemon thread while this one watches for a cancel;
    # an abandoned call ends on its own when the model answers or its timeout passes.
    outcome: dict[str, Any] = {}
    done = threading.Event()

    def run() -> None:
        try:
            outcome["value"] = _post_completion(client, params, timeout)
        except BaseException as exc:  # handed over to the waiting thread
            outcome["error"] = exc
        finally:
            done.set()

    threading.Thread(target=run, name="openai-call", daemon=True).start()
    while not done.wait(CANCEL_POLL_SECONDS):
        if cancel_check():
            raise AICancelled("cancelled during the request")
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def _post_completion(client: openai.OpenAI, params: dict[str, Any], timeout: float) -> Any:
    """POST /chat/completions as `client.chat.completions.create(**params)` would, through the
    SDK's client.post. create() first walks the whole request against its typed parameters
    (the JSON schema and every message included): a third of the CPU of a call, and nothing
    to change in our plain JSON parameters."""
    return client.post(
        "/chat/completions",
        body=params,
        cast_to=ChatCompletion,
        options={"timeout": timeout, "security": {"bearer_auth": True}},
    )


def _answer_text(completion: Any) -> str:
    if not completion.choices:
        raise AIInvalidResponse("the answer has no choices")
    choice = completion.choices[0]
    if getattr(choice.message, "refusal", None):
        raise AIRefused(f"refusal: {choice.message.refusal}")
    if choice.finish_reason == "content_filter":
        raise AIRefused("the provider's content filter stopped the answer")
    if choice.finish_reason == "length":
        raise AIInvalidResponse("the answer was cut at the output token limit")
    return choice.message.content or ""


def _parse(content: str, validator: jsonschema.Draft202012Validator) -> dict[str, Any]:
    text = content.strip()
    # Some local models wrap JSON mode answers in a Markdown fence despite the instructions.
    if text.startswith("```"):
        text = re.sub(r"^```[a-zA-Z]*\s*|\s*```$", "", text)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise AIInvalidResponse(f"the answer is not valid JSON ({exc.msg} at {exc.pos})") from None
    if not isinstance(data, dict):
        raise AIInvalidResponse("the answer is not a JSON object")
    error = jsonschema.exceptions.best_match(validator.iter_errors(data))
    if error is not None:
        where = "/".join(str(part) for part in error.absolute_path) or "(root)"
        raise AIInvalidResponse(f"schema violation at {where}: {error.message[:300]}")
    return data


def _error_text(exc: openai.APIStatusError) -> str:
    body = exc.body
    return json.dumps(body) if isinstance(body, dict | list) else f"{body} {exc.message}"


def _map_status_error(exc: openai.APIStatusError) -> AIError:
    status = exc.status_code
    detail = f"HTTP {status}: {exc.message}"[:500]
    if status == 429 and "insufficient_quota" in _error_text(exc):
        # Out of credit on the provider account: retrying cannot help.
        return AIConfigurationError(
            detail,
            user_message="The AI provider's quota is exhausted.",
            incident=ProviderIncident.QUOTA,
        )
    if status == 429 or status >= 500 or status == 408:
        return AITemporaryError(detail)
    if status in (401, 403, 404):
        # A refused key, a key without access to the model, or a model that does not exist.
        return AIConfigurationError(detail, incident=ProviderIncident.AUTH)
    if status == 400 and "content_filter" in _error_text(exc):
        return AIRefused(detail)
    return AIError(detail)


def _retry_delay(failures: int, headers: Mapping[str, str]) -> float:
    hinted = _retry_after_seconds(headers)
    if hinted is not None:
        return min(hinted, RETRY_WAIT_CAP_SECONDS)
    backoff = BACKOFF_BASE_SECONDS * 2.0 ** (failures - 1)
    # Jitter spreads the retries of parallel batches that failed together.
    return min(RETRY_WAIT_CAP_SECONDS, backoff + random.uniform(0, BACKOFF_BASE_SECONDS))


def _retry_after_seconds(headers: Mapping[str, str]) -> float | None:
    milliseconds = headers.get("retry-after-ms")
    if milliseconds:
        try:
            return max(0.0, float(milliseconds) / 1000)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


def _sleep(seconds: float, cancel_check: Callable[[], bool] | None, tally: _Tally) -> None:
    if seconds >= tally.remaining():
        # Waiting would leave no time for the next attempt: fail now rather than later.
        raise AITemporaryError("no time left in the call's budget for another attempt")
    deadline = time.monotonic() + seconds
    while (remaining := deadline - time.monotonic()) > 0:
        if cancel_check is not None and cancel_check():
            raise AICancelled("cancelled while waiting to retry")
        time.sleep(min(remaining, CANCEL_POLL_SECONDS))
