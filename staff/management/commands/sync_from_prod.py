"""Copy the production PostgreSQL database into the development one.

The order protects both databases: the two servers are asked who they are (never the URL
spellings, which differ for one database: localhost, 127.0.0.1, a socket); the source is dumped
to a file and the file is checked; only then is the target replaced, in one transaction that
drops its schema and restores the dump, so any failure leaves it as it was.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any, NamedTuple

import environ
import psycopg
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from psycopg.conninfo import make_conninfo

POSTGRES_ENGINES = ("django.db.backends.postgresql",)
TOOLS = ("pg_dump", "pg_restore", "psql")
CONNECT_TIMEOUT_SECONDS = 10
# URL query parameters (`?sslmode=require`) that are libpq's and must reach pg_dump and psql.
LIBPQ_OPTIONS = frozenset(
    {"host", "sslmode", "sslrootcert", "sslcert", "sslkey", "options", "application_name"}
)


class ServerIdentity(NamedTuple):
    """What a server says about the database it serves: equal identities, same database."""

    system_identifier: int
    port: int
    database: str


def libpq_conninfo(config: dict[str, Any]) -> str:
    """A libpq connection string built from a Django database config (password via env)."""
    params = {
        key: str(value)
        for key, value in (config.get("OPTIONS") or {}).items()
        if key in LIBPQ_OPTIONS
    }
    params["dbname"] = config["NAME"]
    for key, param in (("HOST", "host"), ("PORT", "port"), ("USER", "user")):
        if config.get(key):
            params[param] = str(config[key])
    return make_conninfo(**params)


def _password_env(config: dict[str, Any]) -> dict[str, str]:
    # Passwords go through the environment, never on the command line (visible in ps).
    return {**os.environ, "PGPASSWORD": str(config.get("PASSWORD") or "")}


def target_database() -> dict[str, Any]:
    return settings.DATABASES["default"]


def server_identity(config: dict[str, Any], *, variable: str) -> ServerIdentity:
    """Ask the server behind `config` which cluster, port and database it is."""
    try:
        with psycopg.connect(
            libpq_conninfo(config),
            password=str(config.get("PASSWORD") or ""),
            connect_timeout=CONNECT_TIMEOUT_SECONDS,
        ) as conn:
            row = conn.execute(
                "SELECT system_identifier, current_setting('port')::int, current_database() "
                "FROM pg_control_system()"
            ).fetchone()
    except psycopg.Error as exc:
        raise CommandError(
            f"Cannot reach the {variable} database {config['NAME']!r}: "
            f"{str(exc).strip()}. Nothing was changed."
        ) from None
    assert row is not None  # the query always returns one row
    return ServerIdentity(*row)


def _run(command: list[str], *, env: dict[str, str], failure: str) -> None:
    result = subprocess.run(command, capture_output=True, env=env)
    if result.returncode != 0:
        detail = result.stderr.decode(errors="replace").strip()
        raise CommandError(f"{failure}: {detail or f'exit status {result.returncode}'}")


class Command(BaseCommand):
    help = (
        "Copy the PostgreSQL database named by PROD_DATABASE_URL into DATABASE_URL: dump the "
        "source to a file, check it, then replace the target's public schema in one transaction."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--yes", action="store_true", help="Do not ask for confirmation")

    def handle(self, *args: Any, **options: Any) -> None:
        prod_url = os.getenv("PROD_DATABASE_URL", "")
        if not prod_url:
            raise CommandError("Set PROD_DATABASE_URL to the database to copy from.")
        source = environ.Env.db_url_config(prod_url)
        target = target_database()
        if source["ENGINE"] not in POSTGRES_ENGINES or target["ENGINE"] not in POSTGRES_ENGINES:
            raise CommandError("Both PROD_DATABASE_URL and DATABASE_URL must be PostgreSQL.")
        target_name = str(target["NAME"]).lower()
        if not settings.DEBUG or any(h in target_name for h in settings.PRODUCTION_DATABASE_HINTS):
            raise CommandError(
                f"Refusing to overwrite {target['NAME']!r}: the target looks like production "
                "(DEBUG is off or its name contains a production hint)."
            )
        for tool in TOOLS:
            if not shutil.which(tool):
                raise CommandError(f"{tool} is not installed (Debian: postgresql-client).")
        source_identity = server_identity(source, variable="PROD_DATABASE_URL")
        target_identity = server_identity(target, variable="DATABASE_URL")
        if source_identity == target_identity:
            raise CommandError(
                "PROD_DATABASE_URL and DATABASE_URL are the same database "
                f"({source_identity.database!r} on port {source_identity.port} of server "
                f"{source_identity.system_identifier}). Nothing was changed."
            )
        if not options["yes"]:
            answer = input(
                f"Erase {target['NAME']!r} and replace it with a copy of {source['NAME']!r}? "
                "Type 'yes' to continue: "
            )
            if answer.strip().lower() != "yes":
                raise CommandError("Cancelled; nothing was changed.")

        with tempfile.TemporaryDirectory(prefix="sync_from_prod-") as tmp:
            dump, script = Path(tmp) / "source.dump", Path(tmp) / "restore.sql"
            _run(
                ["pg_dump", "--format=custom", "--no-owner", "--no-acl", f"--file={dump}"]
                + [libpq_conninfo(source)],
                env=_password_env(source),
                failure="pg_dump failed; the target was not touched",
            )
            _run(
                ["pg_restore", "--list", str(dump)],
                env=dict(os.environ),
                failure="The dump is unreadable; the target was not touched",
            )
            # The dump as SQL, so the schema drop and the restore share one transaction.
            _run(
                ["pg_restore", "--no-owner", "--no-acl", f"--file={script}", str(dump)],
                env=dict(os.environ),
                failure="The dump could not be converted; the target was not touched",
            )
            _run(
                [
                    "psql",
                    "--no-psqlrc",
                    "--quiet",
                    "--single-transaction",
                    "--set=ON_ERROR_STOP=1",
                    "--command=SET client_min_messages = warning",
                    # Start from an empty schema so tables the source lacks do not linger.
                    "--command=DROP SCHEMA public CASCADE",
                    "--command=CREATE SCHEMA public",
                    f"--file={script}",
                    f"--dbname={libpq_conninfo(target)}",
                ],
                env=_password_env(target),
                failure="The restore failed and was rolled back; the target is unchanged",
            )
        self.stdout.write(self.style.SUCCESS(f"Copied {source['NAME']} into {target['NAME']}."))
