"""Fixtures for the AI tests: the fake OpenAI-compatible server, wired into the settings."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from ai import openai_api
from ai.tests.fakes import FakeOpenAIServer


@pytest.fixture
def fake_openai(settings: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeOpenAIServer]:
    """A fake server on 127.0.0.1, the openai engine pointed at it, and near-instant backoff."""
    monkeypatch.setattr(openai_api, "BACKOFF_BASE_SECONDS", 0.01)
    with FakeOpenAIServer() as server:
        settings.AI_ENGINE = "openai"
        settings.OPENAI_BASE_URL = server.url
        settings.OPENAI_API_KEY = "sk-test-fake"
        yield server
