from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ai import gateway
from ai.errors import AIError
from cvs.ai_cli import CONTEXT, load_cv, load_offer


class Command(BaseCommand):
    help = "Score a CV against a job offer with the configured AI engine; prints the score JSON."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--cv", required=True, type=Path, help="CV JSON or JSON Resume")
        parser.add_argument("--offer", required=True, type=Path, help="offer text, PDF or JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        cv, offer = load_cv(options["cv"]), load_offer(options["offer"])
        try:
            score = gateway.score_match(cv, offer, ctx=CONTEXT)
        except AIError as exc:
            raise CommandError(exc.user_message) from None
        self.stdout.write(json.dumps(score, ensure_ascii=False, indent=2))
