"""The CVs and fit grades of the evaluation set (eval/cvs, eval/pairs.json) are well formed."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import pytest

from cvdoc.document import normalize_cv

EVAL = Path(__file__).resolve().parents[2] / "eval"
CVS = EVAL / "cvs"
LABELS = json.loads((CVS / "labels.json").read_text(encoding="utf-8"))
PAIRS = json.loads((EVAL / "pairs.json").read_text(encoding="utf-8"))
LANGS = {"en", "fr", "de", "es"}
PDF_FIELDS = {"name", "email", "titles", "employers", "schools"}


def _offer_labels() -> dict[str, dict]:
    path = EVAL / "offers" / "labels.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def test_every_cv_file_is_labelled_and_every_label_has_a_file() -> None:
    on_disk = {path.stem for path in CVS.glob("*.json") if path.name != "labels.json"}
    assert on_disk == set(LABELS)


@pytest.mark.parametrize("cv_id", sorted(LABELS))
def test_cv_is_normalised_and_labelled(cv_id: str) -> None:
    cv = json.loads((CVS / f"{cv_id}.json").read_text(encoding="utf-8"))
    assert normalize_cv(cv) == cv
    label = LABELS[cv_id]
    assert label["lang"] in LANGS and cv["language"] == label["lang"]
    assert cv_id.startswith(label["lang"] + "-")
    assert label["occupation"] and label["source"] and label["licence"]


@pytest.mark.parametrize("cv_id", sorted(k for k, v in LABELS.items() if v["pdf"]))
def test_pdf_exists_and_has_fields(cv_id: str) -> None:
    label = LABELS[cv_id]
    assert (CVS / label["pdf"]).read_bytes().startswith(b"%PDF")
    fields = label["pdf_fields"]
    assert set(fields) == PDF_FIELDS
    assert fields["name"] and fields["email"] and fields["employers"]


def test_every_pdf_is_labelled() -> None:
    assert {p.name for p in CVS.glob("*.pdf")} == {v["pdf"] for v in LABELS.values() if v["pdf"]}


def test_coverage_of_occupations_languages_and_pdfs() -> None:
    per_occupation: dict[str, int] = defaultdict(int)
    for label in LABELS.values():
        per_occupation[label["occupation"]] += 1
    assert len(per_occupation) >= 10
    assert min(per_occupation.values()) >= 3
    assert {label["lang"] for label in LABELS.values()} == LANGS
    assert sum(1 for label in LABELS.values() if label["pdf"]) >= 6


def test_pairs_are_graded_and_reference_known_cvs_and_offers() -> None:
    offers = _offer_labels()
    assert len(PAIRS) >= 300
    assert len({(p["cv"], p["offer"]) for p in PAIRS}) == len(PAIRS)
    for pair in PAIRS:
        assert set(pair) == {"cv", "offer", "grade", "why"}
        assert pair["cv"] in LABELS
        assert pair["grade"] in (0, 1, 2, 3)
        assert pair["why"].strip()
        if pair["offer"] in offers:  # offers may live on another branch until merged
            assert offers[pair["offer"]]["kind"] in ("offer", "multi-role")


def test_every_cv_has_a_fit_and_a_misfit() -> None:
    grades: dict[str, list[int]] = defaultdict(list)
    for pair in PAIRS:
        grades[pair["cv"]].append(pair["grade"])
    assert set(grades) == set(LABELS)
    for cv_id, found in grades.items():
        assert max(found) >= 2, cv_id
        assert min(found) <= 1, cv_id
