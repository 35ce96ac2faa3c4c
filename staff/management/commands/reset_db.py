from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection


class Command(BaseCommand):
    help = "Development only: erase every row, then migrate and seed again."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--yes", action="store_true", help="Do not ask for confirmation")
        parser.add_argument("--demo", action="store_true", help="Also create the demo accounts")

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError(
                "reset_db refuses to run with DEBUG off (this looks like production)"
            )
        name = str(connection.settings_dict["NAME"])
        if any(hint in name.lower() for hint in settings.PRODUCTION_DATABASE_HINTS):
            raise CommandError(f"reset_db refuses to touch {name!r}: it looks like production")
        if not options["yes"]:
            answer = input(f"Erase every row of {name!r}? Type 'yes' to continue: ")
            if answer.strip().lower() != "yes":
                raise CommandError("Cancelled; nothing was changed.")
        call_command("flush", interactive=False, verbosity=0)
        call_command("migrate", interactive=False, verbosity=0)
        call_command("seed", demo=options["demo"], stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS(f"{name} was reset."))
