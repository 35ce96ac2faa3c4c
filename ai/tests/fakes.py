"""A fake OpenAI-compatible server on 127.0.0.1 for tests and benchmarks.

It speaks real HTTP, so the real SDK and our adapter are exercised end to end: scripted answers
(status, body, delay, headers) are served in order, every request body is captured, and an
optional auto mode answers any chat request with a schema-valid object after a fixed delay.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

Body = dict[str, Any] | str | Callable[[dict[str, Any]], dict[str, Any] | str]
UNSCRIPTED_STATUS = 418  # a 4xx, so the adapter fails at once instead of retrying


@dataclass
class ScriptedResponse:
    status: int = 200
    body: Body = field(default_factory=dict)
    delay: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)


def chat_completion(
    content: str,
    *,
    model: str = "fake-model",
    prompt_tokens: int = 100,
    completion_tokens: int = 20,
    cached_tokens: int = 0,
    finish_reason: str = "stop",
    refusal: str | None = None,
) -> dict[str, Any]:
    """A `chat.completion` body as OpenAI returns it."""
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content, "refusal": refusal},
                "finish_reason": finish_reason,
                "logprobs": None,
            }
        ],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
            "prompt_tokens_details": {"cached_tokens": cached_tokens},
        },
    }


def error_body(
    message: str, *, param: str | None = None, code: str | None = None
) -> dict[str, Any]:
    return {
        "error": {"message": message, "type": "invalid_request_error", "param": param, "code": code}
    }


def sample_from_schema(schema: dict[str, Any]) -> Any:
    """The smallest instance of a strict JSON schema (nullable fields become null)."""
    if "anyOf" in schema:
        variants = schema["anyOf"]
        if any(v.get("type") == "null" for v in variants):
            return None
        return sample_from_schema(variants[0])
    if "enum" in schema:
        return schema["enum"][0]
    declared = schema.get("type")
    kind: str | None = (
        ("null" if "null" in declared else declared[0]) if isinstance(declared, list) else declared
    )
    if kind == "object":
        return {k: sample_from_schema(v) for k, v in schema.get("properties", {}).items()}
    empty: dict[str | None, Any] = {
        "array": [],
        "string": "",
        "integer": 0,
        "number": 0,
        "boolean": False,
    }
    return empty.get(kind)


def auto_answer(request: dict[str, Any]) -> dict[str, Any]:
    """A schema-valid answer to any chat request (empty object in JSON mode)."""
    response_format = request.get("response_format") or {}
    if response_format.get("type") == "json_schema":
        data = sample_from_schema(response_format["json_schema"]["schema"])
    else:
        data = {}
    return chat_completion(json.dumps(data), model=request.get("model", "fake-model"))


class FakeOpenAIServer:
    """POST /v1/chat/completions and GET /v1/models on 127.0.0.1, in a background thread."""

    def __init__(
        self,
        *,
        auto_delay: float | None = None,
        responder: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
        json_object_only: bool = False,
    ) -> None:
        # With auto_delay set, an empty script answers with `responder` after that delay.
        self.auto_delay = auto_delay
        self.responder = responder or auto_answer
        # Mimics servers without structured outputs: any json_schema request gets a 400.
        self.json_object_only = json_object_only
        self.requests: list[dict[str, Any]] = []
        self.request_headers: list[dict[str, str]] = []
        self._script: deque[ScriptedResponse] = deque()
        self._lock = threading.Lock()
        # How many requests were being answered at once, at most: proves parallel calls.
        self.in_flight = 0
        self.max_in_flight = 0
        self._stopping = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """The base URL to give the SDK (`OPENAI_BASE_URL`)."""
        assert self._server is not None, "the server is not started"
        host, port = self._server.server_address[:2]
        assert isinstance(host, str), "bound to an IP address"
        return f"http://{host}:{port}/v1"

    def enqueue(
        self,
        status: int = 200,
        body: Body | None = None,
        *,
        delay: float = 0.0,
        headers: dict[str, str] | None = None,
    ) -> None:
        with self._lock:
            self._script.append(ScriptedResponse(status, body or {}, delay, headers or {}))

    def enqueue_json(self, data: dict[str, Any], *, delay: float = 0.0, **usage: Any) -> None:
        """A successful answer whose content is `data` as JSON."""
        self.enqueue_content(json.dumps(data), delay=delay, **usage)

    def enqueue_content(self, content: str, *, delay: float = 0.0, **extra: Any) -> None:
        """A successful answer with raw content (e.g. invalid JSON); echoes the request model."""
        self.enqueue(
            200,
            lambda request: chat_completion(content, model=request.get("model", ""), **extra),
            delay=delay,
        )

    def enqueue_error(
        self,
        status: int,
        message: str = "error",
        *,
        param: str | None = None,
        code: str | None = None,
        delay: float = 0.0,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.enqueue(
            status, error_body(message, param=param, code=code), delay=delay, headers=headers
        )

    def chat_requests(self) -> list[dict[str, Any]]:
        with self._lock:
            return list(self.requests)

    def start(self) -> FakeOpenAIServer:
        handler = _handler_for(self)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), name="fake-openai", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # wakes handlers sleeping through a scripted delay
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FakeOpenAIServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def _next_response(self, request: dict[str, Any]) -> ScriptedResponse:
        response_format = request.get("response_format") or {}
        with self._lock:
            self.requests.append(request)
            if self.json_object_only and response_format.get("type") == "json_schema":
                return ScriptedResponse(
                    400, error_body("response_format json_schema is not supported", param="x")
                )
            if self._script:
                return self._script.popleft()
        if self.auto_delay is not None:
            return ScriptedResponse(200, self.responder, self.auto_delay)
        return ScriptedResponse(UNSCRIPTED_STATUS, error_body("no scripted response left"))


def _handler_for(server: FakeOpenAIServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
            pass

        def do_GET(self) -> None:
            if self.path.rstrip("/") != "/v1/models":
                self._reply(404, error_body("not found"))
                return
            models = [{"id": "fake-model", "object": "model", "created": 0, "owned_by": "fake"}]
            self._reply(200, {"object": "list", "data": models})

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length)
            if self.path.rstrip("/") != "/v1/chat/completions":
                self._reply(404, error_body("not found"))
                return
            try:
                request = json.loads(raw or b"{}")
            except json.JSONDecodeError:
                self._reply(400, error_body("request body is not JSON"))
                return
            with server._lock:
                server.request_headers.append(dict(self.headers.items()))
            scripted = server._next_response(request)
            with server._lock:
                server.in_flight += 1
                server.max_in_flight = max(server.max_in_flight, server.in_flight)
            try:
                if scripted.delay and server._stopping.wait(scripted.delay):
                    return
            finally:
                with server._lock:
                    server.in_flight -= 1
            body = scripted.body(request) if callable(scripted.body) else scripted.body
            self._reply(scripted.status, body, scripted.headers)

        def _reply(self, status: int, body: dict[str, Any] | str, headers: Any = None) -> None:
            payload = (body if isinstance(body, str) else json.dumps(body)).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(payload)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (timeout or cancellation): expected in tests

    return Handler


# A small CV and job offer shared by the AI tests and the benchmark (fictional people).
SAMPLE_CV: dict[str, Any] = {
    "header": {
        "full_name": "Jeanne Dupuis",
        "current_title": "Backend Developer",
        "contact": {
            "email": "jeanne.dupuis@mail.test",
            "phone": "+33 6 12 34 56 78",
            "location": {"city": "Lyon", "region": "", "country_code": "FR"},
            "links": [
                {"label": "GitHub", "url": "https://github.com/jdupuis-dev"},
                {"label": "Portfolio", "url": "https://jeanne-dupuis.dev"},
            ],
        },
    },
    "summary": {
        "description": "Jeanne Dupuis builds reliable APIs. Contact: jeanne.dupuis@mail.test, "
        "+33 6 12 34 56 78, portfolio https://jeanne-dupuis.dev."
    },
    "skills": {
        "hard_skills": [{"name": "Python", "proficiency": 4}, {"name": "JS", "proficiency": 2}],
        "tools": [{"name": "Postgres", "proficiency": 3}, {"name": "Excel", "proficiency": 3}],
        "soft_skills": ["Teamwork"],
        "methodologies": ["Scrum"],
    },
    "experience": [
        {
            "title": "Backend Developer",
            "company": "Logistix",
            "department_or_client": "",
            "start_date": "2021-03",
            "end_date": "present",
            "location": {"city": "Lyon", "region": "", "country_code": "FR"},
            "description": "Django APIs for a delivery platform.",
            "responsibilities": ["Built REST APIs in Django", "Ran PostgreSQL migrations"],
            "deliverables": ["Cut API latency by 30%"],
            "skills_used": ["Python", "Django", "PostgreSQL"],
        },
        {
            "title": "Junior Developer",
            "company": "Webcraft",
            "department_or_client": "",
            "start_date": "2018-09",
            "end_date": "2021-02",
            "location": {"city": "Grenoble", "region": "", "country_code": "FR"},
            "description": "PHP websites for local shops.",
            "responsibilities": ["Maintained PHP sites"],
            "deliverables": [],
            "skills_used": ["PHP"],
        },
    ],
    "education": [
        {
            "institution": "Université Grenoble Alpes",
            "degree": "Master",
            "field_of_study": "Computer Science",
            "start_date": "2016",
            "end_date": "2018",
            "location": {"city": "Grenoble", "region": "", "country_code": "FR"},
        }
    ],
    "languages": [{"name": "French", "level": "Native"}, {"name": "English", "level": "B2"}],
    "extras": [{"name": "Volunteering", "summary": "Code club for teenagers"}],
    "projects": [
        {
            "name": "Tramway times",
            "role": "Author",
            "start_date": "2020",
            "end_date": "2020",
            "summary": "A bot for tram times.",
            "tech_stack": ["Python"],
            "url": "https://github.com/jdupuis-dev/tram",
            "url_label": "Code",
        }
    ],
    "language": "en",
}

SAMPLE_OFFER: dict[str, Any] = {
    "title": "Python Backend Engineer",
    "company": "Cargo Cloud",
    "contract": "Permanent",
    "experience": {"min_years": 3, "max_years": None, "level": "mid"},
    "location": {"city": "Lyon", "country": "France", "remote": "hybrid"},
    "salary": None,
    "skills": {
        "hard_skills": {"required": ["Python", "JavaScript"], "nice_to_have": []},
        "tools": {"required": ["PostgreSQL"], "nice_to_have": ["Docker"]},
        "methodologies": {"required": ["Scrum"], "nice_to_have": []},
        "soft_skills": ["Teamwork"],
    },
    "education": {"level": "Master", "field": "Computer Science"},
    "languages": [{"language": "English", "level": "B2", "requirement": "required"}],
    "responsibilities": ["Build and run Python APIs", "Own the PostgreSQL schema"],
    "benefits": ["Remote days"],
    "language": "en",
    "roles": None,
}
