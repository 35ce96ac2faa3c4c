from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from accounts.inactivity import send_inactivity_notices


class Command(BaseCommand):
    help = (
        "Daily retention job: delete e-mail logs older than 12 months and, when the "
        "retention_enabled setting is on, warn and then delete long-inactive accounts."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        report = send_inactivity_notices()
        self.stdout.write(
            f"{report.warned} warning(s) sent, {report.deleted} account(s) deleted, "
            f"{report.email_logs_deleted} old e-mail log(s) deleted."
        )
