from __future__ import annotations

import json
import re
from typing import Any

import pytest

from ai.offline import vocabulary
from ai.offline.glossary import (
    EXTRA_NAMES,
    LANGUAGE_NAMES,
    LEVEL_NAMES,
    SECTION_HEADINGS,
    SKILL_GROUP_HEADINGS,
    SKILL_NAMES,
)
from ai.offline.translate import (
    SKILL,
    UNCHANGED,
    for_language,
    translate_cv,
    translate_level,
    translate_skill,
    translate_title,
    translation_plan,
)
from cvdoc.document import normalize_cv


def _cv() -> dict[str, Any]:
    return normalize_cv(
        {
            "header": {
                "full_name": "Alex Martin",
                "current_title": "Senior Data Engineer",
                "contact": {
                    "email": "alex.martin@example.com",
                    "phone": "+44 20 7946 0958",
                    "location": {"city": "London", "country_code": "GB"},
                    "links": [{"label": "GitHub", "url": "https://github.com/alexmartin"}],
                },
            },
            "summary": {"description": "Data engineer who likes reliable pipelines."},
            "skills": {
                "hard_skills": [{"name": "Python", "proficiency": 5}, {"name": "Data modeling"}],
                "tools": [{"name": "Apache Airflow", "proficiency": 4}, {"name": "dbt"}],
                "soft_skills": ["Teamwork", "Problem solving"],
                "methodologies": ["Scrum", "Continuous improvement"],
            },
            "experience": [
                {
                    "title": "Data Engineer",
                    "company": "Monzo Bank",
                    "start_date": "2021-03",
                    "end_date": "present",
                    "location": {"city": "London"},
                    "description": "Platform team, since Jan 2022 as tech lead.",
                    "responsibilities": ["Moved 120 pipelines to Airflow (2021 – present)"],
                    "skills_used": ["Python", "Apache Airflow", "Teamwork"],
                },
                {
                    "title": "Intern",
                    "company": "Ocado Technology",
                    "start_date": "2019-06",
                    "end_date": "2019-09",
                    "department_or_client": "Volunteering",
                },
            ],
            "education": [
                {
                    "institution": "University of Edinburgh",
                    "degree": "Master's degree",
                    "field_of_study": "Computer Science",
                    "end_date": "2019",
                },
                {"institution": "Lycée Hoche", "degree": "BSc", "field_of_study": "Astrophysics"},
            ],
            "languages": [
                {"name": "English", "level": "Native"},
                {"name": "French", "level": "Fluent (C1)"},
                {"name": "German", "level": "B1"},
                {"name": "Spanish", "level": "Basic, TOEIC 945"},
            ],
            "extras": [
                {"name": "Interests", "summary": "Climbing"},
                {"name": "Award: Best Paper", "summary": "Given in May 2020."},
            ],
            "projects": [
                {
                    "name": "PipeCheck",
                    "summary": "Linter for pipelines",
                    "tech_stack": ["Python"],
                    "url": "https://pipecheck.example.com",
                }
            ],
            "language": "en",
        }
    )


def test_it_keeps_names_contacts_dates_employers_schools_and_technologies() -> None:
    cv = _cv()

    out = translate_cv(cv, "fr")

    assert out["header"]["full_name"] == "Alex Martin"
    assert out["header"]["contact"] == cv["header"]["contact"]
    for before, after in zip(cv["experience"], out["experience"], strict=True):
        for key in ("company", "start_date", "end_date", "location"):
            assert after[key] == before[key]
    assert [e["institution"] for e in out["education"]] == [
        "University of Edinburgh",
        "Lycée Hoche",
    ]
    assert out["skills"]["hard_skills"][0] == {"name": "Python", "proficiency": 5}
    assert out["skills"]["tools"] == cv["skills"]["tools"]
    assert "Scrum" in out["skills"]["methodologies"]
    assert out["projects"] == cv["projects"]


