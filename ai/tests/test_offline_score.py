from __future__ import annotations

import copy
import json
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from ai.offline.extract import extract_job_offer
from ai.offline.score import score_match, weighted_total
from ai.scoring import language_gaps

FIXTURES = Path(__file__).parent / "fixtures"
TODAY = date(2025, 6, 1)
DATA_PATH = re.compile(r"\w\[\d+\]|\b(?:experience|skills|extras|projects)\.\w")


def load_cv(name: str) -> dict[str, Any]:
    cv: dict[str, Any] = json.loads(
        (FIXTURES / "cvs" / f"{name}.cv.json").read_text(encoding="utf-8")
    )
    return cv


def load_offer(name: str) -> dict[str, Any]:
    return extract_job_offer((FIXTURES / "jobs" / f"{name}.txt").read_text(encoding="utf-8"))


def offer_with(**fields: Any) -> dict[str, Any]:
    offer: dict[str, Any] = {
        "title": "Backend Engineer",
        "experience": {"min_years": None, "max_years": None, "level": None},
        "skills": {
            "hard_skills": {"required": [], "nice_to_have": []},
            "tools": {"required": [], "nice_to_have": []},
            "methodologies": {"required": [], "nice_to_have": []},
            "soft_skills": [],
        },
        "education": {"level": None, "field": None},
        "languages": [],
        "responsibilities": [],
    }
    offer.update(fields)
    return offer


def cv_with(**fields: Any) -> dict[str, Any]:
    cv: dict[str, Any] = {
        "header": {"full_name": "Sam Doe", "current_title": "Backend Engineer"},
        "skills": {"hard_skills": [], "tools": [], "soft_skills": [], "methodologies": []},
        "experience": [],
        "education": [],
        "languages": [],
        "language": "en",
    }
    cv.update(fields)
    return cv


