from __future__ import annotations

import io
import os
import uuid
from typing import Any
from unittest import mock

import environ
import psycopg
import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from psycopg.conninfo import conninfo_to_dict

from accounts.models import User
from billing.models import CreditPack, SubscriptionPlan
from core.config import get_setting
from core.models import Setting
from core.testing import postgres_available, require_service
from staff.management.commands.sync_from_prod import libpq_conninfo

pytestmark = pytest.mark.django_db

OUR_APPS = {"core", "telemetry", "jobs", "ai", "emails", "billing", "accounts", "joboffers", "cvs"}


def _counts() -> dict[str, int]:
    return {
        m._meta.label: m.objects.count() for m in apps.get_models() if m._meta.app_label in OUR_APPS
    }


def test_seed_creates_the_reference_data():
    call_command("seed", stdout=io.StringIO())
    assert CreditPack.objects.filter(credit_amount=15, price="4.99").exists()
    assert list(SubscriptionPlan.objects.values_list("name", flat=True)) == [
        "Free",
        "Pro",
        "Premium",
    ]
    assert Setting.objects.get(name="credits_import_pdf").value == "2"
    assert get_setting("welcome_credits") == 15
    from emails.models import EmailTemplate

    welcome = EmailTemplate.objects.get(name="welcome")
    assert "{{ welcome_credits }}" in welcome.html_content
    assert "<html" not in welcome.html_content  # the shared layout wraps it when rendered


def test_seed_twice_changes_nothing_the_second_time():
    call_command("seed", stdout=io.StringIO())
    before = _counts()
    snapshot = {s.name: (s.value, s.updated_at) for s in Setting.objects.all()}
    out = io.StringIO()
    call_command("seed", stdout=out)
    assert _counts() == before
    assert {s.name: (s.value, s.updated_at) for s in Setting.objects.all()} == snapshot
    assert "nothing changed" in out.getvalue()


def test_seed_never_overwrites_an_edited_row():
    call_command("seed", stdout=io.StringIO())
    Setting.objects.filter(name="cv_max_versions").update(value="9")
    CreditPack.objects.filter(credit_amount=15).update(price="3.99")
    call_command("seed", stdout=io.StringIO())
    assert Setting.objects.get(name="cv_max_versions").value == "9"
    assert str(CreditPack.objects.get(credit_amount=15).price) == "3.99"


def test_seed_demo_creates_verified_accounts_that_can_log_in(client, settings):
    settings.DEBUG = True
    call_command("seed", demo=True, stdout=io.StringIO())
    call_command("seed", demo=True, stdout=io.StringIO())
    assert User.objects.filter(email="demo@fitmycv.example").count() == 1
    from staff.seed import DEMO_PASSWORD

    assert client.login(email="demo@fitmycv.example", password=DEMO_PASSWORD)


def test_seed_demo_is_refused_in_production(settings):
    settings.DEBUG = False
    with pytest.raises(RuntimeError, match="development only"):
        call_command("seed", demo=True, stdout=io.StringIO())
    assert not User.objects.exists()


def test_setup_migrates_and_seeds():
    out = io.StringIO()
    call_command("setup", stdout=out)
    assert "Database ready" in out.getvalue()
    assert CreditPack.objects.count() == 4


def test_reset_db_refuses_with_debug_off(settings, alice):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG off"):
        call_command("reset_db", yes=True)
    assert User.objects.filter(pk=alice.pk).exists()


