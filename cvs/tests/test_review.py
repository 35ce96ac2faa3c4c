from __future__ import annotations

import copy

import pytest

from cvs.review import UnknownPath, init_review, parse_path, revert_change, review_progress

SOURCE = {
    "skills": {
        "hard_skills": [
            {"name": "Python", "proficiency": 5},
            {"name": "Cobol", "proficiency": 2},
            {"name": "SQL", "proficiency": 4},
        ]
    },
    "experience": [
        {"title": "Engineer", "company": "Acme", "responsibilities": ["Ran ops", "Wrote APIs"]},
        {"title": "Intern", "company": "Oldco", "responsibilities": []},
    ],
    "summary": {"description": "Original summary."},
}


def _tailored() -> dict:
    cv = copy.deepcopy(SOURCE)
    cv["skills"]["hard_skills"] = [SOURCE["skills"]["hard_skills"][i] for i in (2, 0)]
    cv["experience"] = [copy.deepcopy(SOURCE["experience"][0])]
    cv["experience"][0]["responsibilities"] = ["Wrote APIs", "Ran ops"]
    cv["summary"]["description"] = "Tailored summary."
    return cv


SKILLS = SOURCE["skills"]["hard_skills"]


def _change(path: str, change_type: str, before: object, after: object) -> dict:
    return {"path": path, "change_type": change_type, "before": before, "after": after}


CHANGES = [
    _change("skills.hard_skills[1]", "removed", SKILLS[1], None),
    _change("skills.hard_skills", "reordered", ["Python", "SQL"], ["SQL", "Python"]),
    _change("experience[1]", "removed", SOURCE["experience"][1], None),
    _change(
        "experience[0].responsibilities",
        "reordered",
        ["Ran ops", "Wrote APIs"],
        ["Wrote APIs", "Ran ops"],
    ),
    _change("summary.description", "modified", "Original summary.", "Tailored summary."),
]


def test_paths_parse_into_keys_and_indexes():
    assert parse_path("experience[2].responsibilities[0]") == [
        "experience",
        2,
        "responsibilities",
        0,
    ]


def test_init_review_gives_ids_and_pending_status():
    changes = init_review(CHANGES)
    assert len({c["id"] for c in changes}) == len(CHANGES)
    assert {c["status"] for c in changes} == {"pending"}


def test_rejecting_a_modification_restores_only_that_field():
    cv = revert_change(_tailored(), CHANGES[4])
    assert cv["summary"]["description"] == "Original summary."
    assert cv["experience"][0]["responsibilities"] == ["Wrote APIs", "Ran ops"]  # untouched


def test_rejecting_a_removal_puts_the_item_back_where_it_was():
    cv = revert_change(_tailored(), CHANGES[2])
    assert [e["company"] for e in cv["experience"]] == ["Acme", "Oldco"]
    cv = revert_change(cv, CHANGES[0])
    assert "Cobol" in [s["name"] for s in cv["skills"]["hard_skills"]]


def test_rejecting_a_reorder_of_named_items_restores_the_order():
    cv = revert_change(_tailored(), CHANGES[1])
    assert [s["name"] for s in cv["skills"]["hard_skills"]] == ["Python", "SQL"]
    assert cv["skills"]["hard_skills"][0] == {"name": "Python", "proficiency": 5}


def test_rejecting_every_change_gives_back_the_source():
    cv = _tailored()
    for change in CHANGES:
        cv = revert_change(cv, change)
    assert cv == SOURCE


def test_a_change_whose_place_is_gone_raises():
    with pytest.raises(UnknownPath):
        revert_change({"experience": []}, CHANGES[3])


def test_progress_counts_reviewed_changes():
    changes = init_review(CHANGES)
    changes[0]["status"] = "accepted"
    changes[1]["status"] = "rejected"
    assert review_progress(changes) == {"total": 5, "reviewed": 2, "pending": 3, "percent": 40}


def test_rejecting_in_the_other_order_also_gives_back_the_source():
    cv = _tailored()
    for change in reversed(CHANGES):
        cv = revert_change(cv, change)
    assert cv == SOURCE


def test_rejecting_an_addition_finds_the_item_that_moved():
    cv = {"skills": {"tools": [{"name": "Git"}, {"name": "Kubernetes"}]}}
    added = _change("skills.tools[0]", "added", None, {"name": "Kubernetes"})
    assert revert_change(cv, added) == {"skills": {"tools": [{"name": "Git"}]}}
    with pytest.raises(UnknownPath):
        revert_change({"skills": {"tools": [{"name": "Git"}]}}, added)
