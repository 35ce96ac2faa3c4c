"""Server time of every staff dashboard on a year of data, under production settings.

Seeds a PostgreSQL database (fitmycv_dashboards_bench on the local server) through the real
models with bulk_create: 50 k users, 200 k CVs, 1 M product events, 200 k model calls and the
users' feature-usage rows, spread over the last 365 days. The database is kept between runs
and seeded again only when it lacks that volume (--reseed forces it). Then a staff user signs
in and each dashboard is fetched with Django's test client (DEBUG off) for the periods 24h,
7d, 30d, 90d and all: one warm-up, then --runs timed requests, median and max. Target: every
dashboard's median under 500 ms at every period.

    .venv/bin/python bench/dashboards.py [--runs 5] [--reseed] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import secrets
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
POSTGRES = "postgres://postgres@127.0.0.1:5432"
DB_NAME = "fitmycv_dashboards_bench"
TARGET_MS = 500.0
VOLUME = {"users": 50_000, "cvs": 200_000, "events": 1_000_000, "calls": 200_000}
DAYS = 365
BATCH = 5_000
PERIODS = ("24h", "7d", "30d", "90d", "all")
DASHBOARDS = {
    "overview": "/admin/dashboards/overview/",
    "features": "/admin/dashboards/features/",
    "errors": "/admin/dashboards/errors/",
    "extractions": "/admin/dashboards/extractions/",
    "ai_costs": "/admin/dashboards/ai-costs/",
    "feedback": "/admin/dashboards/feedback/",
    "users": "/admin/dashboards/users/",
    "onboarding": "/admin/dashboards/onboarding/",
    "revenue": "/admin/dashboards/revenue/",
    "emails": "/admin/dashboards/emails/",
}
STAFF_EMAIL = "bench-staff@example.org"
# Production settings, except two things a test client cannot have: collected static files
# (the manifest storage needs them; pages only name them) and the staff member's second factor.
SETTINGS_SHIM = """from fitmycv.settings import *  # noqa: F403

