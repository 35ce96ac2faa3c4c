from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from docx import Document
from pypdf import PdfReader

from cvdoc.document import normalize_cv
from cvs.jsonresume import from_json_resume, validate_json_resume

FIXTURES = Path(__file__).parent / "fixtures"
RICH_CV = FIXTURES / "rich_cv.json"
JSON_RESUME = FIXTURES / "jsonresume" / "sample.resume.json"
INPUTS = {"cv": (RICH_CV, "Camille Dupont"), "jsonresume": (JSON_RESUME, "Richard Hendriks")}


def export(source: Path, out: Path, *args: str) -> str:
    stdout = io.StringIO()
    call_command("export_cv", "--in", str(source), "--out", str(out), *args, stdout=stdout)
    return stdout.getvalue()


def load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("kind", INPUTS)
def test_it_exports_a_pdf(tmp_path: Path, kind: str) -> None:
    source, name = INPUTS[kind]
    out = tmp_path / "cv.pdf"

    message = export(source, out, "--format", "pdf", "--template", "modern", "--paper", "letter")

    assert f"Wrote {out}" in message
    reader = PdfReader(out)
    assert name in reader.pages[0].extract_text()
    assert float(reader.pages[0].mediabox.width) == pytest.approx(612, abs=0.5)


@pytest.mark.parametrize("kind", INPUTS)
def test_it_exports_a_docx(tmp_path: Path, kind: str) -> None:
    source, name = INPUTS[kind]
    out = tmp_path / "cv.docx"

    export(source, out, "--format", "docx", "--template", "compact")

    assert Document(str(out)).paragraphs[0].text == name


def test_it_exports_our_json_from_a_json_resume(tmp_path: Path) -> None:
    out = tmp_path / "cv.json"

    export(JSON_RESUME, out, "--format", "json", "--lang", "de")

    assert load(out) == from_json_resume(load(JSON_RESUME), language="de")


def test_it_exports_our_json_normalised(tmp_path: Path) -> None:
    out = tmp_path / "cv.json"

    export(RICH_CV, out, "--format", "json")

    assert load(out) == normalize_cv(load(RICH_CV))


@pytest.mark.parametrize("kind", INPUTS)
def test_it_exports_a_valid_json_resume(tmp_path: Path, kind: str) -> None:
    source, name = INPUTS[kind]
    out = tmp_path / "resume.json"

    export(source, out, "--format", "jsonresume")

    resume = load(out)
    validate_json_resume(resume)
    assert resume["basics"]["name"] == name


def test_the_lang_option_sets_the_language_of_titles_and_dates(tmp_path: Path) -> None:
    out = tmp_path / "cv.docx"

    export(RICH_CV, out, "--format", "docx", "--lang", "es")

    text = "\n".join(p.text for p in Document(str(out)).paragraphs)
    assert "Experiencia" in text
    assert "mar. 2021 – actualidad" in text


def test_it_refuses_a_file_that_is_not_json(tmp_path: Path) -> None:
    source = tmp_path / "cv.json"
    source.write_text('{"header": ', encoding="utf-8")

    with pytest.raises(CommandError, match=r"is not valid JSON \(line 1, column 12"):
        export(source, tmp_path / "cv.pdf", "--format", "pdf")
    assert not (tmp_path / "cv.pdf").exists()


def test_it_names_the_invalid_field(tmp_path: Path) -> None:
    cv = load(RICH_CV)
    cv["experience"][1]["start_date"] = "last spring"
    source = tmp_path / "cv.json"
    source.write_text(json.dumps(cv), encoding="utf-8")

    with pytest.raises(CommandError, match=r"not a valid CV: experience\[1\]\.start_date"):
        export(source, tmp_path / "cv.pdf", "--format", "pdf")


def test_it_names_the_invalid_json_resume_field(tmp_path: Path) -> None:
    resume = load(JSON_RESUME)
    resume["work"][0]["startDate"] = "yesterday"
    source = tmp_path / "resume.json"
    source.write_text(json.dumps(resume), encoding="utf-8")

    with pytest.raises(CommandError, match=r"not a valid CV: .*work\[0\]\.startDate"):
        export(source, tmp_path / "cv.json", "--format", "json")


def test_it_refuses_an_unknown_template(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="template must be one of classic, modern, compact"):
        export(RICH_CV, tmp_path / "cv.pdf", "--format", "pdf", "--template", "fancy")


def test_it_refuses_an_unknown_format(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="invalid choice: 'odt'"):
        export(RICH_CV, tmp_path / "cv.odt", "--format", "odt")


def test_it_reports_a_missing_input_file(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="cannot read .*missing.json: No such file"):
        export(tmp_path / "missing.json", tmp_path / "cv.pdf", "--format", "pdf")


def test_it_reports_an_output_it_cannot_write(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="cannot write .*cv.json: No such file"):
        export(RICH_CV, tmp_path / "no" / "such" / "dir" / "cv.json", "--format", "json")


def test_it_refuses_json_that_is_not_an_object(tmp_path: Path) -> None:
    source = tmp_path / "list.json"
    source.write_text("[1, 2]", encoding="utf-8")

    with pytest.raises(CommandError, match="must hold a JSON object"):
        export(source, tmp_path / "cv.pdf", "--format", "pdf")


@pytest.mark.parametrize(
    ("fmt", "name"),
    [("pdf", "cv.docx"), ("docx", "cv.pdf"), ("json", "cv.pdf"), ("jsonresume", "cv.docx")],
)
def test_it_refuses_an_output_named_for_another_format(tmp_path: Path, fmt: str, name: str):
    out = tmp_path / name

    with pytest.raises(CommandError, match=f"--format {fmt} writes a .* ends in"):
        export(RICH_CV, out, "--format", fmt)
    assert not out.exists()


@pytest.mark.parametrize("fmt", ["json", "jsonresume"])
@pytest.mark.parametrize(
    ("options", "named"),
    [
        (("--template", "modern"), "--template applies"),
        (("--paper", "letter"), "--paper applies"),
        (("--template", "modern", "--paper", "a4"), "--template and --paper apply"),
    ],
)
def test_it_refuses_layout_options_for_a_json_export(
    tmp_path: Path, fmt: str, options: tuple[str, ...], named: str
) -> None:
    out = tmp_path / "cv.json"

    with pytest.raises(CommandError, match=f"{named} only to PDF and DOCX, not to --format {fmt}"):
        export(RICH_CV, out, "--format", fmt, *options)
    assert not out.exists()
