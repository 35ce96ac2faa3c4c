from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from ai.evaluation import report, runner
from ai.models import OpenAICall


class Command(BaseCommand):
    help = (
        "Measure the AI features on the evaluation set (eval/): match scores, offer reading, "
        "tailoring, translation and PDF import. Prints a table and writes the figures as JSON."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--engine",
            choices=runner.ENGINES,
            default="offline",
            help="offline (default) or openai: the OpenAI-compatible server of OPENAI_BASE_URL "
            "with OPENAI_API_KEY, and the models of the settings table",
        )
        parser.add_argument(
            "--only",
            default=",".join(runner.SECTIONS),
            help=f"comma-separated sections to run (default all: {','.join(runner.SECTIONS)})",
        )
        parser.add_argument(
            "--json",
            type=Path,
            default=Path(settings.BASE_DIR) / "eval" / "out" / "results.json",
            help="where to write the figures (default eval/out/results.json)",
        )
        parser.add_argument(
            "--check",
            action="store_true",
            help="exit with status 1 when a figure misses its threshold",
        )
        # Another copy of the evaluation set (the data's authors try theirs before merging).
        parser.add_argument(
            "--data", type=Path, default=Path(settings.BASE_DIR) / "eval", help=argparse.SUPPRESS
        )

    def handle(self, *args: Any, **options: Any) -> None:
        only = [name.strip() for name in options["only"].split(",") if name.strip()]
        unknown = sorted(set(only) - set(runner.SECTIONS))
        if unknown or not only:
            raise CommandError(f"--only takes some of {','.join(runner.SECTIONS)}")
        engine = options["engine"]
        if engine == "openai" and not settings.OPENAI_API_KEY:
            raise CommandError("--engine openai needs OPENAI_API_KEY (and OPENAI_BASE_URL)")
        if OpenAICall._meta.db_table not in connection.introspection.table_names():
            raise CommandError("Every AI call is accounted: run manage.py migrate first.")
        try:
            data = runner.load(options["data"])
        except (runner.DataError, ValueError) as exc:
            raise CommandError(f"Evaluation set {options['data']}: {exc}") from None

        def progress(section: str) -> None:
            self.stderr.write(f"{section}...")

        evaluation = runner.evaluate(data, engine=engine, only=only, progress=progress)
        checked = report.verdicts(evaluation)
        self.stdout.write(report.table(evaluation, checked))
        report.write_json(evaluation, checked, options["json"], data=options["data"])
        self.stdout.write(f"figures written to {options['json']}")
        missed = [verdict.metric for verdict in checked if not verdict.met]
        if options["check"] and missed:
            raise CommandError(f"below the thresholds: {', '.join(missed)}", returncode=1)
