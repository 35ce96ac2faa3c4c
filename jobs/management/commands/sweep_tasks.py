from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from jobs.services import sweep_stuck_tasks


class Command(BaseCommand):
    help = "Fail background tasks stuck past their deadline (and refund them). Safe to run often."

    def handle(self, *args: Any, **options: Any) -> None:
        swept = sweep_stuck_tasks()
        self.stdout.write(f"{swept} stuck task(s) failed.")
