"""DB_POOL=True serves PostgreSQL connections from Django's pool (psycopg-pool), which Django
accepts only without persistent connections."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
READ = (
    "import django, json; django.setup(); from django.conf import settings; "
    "db = settings.DATABASES['default']; "
    "print(json.dumps([db.get('OPTIONS', {}).get('pool'), db['CONN_MAX_AGE']]))"
)


def _database(read: str = READ, **env: str) -> list:
    done = subprocess.run(
        [sys.executable, "-c", read],
        cwd=ROOT,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "fitmycv.settings",
            "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/fitmycv",
            **env,
        },
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_pool_replaces_persistent_connections() -> None:
    pool, max_age = _database(DB_POOL="True", DB_POOL_MAX_SIZE="3")

    assert pool == {"min_size": 1, "max_size": 3, "timeout": 30}
    assert max_age == 0


def test_without_the_pool_connections_persist() -> None:
    assert _database(DB_CONN_MAX_AGE="30") == [None, 30]


def test_the_pool_keeps_the_options_of_the_database_url() -> None:
    options, _max_age = _database(
        READ.replace("db.get('OPTIONS', {}).get('pool')", "db['OPTIONS']"),
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/fitmycv?sslmode=require",
        DB_POOL_MAX_SIZE="5",
    )
    assert options["sslmode"] == "require"
    assert options["pool"]["max_size"] == 5
