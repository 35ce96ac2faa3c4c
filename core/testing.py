"""Helpers shared by the test suites."""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Callable

import psycopg
import pytest
from django.db import DEFAULT_DB_ALIAS, connection, connections


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


def run_in_threads(target: Callable[[], object], count: int) -> None:
    """Run `target` in `count` threads released together by a barrier (a double click, a
    race); fail on any thread's exception. Each thread closes its own database connection.

    Real concurrency needs PostgreSQL: SQLite's shared in-memory test database locks whole
    tables ("database table is locked") instead of waiting.
    """
    in_memory = False
    if connection.vendor == "sqlite":
        # Only on SQLite: the backend module needs the sqlite3 driver.
        from django.db.backends.sqlite3.base import DatabaseWrapper as SQLiteDatabaseWrapper

        # `connection` is a proxy; the wrapper behind it is the SQLite one.
        wrapper = connections[DEFAULT_DB_ALIAS]
        in_memory = isinstance(wrapper, SQLiteDatabaseWrapper) and wrapper.is_in_memory_db()
    require_service("PostgreSQL (DATABASE_URL) for concurrency tests", not in_memory)
    barrier = threading.Barrier(count)
    errors: list[BaseException] = []

    def run() -> None:
        try:
            barrier.wait()
            target()
        except BaseException as exc:  # noqa: BLE001 - reported below, in the test's thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
