from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from ai.offline.score import weighted_total
from ai.offline.tailor import invented_facts

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
