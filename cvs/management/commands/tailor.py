from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ai import gateway
from ai.errors import AIError
from cvs.ai_cli import CONTEXT, load_cv, load_offer


class Command(BaseCommand):
    help = "Tailor a CV to a job offer with the configured AI engine; prints the tailored CV JSON."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--cv", required=True, type=Path, help="CV JSON or JSON Resume")
        parser.add_argument("--offer", required=True, type=Path, help="offer text, PDF or JSON")
        parser.add_argument(
            "--changes", action="store_true", help="print {cv, changes} instead of the CV alone"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        cv, offer = load_cv(options["cv"]), load_offer(options["offer"])
        try:
            outcome = gateway.tailor_cv(cv, offer, ctx=CONTEXT)
        except AIError as exc:
            raise CommandError(exc.user_message) from None
        output = (
            {"cv": outcome.cv, "changes": outcome.changes} if options["changes"] else outcome.cv
        )
        self.stdout.write(json.dumps(output, ensure_ascii=False, indent=2))
