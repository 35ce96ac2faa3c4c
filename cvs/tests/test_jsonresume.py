from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from cvdoc.document import PROFICIENCY_LABELS, CvValidationError, normalize_cv, parse_proficiency
from cvs.jsonresume import from_json_resume, to_json_resume

FIXTURES = Path(__file__).parent / "fixtures"
DATE_KEYS = {"startDate", "endDate", "date", "releaseDate"}


def load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


@pytest.fixture
def sample() -> dict[str, Any]:
    return load("jsonresume/sample.resume.json")


@pytest.fixture
def schema() -> dict[str, Any]:
    return load("jsonresume/schema.json")


@pytest.fixture
def rich_cv() -> dict[str, Any]:
    return load("rich_cv.json")


def facts(node: Any, key: str = "") -> set[str]:
    """Every non-empty leaf string, dates at month precision and levels on the 0-5 scale."""
    if isinstance(node, dict):
        return {fact for k, value in node.items() for fact in facts(value, k)}
    if isinstance(node, list):
        return {fact for value in node for fact in facts(value, key)}
    if not isinstance(node, str) or not node.strip():
        return set()
    if key in DATE_KEYS:
        return {node[:7]}
    if key == "level":
        return {PROFICIENCY_LABELS[parse_proficiency(node)]}
    return {node.strip()}


def test_it_keeps_every_fact_of_the_sample(sample: dict[str, Any], schema: dict[str, Any]) -> None:
    resume = to_json_resume(from_json_resume(sample))

    jsonschema.validate(resume, schema)
    described = {key: value for key, value in sample.items() if key not in ("$schema", "meta")}
    assert facts(described) - facts(resume) == set()


def test_it_puts_the_sample_facts_where_they_belong(sample: dict[str, Any]) -> None:
    cv = from_json_resume(sample)

    assert cv["header"]["current_title"] == "Programmer"
    assert cv["header"]["contact"]["location"] == {
        "city": "San Francisco",
        "region": "California",
        "country_code": "US",
    }
    assert cv["header"]["contact"]["links"][1] == {
        "label": "Twitter: neutralthoughts",
        "url": "https://www.twitter.com",
    }
    work, volunteer = cv["experience"]
    assert (work["title"], work["company"], work["start_date"]) == (
        "CEO/President",
        "Pied Piper",
        "2013-12",
    )
    assert work["location"] == {"city": "Palo Alto", "region": "CA", "country_code": ""}
    assert work["description"].endswith(
        "\nAbout: Awesome compression company\nURL: http://piedpiper.example.com"
    )
    assert work["responsibilities"][1] == "Successfully won Techcrunch Disrupt"
    assert volunteer["department_or_client"] == "Volunteering"
    assert cv["education"][0]["degree"] == "Bachelor"
    assert cv["skills"]["hard_skills"][:2] == [
        {"name": "Web Development", "proficiency": 5},
        {"name": "HTML", "proficiency": None},
    ]
    assert cv["languages"] == [{"name": "English", "level": "Native speaker"}]
    assert [extra["name"] for extra in cv["extras"]] == [
        "Address",
        "Education: University of Oklahoma",
        "Award: Digital Compression Pioneer Award",
        "Publication: Video compression for 3d media",
        "Interest: Wildlife",
        "Reference: Erlich Bachman",
    ]
    assert cv["projects"][0]["role"] == "Team lead, Designer"
    assert cv["projects"][0]["tech_stack"] == ["GoogleMaps", "Chrome Extension", "Javascript"]


def test_a_sample_import_survives_an_export(sample: dict[str, Any]) -> None:
    cv = from_json_resume(sample)

    assert from_json_resume(to_json_resume(cv)) == cv


def test_it_keeps_every_fact_of_a_rich_cv(rich_cv: dict[str, Any], schema: dict[str, Any]) -> None:
    resume = to_json_resume(rich_cv)

    jsonschema.validate(resume, schema)
    assert from_json_resume(resume) == normalize_cv(rich_cv)


def test_it_exports_cv_only_fields_as_extra_properties(rich_cv: dict[str, Any]) -> None:
    resume = to_json_resume(rich_cv)

    assert resume["basics"]["url"] == "https://camille.example.fr"
    assert resume["basics"]["image"] == "https://camille.example.fr/photo.jpg"
    assert resume["basics"]["location"]["postalCode"] == "69002"
    assert resume["work"][0]["department"] == "Direction des données"
    assert "endDate" not in resume["work"][0]  # ongoing
    assert resume["volunteer"][0]["organization"] == "Les Codeuses"
    assert resume["education"][0]["score"] == "16,2/20"
    assert resume["skills"][3] == {
        "name": "Apache Airflow",
        "level": "Advanced",
        "category": "tools",
    }
    assert resume["certificates"] == [
        {
            "name": "AWS Certified Data Engineer",
            "summary": "Date: printemps 2024",
            "issuer": "Amazon Web Services",
        }
    ]
    assert resume["extras"] == [
        {"name": "Permis B"},
        {"name": "Disponibilité", "summary": "Préavis de 3 mois, mobile en Europe"},
    ]
    assert resume["meta"]["fitmycv"]["language"] == "fr"


