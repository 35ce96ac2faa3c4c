from __future__ import annotations

import copy
import json
import unicodedata
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cvdoc.document import (
    DEFAULT_SECTION_ORDER,
    MAX_LIST_ITEMS,
    MAX_TEXT_CHARS,
    SECTION_NAMES,
    CvDocument,
    CvValidationError,
    clean_line,
    clean_text,
    cv_json_schema,
    cv_plain_text,
    empty_cv,
    normalize_cv,
)

FIXTURES = Path(__file__).resolve().parents[2] / "cvs" / "tests" / "fixtures"
# Keywords OpenAI strict structured outputs accept; anything else (default, format,
# maxLength, pattern, minimum, $ref...) is refused or ignored there.
STRICT_KEYWORDS = {
    "type",
    "description",
    "enum",
    "properties",
    "items",
    "anyOf",
    "required",
    "additionalProperties",
}

ANY_CHARACTER = st.characters(exclude_categories=())  # surrogates included
CONTROL_CHARACTERS = "\x00\x07\r\n\t\x0b\x85\u2028\ud800"


@pytest.fixture
def rich_cv() -> dict[str, Any]:
    return json.loads((FIXTURES / "rich_cv.json").read_text(encoding="utf-8"))


def minimal(**sections: Any) -> dict[str, Any]:
    return {"header": {"full_name": "Jane Doe", "current_title": "Engineer"}, **sections}


def experience(**fields: Any) -> dict[str, Any]:
    return {"title": "Engineer", "company": "Acme", **fields}


def errors_of(data: dict[str, Any]) -> dict[str, str]:
    with pytest.raises(CvValidationError) as caught:
        normalize_cv(data)
    return dict(caught.value.errors)


def test_it_fills_every_section_for_a_blank_cv() -> None:
    cv = empty_cv(full_name="Jane Doe", current_title="Engineer", email="jane@example.com")

    assert list(cv) == [*SECTION_NAMES, "language", "section_order"]
    assert cv["header"] == {
        "full_name": "Jane Doe",
        "current_title": "Engineer",
        "contact": {
            "email": "jane@example.com",
            "phone": "",
            "location": {"city": "", "region": "", "country_code": ""},
            "links": [],
        },
    }
    assert cv["skills"] == {"hard_skills": [], "tools": [], "soft_skills": [], "methodologies": []}
    assert cv["experience"] == cv["extras"] == cv["projects"] == []
    assert cv["language"] == "en"
    assert cv["section_order"] == list(DEFAULT_SECTION_ORDER)


def test_it_keeps_a_normalised_cv_unchanged(rich_cv: dict[str, Any]) -> None:
    assert normalize_cv(rich_cv) == rich_cv
    assert json.dumps(normalize_cv(rich_cv)) == json.dumps(rich_cv)


def test_it_returns_a_typed_document(rich_cv: dict[str, Any]) -> None:
    document = CvDocument.model_validate(rich_cv)

    assert document.experience[0].end_date == "present"
    assert document.skills.tools[0].proficiency == 4


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2020", "2020"),
        (2020, "2020"),
        ("2020-3", "2020-03"),
        ("2020-03-15", "2020-03"),
        (" 2020-11 ", "2020-11"),
        ("present", "present"),
        ("Current", "present"),
        ("now", "present"),
        ("Aujourd’hui", "present"),
        ("aujourd'hui", "present"),
        ("heute", "present"),
        ("Actualidad", "present"),
        ("en cours", "present"),
        ("", ""),
        (None, ""),
    ],
)
def test_it_normalises_end_dates(raw: Any, expected: str) -> None:
    cv = normalize_cv(minimal(experience=[experience(start_date="2019", end_date=raw)]))

    assert cv["experience"][0]["end_date"] == expected


@pytest.mark.parametrize("raw", ["soon", "03/2020", "2020-13", "2020-02-40", "1850", "20201"])
def test_it_refuses_a_malformed_date_naming_the_field(raw: str) -> None:
    entries = [experience(), experience(), experience(start_date=raw)]

    errors = errors_of(minimal(experience=entries))

    assert list(errors) == ["experience[2].start_date"]


