from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ai import gateway
from ai.errors import AIError
from cvs.ai_cli import CONTEXT, load_cv, pdf_text


class Command(BaseCommand):
    help = "Read a CV (PDF or JSON Resume) into our CV document; prints the CV JSON."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="a CV as PDF, or a JSON Resume file")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if path.suffix.lower() == ".pdf":
            text, links = pdf_text(path)
            try:
                cv = gateway.structure_cv(text, ctx=CONTEXT, links=links)
            except AIError as exc:
                raise CommandError(exc.user_message) from None
        else:
            cv = load_cv(path)
        self.stdout.write(json.dumps(cv, ensure_ascii=False, indent=2))
