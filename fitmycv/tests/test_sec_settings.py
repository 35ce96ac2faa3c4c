"""The production settings keep their security values (plan check A2; A1 is test_deploy.py).

Django's defaults are safe and `check --deploy` catches the worst omissions; these assertions
catch someone "fixing" a bug by loosening a value that check does not look at.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "DEBUG": "False",
    "SECRET_KEY": "a-production-secret-key-that-is-long-and-random-0123456789abcdef",
    "ALLOWED_HOSTS": "fitmycv.example",
    "SITE_ROOT": "https://fitmycv.example",
    "DATABASE_URL": "postgres://fitmycv@db.internal:5432/fitmycv",
    "REDIS_URL": "redis://redis.internal:6379/0",
}
READ_SETTINGS = """
import json
from django.conf import settings as s
db = s.DATABASES["default"]
print(json.dumps({
    "DEBUG": s.DEBUG,
    "STAFF_REQUIRE_2FA": s.STAFF_REQUIRE_2FA,
    "SESSION_COOKIE_SECURE": s.SESSION_COOKIE_SECURE,
    "SESSION_COOKIE_NAME": s.SESSION_COOKIE_NAME,
    "CSRF_COOKIE_NAME": s.CSRF_COOKIE_NAME,
    "SESSION_COOKIE_PATH": s.SESSION_COOKIE_PATH,
    "SESSION_COOKIE_DOMAIN": s.SESSION_COOKIE_DOMAIN,
    "CSRF_COOKIE_DOMAIN": s.CSRF_COOKIE_DOMAIN,
    "SESSION_COOKIE_HTTPONLY": s.SESSION_COOKIE_HTTPONLY,
    "SESSION_COOKIE_SAMESITE": s.SESSION_COOKIE_SAMESITE,
    "SESSION_ENGINE": s.SESSION_ENGINE,
    "CSRF_COOKIE_SECURE": s.CSRF_COOKIE_SECURE,
    "LANGUAGE_COOKIE_SECURE": s.LANGUAGE_COOKIE_SECURE,
    "SECURE_HSTS_SECONDS": s.SECURE_HSTS_SECONDS,
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": s.SECURE_HSTS_INCLUDE_SUBDOMAINS,
    "SECURE_SSL_REDIRECT": s.SECURE_SSL_REDIRECT,
    "SECURE_CONTENT_TYPE_NOSNIFF": s.SECURE_CONTENT_TYPE_NOSNIFF,
    "X_FRAME_OPTIONS": s.X_FRAME_OPTIONS,
    "DATA_UPLOAD_MAX_NUMBER_FILES": s.DATA_UPLOAD_MAX_NUMBER_FILES,
    "PASSWORD_HASHER": s.PASSWORD_HASHERS[0],
    "CACHE": s.CACHES["default"]["BACKEND"],
    "CACHE_OPTIONS": s.CACHES["default"].get("OPTIONS", {}),
    "BROKER_OPTIONS": s.CELERY_BROKER_TRANSPORT_OPTIONS,
    "BROKER_CONNECTION_TIMEOUT": s.CELERY_BROKER_CONNECTION_TIMEOUT,
    "PUBLISH_RETRY": s.CELERY_TASK_PUBLISH_RETRY_POLICY,
    "CONN_MAX_AGE": db.get("CONN_MAX_AGE"),
    "CONN_HEALTH_CHECKS": db.get("CONN_HEALTH_CHECKS"),
    "CSP": s.CONTENT_SECURITY_POLICY["DIRECTIVES"],
}))
"""


@pytest.fixture(scope="module")
def production() -> dict[str, Any]:
    env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "SECRET_KEY", "REDIS_URL")}
    done = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {READ_SETTINGS}"],
        cwd=ROOT,
        env={**env, **PRODUCTION_ENV, "DJANGO_SETTINGS_MODULE": "fitmycv.settings"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_cookies_are_secure_http_only_and_lax(production):
    assert production["DEBUG"] is False
    assert production["SESSION_COOKIE_SECURE"] and production["CSRF_COOKIE_SECURE"]
    assert production["LANGUAGE_COOKIE_SECURE"]
    assert production["SESSION_COOKIE_HTTPONLY"]
    assert production["SESSION_COOKIE_SAMESITE"] == "Lax"
    # Logout must end a session on the server, which a signed-cookie session cannot.
    assert "signed_cookies" not in production["SESSION_ENGINE"]


def test_the_session_and_csrf_cookies_are_host_only(production):
    # The __Host- prefix is refused by browsers unless Secure, Path=/ and no Domain.
    assert production["SESSION_COOKIE_NAME"].startswith("__Host-")
    assert production["CSRF_COOKIE_NAME"].startswith("__Host-")
    assert production["SESSION_COOKIE_PATH"] == "/"
    assert production["SESSION_COOKIE_DOMAIN"] is None and production["CSRF_COOKIE_DOMAIN"] is None


def test_https_is_enforced_for_a_year_with_subdomains(production):
    assert production["SECURE_SSL_REDIRECT"]
    assert production["SECURE_HSTS_SECONDS"] >= 31_536_000
    assert production["SECURE_HSTS_INCLUDE_SUBDOMAINS"]


def test_browser_protections_stay_on(production):
    assert production["SECURE_CONTENT_TYPE_NOSNIFF"]
    assert production["X_FRAME_OPTIONS"] == "DENY"
    csp = production["CSP"]
    assert csp["script-src"] == ["'self'"] and csp["object-src"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]


def test_uploads_passwords_rate_limits_and_the_database_are_production_grade(production):
    assert production["DATA_UPLOAD_MAX_NUMBER_FILES"] <= 100
    assert production["PASSWORD_HASHER"].endswith("Argon2PasswordHasher")
    # Rate-limit counters live in the cache: it must be shared by every web process.
    # (Django's Redis cache, made to answer misses rather than errors while Redis is down.)
    assert production["CACHE"] == "core.cache.ResilientRedisCache"
    # Connections are kept, and checked before reuse after a database restart.
    assert production["CONN_MAX_AGE"] > 0 and production["CONN_HEALTH_CHECKS"] is True


def test_a_hung_redis_holds_a_request_half_a_second_at_most(production):
    # Every call to Redis, the cache's and the broker's, gives up after 0.5 s: a request never
    # waits out the 5 s a hung server used to cost (fitmycv/tests/test_redis_outage.py).
    for options in (production["CACHE_OPTIONS"], production["BROKER_OPTIONS"]):
        assert 0 < options["socket_connect_timeout"] <= 0.5
        assert 0 < options["socket_timeout"] <= 0.5
    assert 0 < production["BROKER_CONNECTION_TIMEOUT"] <= 0.5
    assert production["PUBLISH_RETRY"]["max_retries"] == 0
    # Sessions are in the database, not the cache: a Redis outage signs nobody out.
    assert production["SESSION_ENGINE"] in (
        "django.contrib.sessions.backends.db",
        "django.contrib.sessions.backends.cached_db",
    )


def test_staff_need_a_second_factor_in_production(production):
    assert production["STAFF_REQUIRE_2FA"] is True


def test_the_image_and_the_compose_stack_run_with_debug_off_unless_told_otherwise():
    import re

    import yaml

    dockerfile = (ROOT / "Dockerfile").read_text()
    assert re.search(r"^ENV [^#]*\bDEBUG=False\b", dockerfile, re.MULTILINE | re.DOTALL)
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    assert compose["x-app"]["environment"]["DEBUG"] == "${DEBUG:-False}"
