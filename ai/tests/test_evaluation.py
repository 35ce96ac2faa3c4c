from __future__ import annotations

import io
import json
import math
import shutil
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command, execute_from_command_line

from ai.evaluation import metrics, runner
from ai.tests.fakes import FakeOpenAIServer, auto_answer, chat_completion, sample_from_schema

FIXTURES = Path(__file__).resolve().parent / "fixtures"
PDFS = Path(__file__).resolve().parents[2] / "cvs" / "tests" / "fixtures" / "pdfs"
# A page the offline engine rejects. (It takes a newsletter mentioning "newsletter" for an
# offer: the skill "Email marketing" anchors the title. The evaluation set measures that.)
LOGIN_WALL = "Sign in to continue\n\nYou need an account to see this page.\nEmail\nPassword\n"


# --- Metrics --------------------------------------------------------------------------------


def test_auc_counts_a_tie_as_one_half() -> None:
    # 6 pairs: 3>2, 3>1, 2=2, 2>1, 2=2, 2>1 -> 5 wins of 6.
    assert metrics.auc([3, 2, 2], [2, 1]) == pytest.approx(5 / 6)
    assert metrics.auc([1], [1]) == 0.5
    assert metrics.auc([], [1]) is None


def test_spearman_uses_average_ranks_for_ties() -> None:
    assert metrics.average_ranks([5, 6, 7, 8, 7]) == [1, 2, 3.5, 5, 3.5]
    # Rank deviations (-2, -1, 0, 1, 2) and (-2, -1, .5, 2, .5): 8 / sqrt(10 * 9.5).
    rho = metrics.spearman([1, 2, 3, 4, 5], [5, 6, 7, 8, 7])
    assert rho == pytest.approx(8 / math.sqrt(95))
    assert metrics.spearman([1, 2, 3], [3, 2, 1]) == pytest.approx(-1)
    assert metrics.spearman([1, 1, 1], [1, 2, 3]) is None


def test_ndcg_uses_graded_gains_and_breaks_ties_against_the_ranking() -> None:
    # Order by score: grades 1, 3, 0. DCG = 1/log2(2) + 7/log2(3); ideal = 7 + 1/log2(3).
    got = metrics.ndcg([90, 80, 70], [1, 3, 0])
    assert got == pytest.approx((1 + 7 / math.log2(3)) / (7 + 1 / math.log2(3)))
    assert metrics.ndcg([80, 70, 10], [3, 1, 0]) == pytest.approx(1.0)
    # A tie puts the worse grade first: 7/log2(3) of an ideal 7.
    assert metrics.ndcg([50, 50], [3, 0]) == pytest.approx(1 / math.log2(3))
    assert metrics.ndcg([50, 40], [0, 0]) is None
    # Only the first 10 count.
    assert metrics.ndcg(list(range(11, 0, -1)), [0] * 10 + [3]) == 0


def test_detection_and_field_f1() -> None:
    found = metrics.Detection(true_positives=8, false_positives=2, false_negatives=0)
    assert (found.precision, found.recall) == (0.8, 1.0)
    assert found.f1 == pytest.approx(2 * 0.8 / 1.8)
    assert metrics.token_f1("Développeur Full-Stack (H/F)", "developpeur full stack h f") == 1
    assert metrics.token_f1("Staff Nurse", "Nurse") == pytest.approx(2 / 3)
    assert metrics.token_f1(None, "") == 1 and metrics.token_f1("Acme", None) == 0
    assert metrics.skills_f1(["k8s", "Python 3"], ["Kubernetes", "python", "SQL"]) == 0.8


# --- The runner and the command on a tiny set ---------------------------------------------


def tiny_set(root: Path) -> Path:
    """2 CVs (one also as PDF), 3 offers, 1 non-offer and 6 graded pairs."""
    (root / "offers").mkdir(parents=True)
    (root / "cvs").mkdir()
    for name, oid in (
        ("backend-eng.txt", "en-backend-01"),
        ("product-manager.txt", "en-product-01"),
        ("fr-comptable.txt", "fr-comptable-01"),
    ):
        shutil.copy(FIXTURES / "jobs" / name, root / "offers" / f"{oid}.txt")
    (root / "offers" / "en-login-01.txt").write_text(LOGIN_WALL, encoding="utf-8")
    offer = {"kind": "offer", "labelled": False, "skills": [], "company": None}
    labels = {
        "en-backend-01": {**offer, "lang": "en", "title": "Backend Engineer", "labelled": True},
        "en-product-01": {**offer, "lang": "en", "title": "Product Manager"},
        "fr-comptable-01": {**offer, "lang": "fr", "title": "Comptable"},
        "en-login-01": {"kind": "non-offer", "lang": "en", "non_offer": "login-wall"},
    }
    (root / "offers" / "labels.json").write_text(json.dumps(labels), encoding="utf-8")
    shutil.copy(FIXTURES / "cvs" / "backend-engineer.cv.json", root / "cvs" / "en-dev-01.json")
    shutil.copy(FIXTURES / "cvs" / "sample-resume.cv.json", root / "cvs" / "en-prog-01.json")
    shutil.copy(PDFS / "John_Doe_ClassicTheme_CV.pdf", root / "cvs" / "en-prog-01.pdf")
    cvs = {
        "en-dev-01": {"lang": "en", "occupation": "software", "pdf": None, "pdf_fields": None},
        "en-prog-01": {
            "lang": "en",
            "occupation": "software",
            "pdf": "en-prog-01.pdf",
            "pdf_fields": {"name": "John Doe", "schools": []},
        },
    }
    (root / "cvs" / "labels.json").write_text(json.dumps(cvs), encoding="utf-8")
    pairs = [
        {"cv": cv, "offer": oid, "grade": grade}
        for cv in ("en-dev-01", "en-prog-01")
        for oid, grade in (("en-backend-01", 3), ("en-product-01", 1), ("fr-comptable-01", 0))
    ]
    (root / "pairs.json").write_text(json.dumps(pairs), encoding="utf-8")
    return root