def test_it_translates_the_words_it_knows_into_french() -> None:
    out = translate_cv(_cv(), "fr")

    assert out["language"] == "fr"
    assert out["header"]["current_title"] == "Ingénieur data senior"
    assert [e["title"] for e in out["experience"]] == ["Ingénieur data", "Stagiaire"]
    assert out["experience"][1]["department_or_client"] == "Bénévolat"
    assert out["skills"]["soft_skills"] == ["Travail en équipe", "Résolution de problèmes"]
    assert out["skills"]["methodologies"] == ["Scrum", "Amélioration continue"]
    assert out["skills"]["hard_skills"][1]["name"] == "Modélisation de données"
    assert out["experience"][0]["skills_used"] == ["Python", "Apache Airflow", "Travail en équipe"]
    assert (out["education"][0]["degree"], out["education"][0]["field_of_study"]) == (
        "Master",
        "Informatique",
    )
    assert out["languages"] == [
        {"name": "Anglais", "level": "Langue maternelle"},
        {"name": "Français", "level": "Courant (C1)"},
        {"name": "Allemand", "level": "B1"},
        {"name": "Espagnol", "level": "Basic, TOEIC 945"},
    ]
    assert [extra["name"] for extra in out["extras"]] == [
        "Centres d'intérêt",
        "Distinction : Best Paper",
    ]


def test_it_translates_dates_inside_sentences_only() -> None:
    out = translate_cv(_cv(), "de")

    assert out["experience"][0]["description"] == "Platform team, since Jan. 2022 as tech lead."
    assert out["experience"][0]["responsibilities"] == [
        "Moved 120 pipelines to Airflow (2021 – heute)"
    ]
    assert out["extras"][1]["summary"] == "Given in Mai 2020."


def test_it_keeps_sentences_it_cannot_translate() -> None:
    cv = _cv()

    out = translate_cv(cv, "es")

    assert out["summary"] == cv["summary"]
    assert out["extras"][0]["summary"] == "Climbing"
    assert out["education"][1]["degree"] == "BSc"
    assert out["education"][1]["field_of_study"] == "Astrophysics"


@pytest.mark.parametrize("target", ["en", "fr", "de", "es"])
def test_its_result_is_a_normalised_cv_in_the_target_language(target: str) -> None:
    out = translate_cv(_cv(), target)

    assert normalize_cv(out) == out
    assert out["language"] == target


def test_it_comes_back_to_the_same_words() -> None:
    cv = _cv()

    back = translate_cv(translate_cv(cv, "de"), "en")

    assert back["header"]["current_title"] == "Senior Data Engineer"
    assert back["skills"] == {**cv["skills"]}
    assert back["languages"][:3] == cv["languages"][:3]


def test_it_keeps_the_gender_the_cv_is_written_in() -> None:
    cv = _cv()
    cv["experience"][0]["title"] = "Développeuse Full Stack"
    cv["language"] = "fr"

    out = translate_cv(cv, "es")

    assert [e["title"] for e in out["experience"]] == ["Desarrolladora full stack", "Becaria"]


@pytest.mark.parametrize(
    ("title", "target", "expected"),
    [
        ("Co-Founder & CTO", "fr", "Cofondateur & CTO"),
        ("Research Intern", "de", "Forschungspraktikant"),
        ("Analista de Datos Senior", "en", "Senior Data Analyst"),
        ("Chief Happiness Officer", "fr", "Chief Happiness Officer"),
    ],
)
def test_it_translates_job_titles_from_its_phrasebook(
    title: str, target: str, expected: str
) -> None:
    assert translate_title(title, target) == expected


@pytest.mark.parametrize(
    ("level", "target", "expected"),
    [
        ("Muttersprache", "en", "Native"),
        ("courant (C1)", "es", "Fluido (C1)"),
        ("C2", "fr", "C2"),
        ("native speaker", "de", "Muttersprache"),
        ("fluent in writing", "fr", "fluent in writing"),
    ],
)
def test_it_translates_language_levels(level: str, target: str, expected: str) -> None:
    assert translate_level(level, target) == expected


def test_every_translated_skill_is_still_the_same_skill_for_matching() -> None:
    for canonical, names in SKILL_NAMES.items():
        for name in names:
            assert vocabulary.canonical_skill(name) == canonical, name


def test_every_translated_language_and_level_reads_back() -> None:
    for canonical, names in LANGUAGE_NAMES.items():
        assert {vocabulary.canonical_language(name) for name in names} == {canonical}
    for label, level_names in LEVEL_NAMES.items():
        for name in level_names:
            # vocabulary.fold keeps "ß" (it keeps lengths), so "Fließend" is looked up as
            # the Swiss spelling.
            found = vocabulary.language_level(name.replace("ß", "ss"))
            assert found is not None and found[0] == label, name


