"""Test-wide fixtures: personas, fast hashing, eager Celery, a clean cache per test."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import translation

from core.outage import broker as broker_breaker
from fitmycv.celery import app as celery_app

PASSWORD = "correct-horse-battery-staple"


@pytest.fixture(autouse=True)
def _test_settings(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    if not settings.REDIS_URL:
        # The development file cache is shared by every process on the machine; a test run
        # gets its own in-memory cache so parallel runs cannot see each other's entries.
        settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    settings.AI_ENGINE = "offline"
    settings.OPENAI_API_KEY = "sk-test-not-a-real-key"


@pytest.fixture(scope="session", autouse=True)
def _close_stray_connections(django_db_setup: Any, django_db_blocker: Any) -> Iterator[None]:
    """Before the test database is dropped, end connections that threads left open.

    Concurrency tests run threads with their own connections; one still open makes
    PostgreSQL refuse DROP DATABASE at the very end of the run.
    """
    yield
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    # Every test starts in the default language, whatever an earlier one activated.
    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _eager_celery() -> Iterator[None]:
    # A broker failure an earlier test caused (faked or real) must not refuse this one's work.
    broker_breaker.close()
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = True
    yield
    celery_app.conf.task_always_eager = False


@pytest.fixture(autouse=True)
def _clean_cache(_test_settings: None) -> Iterator[None]:
    from core.config import forget_local_settings
    from core.fragments import forget_local_fragments

    cache.clear()
    forget_local_settings()
    forget_local_fragments()
    yield
    cache.clear()
    forget_local_settings()
    forget_local_fragments()


def make_user(email: str, *, name: str = "", verified: bool = True, **fields: Any) -> Any:
    from allauth.account.models import EmailAddress

    from accounts.models import User

    user = User.objects.create_user(email, PASSWORD, name=name, **fields)
    EmailAddress.objects.create(user=user, email=email, verified=verified, primary=True)
    return user


@pytest.fixture
def alice(db: Any) -> Any:
    """The owner persona."""
    return make_user("alice@example.org", name="Alice Martin")


@pytest.fixture
def bob(db: Any) -> Any:
    """Another user, who must never see Alice's data."""
    return make_user("bob@example.org", name="Bob Durand")


@pytest.fixture
def staff(db: Any) -> Any:
    return make_user("staff@example.org", name="Sam Staff", role="ADMIN")


@pytest.fixture
def alice_client(alice: Any) -> Client:
    client = Client()
    client.force_login(alice)
    return client


@pytest.fixture
def bob_client(bob: Any) -> Client:
    client = Client()
    client.force_login(bob)
    return client


@pytest.fixture
def staff_client(staff: Any) -> Client:
    client = Client()
    client.force_login(staff)
    return client


CHROMIUM = "/usr/bin/chromium"
# The flags that let Debian's chromium run headless as root on a machine with no network.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def browser_page(live_server: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """A Chromium page driven by Playwright against the live server.

    Fails the test on any console error or uncaught script error (a CSP violation shows there).
    """
    from pathlib import Path

    from core.testing import require_service

    require_service("chromium", Path(CHROMIUM).exists())
    # Playwright's sync API runs an event loop in this thread; Django would otherwise refuse
    # the test's own ORM calls (the live server has its own thread).
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
        context.set_default_timeout(20_000)
        page = context.new_page()
        errors: list[str] = []

        def on_console(message: Any) -> None:
            if message.type == "error":
                errors.append(f"{message.text} at {page.url} {message.location}")

        page.on("console", on_console)
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        _reconnect_if_cut()
        yield page
        browser.close()
        assert errors == []


def _reconnect_if_cut() -> None:
    """Start a browser test on a live connection: a test that cut PostgreSQL's sessions (as a
    restart would) may have ended the one this thread keeps between tests."""
    from django.db import connection

    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return
    if connection.connection is not None and not connection.is_usable():
        connection.close()


def browser_sign_in(page: Any, base: str, email: str) -> None:
    """Sign in through the login form of the live server at `base`, then accept cookies."""
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url(f"{base}/cvs/")
    accept_cookies(page)


def accept_cookies(page: Any) -> None:
    """Answer the cookie banner if it shows, and wait until it is gone."""
    if page.locator("button[value=accept_all]").count():
        page.click("button[value=accept_all]")
        page.wait_for_selector("#cookie-banner", state="detached")


@pytest.fixture
def committed(
    django_capture_on_commit_callbacks: Callable[..., AbstractContextManager[Any]],
) -> Callable[[], AbstractContextManager[Any]]:
    """`with committed():` runs the on-commit hand-offs to the mail worker (eager Celery)."""

    def _committed() -> AbstractContextManager[Any]:
        return django_capture_on_commit_callbacks(execute=True)

    return _committed