def test_it_says_what_a_date_should_look_like() -> None:
    with pytest.raises(CvValidationError) as caught:
        normalize_cv(minimal(education=[{"institution": "MIT", "end_date": "soon"}]))

    assert str(caught.value) == (
        "education[0].end_date: must be YYYY, YYYY-MM or 'present', not 'soon'"
    )


def test_it_refuses_present_as_a_start_date() -> None:
    errors = errors_of(minimal(projects=[{"name": "X", "start_date": "now"}]))

    assert errors == {"projects[0].start_date": "only an end date can be 'present'"}


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (3, 3),
        (7, 5),
        (-2, 0),
        (4.6, 5),
        ("4", 4),
        ("3/5", 3),
        ("2,5", 3),
        ("Expert", 5),
        ("master", 5),
        ("experto", 5),
        ("Experte", 5),
        ("advanced", 4),
        ("Avancé", 4),
        ("confirmé", 4),
        ("Fortgeschritten", 4),
        ("avanzado", 4),
        ("proficient", 3),
        ("intermédiaire", 2),
        ("débutant", 1),
        ("Grundkenntnisse", 1),
        ("awareness", 0),
        (None, None),
        ("", None),
    ],
)
def test_it_reads_proficiency_on_the_0_to_5_scale(raw: Any, expected: int | None) -> None:
    cv = normalize_cv(minimal(skills={"tools": [{"name": "Docker", "proficiency": raw}]}))

    assert cv["skills"]["tools"][0]["proficiency"] == expected


@pytest.mark.parametrize("raw", ["ninja", True, [4], "nan"])
def test_it_refuses_an_unknown_proficiency(raw: Any) -> None:
    errors = errors_of(
        minimal(skills={"hard_skills": ["Go", {"name": "Rust", "proficiency": raw}]})
    )

    assert list(errors) == ["skills.hard_skills[1].proficiency"]


def test_it_coerces_plain_string_skills_and_the_legacy_level() -> None:
    skills = {
        "hard_skills": ["Python", {"name": "SQL", "level_0to5": 9}],
        "tools": ["Git"],
        "frameworks": ["Django"],
        "methodologies_detailed": [{"name": "Scrum"}],
    }

    cv = normalize_cv(minimal(skills=skills))

    assert cv["skills"] == {
        "hard_skills": [{"name": "Python", "proficiency": None}, {"name": "SQL", "proficiency": 5}],
        "tools": [{"name": "Git", "proficiency": None}],
        "soft_skills": [],
        "methodologies": [],
    }


def test_it_drops_legacy_keys_at_every_level() -> None:
    data = minimal(
        meta={"version": 3},
        generated_at="2024-01-01T00:00:00",
        keywords_global=["python"],
        section_titles={"skills": "Compétences"},
        order_hint=2,
        experience=[experience(notes="internal")],
    )
    data["header"]["alias_titles"] = ["Dev"]

    cv = normalize_cv(data)

    assert cv == normalize_cv(minimal(experience=[experience()]))


def test_it_refuses_unknown_keys_naming_the_field() -> None:
    errors = errors_of(minimal(experience=[experience(compagny="Typo Inc")], hobbies=["chess"]))

    assert errors == {
        "experience[0].compagny": "is not a CV field",
        "hobbies": "is not a CV field",
    }


def test_it_treats_null_as_not_given() -> None:
    data = minimal(summary=None, experience=[experience(description=None, location=None)])
    data["header"]["contact"] = {"phone": None, "links": None}

    cv = normalize_cv(data)

    assert cv["summary"] == {"description": ""}
    assert cv["experience"][0]["location"] == {"city": "", "region": "", "country_code": ""}
    assert cv["header"]["contact"]["phone"] == ""


