from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from staff.seed import seed_all, seed_demo


class Command(BaseCommand):
    help = "Create the reference data (settings, plans, packs, e-mail templates, prices)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--demo", action="store_true", help="Also create the demo accounts (development only)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        report = seed_all()
        if report.total:
            for what, count in sorted(report.created.items()):
                self.stdout.write(f"  created {count} {what}")
        else:
            self.stdout.write("Reference data already present; nothing changed.")
        if options["demo"]:
            for line in seed_demo():
                self.stdout.write(self.style.SUCCESS(line))
