"""Reading the files given to the AI operator commands (score, tailor, translate, import_cv)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError

from ai import gateway
from ai.errors import AIError
from core.pdftext import PdfRejected, extract_pdf_text
from cvdoc.document import CvValidationError, normalize_cv
from cvs.imports import ImportResult, detect_format, import_document

# Operator commands run without an account; their model calls are accounted without a user.
CONTEXT = gateway.AIContext(user_id=None)


def read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise CommandError(f"Cannot read {path}: {exc.strerror}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CommandError(f"{path} is not valid JSON: {exc}") from None


def load_cv(path: Path) -> dict[str, Any]:
    """A CV document from our JSON or another tool's export (see cvs.imports)."""
    return load_cv_import(path)[0]


def load_cv_import(path: Path) -> tuple[dict[str, Any], ImportResult | None]:
    """The CV in a file of our JSON (result None) or of a format cvs.imports reads."""
    if _is_pdf(path):
        raise CommandError(
            f"{path} is a PDF; these commands take a CV JSON. Convert it first: "
            f"manage.py import_cv {path} > cv.json"
        )
    data = read_json(path)
    if not isinstance(data, dict):
        raise CommandError(f"{path}: a CV is a JSON object")
    try:
        if "header" not in data and detect_format(data):
            result = import_document(data)
            return result.cv, result
        return normalize_cv(data), None
    except CvValidationError as exc:
        raise CommandError(f"{path} is not a valid CV: {exc}") from None


def _is_pdf(path: Path) -> bool:
    """True for a file named .pdf or starting with the PDF signature (whatever its name)."""
    if path.suffix.lower() == ".pdf":
        return True
    try:
        with path.open("rb") as file:
            return file.read(5) == b"%PDF-"
    except OSError:
        return False  # read_json reports the unreadable file


def pdf_text(path: Path) -> tuple[str, tuple[str, ...]]:
    try:
        pdf = extract_pdf_text(path.read_bytes())
    except OSError as exc:
        raise CommandError(f"Cannot read {path}: {exc.strerror}") from None
    except PdfRejected as exc:
        raise CommandError(f"{path}: {exc.message}") from None
    return pdf.text, pdf.links


def load_offer(path: Path) -> dict[str, Any]:
    """An extracted offer: from offer JSON as is, or extracted from a text or PDF file."""
    suffix = path.suffix.lower()
    if suffix == ".json":
        data = read_json(path)
        if not isinstance(data, dict) or "title" not in data:
            raise CommandError(f"{path}: an offer JSON needs at least a title")
        return data
    if suffix == ".pdf":
        text, _links = pdf_text(path)
    else:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"Cannot read {path} as text: {exc}") from None
    try:
        return gateway.extract_job_offer(text, ctx=CONTEXT).content
    except AIError as exc:
        raise CommandError(f"{path}: {exc.user_message}") from None