def test_it_strips_control_characters_and_whitespace() -> None:
    data = minimal(
        summary={"description": "  First line\x00\r\nSecond\x07 line\u2028Third   \n\n"},
        experience=[
            experience(
                title="\x1bSenior\tEngineer\n",
                responsibilities=["  Ship \x00it ", "", "   "],
            )
        ],
    )
    data["header"]["full_name"] = "\x00Jane\x0b Doe\ud800 "

    cv = normalize_cv(data)

    assert cv["header"]["full_name"] == "Jane  Doe"
    assert cv["summary"]["description"] == "First line\nSecond line\nThird"
    assert cv["experience"][0]["title"] == "Senior Engineer"
    assert cv["experience"][0]["responsibilities"] == ["Ship it"]


@given(st.text(ANY_CHARACTER | st.sampled_from(CONTROL_CHARACTERS), max_size=300))
def test_cleaning_leaves_no_control_characters_and_is_stable(raw: str) -> None:
    line, text = clean_line(raw), clean_text(raw)

    assert [char for char in line if unicodedata.category(char) in ("Cc", "Cs")] == []
    assert {char for char in text if unicodedata.category(char) in ("Cc", "Cs")} <= {"\t", "\n"}
    assert (clean_line(line), clean_text(text)) == (line, text)


def test_it_requires_the_identifying_fields() -> None:
    data = {
        "header": {"full_name": "  ", "current_title": "Engineer"},
        "experience": [{"title": "Engineer"}],
        "languages": [{"level": "C1"}],
    }

    errors = errors_of(data)

    assert errors == {
        "header.full_name": "must not be empty",
        "experience[0].company": "is required",
        "languages[0].name": "is required",
    }


def test_it_refuses_a_document_that_is_not_an_object() -> None:
    with pytest.raises(CvValidationError) as caught:
        normalize_cv(["not", "a", "cv"])  # type: ignore[arg-type]

    assert caught.value.errors == [("", "a CV must be a JSON object")]


def test_it_limits_text_and_list_lengths() -> None:
    data = minimal(
        summary={"description": "x" * (MAX_TEXT_CHARS + 1)},
        skills={"soft_skills": ["Calm"] * (MAX_LIST_ITEMS + 1)},
    )

    errors = errors_of(data)

    assert errors == {
        "summary.description": f"is too long ({MAX_TEXT_CHARS + 1} characters, at most 5000)",
        "skills.soft_skills": f"has too many items (at most {MAX_LIST_ITEMS})",
    }


def test_it_limits_the_whole_document_size() -> None:
    long_text = "x" * MAX_TEXT_CHARS
    data = minimal(extras=[{"name": f"Extra {i}", "summary": long_text} for i in range(45)])

    errors = errors_of(data)

    assert list(errors) == [""]
    assert errors[""].startswith("the CV is too large")


def test_it_refuses_links_that_could_run_code() -> None:
    data = minimal(projects=[{"name": "X", "url": "javascript:alert(1)"}])
    data["header"]["contact"] = {"links": [{"label": "Me", "url": " JavaScript:alert(1)"}]}

    errors = errors_of(data)

    assert set(errors) == {"header.contact.links[0].url", "projects[0].url"}


def test_it_accepts_ordinary_links() -> None:
    links = [
        {"label": "LinkedIn", "url": "linkedin.com/in/jane"},
        {"label": "Mail", "url": "mailto:jane@example.com"},
    ]
    data = minimal(projects=[{"name": "X", "url": "", "url_label": "  "}])
    data["header"]["contact"] = {"links": links}

    cv = normalize_cv(data)

    assert cv["header"]["contact"]["links"] == links
    assert cv["projects"][0]["url"] is None
    assert cv["projects"][0]["url_label"] is None


def test_it_normalises_the_language() -> None:
    assert normalize_cv(minimal(language=" FR "))["language"] == "fr"
    assert errors_of(minimal(language="it")) == {
        "language": "must be one of 'fr', 'en', 'de' or 'es'"
    }


def test_it_completes_the_section_order() -> None:
    cv = normalize_cv(minimal(section_order=["projects", "Header", "projects"]))

    assert cv["section_order"] == [
        "projects",
        "header",
        "summary",
        "skills",
        "experience",
        "education",
        "languages",
        "extras",
    ]