def test_it_refuses_an_unknown_language() -> None:
    with pytest.raises(ValueError, match="cannot translate into 'it'"):
        translate_cv(_cv(), "it")


@pytest.mark.parametrize(
    ("target", "degree", "skill", "service", "language", "level"),
    [
        ("fr", "Doctorat", "Gestion de projet", "Service client", "Allemand", "Courant"),
        ("de", "Promotion", "Projektmanagement", "Kundenservice", "Deutsch", "Fließend"),
        ("es", "Doctorado", "Gestión de proyectos", "Atención al cliente", "Alemán", "Fluido"),
        ("en", "PhD", "Project management", "Customer service", "German", "Fluent"),
    ],
)
def test_its_glossaries_translate_degrees_skills_and_languages(
    target: str, degree: str, skill: str, service: str, language: str, level: str
) -> None:
    cv = _cv()
    cv["education"][0]["degree"] = "PhD"
    cv["skills"]["methodologies"] = ["Project management", "Customer service", "Kubernetes"]
    cv["languages"] = [{"name": "German", "level": "Fluent"}]

    out = translate_cv(cv, target)

    assert out["education"][0]["degree"] == degree
    assert out["skills"]["methodologies"] == [skill, service, "Kubernetes"]
    assert out["languages"] == [{"name": language, "level": level}]


@pytest.mark.parametrize("target", ["fr", "de", "es"])
def test_its_heading_glossaries_name_every_section_in_every_language(target: str) -> None:
    for rows in (SECTION_HEADINGS, SKILL_GROUP_HEADINGS, EXTRA_NAMES):
        for row in rows.values():
            assert len(row) == 4 and all(row), row
    assert translate_cv(_cv(), target)["extras"][0]["name"] == for_language(
        EXTRA_NAMES["interests"], target
    )


@pytest.mark.parametrize("target", ["fr", "de", "es"])
def test_it_keeps_every_name_and_number(target: str) -> None:
    cv = _cv()

    out = translate_cv(cv, target)

    def numbers(doc: dict[str, Any]) -> list[str]:
        return sorted(re.findall(r"\d+", json.dumps(doc, ensure_ascii=False)))

    assert numbers(out) == numbers(cv)
    assert out["header"]["full_name"] == "Alex Martin"
    assert [e["company"] for e in out["experience"]] == ["Monzo Bank", "Ocado Technology"]
    assert out["projects"][0]["name"] == "PipeCheck"


def test_the_plan_lists_what_stays_in_the_source_language() -> None:
    plan = translation_plan(_cv(), "fr")

    assert "summary.description" in plan.kept_paths
    assert "experience[0].responsibilities[0]" in plan.kept_paths
    assert "experience[0].description" in plan.kept_paths
    assert plan.kept["bullet"] == 1 and plan.kept["sentence"] >= 3
    assert plan.translated["skill"] == 5  # soft skills, methods and data modeling, not Python
    assert plan.translated["degree"] == 2 and plan.translated["language"] >= 6
    assert plan.count(UNCHANGED, SKILL) >= 4  # Python, Apache Airflow, dbt, Scrum
    assert 0 < plan.coverage < 1
    assert plan.as_dict()["summary_kept"] is True


def test_a_cv_of_prose_is_mostly_untranslated_offline() -> None:
    cv = normalize_cv(
        {
            "header": {"full_name": "Sam Lee", "current_title": "Chief Happiness Officer"},
            "summary": {"description": "I make teams happy and keep customers coming back."},
            "experience": [
                {
                    "title": "Happiness lead",
                    "company": "Acme",
                    "responsibilities": [f"Ran {n} workshops for new staff" for n in range(8)],
                }
            ],
            "language": "en",
        }
    )

    plan = translation_plan(cv, "de")

    assert plan.coverage < 0.5
    assert plan.kept["bullet"] == 8


def test_the_plan_of_a_cv_already_in_the_target_language_is_complete() -> None:
    assert translation_plan(_cv(), "en").coverage == 1.0


def test_a_skill_keeps_the_detail_in_its_brackets() -> None:
    assert translate_skill("Accessibility (WCAG 2.1)", "fr") == "Accessibilité (WCAG 2.1)"
    assert translate_skill("Accessibility", "fr") == "Accessibilité"