def test_it_reads_a_missing_end_date_as_ongoing() -> None:
    doc = {
        "basics": {"name": "Jane Doe", "label": "Engineer"},
        "work": [
            {"name": "Acme", "position": "Engineer", "startDate": "2020-01"},
            {"name": "Initech", "position": "Intern"},
        ],
    }

    cv = from_json_resume(doc)

    assert [e["end_date"] for e in cv["experience"]] == ["present", ""]


def test_it_falls_back_to_the_first_position_for_the_title() -> None:
    doc = {"basics": {"name": "Jane Doe"}, "work": [{"name": "Acme", "position": "Engineer"}]}

    assert from_json_resume(doc)["header"]["current_title"] == "Engineer"


def test_it_imports_unknown_skill_levels_without_proficiency() -> None:
    doc = {
        "basics": {"name": "Jane", "label": "Dev"},
        "skills": [{"name": "Go", "level": "3 years"}],
    }

    assert from_json_resume(doc)["skills"]["hard_skills"] == [{"name": "Go", "proficiency": None}]


def test_it_uses_the_language_asked_for() -> None:
    doc = {"basics": {"name": "Jane", "label": "Dev"}}

    assert from_json_resume(doc)["language"] == "en"
    assert from_json_resume(doc, language="de")["language"] == "de"


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"work": "Pied Piper"}, [("work", "should be a list")]),
        ({"basics": ["Richard"]}, [("basics", "should be an object")]),
        (
            {"education": [{"institution": "OU", "startDate": "June 2011"}]},
            [("education[0].startDate", "should be a date like 2014, 2014-06 or 2014-06-29")],
        ),
        (
            {"work": [{"name": "Pied Piper"}]},
            [("work[0].position", "is required to import this entry")],
        ),
    ],
)
def test_it_refuses_invalid_json_resume(
    sample: dict[str, Any], change: dict[str, Any], expected: list[tuple[str, str]]
) -> None:
    doc = {**copy.deepcopy(sample), **change}

    with pytest.raises(CvValidationError) as caught:
        from_json_resume(doc)

    assert caught.value.errors == expected


def test_it_says_which_name_is_missing() -> None:
    with pytest.raises(CvValidationError) as caught:
        from_json_resume({"basics": {"email": "jane@example.com"}})

    assert str(caught.value) == (
        "basics.label: is required (or a work entry with a position); basics.name: is required"
    )


def test_it_refuses_a_document_that_is_not_an_object() -> None:
    with pytest.raises(CvValidationError):
        from_json_resume("{}")  # type: ignore[arg-type]


def test_it_refuses_an_invalid_cv_on_export(rich_cv: dict[str, Any]) -> None:
    rich_cv["experience"][0]["start_date"] = "soon"

    with pytest.raises(CvValidationError) as caught:
        to_json_resume(rich_cv)

    assert [path for path, _ in caught.value.errors] == ["experience[0].start_date"]


def test_it_keeps_extras_it_cannot_place_in_json_resume() -> None:
    extras = [
        {"name": "Address", "summary": ""},
        {"name": "Profile", "summary": ""},
        {"name": "Education: Nowhere University", "summary": "Score: 3"},
        {"name": "Award:  Spaced", "summary": "Date: 2020"},
        {"name": "Interest: Chess", "summary": "Blitz,  bullet"},
        {"name": "Certificate: CKA", "summary": "Date: 2020-13-45"},
        {"name": "Address", "summary": "1 rue de la Paix\nPostal code: 75002"},
        {"name": "Address", "summary": "2 rue de la Paix"},
    ]
    cv = normalize_cv({"header": {"full_name": "Jane", "current_title": "Dev"}, "extras": extras})

    resume = to_json_resume(cv)

    assert resume["basics"]["location"] == {"address": "1 rue de la Paix", "postalCode": "75002"}
    assert resume["certificates"] == [{"name": "CKA", "summary": "Date: 2020-13-45"}]
    restored = from_json_resume(resume)["extras"]
    assert sorted(restored, key=str) == sorted(extras, key=str)
