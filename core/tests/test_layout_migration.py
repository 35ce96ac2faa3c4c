"""A database built before the project package was split migrates with every table and row.

The fixtures (see fixtures/old_layout/README.md) are real databases made by the code of that
time. Each test restores one into a throwaway database, runs `manage.py migrate` on it as a
deployment would, then checks with plain SQL that no table or row was lost, and through the
new models (core, jobs, ai) that the moved rows, their links, the staff permissions and the
admin history are all read from their new apps.
"""

from __future__ import annotations

import gzip
import importlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

from core.testing import postgres_available, require_service

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "old_layout"

# Moved models: (old app label, new app label, model name, table).
MOVED = [
    ("fitmycv", "core", "setting", "fitmycv_setting"),
    ("fitmycv", "core", "submission", "fitmycv_submission"),
    ("cvs", "jobs", "backgroundtask", "cvs_backgroundtask"),
    ("cvs", "jobs", "upload", "cvs_upload"),
    ("telemetry", "ai", "openaiusage", "telemetry_openaiusage"),
    ("telemetry", "ai", "openaicall", "telemetry_openaicall"),
    ("telemetry", "ai", "openaipricing", "telemetry_openaipricing"),
    ("telemetry", "ai", "openaialert", "telemetry_openaialert"),
    ("telemetry", "ai", "openaialertevent", "telemetry_openaialertevent"),
]
# Tables whose rows a migration is expected to add to.
GROWING = {"django_migrations"}
# Tables of models added after the layout move: created empty by their own migrations.
ADDED_SINCE = {
    "accounts_bookmarklettoken",
    "ai_dailycallcount",
    "ai_dailylastcalls",
    "ai_lastcallseen",
    "ai_providerincidentevent",
    "ai_usercalltotal",
    "cvs_dailycvcount",
    "cvs_coverletter",
    "cvs_coverletterversion",
    "telemetry_dailyactiveusers",
    "telemetry_dailyeventcount",
    "telemetry_dailylastseen",
    "telemetry_dailyrollup",
    "telemetry_lastactivity",
    "telemetry_lasteventseen",
}

Query = Callable[[str], list[tuple[Any, ...]]]

# Run in the migrated database by `manage.py shell`: reads every moved row through the new
# models, follows the links to them, and checks there is nothing left to migrate.
READ_THROUGH_NEW_MODELS = """
import io, json
from django.apps import apps
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor

from accounts.models import User
from ai.models import OpenAICall
from billing.models import CreditTransaction, QuotaCharge
from core.models import Setting, Submission
from jobs.models import BackgroundTask, Upload

MOVED = %(moved)s
result = {"rows": {}, "tables": {}}
for app_label, model_name in MOVED:
    model = apps.get_model(app_label, model_name)
    # values() reads every column: a column the new model expects and the table lacks fails.
    result["rows"][model._meta.label_lower] = len(list(model.objects.values()))
    result["tables"][model._meta.label_lower] = model._meta.db_table

def labels(rows):
    return sorted({type(row)._meta.label for row in rows if row is not None})

result["links"] = {
    "credit_transaction.task": labels(t.task for t in CreditTransaction.objects.all()),
    "quota_charge.task": labels(q.task for q in QuotaCharge.objects.all()),
    "openai_call.task": labels(c.task for c in OpenAICall.objects.all()),
    "task.credit_transactions": sum(
        task.credit_transactions.count() for task in BackgroundTask.objects.all()
    ),
}
admin = User.objects.get(email="admin@fitmycv.example")
result["user_permissions"] = sorted(
    f"{p.content_type.app_label}.{p.codename}" for p in Permission.objects.filter(user=admin)
)
support = Permission.objects.filter(group__name="Support")
result["group_permissions"] = sorted(f"{p.content_type.app_label}.{p.codename}" for p in support)
result["admin_history"] = sorted(
    type(entry.get_edited_object())._meta.label for entry in LogEntry.objects.all()
)

# New rows go into the kept tables (their keys and sequences still work); rolled back.
with transaction.atomic():
    user = User.objects.get(email="demo@fitmycv.example")
    task = BackgroundTask.objects.create(user=user, type="test", title="After the move")
    Setting.objects.create(name="after_the_move", value="1")
    Submission.objects.create(user=user, token="after-the-move")
    Upload.objects.create(user=user, name="a.pdf", sha256="0" * 64, size=1, data=b"a")
    OpenAICall.objects.create(user=user, task=task, feature_name="test", model="offline")
    transaction.set_rollback(True)

executor = MigrationExecutor(connection)
result["unapplied"] = [
    str(migration) for migration, _ in
    executor.migration_plan(executor.loader.graph.leaf_nodes())
]
try:
    call_command("makemigrations", check=True, dry_run=True, stdout=io.StringIO())
    result["makemigrations_check"] = 0
except SystemExit as exc:
    result["makemigrations_check"] = exc.code
output = io.StringIO()
call_command("migrate", interactive=False, stdout=output)
result["second_migrate"] = output.getvalue()
print("RESULT " + json.dumps(result))
"""