STORAGES = {  # noqa: F405
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
STAFF_REQUIRE_2FA = False
"""


def ensure_database() -> None:
    import psycopg  # only this function talks to the server without Django

    with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as db:
        found = db.execute("SELECT 1 FROM pg_database WHERE datname = %s", (DB_NAME,)).fetchone()
        if not found:
            db.execute(f'CREATE DATABASE "{DB_NAME}"')


def setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    shim = Path(tempfile.mkdtemp(prefix="fitmycv-dashboards-"))
    (shim / "bench_settings.py").write_text(SETTINGS_SHIM)
    sys.path.insert(0, str(shim))
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench_settings"
    os.environ["DATABASE_URL"] = f"{POSTGRES}/{DB_NAME}"
    # Production settings: no debug toolbar or query log, cached templates.
    os.environ["DEBUG"] = "False"
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(40))
    os.environ["SECURE_SSL_REDIRECT"] = "False"
    os.environ.setdefault("AI_ENGINE", "offline")
    os.environ.pop("REDIS_URL", None)
    import django  # after the settings module is chosen above

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


@contextmanager
def dated_rows(*fields: Any) -> Iterator[None]:
    """Let bulk_create keep the past dates it is given instead of stamping the current time."""
    saved = [(f, f.auto_now_add, f.auto_now) for f in fields]
    for f, _, _ in saved:
        f.auto_now_add = f.auto_now = False
    try:
        yield
    finally:
        for f, add, now in saved:
            f.auto_now_add, f.auto_now = add, now


def has_volume() -> bool:
    # Here, not at the top: Django is set up first (setup_django).
    from accounts.models import User
    from ai.models import OpenAICall
    from cvs.models import CV
    from telemetry.models import TelemetryEvent

    return (
        User.objects.count() >= VOLUME["users"]
        and CV.objects.count() >= VOLUME["cvs"]
        and TelemetryEvent.objects.count() >= VOLUME["events"]
        and OpenAICall.objects.count() >= VOLUME["calls"]
    )


def seed(rng: random.Random) -> float:
    """Empty the tables and seed the volume; returns the seconds it took."""
    # Here, not at the top: Django is set up first (setup_django).
    from django.contrib.auth.hashers import make_password
    from django.db import connection, transaction
    from django.utils import timezone

    from accounts.models import Role, User
    from ai.models import CallStatus, OpenAICall
    from cvs.models import CV, CreatedBy
    from telemetry.events import EVENT_FEATURES, category_for
    from telemetry.models import EventStatus, FeatureUsage, TelemetryEvent

    started = time.perf_counter()
    now = timezone.now()
    span = DAYS * 86_400

    def when() -> Any:
        # More activity lately: a growing product.
        return now - timedelta(seconds=span * (1 - rng.random() ** 0.7))

    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE accounts_user, telemetry_telemetryevent, telemetry_openaicall RESTART "
            "IDENTITY CASCADE"
        )
    password = make_password(secrets.token_urlsafe(12))
    joined: list[Any] = []
    with dated_rows(User._meta.get_field("updated_at")):
        for first in range(0, VOLUME["users"], BATCH):
            users = []
            for n in range(first, min(first + BATCH, VOLUME["users"])):
                at = when()
                joined.append(at)
                users.append(
                    User(
                        email=f"user{n}@bench.example",
                        password=password,
                        role=Role.ADMIN if n % 1000 == 0 else Role.USER,
                        is_active=n % 50 != 0,
                        referral_code=f"B{n:09d}",
                        created_at=at,
                        updated_at=at,
                    )
                )
            User.objects.bulk_create(users, batch_size=BATCH)
    ids = list(User.objects.order_by("pk").values_list("pk", flat=True))
    print(f"  users: {time.perf_counter() - started:.0f} s", flush=True)

    kinds = ["", CreatedBy.GENERATE_CV, CreatedBy.IMPORT_PDF, CreatedBy.TRANSLATE_CV]
    cv_fields = (CV._meta.get_field("created_at"), CV._meta.get_field("updated_at"))
    with dated_rows(*cv_fields), transaction.atomic():
        for first in range(0, VOLUME["cvs"], BATCH):
            cvs = []
            for n in range(first, min(first + BATCH, VOLUME["cvs"])):
                at = when()
                cvs.append(
                    CV(
                        user_id=rng.choice(ids),
                        filename=f"cv-{n}.json",
                        name=f"CV {n}",
                        content={},
                        created_by=rng.choice(kinds),
                        created_at=at,
                        updated_at=at,
                    )
                )
            CV.objects.bulk_create(cvs, batch_size=BATCH)
    print(f"  cvs: {time.perf_counter() - started:.0f} s", flush=True)

    types = [*EVENT_FEATURES, "USER_LOGIN", "PAGE_VIEW", "PAGE_VIEW", "JOB_OFFER_EXTRACTED"]
    usage: dict[tuple[int, str], list[Any]] = {}
    with dated_rows(TelemetryEvent._meta.get_field("timestamp")):
        for first in range(0, VOLUME["events"], BATCH):
            rows = []
            for _ in range(min(BATCH, VOLUME["events"] - first)):
                type_ = rng.choice(types)
                user_id = rng.choice(ids) if rng.random() > 0.1 else None
                failed = rng.random() < 0.04
                at = when()
                rows.append(
                    TelemetryEvent(
                        user_id=user_id,
                        type=type_,
                        category=category_for(type_),
                        duration_ms=rng.randint(20, 20_000) if type_ in EVENT_FEATURES else None,
                        status=EventStatus.ERROR if failed else EventStatus.SUCCESS,
                        error="The AI service timed out after 3 tries." if failed else "",
                        timestamp=at,
                    )
                )
                feature = EVENT_FEATURES.get(type_)
                if feature and user_id is not None and not failed:
                    use = usage.setdefault((user_id, feature), [0, 0, at])
                    use[0] += 1
                    use[1] += rows[-1].duration_ms or 0
                    use[2] = max(use[2], at)
            with transaction.atomic():
                TelemetryEvent.objects.bulk_create(rows, batch_size=BATCH)
    print(f"  events: {time.perf_counter() - started:.0f} s", flush=True)
    usage_rows = [
        FeatureUsage(
            user_id=user_id,
            feature_name=feature,
            usage_count=count,
            total_duration_ms=duration,
            last_used_at=last,
        )
        for (user_id, feature), (count, duration, last) in usage.items()
    ]
    FeatureUsage.objects.bulk_create(usage_rows, batch_size=BATCH)

    steps = [
        ("cv_adaptation_experience", "gpt-4.1-mini-2025-04-14"),
        ("match_score", "gpt-4.1-mini"),
        ("extract_job_offer", "o4-mini"),
        ("import_pdf", "gpt-4.1-mini"),
        ("improve_cv", "gpt-4.1"),
    ]
    statuses = [CallStatus.OK] * 24 + [CallStatus.FAILED]
    with dated_rows(OpenAICall._meta.get_field("created_at")):
        for first in range(0, VOLUME["calls"], BATCH):
            calls = []
            for _ in range(min(BATCH, VOLUME["calls"] - first)):
                feature, model = rng.choice(steps)
                prompt, cached, completion = rng.randint(500, 6000), 0, rng.randint(100, 3000)
                if rng.random() < 0.3:
                    cached = prompt // 2
                calls.append(
                    OpenAICall(
                        user_id=rng.choice(ids) if rng.random() > 0.05 else None,
                        feature_name=feature,
                        model=model,
                        prompt_tokens=prompt,
                        cached_tokens=cached,
                        completion_tokens=completion,
                        total_tokens=prompt + completion,
                        estimated_cost=Decimal(prompt * 4 + completion * 16) / 10_000_000,
                        duration_ms=rng.randint(300, 30_000),
                        status=rng.choice(statuses),
                        created_at=when(),
                    )
                )
            with transaction.atomic():
                OpenAICall.objects.bulk_create(calls, batch_size=BATCH)
    print(f"  calls: {time.perf_counter() - started:.0f} s", flush=True)
    with connection.cursor() as cursor:
        # A live database has planner statistics; fresh tables have none until autovacuum.
        cursor.execute("VACUUM ANALYZE")
    return time.perf_counter() - started


def staff_client() -> Any:
    # Here, not at the top: Django is set up first (setup_django).
    from django.test import Client

    from accounts.models import User

    user = User.objects.filter(email=STAFF_EMAIL).first()
    if user is None:
        user = User.objects.create_superuser(STAFF_EMAIL, secrets.token_urlsafe(16))
    client = Client()
    client.force_login(user)
    return client


def measure(client: Any, url: str, runs: int) -> tuple[float, float]:
    # Here, not at the top: Django is set up first (setup_django).
    from django.core.cache import cache

    samples = []
    for n in range(runs + 1):
        # Every request computes the figures: no cached page or fragment answers it.
        cache.clear()
        started = time.perf_counter()
        response = client.get(url)
        elapsed = (time.perf_counter() - started) * 1000
        assert response.status_code == 200, (url, response.status_code)
        if n:  # the first request warms the process (imports, templates)
            samples.append(elapsed)
    return statistics.median(samples), max(samples)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--reseed", action="store_true")
    parser.add_argument("--only", default="", help="comma-separated dashboard names")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()

    ensure_database()
    setup_django()
    seeded_s = None
    if args.reseed or not has_volume():
        print(f"Seeding {DB_NAME}: {VOLUME}", flush=True)
        seeded_s = seed(random.Random(19))
        print(f"Seeded in {seeded_s:.0f} s", flush=True)
    else:
        print(f"{DB_NAME} already holds the volume: not seeded again")
    # The roll-ups as the hourly task leaves them.
    from staff.tasks import refresh_daily_rollups

    started = time.perf_counter()
    refresh_daily_rollups()
    print(f"Daily roll-ups rebuilt in {time.perf_counter() - started:.1f} s")
    client = staff_client()
    names = [n for n in args.only.split(",") if n] or list(DASHBOARDS)
    results: dict[str, dict[str, dict[str, float]]] = {}
    print(f"\n{'dashboard':<13}" + "".join(f"{p:>20}" for p in PERIODS) + "   target")
    for name in names:
        results[name] = {}
        cells = []
        for period in PERIODS:
            median, worst = measure(client, f"{DASHBOARDS[name]}?period={period}", args.runs)
            results[name][period] = {"median_ms": round(median, 1), "max_ms": round(worst, 1)}
            cells.append(f"{median:>8.0f} (max {worst:>5.0f})")
        met = all(r["median_ms"] < TARGET_MS for r in results[name].values())
        print(
            f"{name:<13}" + "".join(f"{c:>20}" for c in cells) + f"   {'met' if met else 'MISSED'}"
        )
    load = os.getloadavg()
    print(f"\nmedian (max) ms over {args.runs} runs; load average {load[0]:.2f} {load[1]:.2f}")
    if args.json:
        figures = {
            "dashboards": results,
            "target_ms": TARGET_MS,
            "runs": args.runs,
            "volume": VOLUME,
            "seeded_s": seeded_s,
            "loadavg": load[0],
        }
        args.json.write_text(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
