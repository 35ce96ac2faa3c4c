from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ai import gateway
from ai.errors import AIError
from cvs.ai_cli import CONTEXT, load_cv_import, pdf_text


class Command(BaseCommand):
    help = (
        "Read a CV (PDF, or the JSON export of JSON Resume, Reactive Resume or Resume-Matcher) "
        "into our CV document; prints the CV JSON, and on stderr what was kept in Additional "
        "information."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "file",
            type=Path,
            help="a CV as PDF, or a JSON Resume, Reactive Resume (v3/v4) or Resume-Matcher file",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if path.suffix.lower() == ".pdf":
            text, links = pdf_text(path)
            try:
                cv = gateway.structure_cv(text, ctx=CONTEXT, links=links)
            except AIError as exc:
                raise CommandError(exc.user_message) from None
        else:
            cv, result = load_cv_import(path)
            if result is not None:
                self.stderr.write(f"Read as {result.format_name}.")
                if result.kept:
                    self.stderr.write(
                        "These fields were kept in Additional information: "
                        + ", ".join(result.kept)
                    )
                if result.hidden:
                    self.stderr.write(
                        f"Hidden in {result.format_name}, imported: " + "; ".join(result.hidden)
                    )
        self.stdout.write(json.dumps(cv, ensure_ascii=False, indent=2))