class OldLayoutDatabase:
    """A throwaway database restored from a fixture, with plain SQL access to it."""

    def __init__(self, url: str, query: Query, tables_sql: str) -> None:
        self.url = url
        self.query = query
        self.tables_sql = tables_sql

    def row_counts(self) -> dict[str, int]:
        tables = [name for (name,) in self.query(self.tables_sql)]
        return {name: self.query(f'SELECT COUNT(*) FROM "{name}"')[0][0] for name in tables}

    def rows(self, sql: str) -> set[tuple[Any, ...]]:
        return set(self.query(sql))


def _sqlite(tmp_path: Path) -> Iterator[OldLayoutDatabase]:
    path = tmp_path / "old_layout.sqlite3"
    with gzip.open(FIXTURES / "old_layout.sqlite3.gz") as source, path.open("wb") as target:
        shutil.copyfileobj(source, target)

    def query(sql: str) -> list[tuple[Any, ...]]:
        connection = sqlite3.connect(path)
        try:
            return connection.execute(sql).fetchall()
        finally:
            connection.close()

    yield OldLayoutDatabase(
        f"sqlite:///{path}",
        query,
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
    )


def _dsn(name: str) -> str:
    return f"host=127.0.0.1 port=5432 user=postgres dbname={name}"


def _postgresql(tmp_path: Path) -> Iterator[OldLayoutDatabase]:
    require_service(
        "PostgreSQL on 127.0.0.1:5432 with psql",
        postgres_available() and shutil.which("psql") is not None,
    )
    name = f"fitmycv_old_layout_{uuid.uuid4().hex[:8]}"
    dump = tmp_path / "old_layout.sql"
    with gzip.open(FIXTURES / "old_layout.sql.gz") as source, dump.open("wb") as target:
        shutil.copyfileobj(source, target)
    maintenance = _dsn(os.getenv("PGMAINTENANCE_DB", "postgres"))
    with psycopg.connect(maintenance, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        subprocess.run(
            ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", _dsn(name), "-f", str(dump)],
            check=True,
            capture_output=True,
            timeout=120,
        )

        def query(sql: str) -> list[tuple[Any, ...]]:
            with psycopg.connect(_dsn(name), autocommit=True) as connection:
                return connection.execute(sql).fetchall()

        yield OldLayoutDatabase(
            f"postgres://postgres@127.0.0.1:5432/{name}",
            query,
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public'",
        )
    finally:
        with psycopg.connect(maintenance, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgresql"])
def old_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[OldLayoutDatabase]:
    restore = _sqlite if request.param == "sqlite" else _postgresql
    yield from restore(tmp_path)


def manage(database_url: str, *args: str) -> str:
    """Runs manage.py on the given database, with the environment the tests have otherwise."""
    env = {**os.environ, "DATABASE_URL": database_url}
    completed = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    return completed.stdout


def _cover_letter_seed() -> tuple[list[str], str]:
    """The settings billing's cover letter migration adds, and the SQL counting the plan
    quotas it adds (one per plan that has a tailoring quota)."""
    module = importlib.import_module("billing.migrations.0008_cover_letter_feature")
    plans = (
        "SELECT COUNT(*) FROM billing_subscriptionplanfeaturelimit "
        "WHERE feature_name = 'gpt_cv_generation'"
    )
    return [name for name, *_ in module.SETTINGS], plans


def _removed_settings() -> list[str]:
    """The names core's "remove settings that did nothing" migration deletes."""
    (path,) = (ROOT / "core" / "migrations").glob("*_remove_settings_that_did_nothing.py")
    module = importlib.import_module(f"core.migrations.{path.stem}")
    return list(module.REMOVED)


CONTENT_TYPES = "SELECT id, app_label, model FROM django_content_type"
LINKS = {
    "permissions": "SELECT id, content_type_id, codename FROM auth_permission",
    "user permissions": "SELECT user_id, permission_id FROM accounts_user_user_permissions",
    "group permissions": "SELECT group_id, permission_id FROM auth_group_permissions",
    "admin history": "SELECT id, content_type_id, object_id, user_id FROM django_admin_log",
    "ledger to task": "SELECT id, task_id FROM billing_credittransaction",
    "quota to task": "SELECT id, task_id FROM billing_quotacharge",
    "AI call to task": "SELECT id, task_id FROM telemetry_openaicall",
}


def test_an_old_layout_database_migrates_with_every_table_and_row(
    old_database: OldLayoutDatabase,
) -> None:
    counts = old_database.row_counts()
    # The fixture really is the old layout, and the moved tables have rows to lose.
    assert not {"jobs", "ai", "core"} & {
        app for (app,) in old_database.query("SELECT DISTINCT app FROM django_migrations")
    }
    assert all(counts[table] > 0 for *_, table in MOVED)
    content_types = {(app, model): pk for pk, app, model in old_database.query(CONTENT_TYPES)}
    links = {name: old_database.rows(sql) for name, sql in LINKS.items()}
    migrations = old_database.rows("SELECT app, name FROM django_migrations")
    # The settings that did nothing are the only rows a later migration removes.
    removed_settings = "SELECT name FROM fitmycv_setting WHERE name IN ({})".format(
        ", ".join(f"'{name}'" for name in _removed_settings())
    )
    counts["fitmycv_setting"] -= len(old_database.rows(removed_settings))
    # The cover letter settings and plan quotas are the rows a later migration adds.
    letter_settings, plan_quotas = _cover_letter_seed()
    present = "SELECT name FROM fitmycv_setting WHERE name IN ({})".format(
        ", ".join(f"'{name}'" for name in letter_settings)
    )
    counts["fitmycv_setting"] += len(letter_settings) - len(old_database.rows(present))
    counts["billing_subscriptionplanfeaturelimit"] += old_database.query(plan_quotas)[0][0]

    manage(old_database.url, "migrate", "--noinput")

    # Every table is still there with its rows; only the migration history grew.
    after = old_database.row_counts()
    assert set(after) == set(counts) | ADDED_SINCE
    assert all(after[table] == 0 for table in ADDED_SINCE)
    assert not old_database.rows(removed_settings)
    # Each added model brings its content type and its four default permissions.
    added = {"django_content_type": len(ADDED_SINCE), "auth_permission": 4 * len(ADDED_SINCE)}
    assert {t: n for t, n in after.items() if t not in GROWING | ADDED_SINCE} == {
        t: n + added.get(t, 0) for t, n in counts.items() if t not in GROWING
    }
    # The history grew, and forgot the migrations of the project package that held models.
    after_migrations = old_database.rows("SELECT app, name FROM django_migrations")
    assert {m for m in migrations if m[0] != "fitmycv"} <= after_migrations
    assert any(m[0] == "fitmycv" for m in migrations)
    assert not any(m[0] == "fitmycv" for m in after_migrations)

    # The content types moved with their ids, so permissions and admin history kept theirs.
    moved_types = {
        (app, model): pk
        for pk, app, model in old_database.query(CONTENT_TYPES)
        if app in {"core", "jobs", "ai"} and f"{app}_{model}" not in ADDED_SINCE
    }
    assert moved_types == {
        (new, model): content_types[(old, model)] for old, new, model, _ in MOVED
    }
    left = {(app, model) for _, app, model in old_database.query(CONTENT_TYPES)}
    assert not left & {(old, model) for old, _, model, _ in MOVED}
    after_links = {name: old_database.rows(sql) for name, sql in LINKS.items()}
    added_types = {
        pk
        for pk, app, model in old_database.query(CONTENT_TYPES)
        if f"{app}_{model}" in ADDED_SINCE
    }
    after_links["permissions"] = {
        row for row in after_links["permissions"] if row[1] not in added_types
    }
    assert after_links == links

    script = READ_THROUGH_NEW_MODELS % {"moved": [(new, model) for _, new, model, _ in MOVED]}
    output = manage(old_database.url, "shell", "--no-imports", "-c", script)
    result = json.loads(output.split("RESULT ", 1)[1])

    # The new models read every moved row, in the same tables.
    assert result["tables"] == {f"{new}.{model}": table for _, new, model, table in MOVED}
    assert result["rows"] == {f"{new}.{model}": counts[table] for _, new, model, table in MOVED}
    assert result["links"] == {
        "credit_transaction.task": ["jobs.BackgroundTask"],
        "quota_charge.task": ["jobs.BackgroundTask"],
        "openai_call.task": ["jobs.BackgroundTask"],
        "task.credit_transactions": 2,
    }
    assert result["user_permissions"] == [
        "ai.change_openaicall",
        "core.change_setting",
        "jobs.change_backgroundtask",
    ]
    assert result["group_permissions"] == [
        "ai.view_openaicall",
        "core.view_setting",
        "jobs.view_backgroundtask",
    ]
    assert result["admin_history"] == ["ai.OpenAICall", "core.Setting", "jobs.BackgroundTask"]

    # Nothing left to do: no migration to write, none to apply, a second migrate changes nothing.
    assert result["makemigrations_check"] == 0
    assert result["unapplied"] == []
    assert "No migrations to apply." in result["second_migrate"]
    assert old_database.row_counts() == after