def cv_strings(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [s for item in value.values() for s in cv_strings(item)]
    if isinstance(value, list):
        return [s for item in value for s in cv_strings(item)]
    return [value] if isinstance(value, str) else []


@pytest.mark.parametrize(
    ("breakdown", "total"),
    [
        ({"technical_skills": 100, "experience": 100, "education": 100,
          "soft_skills_languages": 100}, 100),
        ({"technical_skills": 80, "experience": 60, "education": 50,
          "soft_skills_languages": 40}, 62),
        # 10.5 rounds up like the product always did; Python's round() would give 10.
        ({"technical_skills": 30, "experience": 0, "education": 0,
          "soft_skills_languages": 0}, 11),
        # None is "not asked": no weight, the others renormalised (3500 + 1800) / 85.
        ({"technical_skills": 250, "experience": -40, "education": "90",
          "soft_skills_languages": None}, 62),
        ({"technical_skills": 80, "experience": 60, "education": None,
          "soft_skills_languages": None}, 71),
        # Degree and soft skills lift a total at most 20 points above skills and experience.
        ({"technical_skills": 10, "experience": 10, "education": 100,
          "soft_skills_languages": 100}, 30),
        ({"technical_skills": "high", "experience": True, "education": float("nan")}, 0),
    ],
)  # fmt: skip
def test_it_weighs_the_asked_criteria_with_fixed_weights(
    breakdown: dict[str, Any], total: int
) -> None:
    assert weighted_total(breakdown) == total


def test_it_recomputes_the_total_from_the_breakdown() -> None:
    cv, offer = load_cv("backend-engineer"), load_offer("backend-eng")
    result = score_match(cv, offer, today=TODAY)

    gap = bool(language_gaps(cv, offer))
    assert result["match_score"] == weighted_total(result["score_breakdown"], language_gap=gap)
    assert all(v is None or 0 <= v <= 100 for v in result["score_breakdown"].values())


def test_it_ranks_the_fitting_cv_and_offer_first() -> None:
    backend_cv, sample_cv = load_cv("backend-engineer"), load_cv("sample-resume")
    backend, product = load_offer("backend-eng"), load_offer("product-manager")

    fit = score_match(backend_cv, backend, today=TODAY)["match_score"]
    assert fit > score_match(backend_cv, product, today=TODAY)["match_score"]
    assert fit > score_match(sample_cv, backend, today=TODAY)["match_score"] + 20


def test_it_matches_skills_through_synonyms_and_implications() -> None:
    result = score_match(load_cv("backend-engineer"), load_offer("backend-eng"), today=TODAY)

    assert {"Python", "PostgreSQL", "Amazon RDS", "CI/CD", "Containerization"} <= set(
        result["matching_skills"]
    )
    assert {"Apache Kafka", "Kubernetes", "Datadog"} <= set(result["missing_skills"])
    assert not set(result["matching_skills"]) & set(result["missing_skills"])


def test_its_evidence_quotes_the_cv_in_its_own_words() -> None:
    cv = load_cv("backend-engineer")
    result = score_match(cv, load_offer("backend-eng"), today=TODAY)
    texts = cv_strings(cv)
    quoted = 0
    for item in result["evidence"]:
        assert item["met"] or item["kind"] == "experience" or not item["cv_evidence"]
        for quote in item["cv_evidence"]:
            assert set(quote) == {"quote", "section", "source"}
            assert not DATA_PATH.search(quote["quote"]), quote
            assert any(quote["quote"].strip("…") in text for text in texts), quote
            quoted += 1
    assert quoted >= 20
    rds = next(item for item in result["evidence"] if item["requirement"] == "Amazon RDS")
    company = cv["experience"][1]["company"]
    assert rds["cv_evidence"] == [
        {"quote": "Migrated the PostgreSQL database to Amazon RDS", "section": "experience",
         "source": company}
    ]  # fmt: skip


def test_it_matches_offer_skills_outside_the_vocabulary_by_their_words() -> None:
    offer = offer_with(
        skills={
            **offer_with()["skills"],
            "tools": {"required": ["Ansys Fluent"], "nice_to_have": []},
        }
    )
    cv = cv_with(
        experience=[{"title": "Engineer", "company": "Aero", "start_date": "2020",
                     "end_date": "2022", "responsibilities": ["Ran CFD studies in Ansys Fluent"]}]
    )  # fmt: skip

    result = score_match(cv, offer, today=TODAY)

    assert result["matching_skills"] == ["Ansys Fluent"]
    assert result["evidence"][0]["cv_evidence"] == [
        {"quote": "Ran CFD studies in Ansys Fluent", "section": "experience", "source": "Aero"}
    ]


def test_it_counts_years_from_experience_dates() -> None:
    offer = offer_with(experience={"min_years": 10, "max_years": None, "level": "senior"})
    short = cv_with(
        experience=[{"title": "Backend Engineer", "company": "A", "start_date": "2023-06",
                     "end_date": "present"}]
    )  # fmt: skip
    long = cv_with(
        experience=[
            {"title": "Backend Engineer", "company": "A", "start_date": "2016-06",
             "end_date": "present"},
            {"title": "Backend Engineer", "company": "B", "start_date": "2017-01",
             "end_date": "2019-01"},
        ]
    )  # fmt: skip

    # 25 months of a 10-year target in the same job: 0.4 x 20.8 + 0.6 x 100 (closest job).
    short_result = score_match(short, offer, today=TODAY)
    assert short_result["score_breakdown"]["experience"] == 68
    assert short_result["evidence"][-1]["kind"] == "experience"
    assert not short_result["evidence"][-1]["met"]
    # Overlapping jobs count once: 109 months, not 133 (which would reach the target).
    assert score_match(long, offer, today=TODAY)["score_breakdown"]["experience"] == 96


def test_it_compares_degree_levels_and_fields() -> None:
    master = cv_with(
        education=[
            {
                "institution": "Uni",
                "degree": "MSc",
                "field_of_study": "Computer Science",
                "end_date": "2015",
            }
        ]
    )
    bachelor = cv_with(
        education=[
            {
                "institution": "Uni",
                "degree": "Licence",
                "field_of_study": "Informatique",
                "end_date": "2015",
            }
        ]
    )
    wants_master = offer_with(education={"level": "Master", "field": "Informatik"})
    wants_bachelor = offer_with(education={"level": "Bachelor", "field": None})  # fmt: skip

    assert score_match(master, wants_master, today=TODAY)["score_breakdown"]["education"] == 100
    assert score_match(master, wants_bachelor, today=TODAY)["score_breakdown"]["education"] == 100
    below = score_match(bachelor, wants_master, today=TODAY)
    assert below["score_breakdown"]["education"] == 65
    assert below["suggestions"][0]["title"] == "Show the degree the offer asks for"


def test_it_never_suggests_improving_a_native_or_c2_language() -> None:
    offer = offer_with(
        languages=[{"language": "English", "level": "Native", "requirement": "required"}]
    )
    for level in ("C2", "Native speaker", "Bilingual"):
        cv = cv_with(languages=[{"name": "English", "level": level}])
        assert score_match(cv, offer, today=TODAY)["suggestions"] == []


def test_it_suggests_stating_a_language_level_below_the_offer() -> None:
    offer = offer_with(
        languages=[{"language": "Spanish", "level": "C1", "requirement": "required"}]
    )
    cv = cv_with(languages=[{"name": "Espagnol", "level": "B1"}], language="fr")

    (suggestion,) = score_match(cv, offer, today=TODAY)["suggestions"]

    assert suggestion["title"] == "Précisez votre niveau en espagnol"
    assert "Votre CV indique B1." in suggestion["suggestion"]


def test_it_suggests_only_real_gaps_and_never_claims_a_skill() -> None:
    offer = offer_with(
        skills={
            **offer_with()["skills"],
            "hard_skills": {"required": ["Python"], "nice_to_have": []},
            "tools": {"required": ["Kafka", "Kubernetes"], "nice_to_have": []},
        }
    )
    cv = cv_with(skills={"hard_skills": [{"name": "Python", "proficiency": 4}], "tools": []})

    result = score_match(cv, offer, today=TODAY)

    assert result["missing_skills"] == ["Kafka", "Kubernetes"]
    first = result["suggestions"][0]
    assert "Kafka, Kubernetes" in first["suggestion"] and "Python" not in first["suggestion"]
    assert "really used" in first["suggestion"]
    assert first["priority"] == "high"


def test_its_suggestions_follow_the_contract() -> None:
    for job in ("backend-eng", "product-manager", "fr-fullstack", "de-data-engineer"):
        for cv_name in ("backend-engineer", "sample-resume"):
            result = score_match(load_cv(cv_name), load_offer(job), today=TODAY)
            assert len(result["suggestions"]) <= 3
            impacts = []
            for suggestion in result["suggestions"]:
                assert set(suggestion) == {"title", "suggestion", "priority", "impact"}
                assert 3 <= len(suggestion["title"].split()) <= 8
                assert suggestion["priority"] in ("high", "medium", "low")
                assert re.fullmatch(r"\+[1-9]\d* points", suggestion["impact"])
                impacts.append(int(suggestion["impact"][1:].split()[0]))
            assert impacts == sorted(impacts, reverse=True)


def test_its_impact_is_the_score_gained_by_closing_the_gap() -> None:
    offer = offer_with(
        skills={**offer_with()["skills"], "tools": {"required": ["Docker", "Kafka"],
                                                    "nice_to_have": []}}
    )  # fmt: skip
    cv = cv_with(skills={"hard_skills": [], "tools": [{"name": "Docker", "proficiency": 3}]})
    fixed = cv_with(
        skills={"hard_skills": [], "tools": [{"name": "Docker", "proficiency": 3},
                                             {"name": "Kafka", "proficiency": 3}]}
    )  # fmt: skip

    before = score_match(cv, offer, today=TODAY)
    after = score_match(fixed, offer, today=TODAY)

    gained = after["match_score"] - before["match_score"]
    assert before["suggestions"][0]["impact"] == f"+{gained} points"


def test_it_gives_the_same_answer_every_time() -> None:
    cv, offer = load_cv("backend-engineer"), load_offer("de-data-engineer")
    first = score_match(cv, offer, today=TODAY)

    assert score_match(copy.deepcopy(cv), copy.deepcopy(offer), today=TODAY) == first
    assert first["matching_skills"] == sorted(first["matching_skills"], key=str.casefold)


@pytest.mark.parametrize(
    ("cv", "offer"),
    [
        ({}, {}),
        ({"header": None, "skills": "Python", "experience": [None, {"title": "Dev"}]},
         {"skills": None, "languages": [None], "experience": {"min_years": "5"}}),
        (cv_with(languages=[{"name": "Klingon", "level": "fluent"}]),
         offer_with(languages=[{"language": "Klingon", "level": "C1"}])),
    ],
)  # fmt: skip
def test_it_scores_partial_documents_without_failing(
    cv: dict[str, Any], offer: dict[str, Any]
) -> None:
    result = score_match(cv, offer, today=TODAY)

    assert 0 <= result["match_score"] <= 100
    gap = bool(language_gaps(cv, offer))
    assert result["match_score"] == weighted_total(result["score_breakdown"], language_gap=gap)


DEVELOPER = cv_with(
    header={"full_name": "Sam Doe", "current_title": "Full-Stack Developer"},
    summary={"description": "Full-stack developer building web applications."},
    skills={"hard_skills": [{"name": n, "proficiency": 4} for n in
                            ("JavaScript", "TypeScript", "React", "Node.js", "CSS", "PostgreSQL")],
            "tools": [{"name": "Git", "proficiency": 4}], "soft_skills": [
                {"name": "Communication", "proficiency": 4}], "methodologies": []},
    experience=[
        {"title": "Full-Stack Developer", "company": "Webshop", "start_date": "2019-01",
         "end_date": "present", "responsibilities": [
             "Built the checkout front end in React and TypeScript",
             "Wrote the order API in Node.js on PostgreSQL"]},
    ],
    education=[{"institution": "Uni", "degree": "BSc", "field_of_study": "Computer Science"}],
    languages=[{"name": "English", "level": "Native"}],
)  # fmt: skip
NURSE_OFFER = offer_with(
    title="Registered Nurse",
    skills={**offer_with()["skills"],
            "hard_skills": {"required": ["Patient care", "Medication administration",
                                         "Wound care"], "nice_to_have": []},
            "soft_skills": ["Communication", "Empathy"]},
    education={"level": "Bachelor", "field": "Nursing"},
    languages=[{"language": "English", "level": "C1", "requirement": "required"}],
    responsibilities=["Assess patients and plan their care on a surgical ward",
                      "Administer medication and dress wounds"],
)  # fmt: skip
FRONTEND_OFFER = offer_with(
    title="Frontend Developer",
    skills={**offer_with()["skills"],
            "hard_skills": {"required": ["JavaScript", "React", "TypeScript", "CSS"],
                            "nice_to_have": ["Next.js"]}},
    responsibilities=["Build the web shop's user interface in React"],
)  # fmt: skip


def test_a_developer_scores_low_for_a_nurse_offer_and_high_for_a_frontend_one() -> None:
    nurse = score_match(DEVELOPER, NURSE_OFFER, today=TODAY)
    frontend = score_match(DEVELOPER, FRONTEND_OFFER, today=TODAY)

    assert nurse["match_score"] < 35
    assert frontend["match_score"] >= 75
    # Soft skills and languages he has do not make him a nurse.
    assert nurse["score_breakdown"]["soft_skills_languages"] >= 50


def test_criteria_the_offer_does_not_state_carry_no_weight() -> None:
    result = score_match(DEVELOPER, FRONTEND_OFFER, today=TODAY)
    breakdown = result["score_breakdown"]

    assert breakdown["education"] is None and breakdown["soft_skills_languages"] is None
    asked = 35 * breakdown["technical_skills"] + 30 * breakdown["experience"]
    assert result["match_score"] == round(asked / 65)
    # A CV without any degree loses nothing when the offer asks for none.
    no_degree = score_match({**DEVELOPER, "education": []}, FRONTEND_OFFER, today=TODAY)
    assert no_degree["match_score"] == result["match_score"]


def test_experience_counts_roles_by_what_they_did() -> None:
    offer = offer_with(
        title="Backend Engineer",
        experience={"min_years": 3, "max_years": None, "level": None},
        skills={**offer_with()["skills"],
                "hard_skills": {"required": ["Go", "REST APIs", "PostgreSQL"],
                                "nice_to_have": []}},
        responsibilities=["Design and run the APIs behind our payment platform"],
    )  # fmt: skip
    builder = {"title": "Owner", "company": "Acme", "start_date": "2019-01", "end_date": "2024-01",
               "responsibilities": ["Built the payments API in Go on PostgreSQL",
                                    "Hired and led a team of six engineers"]}  # fmt: skip
    seller = {**builder, "responsibilities": ["Ran the sales team and signed 40 accounts"]}

    relevant = score_match(cv_with(header={}, experience=[builder]), offer, today=TODAY)
    unrelated = score_match(cv_with(header={}, experience=[seller]), offer, today=TODAY)

    assert relevant["score_breakdown"]["experience"] >= 80
    assert unrelated["score_breakdown"]["experience"] <= 20
    (years,) = [e for e in relevant["evidence"] if e["kind"] == "experience"]
    assert years["met"]
    assert years["cv_evidence"][0] == {
        "quote": "Built the payments API in Go on PostgreSQL", "section": "experience",
        "source": "Acme",
    }  # fmt: skip


FRENCH_NURSE = cv_with(
    header={"full_name": "Léa Martin", "current_title": "Infirmière diplômée d'État"},
    skills={"hard_skills": [{"name": n, "proficiency": 4} for n in
                            ("Soins infirmiers", "Pansements", "Perfusions")],
            "tools": [], "soft_skills": [], "methodologies": []},
    experience=[{"title": "Infirmière", "company": "Clinique du Parc", "start_date": "2018-01",
                 "end_date": "present", "responsibilities": ["Soins infirmiers en chirurgie"]}],
    languages=[{"name": "Français", "level": "Langue maternelle"},
               {"name": "Anglais", "level": "B1"}],
    language="fr",
)  # fmt: skip
GERMAN_NURSE_OFFER = offer_with(
    title="Krankenpfleger (m/w/d)",
    skills={**offer_with()["skills"],
            "hard_skills": {"required": ["Soins infirmiers"], "nice_to_have": []}},
    responsibilities=["Pflege der Patienten auf der Station"],
    language="de",
)  # fmt: skip


def test_an_offer_asks_for_its_own_language_when_the_cv_lacks_it() -> None:
    without = score_match(FRENCH_NURSE, GERMAN_NURSE_OFFER, today=TODAY)
    german = [*FRENCH_NURSE["languages"], {"name": "Deutsch", "level": "C1"}]
    with_german = score_match({**FRENCH_NURSE, "languages": german}, GERMAN_NURSE_OFFER,
                              today=TODAY)  # fmt: skip

    # A blocking gap: the total is capped, the language is listed as asked and not met.
    assert without["match_score"] <= 45 < with_german["match_score"]
    (gap,) = [e for e in without["evidence"] if e["kind"] == "language"]
    assert gap["requirement"] == "German" and gap["required"] and not gap["met"]
    assert without["score_breakdown"]["soft_skills_languages"] < 50
    # A CV that knows the language is not asked about it again.
    assert not [e for e in with_german["evidence"] if e["kind"] == "language"]
    assert with_german["score_breakdown"]["soft_skills_languages"] is None


def test_the_cv_s_own_language_counts_as_known() -> None:
    french_offer = {**GERMAN_NURSE_OFFER, "title": "Infirmier / Infirmière", "language": "fr"}
    result = score_match(FRENCH_NURSE, french_offer, today=TODAY)

    assert not language_gaps(FRENCH_NURSE, french_offer)
    assert result["score_breakdown"]["soft_skills_languages"] is None
    # Listed English at B1 is below working command for an English offer: a gap.
    assert language_gaps(FRENCH_NURSE, {**french_offer, "language": "en"}) == ["English"]


def test_a_required_language_named_by_the_offer_caps_the_total() -> None:
    german = {"language": "German", "level": "C1", "requirement": "required"}
    offer = {**FRONTEND_OFFER, "languages": [german]}
    result = score_match(DEVELOPER, offer, today=TODAY)
    nice = {**offer, "languages": [{**offer["languages"][0], "requirement": "nice_to_have"}]}

    assert result["match_score"] <= 45
    assert score_match(DEVELOPER, nice, today=TODAY)["match_score"] > 45
    (suggestion,) = [s for s in result["suggestions"] if "German" in s["title"]]
    assert suggestion["priority"] == "high"


@pytest.mark.parametrize(
    ("cv_title", "offer_title"),
    [
        ("Maschinenbauingenieur – Entwicklung", "Mechanical Design Engineer"),
        ("Comptable générale", "Management Accountant"),
        ("Infirmière diplômée d'État", "Registered Nurse"),
        ("Cocinero – Jefe de partida", "Koch/Köchin"),
        ("Chef de rang", "Camarero/a de sala"),
    ],
)
def test_job_titles_match_across_languages(cv_title: str, offer_title: str) -> None:
    job = {"title": cv_title, "company": "X", "start_date": "2018-01", "end_date": "present"}
    cv = cv_with(header={"current_title": cv_title}, experience=[job])
    other = cv_with(header={"current_title": "Warehouse Operative"},
                    experience=[{**job, "title": "Warehouse Operative"}])  # fmt: skip
    offer = offer_with(title=offer_title)

    assert score_match(cv, offer, today=TODAY)["score_breakdown"]["experience"] == 100
    assert score_match(other, offer, today=TODAY)["score_breakdown"]["experience"] <= 20


def test_a_posting_for_several_roles_is_scored_for_the_best_one() -> None:
    roles = [
        {"title": "Registered Nurse", "skills": ["Patient care", "Wound care"]},
        {"title": "Frontend Developer", "skills": ["JavaScript", "React", "TypeScript"]},
    ]
    posting = {**NURSE_OFFER, "title": "Multiple positions", "roles": roles}

    result = score_match(DEVELOPER, posting, today=TODAY)
    frontend_only = score_match(DEVELOPER, {**posting, "roles": roles[1:]}, today=TODAY)
    nurse_only = score_match(DEVELOPER, {**posting, "roles": roles[:1]}, today=TODAY)

    assert result == frontend_only
    assert nurse_only["match_score"] < 35 < 70 <= result["match_score"]
    assert "React" in result["matching_skills"]


def test_a_job_of_another_occupation_is_not_relevant_by_shared_words() -> None:
    duties = ["Assess patients on the ward and plan their care"]
    offer = offer_with(title="Registered Nurse", responsibilities=duties)
    line = "Visited ward managers to assess patients' care needs and plan supplies"
    job = {"title": "Medical Sales Representative", "company": "X", "start_date": "2018-01",
           "end_date": "present", "responsibilities": [line]}  # fmt: skip
    result = score_match(cv_with(header={}, experience=[job]), offer, today=TODAY)

    assert result["score_breakdown"]["experience"] <= 20


@pytest.mark.parametrize(
    "debris",
    [
        "Skip to content  Careers  Teacher training  Sign in",
        "Home › Jobs › Schools › Teacher",
        "Se connecter | Espace enseignant | Professeur",
    ],
)
def test_page_navigation_read_as_a_title_names_no_job(debris: str) -> None:
    job = {"title": "Teacher of English", "company": "X", "start_date": "2018-01",
           "end_date": "present", "responsibilities": ["Taught English to Year 10"]}  # fmt: skip
    teacher = cv_with(header={"current_title": "English Teacher"}, experience=[job])

    clean = score_match(teacher, offer_with(title="Teacher of English"), today=TODAY)
    navigation = score_match(teacher, offer_with(title=debris), today=TODAY)

    assert clean["score_breakdown"]["experience"] == 100
    assert navigation["score_breakdown"]["experience"] <= 20


def test_an_offer_naming_one_skill_does_not_decide_on_it_alone() -> None:
    job = {"title": "Mechanical Design Engineer", "company": "X", "start_date": "2015-01",
           "end_date": "present", "responsibilities": ["Designed gearboxes in NX"]}  # fmt: skip
    engineer = cv_with(header={"current_title": "Mechanical Design Engineer"}, experience=[job])
    one_tool = skills_of(["SolidWorks"])
    many_tools = skills_of(["SolidWorks", "ANSYS", "GD&T", "FEA", "AutoCAD"])

    one = score_match(engineer, offer_with(title="Mechanical Design Engineer", skills=one_tool),
                      today=TODAY)  # fmt: skip
    many = score_match(engineer, offer_with(title="Mechanical Design Engineer", skills=many_tools),
                       today=TODAY)  # fmt: skip

    # One tool missing of one named: the skills score leans on the experience that fits.
    assert one["score_breakdown"]["technical_skills"] >= 50
    assert many["score_breakdown"]["technical_skills"] == 0
    assert one["match_score"] >= 65 > many["match_score"]


def skills_of(names: list[str]) -> dict[str, Any]:
    return {**offer_with()["skills"], "tools": {"required": names, "nice_to_have": []}}


def test_a_neighbouring_occupation_scores_between_the_same_one_and_another() -> None:
    def scored(cv_title: str) -> int:
        job = {"title": cv_title, "company": "X", "start_date": "2016-01", "end_date": "present"}
        cv = cv_with(header={"current_title": cv_title}, experience=[job])
        offer = offer_with(title="Care Assistant – Nights")
        return int(score_match(cv, offer, today=TODAY)["score_breakdown"]["experience"])

    same, neighbour, other = scored("Support Worker"), scored("Staff Nurse"), scored("Welder")

    assert other <= 20 < neighbour < 80 <= same


def test_a_job_of_another_occupation_is_not_relevant_by_shared_tools() -> None:
    tools = {
        **offer_with()["skills"],
        "tools": {"required": ["Salesforce", "Excel", "HubSpot", "Gong"], "nice_to_have": []},
    }
    offer = offer_with(title="Account Executive", skills=tools)
    lines = ["Built the revenue forecast in Excel from Salesforce, HubSpot and Gong data"]
    analyst = {"title": "Financial Analyst", "company": "X", "start_date": "2018-01",
               "end_date": "present", "responsibilities": lines}  # fmt: skip
    seller = {**analyst, "title": "Sales Executive"}

    other = score_match(cv_with(header={}, experience=[analyst]), offer, today=TODAY)
    same = score_match(cv_with(header={}, experience=[seller]), offer, today=TODAY)

    assert other["score_breakdown"]["experience"] <= 20
    assert same["score_breakdown"]["experience"] == 100
    # The tools themselves still count as skills.
    assert other["score_breakdown"]["technical_skills"] == 100


def test_a_chief_technology_officer_is_of_the_software_occupation() -> None:
    job = {"title": "Co-founder & CTO", "company": "X", "start_date": "2019-01",
           "end_date": "present", "responsibilities": ["Hired the team"]}  # fmt: skip
    cto = cv_with(header={"current_title": "Co-founder & CTO"}, experience=[job])

    backend = score_match(cto, offer_with(title="Backend Developer"), today=TODAY)
    nurse = score_match(cto, offer_with(title="Staff Nurse"), today=TODAY)

    assert backend["score_breakdown"]["experience"] == 100
    assert nurse["score_breakdown"]["experience"] <= 20


def _skills(hard: list[str], tools: list[str] | None = None) -> dict[str, Any]:
    return {
        "hard_skills": {"required": hard, "nice_to_have": []},
        "tools": {"required": tools or [], "nice_to_have": []},
        "methodologies": {"required": [], "nice_to_have": []},
        "soft_skills": ["Communication", "Teamwork"],
    }


def test_transferable_competencies_are_no_technical_fit() -> None:
    offer = offer_with(
        title="Platform Engineer",
        skills=_skills(["Customer service", "Training and development"], ["Terraform", "Go"]),
    )
    cashier = cv_with(
        header={"full_name": "Ana Ruiz", "current_title": "Store Cashier"},
        skills={
            "hard_skills": ["Customer service", "Training and development"],
            "tools": [], "methodologies": [], "soft_skills": ["Communication", "Teamwork"],
        },
    )  # fmt: skip

    result = score_match(cashier, offer, today=TODAY)

    assert result["score_breakdown"]["technical_skills"] == 0
    assert result["match_score"] < 20


def test_a_transferable_competency_the_job_is_about_stays_technical() -> None:
    offer = offer_with(title="Customer Service Advisor", skills=_skills(["Customer service"]))
    advisor = cv_with(
        header={"full_name": "Ana Ruiz", "current_title": "Customer Service Advisor"},
        skills={"hard_skills": ["Customer service"], "tools": [], "methodologies": [],
                "soft_skills": []},
    )  # fmt: skip

    breakdown = score_match(advisor, offer, today=TODAY)["score_breakdown"]

    # Met, it lifts the skills above the experience they lean on (one skill says little).
    assert breakdown["technical_skills"] > breakdown["experience"]


def test_shared_words_do_not_make_another_trade_the_offers_work() -> None:
    offer = offer_with(
        title="Integration Specialist",
        responsibilities=[
            "Assess complex partner needs, manage their practice and document every decision",
            "Lead the planning, scheduling and review of each patient-facing release",
            "Coordinate escalations and train colleagues on safety procedures",
        ],
    )
    nurse = cv_with(
        header={"full_name": "Jo Lee", "current_title": "Staff Nurse"},
        experience=[{
            "title": "Staff Nurse", "company": "City Hospital", "start_date": "2018-01",
            "end_date": "present",
            "responsibilities": ["Assess complex patient needs, manage care and document decisions",
                        "Lead the planning and scheduling of each shift, review practice",
                        "Coordinate escalations and train colleagues on safety procedures"],
        }],
    )  # fmt: skip

    assert score_match(nurse, offer, today=TODAY)["score_breakdown"]["experience"] < 50
