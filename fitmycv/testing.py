"""Helpers shared by the test suites."""

from __future__ import annotations

import os
import shutil

import psycopg
import pytest


def require_service(name: str, available: bool) -> None:
    """Skip a test whose outside service is missing on a developer machine; fail in CI.

    `make test` must pass with nothing but Python installed, while CI (which has PostgreSQL,
    Redis and chromium) must never silently skip these tests.
    """
    if available:
        return
    if os.getenv("CI"):
        pytest.fail(f"{name} is required in CI but is not available")
    pytest.skip(f"{name} is not available on this machine")


def postgres_available() -> bool:
    if not shutil.which("pg_dump"):
        return False
    try:
        psycopg.connect(
            "host=127.0.0.1 port=5432 user=postgres dbname=postgres", connect_timeout=2
        ).close()
    except psycopg.Error:
        return False
    return True