def test_reset_db_asks_for_confirmation(settings, alice):
    settings.DEBUG = True
    with mock.patch("builtins.input", return_value="no"), pytest.raises(CommandError):
        call_command("reset_db")
    assert User.objects.filter(pk=alice.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_reset_db_erases_rows_and_seeds_again(settings, alice):
    settings.DEBUG = True
    with mock.patch("builtins.input", return_value="yes"):
        call_command("reset_db", stdout=io.StringIO())
    assert not User.objects.filter(pk=alice.pk).exists()
    assert CreditPack.objects.count() == 4


def test_createsuperuser_works_with_the_email_identifier(monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "a-long-admin-password")
    call_command(
        "createsuperuser", email="root@example.org", interactive=False, stdout=io.StringIO()
    )
    user = User.objects.get(email="root@example.org")
    assert user.is_superuser and user.is_staff and user.role == "ADMIN"
    assert user.check_password("a-long-admin-password")


class TestSyncFromProd:
    def test_it_needs_prod_database_url(self, monkeypatch):
        monkeypatch.delenv("PROD_DATABASE_URL", raising=False)
        with pytest.raises(CommandError, match="PROD_DATABASE_URL"):
            call_command("sync_from_prod", yes=True)

    def test_it_refuses_a_non_postgres_target(self, monkeypatch, settings):
        monkeypatch.setenv("PROD_DATABASE_URL", "postgres://u@db.example.org/fitmycv")
        sqlite = {"ENGINE": "django.db.backends.sqlite3", "NAME": "x"}
        with _target(sqlite), pytest.raises(CommandError, match="must be PostgreSQL"):
            call_command("sync_from_prod", yes=True)

    def test_the_ssl_mode_of_the_url_reaches_the_postgres_tools(self):
        config = environ.Env.db_url_config(
            "postgres://u:secret@db.example.org:6543/app?sslmode=require"
        )
        conninfo = conninfo_to_dict(libpq_conninfo(config))
        assert conninfo == {
            "dbname": "app",
            "host": "db.example.org",
            "port": "6543",
            "user": "u",
            "sslmode": "require",
        }

    def test_it_refuses_a_target_that_looks_like_production(self, monkeypatch, settings):
        settings.DEBUG = True
        monkeypatch.setenv("PROD_DATABASE_URL", "postgres://u@127.0.0.1:5432/fitmycv")
        with _target(_pg("fitmycv_prod")), pytest.raises(CommandError, match="production"):
            call_command("sync_from_prod", yes=True)
        settings.DEBUG = False
        with _target(_pg("fitmycv_dev")), pytest.raises(CommandError, match="production"):
            call_command("sync_from_prod", yes=True)

    def test_it_asks_for_confirmation(self, monkeypatch, settings, scratch_databases):
        source, target = scratch_databases
        _fill(target, "kept", "development data")
        settings.DEBUG = True
        monkeypatch.setenv("PROD_DATABASE_URL", f"postgres://postgres@127.0.0.1:5432/{source}")
        with (
            _target(_pg(target)),
            mock.patch("builtins.input", return_value="n"),
            pytest.raises(CommandError, match="Cancelled"),
        ):
            call_command("sync_from_prod")
        assert _rows(target, "kept") == [("development data",)]

    @pytest.mark.parametrize(
        "spelling",
        [
            "postgres://postgres@localhost:5432/{name}",
            "postgres://postgres@localhost/{name}",
            "postgres://postgres@0.0.0.0:5432/{name}",
        ],
    )
    def test_it_refuses_another_spelling_of_the_same_database(
        self, monkeypatch, settings, scratch_databases, spelling
    ):
        source, _target_name = scratch_databases
        _fill(source, "marker", "production data")
        settings.DEBUG = True
        monkeypatch.setenv("PROD_DATABASE_URL", spelling.format(name=source))
        with _target(_pg(source)), pytest.raises(CommandError, match="same database"):
            call_command("sync_from_prod", yes=True, stdout=io.StringIO())
        assert _rows(source, "marker") == [("production data",)]

    def test_an_unreachable_source_leaves_the_target_intact(
        self, monkeypatch, settings, scratch_databases
    ):
        _source, target = scratch_databases
        _fill(target, "kept", "development data")
        settings.DEBUG = True
        # Nothing listens on port 1.
        monkeypatch.setenv("PROD_DATABASE_URL", "postgres://postgres@127.0.0.1:1/fitmycv")
        with _target(_pg(target)), pytest.raises(CommandError) as refused:
            call_command("sync_from_prod", yes=True, stdout=io.StringIO())
        assert _rows(target, "kept") == [("development data",)]
        assert "Cannot reach the PROD_DATABASE_URL database" in str(refused.value)

    def test_a_failing_dump_leaves_the_target_intact(
        self, monkeypatch, settings, scratch_databases
    ):
        source, target = scratch_databases
        _fill(source, "marker", "production data")
        _fill(source, "secret", "not for this role")
        _fill(target, "kept", "development data")
        reader = f"{source}_reader"
        with psycopg.connect(_dsn(source), autocommit=True) as conn:
            conn.execute(f'CREATE ROLE "{reader}" LOGIN')
            conn.execute(f'GRANT SELECT ON marker TO "{reader}"')
        settings.DEBUG = True
        monkeypatch.setenv("PROD_DATABASE_URL", f"postgres://{reader}@127.0.0.1:5432/{source}")
        try:
            with _target(_pg(target)), pytest.raises(CommandError) as failed:
                call_command("sync_from_prod", yes=True, stdout=io.StringIO())
        finally:
            with psycopg.connect(_dsn(source), autocommit=True) as conn:
                conn.execute(f'DROP OWNED BY "{reader}"')
                conn.execute(f'DROP ROLE "{reader}"')
        assert _rows(target, "kept") == [("development data",)]
        assert "pg_dump failed; the target was not touched" in str(failed.value)
        assert "permission denied" in str(failed.value)

    @pytest.mark.parametrize("refusal", ["schema_conflict", "index_refused"])
    def test_a_failing_restore_leaves_the_target_as_it_was(
        self, monkeypatch, settings, scratch_databases, refusal
    ):
        source, target = scratch_databases
        _fill(source, "marker", "production data")
        with psycopg.connect(_dsn(source), autocommit=True) as conn:
            conn.execute("CREATE INDEX marker_note ON marker (note)")
            conn.execute("CREATE SCHEMA extra")
        _fill(target, "kept", "development data")
        with psycopg.connect(_dsn(target), autocommit=True) as conn:
            if refusal == "schema_conflict":
                # The restore fails early, right after dropping the target's schema.
                conn.execute("CREATE SCHEMA extra")
            else:
                # The restore fails late, after the tables and their rows are in.
                conn.execute("CREATE SCHEMA guard")
                conn.execute(
                    "CREATE FUNCTION guard.refuse() RETURNS event_trigger LANGUAGE plpgsql "
                    "AS $$ BEGIN RAISE EXCEPTION 'no new index here'; END $$"
                )
                conn.execute(
                    "CREATE EVENT TRIGGER refuse_indexes ON ddl_command_end "
                    "WHEN TAG IN ('CREATE INDEX') EXECUTE FUNCTION guard.refuse()"
                )
        settings.DEBUG = True
        monkeypatch.setenv("PROD_DATABASE_URL", f"postgres://postgres@127.0.0.1:5432/{source}")
        with _target(_pg(target)), pytest.raises(CommandError) as failed:
            call_command("sync_from_prod", yes=True, stdout=io.StringIO())
        assert _rows(target, "kept") == [("development data",)]
        assert _regclass(target, "public.marker") is None
        assert "rolled back; the target is unchanged" in str(failed.value)

    def test_it_copies_a_real_postgres_database(self, monkeypatch, settings, scratch_databases):
        source, target = scratch_databases
        _fill(source, "marker", "copied from production")
        _fill(target, "stale", "development data")
        settings.DEBUG = True
        monkeypatch.setenv("PROD_DATABASE_URL", f"postgres://postgres@localhost:5432/{source}")
        out = io.StringIO()
        with _target(_pg(target)):
            call_command("sync_from_prod", yes=True, stdout=out)

        assert f"Copied {source} into {target}" in out.getvalue()
        assert _rows(target, "marker") == [("copied from production",)]
        assert _regclass(target, "public.stale") is None
        assert _rows(source, "marker") == [("copied from production",)]


def _target(config: dict[str, Any]) -> Any:
    return mock.patch(
        "staff.management.commands.sync_from_prod.target_database", return_value=config
    )


def _pg(name: str) -> dict[str, Any]:
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": name,
        "USER": "postgres",
        "HOST": "127.0.0.1",
        "PORT": "5432",
    }


