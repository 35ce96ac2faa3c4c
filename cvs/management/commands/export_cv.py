"""Export a CV file (our CV JSON or a JSON Resume document) without a user account.

    manage.py export_cv --in cv.json --format pdf --template modern --lang en --out cv.pdf
    manage.py export_cv --in cv.json --format pdf --fit-pages 1 [--drop PLACE ...] --out cv.pdf

Uses the same renderer as the web export, so it also serves checks and benchmarks.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cvdoc.document import LANGUAGES, CvValidationError, normalize_cv
from cvs.export import (
    DENSITIES,
    FIT_PAGES,
    PAPERS,
    ExportError,
    ExportOptions,
    render_docx,
    render_pdf,
    write_pdf,
)
from cvs.fit import fit_export
from cvs.imports import detect_format, import_document
from cvs.jsonresume import to_json_resume

FORMATS = ("pdf", "docx", "json", "jsonresume")
# The file name each format gets; an --out named for another format is a mistake.
SUFFIXES = {"pdf": ".pdf", "docx": ".docx", "json": ".json", "jsonresume": ".json"}
KNOWN_SUFFIXES = frozenset(SUFFIXES.values()) | {".doc"}
# Options that only change how a page looks; a JSON export has no pages.
LAYOUT_OPTIONS = ("template", "paper", "fit_pages", "drop_bullets")
FLAGS = {"fit_pages": "--fit-pages", "drop_bullets": "--drop"}
# Keys only a JSON Resume document has at its top level (ours has "header").


class Command(BaseCommand):
    help = "Export a CV JSON or JSON Resume file to PDF, DOCX, CV JSON or JSON Resume."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--in", dest="input", required=True, help="CV JSON or JSON Resume")
        parser.add_argument("--format", required=True, choices=FORMATS)
        parser.add_argument(
            "--template", help="classic (default), modern or compact; PDF and DOCX only"
        )
        parser.add_argument(
            "--lang", choices=LANGUAGES, help="language of the CV (titles and dates)"
        )
        parser.add_argument(
            "--paper", choices=PAPERS, help="a4 (default) or letter; PDF and DOCX only"
        )
        parser.add_argument(
            "--fit-pages",
            dest="fit_pages",
            choices=[str(pages) for pages in FIT_PAGES],
            help="fit to 1 or 2 pages: a tighter layout within readable limits; PDF and DOCX only",
        )
        parser.add_argument(
            "--drop",
            dest="drop_bullets",
            action="append",
            metavar="PLACE",
            help="with --fit-pages: leave this bullet out (experience[2].responsibilities[0]), "
            "as proposed when the CV does not fit; repeat for each",
        )
        parser.add_argument("--out", required=True, help="file to write")

    def handle(self, *args: Any, **options: Any) -> None:
        source, out, fmt = Path(options["input"]), Path(options["out"]), options["format"]
        suffix = out.suffix.lower()
        if suffix in KNOWN_SUFFIXES and suffix != SUFFIXES[fmt]:
            raise CommandError(
                f"--format {fmt} writes a {SUFFIXES[fmt]} file but --out {out} ends in {suffix}; "
                "change one of them."
            )
        layout = {name: options[name] for name in LAYOUT_OPTIONS if options[name] is not None}
        if "fit_pages" in layout:
            layout["fit_pages"] = int(layout["fit_pages"])
        if layout and fmt not in ("pdf", "docx"):
            given = " and ".join(FLAGS.get(name, f"--{name}") for name in layout)
            verb = "apply" if len(layout) > 1 else "applies"
            raise CommandError(f"{given} {verb} only to PDF and DOCX, not to --format {fmt}.")
        try:
            export_options = ExportOptions(**layout)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        if export_options.drop_bullets and not export_options.fit_pages:
            raise CommandError("--drop applies only with --fit-pages.")
        cv = read_cv(source, language=options["lang"])
        try:
            if export_options.fit_pages:
                content = self.fit(cv, fmt, export_options)
            else:
                content = export(cv, fmt, export_options)
        except (CvValidationError, ExportError) as exc:
            raise CommandError(f"cannot export {source}: {exc}") from None
        try:
            out.write_bytes(content)
        except OSError as exc:
            raise CommandError(f"cannot write {out}: {exc.strerror}") from None
        self.stdout.write(f"Wrote {out} ({len(content):,} bytes)")

    def fit(self, cv: dict[str, Any], fmt: str, options: ExportOptions) -> bytes:
        """The export fitted to --fit-pages; when it does not fit, the bullets to --drop."""
        result = fit_export(cv, options)
        if not result.fits:
            wanted = f"{result.wanted} page{'s' if result.wanted > 1 else ''}"
            message = (
                f"does not fit on {wanted}: {result.pages} pages at the tightest readable layout."
            )
            if result.proposal:
                lines = "\n".join(f"  --drop '{b.path}'  # {b.text}" for b in result.proposal)
                message += f" Leaving out these bullets (older jobs first) makes it fit:\n{lines}"
            else:
                message += " Leaving out bullets would not be enough."
            raise CommandError(message)
        steps = len(DENSITIES) - 1
        self.stdout.write(f"Fits on {result.pages} page(s) at step {result.density} of {steps}.")
        options.density = result.density
        if fmt == "pdf" and result.document is not None:
            return write_pdf(result.document)
        return export(cv, fmt, options)


def read_cv(path: Path, *, language: str | None) -> dict[str, Any]:
    """The normalised CV in `path`, whichever of the two formats it is in."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise CommandError(f"cannot read {path}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise CommandError(f"{path} is not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise CommandError(
            f"{path} is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        ) from None
    if not isinstance(data, dict):
        raise CommandError(f"{path} must hold a JSON object")
    try:
        if "header" not in data and detect_format(data):
            return import_document(data, language=language).cv
        if language:
            data["language"] = language
        return normalize_cv(data)
    except CvValidationError as exc:
        raise CommandError(f"{path} is not a valid CV: {exc}") from None


def export(cv: dict[str, Any], fmt: str, options: ExportOptions) -> bytes:
    if fmt == "pdf":
        return render_pdf(cv, options)
    if fmt == "docx":
        return render_docx(cv, options)
    document = to_json_resume(cv) if fmt == "jsonresume" else cv
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode()
