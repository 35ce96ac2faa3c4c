from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Prepare the database: apply migrations, then seed the reference data. Idempotent."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--demo", action="store_true", help="Also create the demo accounts")

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("migrate", interactive=False, verbosity=options["verbosity"] - 1 or 0)
        call_command("seed", demo=options["demo"], stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("Database ready."))