def _dsn(name: str) -> str:
    return f"host=127.0.0.1 port=5432 user=postgres dbname={name}"


def _fill(database: str, table: str, note: str) -> None:
    with psycopg.connect(_dsn(database), autocommit=True) as conn:
        conn.execute(f"CREATE TABLE {table} (note text)")
        conn.execute(f"INSERT INTO {table} VALUES (%s)", [note])


def _rows(database: str, table: str) -> list[tuple[Any, ...]]:
    with psycopg.connect(_dsn(database)) as conn:
        return conn.execute(f"SELECT note FROM {table}").fetchall()


def _regclass(database: str, name: str) -> Any:
    with psycopg.connect(_dsn(database)) as conn:
        row = conn.execute("SELECT to_regclass(%s)::text", [name]).fetchone()
    return row[0] if row else None


@pytest.fixture
def scratch_databases() -> Any:
    require_service("PostgreSQL on 127.0.0.1:5432 with pg_dump", postgres_available())
    # Named after the PostgreSQL database of this run, if any, so parallel runs never meet.
    url = os.getenv("DATABASE_URL", "")
    base = url.rsplit("/", 1)[-1].split("?")[0] if url.startswith("postgres") else "fitmycv"
    suffix = uuid.uuid4().hex[:8]
    names = (f"{base}_sync_src_{suffix}", f"{base}_sync_dev_{suffix}")
    with psycopg.connect(_dsn(os.getenv("PGMAINTENANCE_DB", "postgres")), autocommit=True) as c:
        for name in names:
            c.execute(f'CREATE DATABASE "{name}"')
    yield names
    with psycopg.connect(_dsn("postgres"), autocommit=True) as c:
        for name in names:
            c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_the_demo_user_can_try_every_feature_at_once(settings):
    from billing.models import CreditBalance
    from cvs.models import CV

    settings.DEBUG = True
    call_command("seed", demo=True, stdout=io.StringIO())
    call_command("seed", demo=True, stdout=io.StringIO())
    demo = User.objects.get(email="demo@fitmycv.example")
    assert CreditBalance.objects.get(user=demo).balance == 50
    assert CV.objects.filter(user=demo).count() == 1
