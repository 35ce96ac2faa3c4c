from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from ai.offline import vocabulary
from ai.offline.examples import (
    DEFAULT_SKILLS,
    TRADE_SKILLS,
    check_job_title,
    example_cv,
)
from cvdoc.document import normalize_cv

TODAY = date(2026, 3, 1)
OFFER: dict[str, Any] = {
    "title": "Senior Backend Engineer",
    "company": "Payfast",
    "experience": {"min_years": 6, "max_years": None, "level": "senior"},
    "location": {"city": "Berlin", "country": "DE", "remote": "hybrid"},
    "skills": {
        "hard_skills": {"required": ["Python", "Go"], "nice_to_have": ["Rust"]},
        "tools": {"required": ["Kubernetes"], "nice_to_have": []},
        "methodologies": {"required": ["Scrum"], "nice_to_have": []},
        "soft_skills": ["Teamwork"],
    },
    "education": {"level": "Master", "field": "Computer Science"},
    "languages": [{"language": "German", "level": "C1", "requirement": "required"}],
    "responsibilities": [
        "design and build the payment APIs. Work closely with product.",
        "Operate our services on Kubernetes",
        "Mentor junior engineers",
    ],
    "language": "en",
}


def _offer(level: str | None) -> dict[str, Any]:
    return {**OFFER, "experience": {"min_years": None, "max_years": None, "level": level}}


def _years(cv: dict[str, Any]) -> int:
    jobs = cv["experience"]
    return TODAY.year - int(jobs[-1]["start_date"])


@pytest.mark.parametrize(
    ("language", "name", "email", "note"),
    [
        ("en", "Alex Example", "alex.example@example.com", "Example CV"),
        ("fr", "Camille Exemple", "camille.exemple@example.com", "Exemple de CV"),
        ("de", "Alex Beispiel", "alex.beispiel@example.com", "Beispiel-Lebenslauf"),
        ("es", "Alex Ejemplo", "alex.ejemplo@example.com", "CV de ejemplo"),
    ],
)
def test_it_is_clearly_fictional_in_every_language(
    language: str, name: str, email: str, note: str
) -> None:
    cv = example_cv(job_title="Data analyst", offer=None, language=language, today=TODAY)

    assert cv["header"]["full_name"] == name
    assert cv["header"]["contact"]["email"] == email
    assert cv["summary"]["description"].startswith(note)
    assert cv["language"] == language
    assert normalize_cv(cv) == cv


def test_it_builds_a_cv_from_the_offer() -> None:
    cv = example_cv(job_title=None, offer=OFFER, language="en", today=TODAY)

    assert cv["header"]["current_title"] == "Senior Backend Engineer"
    assert cv["header"]["contact"]["location"]["city"] == "Berlin"
    assert cv["skills"]["hard_skills"] == [
        {"name": "Python", "proficiency": 4},
        {"name": "Go", "proficiency": 4},
        {"name": "Rust", "proficiency": 3},
    ]
    assert cv["skills"]["tools"] == [{"name": "Kubernetes", "proficiency": 4}]
    assert cv["skills"]["methodologies"] == ["Scrum"]
    assert cv["skills"]["soft_skills"] == ["Teamwork"]
    assert cv["experience"][0]["responsibilities"] == [
        "Design and build the payment APIs",
        "Operate our services on Kubernetes",
        "Mentor junior engineers",
    ]
    assert cv["experience"][0]["end_date"] == "present"
    assert cv["education"][0]["degree"] == "Master's degree"
    assert cv["education"][0]["field_of_study"] == "Computer Science"
    assert {"name": "German", "level": "C1"} in cv["languages"]


@pytest.mark.parametrize(
    ("level", "low", "high"), [("junior", 1, 3), ("mid", 3, 7), ("senior", 7, 40)]
)
def test_its_experience_follows_the_offer_level(level: str, low: int, high: int) -> None:
    cv = example_cv(job_title=None, offer=_offer(level), language="en", today=TODAY)

    assert low <= _years(cv) <= high
    assert cv["summary"]["description"].count(f"{_years(cv)} years") == 1


def test_it_reads_seniority_from_the_job_title() -> None:
    senior = example_cv(job_title="Lead data engineer", offer=None, language="en", today=TODAY)
    junior = example_cv(job_title="Junior developer", offer=None, language="en", today=TODAY)

    assert _years(senior) >= 7
    assert _years(junior) <= 3


def test_it_gives_a_job_title_the_skills_of_its_trade() -> None:
    cv = example_cv(job_title="Python developer", offer=None, language="fr", today=TODAY)

    hard = [skill["name"] for skill in cv["skills"]["hard_skills"]]
    assert hard[0] == "Python"
    assert "SQL" in hard
    assert "Travail en équipe" in cv["skills"]["soft_skills"]
    assert cv["header"]["current_title"] == "Python developer"


def test_it_writes_a_known_title_in_the_cv_language() -> None:
    cv = example_cv(job_title="data analyst", offer=None, language="es", today=TODAY)

    assert cv["header"]["current_title"] == "Analista de datos"


def test_it_is_the_same_cv_on_the_same_day() -> None:
    first = example_cv(job_title=None, offer=OFFER, language="de", today=TODAY)
    second = example_cv(job_title=None, offer=OFFER, language="de", today=TODAY)

    assert first == second


@pytest.mark.parametrize(
    "title", ["qwerty", "sdfghjkl", "xx", "zzzzzz", "12345", "hjkl", "bcdfg", "asdf engineer", "?!"]
)
def test_it_rejects_a_title_that_is_not_one(title: str) -> None:
    with pytest.raises(ValueError, match="does not look like a job title"):
        example_cv(job_title=title, offer=None, language="en", today=TODAY)


def test_it_rejects_gibberish_in_the_cv_language() -> None:
    with pytest.raises(ValueError, match="ne ressemble pas à un intitulé de poste"):
        check_job_title("wxcvbn", language="fr")


@pytest.mark.parametrize(
    "title",
    [
        "Data analyst",
        "Développeuse Full Stack",
        "Softwareentwicklungsingenieur",
        "Rechtsschutzspezialist",
        "Ingeniero de Datos",
        "SRE",
        "C++ dev",
    ],
)
def test_it_accepts_real_titles(title: str) -> None:
    check_job_title(title)


def test_it_needs_a_title_or_an_offer_and_a_known_language() -> None:
    with pytest.raises(ValueError, match="give a job title or a job offer"):
        example_cv(job_title=None, offer=None, language="en")
    with pytest.raises(ValueError, match="unsupported language 'it'"):
        example_cv(job_title="Data analyst", offer=None, language="it")


def test_every_trade_skill_is_a_vocabulary_skill() -> None:
    names = [name for _, skills in TRADE_SKILLS for name in skills] + list(DEFAULT_SKILLS)

    assert [name for name in names if vocabulary.canonical_skill(name) != name] == []
