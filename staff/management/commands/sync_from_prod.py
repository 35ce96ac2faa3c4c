from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from typing import Any

import environ
import psycopg
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

POSTGRES_ENGINES = ("django.db.backends.postgresql",)


def _libpq_url(config: dict[str, Any]) -> str:
    """A libpq connection string built from a Django database config (password via env)."""
    parts = [f"dbname={config['NAME']}"]
    if config.get("HOST"):
        parts.append(f"host={config['HOST']}")
    if config.get("PORT"):
        parts.append(f"port={config['PORT']}")
    if config.get("USER"):
        parts.append(f"user={config['USER']}")
    return " ".join(parts)


def target_database() -> dict[str, Any]:
    return settings.DATABASES["default"]


def _identity(config: dict[str, Any]) -> tuple[str, str, str]:
    return (
        str(config.get("HOST") or "localhost"),
        str(config.get("PORT") or "5432"),
        str(config["NAME"]),
    )


class Command(BaseCommand):
    help = (
        "Copy the PostgreSQL database named by PROD_DATABASE_URL into DATABASE_URL "
        "(pg_dump | pg_restore). The target is erased first."
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
        if _identity(source) == _identity(target):
            raise CommandError("PROD_DATABASE_URL and DATABASE_URL are the same database.")
        target_name = str(target["NAME"]).lower()
        if not settings.DEBUG or any(h in target_name for h in settings.PRODUCTION_DATABASE_HINTS):
            raise CommandError(
                f"Refusing to overwrite {target['NAME']!r}: the target looks like production "
                "(DEBUG is off or its name contains a production hint)."
            )
        for tool in ("pg_dump", "pg_restore"):
            if not shutil.which(tool):
                raise CommandError(f"{tool} is not installed (Debian: postgresql-client).")
        if not options["yes"]:
            answer = input(
                f"Erase {target['NAME']!r} and replace it with a copy of {source['NAME']!r}? "
                "Type 'yes' to continue: "
            )
            if answer.strip().lower() != "yes":
                raise CommandError("Cancelled; nothing was changed.")

        # Passwords go through the environment, never on the command line (visible in ps).
        dump_env = {**os.environ, "PGPASSWORD": str(source.get("PASSWORD") or "")}
        restore_env = {**os.environ, "PGPASSWORD": str(target.get("PASSWORD") or "")}
        # Start from an empty schema so tables the source does not have do not linger.
        with psycopg.connect(
            _libpq_url(target), password=str(target.get("PASSWORD") or ""), autocommit=True
        ) as conn:
            conn.execute("DROP SCHEMA public CASCADE")
            conn.execute("CREATE SCHEMA public")
        with tempfile.TemporaryFile() as dump_err:
            dump = subprocess.Popen(
                ["pg_dump", "--format=custom", "--no-owner", "--no-acl", _libpq_url(source)],
                stdout=subprocess.PIPE,
                stderr=dump_err,
                env=dump_env,
            )
            with dump:
                restore = subprocess.run(
                    [
                        "pg_restore",
                        "--no-owner",
                        "--no-acl",
                        "--single-transaction",
                        "--dbname",
                        _libpq_url(target),
                    ],
                    stdin=dump.stdout,
                    capture_output=True,
                    env=restore_env,
                )
            dump_err.seek(0)
            if dump.returncode != 0:
                raise CommandError(f"pg_dump failed: {dump_err.read().decode().strip()}")
        if restore.returncode != 0:
            raise CommandError(f"pg_restore failed: {restore.stderr.decode().strip()}")
        self.stdout.write(self.style.SUCCESS(f"Copied {source['NAME']} into {target['NAME']}."))
