from __future__ import annotations

import copy
from typing import Any

import pytest

from ai.offline.improve import improve_cv
from cvdoc.document import normalize_cv

OFFER: dict[str, Any] = {
    "title": "Backend engineer",
    "skills": {
        "hard_skills": {"required": ["Python", "Go"], "nice_to_have": ["Zig"]},
        "tools": {"required": ["Kubernetes", "Frobnicator"], "nice_to_have": []},
        "methodologies": {"required": ["Scrum"], "nice_to_have": []},
        "soft_skills": ["Teamwork"],
    },
    "responsibilities": ["Build APIs"],
    "language": "en",
}
SUGGESTIONS = [
    {
        "title": "Show the required skills",
        "suggestion": "Add Kubernetes and Frobnicator if you have used them.",
        "priority": "high",
        "impact": "+8 points",
    }
]


def _cv(language: str = "en") -> dict[str, Any]:
    return normalize_cv(
        {
            "header": {"full_name": "Sam Lee", "current_title": "Backend developer"},
            "skills": {"hard_skills": [{"name": "Python", "proficiency": 4}]},
            "experience": [
                {
                    "title": "Backend developer",
                    "company": "Acme Logistics",
                    "start_date": "2021",
                    "end_date": "present",
                    "responsibilities": ["Built the shipment tracking API in Python"],
                    "skills_used": ["Python", "PostgreSQL"],
                },
                {
                    "title": "Web developer",
                    "company": "Pixel Studio",
                    "start_date": "2018",
                    "end_date": "2020",
                    "responsibilities": ["Built marketing websites with React"],
                    "skills_used": ["React"],
                },
            ],
            "language": language,
        }
    )


def _improve(cv: dict[str, Any], **kwargs: Any) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    arguments: dict[str, Any] = {"suggestions": [], "user_context": "", "add_skills": []}
    arguments.update(kwargs)
    return improve_cv(cv, OFFER, **arguments)


def test_it_adds_each_chosen_skill_in_its_category() -> None:
    cv, changes = _improve(
        _cv(),
        add_skills=[
            {"skill": "Kubernetes", "level": 3},
            {"skill": "Scrum", "level": 4},
            {"skill": "Teamwork", "level": 2},
            {"skill": "Go", "level": 1},
        ],
    )

    assert cv["skills"]["tools"] == [{"name": "Kubernetes", "proficiency": 3}]
    assert cv["skills"]["methodologies"] == ["Scrum"]
    assert cv["skills"]["soft_skills"] == ["Teamwork"]
    assert cv["skills"]["hard_skills"][1] == {"name": "Go", "proficiency": 1}
    assert [c["path"] for c in changes] == [
        "skills.tools[0]",
        "skills.methodologies[0]",
        "skills.soft_skills[0]",
        "skills.hard_skills[1]",
    ]
    assert changes[0] == {
        "section": "skills",
        "path": "skills.tools[0]",
        "change_type": "added",
        "before": None,
        "after": {"name": "Kubernetes", "proficiency": 3},
        "reason": "Added at your request.",
    }


def test_it_puts_a_skill_the_vocabulary_does_not_know_where_the_offer_lists_it() -> None:
    cv, _ = _improve(_cv(), add_skills=[{"skill": "Frobnicator", "level": 2}])

    assert cv["skills"]["tools"] == [{"name": "Frobnicator", "proficiency": 2}]


@pytest.mark.parametrize(("level", "expected"), [(9, 5), (-3, 0), ("4", 4), ("lots", None)])
def test_it_clamps_the_level(level: Any, expected: int | None) -> None:
    cv, _ = _improve(_cv(), add_skills=[{"skill": "Zig", "level": level}])

    assert cv["skills"]["hard_skills"][-1] == {"name": "Zig", "proficiency": expected}


def test_it_skips_a_skill_already_in_the_cv() -> None:
    cv = _cv()

    result, changes = _improve(cv, add_skills=[{"skill": "python3", "level": 5}])

    assert changes == []
    assert result is cv


def test_it_names_the_suggestion_a_skill_answers() -> None:
    _, changes = _improve(
        _cv(), suggestions=SUGGESTIONS, add_skills=[{"skill": "Kubernetes", "level": 3}]
    )

    assert changes[0]["reason"] == (
        "Added at your request, for the suggestion “Show the required skills”."
    )


def test_it_adds_the_note_to_the_experience_it_talks_about() -> None:
    note = "I also ran the tracking API on Kubernetes and wrote its Python SDK."

    cv, changes = _improve(_cv(), user_context=note)

    assert cv["experience"][0]["responsibilities"][-1] == note
    assert cv["experience"][1] == _cv()["experience"][1]
    assert changes == [
        {
            "section": "experience",
            "path": "experience[0].responsibilities[1]",
            "change_type": "added",
            "before": None,
            "after": note,
            "reason": "Your note, added to this experience (it mentions Python, tracking).",
        }
    ]


def test_it_finds_the_experience_by_its_employer() -> None:
    note = "At Pixel Studio I mentored two junior developers."

    cv, changes = _improve(_cv(), user_context=note)

    assert cv["experience"][1]["responsibilities"][-1] == note
    assert changes[0]["path"] == "experience[1].responsibilities[1]"


def test_it_keeps_a_note_that_matches_nothing_as_additional_information() -> None:
    note = "Available from September, happy to relocate to Lisbon."

    cv, changes = _improve(_cv("fr"), user_context=note)

    assert cv["extras"] == [{"name": "Informations complémentaires", "summary": note}]
    assert changes[0]["path"] == "extras[0]"
    assert changes[0]["reason"].startswith("Votre note, ajoutée en informations")


def test_it_adds_a_second_note_to_the_same_extra() -> None:
    first, _ = _improve(_cv(), user_context="Available from September.")

    second, changes = _improve(first, user_context="Driving licence B.")

    assert second["extras"] == [
        {
            "name": "Additional information",
            "summary": "Available from September.\nDriving licence B.",
        }
    ]
    assert changes[0]["change_type"] == "modified"
    assert changes[0]["before"] == "Available from September."


def test_it_changes_nothing_without_input_and_returns_the_same_cv() -> None:
    cv = _cv()
    before = copy.deepcopy(cv)

    result, changes = _improve(cv, suggestions=SUGGESTIONS, user_context="   ")

    assert changes == []
    assert result is cv
    assert cv == before


def test_it_does_not_add_the_same_note_twice() -> None:
    note = "I also ran the tracking API on Kubernetes and wrote its Python SDK."
    once, _ = _improve(_cv(), user_context=note)

    twice, changes = _improve(once, user_context=note)

    assert changes == []
    assert twice is once


def test_it_refuses_a_note_over_500_characters() -> None:
    with pytest.raises(ValueError, match="at most 500"):
        _improve(_cv(), user_context="word " * 120)


def test_its_result_is_a_normalised_cv() -> None:
    cv, _ = _improve(
        _cv(), user_context="Led the Python API work.", add_skills=[{"skill": "Go", "level": 2}]
    )

    assert normalize_cv(cv) == cv


def test_it_gives_the_fields_the_gateway_reads() -> None:
    result = improve_cv(
        _cv(), OFFER, suggestions=[], user_context="", add_skills=[{"skill": "Go", "level": 1}]
    )

    assert result.cv["skills"]["hard_skills"][-1]["name"] == "Go"
    assert len(result.changes) == 1