def test_it_refuses_an_unknown_section() -> None:
    errors = errors_of(minimal(section_order=["header", "hobbies"]))

    assert list(errors) == ["section_order"]
    assert "unknown section 'hobbies'" in errors["section_order"]


def test_it_reports_every_error_and_returns_nothing() -> None:
    data = minimal(
        language="xx",
        experience=[experience(start_date="soon", end_date="later")],
    )

    with pytest.raises(CvValidationError) as caught:
        normalize_cv(data)

    assert [path for path, _ in caught.value.errors] == [
        "experience[0].start_date",
        "experience[0].end_date",
        "language",
    ]
    assert isinstance(caught.value, ValueError)


def walk_schema(node: dict[str, Any], path: str = "$") -> list[tuple[str, dict[str, Any]]]:
    nodes = [(path, node)]
    for name, child in node.get("properties", {}).items():
        nodes += walk_schema(child, f"{path}.{name}")
    if "items" in node:
        nodes += walk_schema(node["items"], f"{path}[]")
    for index, variant in enumerate(node.get("anyOf", [])):
        nodes += walk_schema(variant, f"{path}|{index}")
    return nodes


def test_its_json_schema_follows_openai_strict_rules() -> None:
    schema = cv_json_schema()
    nodes = walk_schema(schema)

    assert schema["type"] == "object"
    for path, node in nodes:
        assert set(node) <= STRICT_KEYWORDS, path
        assert ("type" in node) != ("anyOf" in node), path
        if node.get("type") == "object":
            assert node["additionalProperties"] is False, path
            assert node["required"] == list(node["properties"]), path
    nullable = {path for path, node in nodes if {"type": "null"} in node.get("anyOf", [])}
    assert nullable == {
        "$.skills.hard_skills[].proficiency",
        "$.skills.tools[].proficiency",
        "$.projects[].url",
        "$.projects[].url_label",
    }


def test_its_json_schema_lists_languages_and_sections() -> None:
    properties = cv_json_schema()["properties"]

    assert properties["language"]["enum"] == ["fr", "en", "de", "es"]
    assert properties["section_order"]["items"]["enum"] == list(SECTION_NAMES)


def test_its_json_schema_accepts_normalised_documents(rich_cv: dict[str, Any]) -> None:
    schema = cv_json_schema()

    jsonschema.validate(normalize_cv(rich_cv), schema)
    jsonschema.validate(empty_cv(full_name="Jane", current_title="Engineer"), schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**rich_cv, "notes": "x"}, schema)


def leaf_strings(node: Any) -> list[str]:
    if isinstance(node, dict):
        return [text for value in node.values() for text in leaf_strings(value)]
    if isinstance(node, list):
        return [text for value in node for text in leaf_strings(value)]
    return [node] if isinstance(node, str) and node else []


def test_plain_text_holds_every_fact(rich_cv: dict[str, Any]) -> None:
    facts = copy.deepcopy(rich_cv)
    del facts["language"], facts["section_order"]

    text = cv_plain_text(rich_cv)
    lines = text.split("\n")

    assert [fact for fact in leaf_strings(facts) if fact not in text] == []
    assert "Python (Expert)" in lines
    assert "dbt" in lines
    assert "fr" not in lines


def test_plain_text_follows_the_section_order(rich_cv: dict[str, Any]) -> None:
    text = cv_plain_text(rich_cv)

    assert text.index("Lead data engineer") < text.index("Python (Expert)")
    assert text.index("Watt-Watch") < text.index("INSA Lyon")


def test_plain_text_refuses_an_invalid_cv() -> None:
    with pytest.raises(CvValidationError):
        cv_plain_text({"header": {"full_name": "Jane"}})


def test_its_json_schema_matches_the_recorded_one() -> None:
    # The schema is part of every CV call's contract (and its fingerprint is logged): a change
    # must be deliberate, so re-record cvdoc/tests/fixtures/cv_schema.json when it is.
    recorded = json.loads((Path(__file__).parent / "fixtures" / "cv_schema.json").read_text())

    assert cv_json_schema() == recorded
