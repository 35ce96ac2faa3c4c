from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from ai.offline.score import weighted_total
from ai.offline.tailor import invented_facts
from ai.offline.translate import translate_cv

pytestmark = pytest.mark.django_db

HERE = Path(__file__).parent
ROOT = HERE.parents[1]
CV = ROOT / "ai/tests/fixtures/cvs/backend-engineer.cv.json"
RESUME = HERE / "fixtures/jsonresume/sample.resume.json"
JOB = ROOT / "ai/tests/fixtures/jobs/backend-eng.txt"
PDF = HERE / "fixtures/pdfs/John_Doe_ModerncvTheme_CV.pdf"


def run(*args: str) -> dict:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return json.loads(out.getvalue())


def test_score_prints_a_recomputed_score_for_a_cv_and_an_offer_text():
    score = run("score", "--cv", str(CV), "--offer", str(JOB))
    assert score["match_score"] == weighted_total(score["score_breakdown"])
    assert "Python" in score["matching_skills"]
    assert score == run("score", "--cv", str(CV), "--offer", str(JOB))  # deterministic


def test_score_accepts_a_json_resume_and_an_offer_json(tmp_path):
    offer = tmp_path / "offer.json"
    offer.write_text(
        json.dumps(
            {
                "title": "Engineer",
                "skills": {"hard_skills": {"required": ["Python"], "nice_to_have": []}},
            }
        )
    )
    score = run("score", "--cv", str(RESUME), "--offer", str(offer))
    assert 0 <= score["match_score"] <= 100


def test_tailor_prints_a_cv_that_invents_nothing():
    source = json.loads(CV.read_text())
    tailored = run("tailor", "--cv", str(CV), "--offer", str(JOB))
    assert invented_facts(source, tailored) == []
    with_changes = run("tailor", "--cv", str(CV), "--offer", str(JOB), "--changes")
    assert with_changes["cv"] == tailored and with_changes["changes"]


def test_import_cv_reads_a_pdf_and_a_json_resume():
    cv = run("import_cv", str(PDF))
    assert cv["header"]["full_name"] == "John Doe"
    assert len(cv["experience"]) == 5
    assert run("import_cv", str(RESUME))["header"]["full_name"] == "Richard Hendriks"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("score", "--cv", "missing.json", "--offer", str(JOB)), "Cannot read"),
        (("score", "--cv", str(JOB), "--offer", str(JOB)), "not valid JSON"),
        (("import_cv", str(JOB)), "not valid JSON"),
    ],
)
def test_bad_input_gets_a_clear_error(args, message):
    with pytest.raises(CommandError, match=message):
        call_command(*args, stdout=io.StringIO())


def test_a_file_that_is_not_a_pdf_is_refused(tmp_path):
    fake = tmp_path / "cv.pdf"
    fake.write_bytes(b"hello")
    with pytest.raises(CommandError, match="cv.pdf"):
        call_command("import_cv", str(fake), stdout=io.StringIO())


@pytest.mark.parametrize("command", ["score", "tailor"])
@pytest.mark.parametrize("name", ["cv.pdf", "cv.json"])
def test_a_pdf_cv_is_sent_to_import_cv_first(tmp_path, command, name):
    pdf = tmp_path / name  # a PDF named .json is still told apart by its content
    pdf.write_bytes(PDF.read_bytes())
    with pytest.raises(CommandError) as refused:
        call_command(command, "--cv", str(pdf), "--offer", str(JOB), stdout=io.StringIO())
    assert f"{pdf} is a PDF" in str(refused.value)
    assert f"manage.py import_cv {pdf}" in str(refused.value)


def test_a_pdf_cv_is_sent_to_import_cv_before_a_translation(tmp_path):
    with pytest.raises(CommandError, match="is a PDF.*import_cv"):
        call_command("translate", "--cv", str(PDF), "--lang", "fr", stdout=io.StringIO())


@pytest.mark.parametrize("target", ["fr", "de", "es"])
def test_translate_prints_the_cv_in_the_target_language(target):
    source = json.loads(CV.read_text())
    translated = run("translate", "--cv", str(CV), "--lang", target)
    assert translated["language"] == target
    assert translated["header"]["full_name"] == source["header"]["full_name"]
    # The offline engine, as on the web: its translation, with nothing added or lost.
    assert translated == {**translate_cv(source, target), "language": target}
    assert translated["header"]["current_title"] != source["header"]["current_title"]


def test_translate_reads_a_json_resume_and_writes_to_out(tmp_path):
    out = tmp_path / "cv.fr.json"
    stdout = io.StringIO()
    call_command("translate", "--cv", str(RESUME), "--lang", "fr", "--out", str(out), stdout=stdout)
    assert f"Wrote {out}" in stdout.getvalue()
    translated = json.loads(out.read_text(encoding="utf-8"))
    assert translated["language"] == "fr"
    assert translated["header"]["full_name"] == "Richard Hendriks"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--lang", "it"), "invalid choice: 'it'"),
        (("--lang", "en"), "already in 'en'; choose another language"),
        (("--lang", "fr", "--out", "cv.pdf"), "the translated CV is JSON"),
    ],
)
def test_translate_refuses_what_it_cannot_do(tmp_path, args, message):
    out = tmp_path / "cv.pdf"
    args = tuple(str(out) if arg == "cv.pdf" else arg for arg in args)
    with pytest.raises(CommandError, match=message):
        call_command("translate", "--cv", str(CV), *args, stdout=io.StringIO())
    assert not out.exists()
