"""The evaluation set's job postings keep to eval/FORMAT.md and to what the product asks.

Every posting has its labels and every label its posting; kinds, languages and occupations are
the documented ones; the set covers ten occupations, four languages, multi-role postings and
several kinds of non-offer; and every text that the team did not write has its licence beside it.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
OFFERS = ROOT / "eval" / "offers"
LICENSES = ROOT / "eval" / "LICENSES"
TEAM = "written by the FitMyCV team"
KINDS = {"offer", "multi-role", "non-offer"}
LANGS = {"en", "fr", "de", "es"}
OCCUPATIONS = {
    "healthcare",
    "accounting-finance",
    "hospitality",
    "trades",
    "sales",
    "teaching",
    "logistics",
    "marketing",
    "mechanical-engineering",
    "software",
}
ID = re.compile(r"^(en|fr|de|es)-[a-z0-9]+(-[a-z0-9]+)*$")


@pytest.fixture(scope="module")
def labels() -> dict[str, dict]:
    return json.loads((OFFERS / "labels.json").read_text(encoding="utf-8"))


def test_every_text_has_labels_and_every_label_a_text(labels):
    texts = {p.stem for p in OFFERS.glob("*.txt")}
    assert texts == set(labels)


def test_ids_are_lower_case_ascii_prefixed_by_their_language(labels):
    for key, item in labels.items():
        assert ID.match(key), key
        assert key.split("-", 1)[0] == item["lang"], key


def test_texts_are_utf8_and_not_empty():
    for path in OFFERS.glob("*.txt"):
        assert len(path.read_text(encoding="utf-8").strip()) > 200, path.name


def test_each_label_has_the_documented_fields(labels):
    for key, item in labels.items():
        assert item["kind"] in KINDS, key
        assert item["lang"] in LANGS, key
        occupation = item.get("occupation")
        assert occupation is None or occupation in OCCUPATIONS, key
        assert isinstance(item["skills"], list), key
        assert isinstance(item["labelled"], bool), key
        assert item["source"] and item["licence"], key
        if item["kind"] == "non-offer":
            assert item.get("non_offer"), key
            assert item["title"] is None and item["company"] is None and item["skills"] == [], key
        else:
            assert item["title"], key
            assert occupation in OCCUPATIONS, key
            assert item["company"] is None or item["company"].strip(), key
        if item["kind"] == "multi-role":
            roles = item["roles"]
            assert len(roles) >= 2, key
            assert all(role["title"] and isinstance(role["skills"], list) for role in roles), key


def test_coverage_the_product_asks_for(labels):
    offers = [i for i in labels.values() if i["kind"] != "non-offer"]
    per_occupation = Counter(i["occupation"] for i in offers)
    assert set(per_occupation) >= OCCUPATIONS
    assert min(per_occupation[o] for o in OCCUPATIONS) >= 6, per_occupation
    assert {i["lang"] for i in offers} == LANGS
    per_lang = Counter(i["lang"] for i in offers)
    assert per_lang["de"] >= 6 and per_lang["es"] >= 6, per_lang
    assert sum(1 for i in labels.values() if i["labelled"] and i["kind"] != "non-offer") >= 50
    assert sum(1 for i in labels.values() if i["kind"] == "multi-role") >= 4
    assert len({i["non_offer"] for i in labels.values() if i["kind"] == "non-offer"}) >= 4


def test_every_outside_source_has_its_licence_beside_it(labels):
    licence_texts = " ".join(p.read_text(encoding="utf-8") for p in LICENSES.glob("*.txt"))
    for key, item in labels.items():
        if item["source"] == TEAM:
            continue
        repository = re.match(r"^(?:github:)?([\w.-]+/[\w.-]+)", item["source"])
        assert repository, key
        assert repository.group(1).split("@")[0] in licence_texts, key
