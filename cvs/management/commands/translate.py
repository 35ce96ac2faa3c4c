from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ai import gateway
from ai.errors import AIError
from cvdoc.document import LANGUAGES
from cvs.ai_cli import CONTEXT, load_cv


class Command(BaseCommand):
    help = (
        "Translate a CV into another language with the configured AI engine (the web "
        "translation's); prints the translated CV JSON, or writes it to --out."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--cv", required=True, type=Path, help="CV JSON or JSON Resume")
        parser.add_argument(
            "--lang", required=True, choices=LANGUAGES, help="language to translate into"
        )
        parser.add_argument("--out", type=Path, help="file to write (default: standard output)")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["cv"]
        target: str = options["lang"]
        out: Path | None = options["out"]
        if out is not None and out.suffix.lower() != ".json":
            raise CommandError(f"--out {out}: the translated CV is JSON; name the file *.json.")
        cv = load_cv(path)
        if cv["language"] == target:
            raise CommandError(
                f"{path} is already in {target!r}; choose another language than the CV's own."
            )
        try:
            translated = gateway.translate_cv(cv, target, ctx=CONTEXT)
        except AIError as exc:
            raise CommandError(exc.user_message) from None
        translated["language"] = target
        text = json.dumps(translated, ensure_ascii=False, indent=2)
        if out is None:
            self.stdout.write(text)
            return
        try:
            out.write_text(text + "\n", encoding="utf-8")
        except OSError as exc:
            raise CommandError(f"cannot write {out}: {exc.strerror}") from None
        self.stdout.write(f"Wrote {out}")