@pytest.mark.django_db
def test_the_runner_measures_every_section_with_the_offline_engine(tmp_path: Path) -> None:
    data = runner.load(tiny_set(tmp_path / "eval"))

    result = runner.evaluate(data, engine="offline")

    score, offers, tailoring = (result.sections[s] for s in ("score", "offers", "tailoring"))
    assert score["pairs"] == 6 and score["errors"] == 0
    assert score["auc"] is not None and score["ndcg@10"] is not None
    assert (offers["offers"], offers["non_offers"], offers["labelled"]) == (3, 1, 1)
    assert offers["recall"] == 1.0 and offers["non_offers_rejected"] == 1.0
    assert tailoring["pairs"] == 6 and tailoring["facts"] > 0
    assert tailoring["facts_invented"] == 0 and tailoring["facts_kept"] == 1.0
    translation = result.sections["translation"]
    assert translation["cvs"] == 2 and translation["segments"] > 0
    assert translation["names_unchanged"] == 1.0
    assert result.sections["import"]["pdfs"] == 1
    assert result.sections["import"]["name_accuracy"] == 1.0
    assert result.prompts["match_score"] >= 1


def test_the_language_detector_tells_the_product_languages_apart() -> None:
    lines = {
        "en": "Managed a team of five nurses on a surgical ward",
        "fr": "Préparation des états financiers mensuels",
        "de": "Verantwortlich für Kundenservice und Kassenführung",
        "es": "Atención al cliente y manejo de caja",
    }
    assert {runner.detect_language(text): lang for lang, text in lines.items()} == {
        lang: lang for lang in lines
    }


@pytest.mark.django_db
def test_check_exits_with_status_1_when_a_threshold_is_missed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tiny_set(tmp_path / "eval")
    labels = json.loads((root / "offers" / "labels.json").read_text())
    labels["en-backend-01"]["title"] = "Pastry chef"  # the extracted title cannot match
    (root / "offers" / "labels.json").write_text(json.dumps(labels))
    out = tmp_path / "results.json"
    argv = ["manage.py", "evaluate", "--check", "--only", "offers"]

    with pytest.raises(SystemExit) as exited:
        execute_from_command_line([*argv, "--data", str(root), "--json", str(out)])

    assert exited.value.code == 1
    printed = capsys.readouterr()
    assert "offers.title_f1" in printed.out and "MISSED" in printed.out
    assert "offers.recall" in printed.out and " met" in printed.out
    assert "below the thresholds: offers.title_f1" in printed.err
    written = json.loads(out.read_text())
    assert {t["metric"]: t["met"] for t in written["thresholds"]}["offers.title_f1"] is False
    assert list(written["sections"]) == ["offers"]


def extraction_answers(request: dict[str, Any]) -> dict[str, Any]:
    """A job offer for the extraction prompt; the smallest valid answer to any other."""
    if request["response_format"]["json_schema"]["name"] != "JobOfferOut":
        return auto_answer(request)
    schema = request["response_format"]["json_schema"]["schema"]
    offer = sample_from_schema(schema)
    offer.update(title="Backend Engineer", company="Acme", responsibilities=["Build APIs"])
    return chat_completion(json.dumps(offer), model=request["model"])


@pytest.mark.django_db
def test_the_openai_engine_is_wired_and_its_prompt_versions_recorded(
    fake_openai: FakeOpenAIServer, tmp_path: Path
) -> None:
    fake_openai.auto_delay, fake_openai.responder = 0.0, extraction_answers
    out = tmp_path / "results.json"
    root = tiny_set(tmp_path / "eval")

    call_command(
        "evaluate", "--engine", "openai", "--only", "offers,score", "--data", str(root),
        "--json", str(out), stdout=io.StringIO(), stderr=io.StringIO(),
    )  # fmt: skip

    written = json.loads(out.read_text())
    assert written["engine"] == "openai"
    assert written["prompt_versions"]["extract_job_offer"] >= 1
    assert "_shared/system_base.md" in written["prompt_versions"]
    assert written["models"]["base_url"] == fake_openai.url
    # 4 extractions, then 6 scores for the pairs of the 3 offers the fake model "found".
    requests = fake_openai.chat_requests()
    assert len(requests) == 4 + 6
    assert written["sections"]["score"]["pairs"] == 6
    assert written["sections"]["offers"]["recall"] == 1.0


@pytest.mark.django_db
def test_the_letters_section_counts_letters_declines_and_invented_facts(tmp_path: Path) -> None:
    data = runner.load(tiny_set(tmp_path / "eval"))

    letters = runner.evaluate(data, engine="offline", only=["letters"]).sections["letters"]

    assert letters["pairs"] == 6 and letters["errors"] == 0
    assert letters["written"] + letters["declined"] == 6
    # The backend developer gets a letter for the backend job, none for the accounting one.
    assert letters["written"] >= 1 and letters["misfits_declined"] == 1.0
    assert letters["facts_invented"] == 0
