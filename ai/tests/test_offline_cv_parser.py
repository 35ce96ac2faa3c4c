from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ai.offline.cv_parser import CvParseError, detect_language, parse_cv_text
from core.pdftext import extract_pdf_text
from cvdoc.document import normalize_cv

PDFS = Path(__file__).parents[2] / "cvs" / "tests" / "fixtures" / "pdfs"
TEXTS = Path(__file__).parent / "fixtures" / "cv_texts"
THEMES = ("Classic", "Moderncv", "Sb2nov")
# Values the parser derives rather than copies: normalised dates, the ISO country code of a
# country name and the detected language.
DERIVED_KEYS = {"start_date", "end_date", "country_code", "language", "section_order"}
# Read by hand from the three RenderCV PDFs (the same CV in three themes).
JOHN_DOE_EXPERIENCE = [
    ("Co-Founder & CTO", "Nexus AI", "2023-06", "present", "San Francisco"),
    ("Research Intern", "NVIDIA Research", "2022-05", "2022-08", "Santa Clara"),
    ("Research Intern", "Google DeepMind", "2021-05", "2021-08", "London"),
    ("Research Intern", "Apple ML Research", "2020-05", "2020-08", "Cupertino"),
    ("Research Intern", "Microsoft Research", "2019-05", "2019-08", "Redmond"),
]
JOHN_DOE_EDUCATION = [
    ("Princeton University", "PhD", "Computer Science", "2018-09", "2023-05"),
    ("Boğaziçi University", "BS", "Computer Engineering", "2014-09", "2018-06"),
]
JOHN_DOE_RESPONSIBILITIES = [
    "Built foundation model infrastructure serving 2M+ monthly API requests with 99.97% uptime",
    "Raised $18M Series A led by Sequoia Capital, with participation from a16z and Founders Fund",
    "Scaled engineering team from 3 to 28 across ML research, platform, and applied AI divisions",
    "Developed proprietary inference optimization reducing latency by 73% compared to baseline",
]


def _squashed(text: str) -> str:
    # PDF text breaks lines and hyphenates words ("submis-\nsions") and icons are private-use
    # glyphs: compare without any of them.
    return re.sub(r"[\s\-‐\ue000-\uf8ff]+", "", text.replace("’", "'").casefold())


def _values(node: Any, key: str = "") -> list[tuple[str, str]]:
    if isinstance(node, dict):
        return [pair for k, value in node.items() for pair in _values(value, k)]
    if isinstance(node, list):
        return [pair for value in node for pair in _values(value, key)]
    return [(key, node)] if isinstance(node, str) and node else []


def _invented(cv: dict[str, Any], source: str) -> list[str]:
    """Every string of the CV that is not in the source text (line by line)."""
    haystack = _squashed(source)
    return [
        line
        for key, value in _values(cv)
        if key not in DERIVED_KEYS
        for line in value.split("\n")
        if _squashed(line) not in haystack
    ]


@pytest.fixture(scope="module", params=THEMES)
def john_doe(request: pytest.FixtureRequest) -> tuple[dict[str, Any], str]:
    pdf = extract_pdf_text((PDFS / f"John_Doe_{request.param}Theme_CV.pdf").read_bytes())
    source = pdf.text + "\n" + "\n".join(pdf.links)
    return parse_cv_text(pdf.text, links=pdf.links), source


def _text(name: str) -> str:
    return (TEXTS / f"{name}.txt").read_text(encoding="utf-8")


def test_it_reads_the_header_of_real_pdfs(john_doe: tuple[dict[str, Any], str]) -> None:
    cv, _ = john_doe
    header = cv["header"]

    assert header["full_name"] == "John Doe"
    assert header["contact"]["email"] == "john.doe@email.com"
    assert header["contact"]["location"]["city"] == "San Francisco"
    assert header["contact"]["location"]["region"] == "CA"
    urls = [link["url"] for link in header["contact"]["links"]]
    assert "https://linkedin.com/in/rendercv" in urls
    assert "https://github.com/rendercv" in urls
    # No title line in this CV: the current position names it.
    assert header["current_title"] == "Co-Founder & CTO"


def test_it_reads_every_experience_of_real_pdfs(john_doe: tuple[dict[str, Any], str]) -> None:
    cv, _ = john_doe

    found = [
        (e["title"], e["company"], e["start_date"], e["end_date"], e["location"]["city"])
        for e in cv["experience"]
    ]

    assert found == JOHN_DOE_EXPERIENCE
    assert cv["experience"][0]["responsibilities"] == JOHN_DOE_RESPONSIBILITIES
    assert [len(e["responsibilities"]) for e in cv["experience"]] == [4, 2, 5, 2, 2]


def test_it_reads_the_schools_of_real_pdfs(john_doe: tuple[dict[str, Any], str]) -> None:
    cv, _ = john_doe

    found = [
        (e["institution"], e["degree"], e["field_of_study"], e["start_date"], e["end_date"])
        for e in cv["education"]
    ]

    assert found == JOHN_DOE_EDUCATION
    thesis = next(extra for extra in cv["extras"] if extra["name"] == "Princeton University")
    assert thesis["summary"].startswith("Thesis: Efficient Neural Architecture Search")


def test_it_reads_projects_skills_and_other_sections_of_real_pdfs(
    john_doe: tuple[dict[str, Any], str],
) -> None:
    cv, _ = john_doe

    projects = [(p["name"], p["start_date"], p["end_date"]) for p in cv["projects"]]
    assert projects == [("FlashInfer", "2023-01", "present"), ("NeuralPrune", "2021-01", "")]
    hard = [skill["name"] for skill in cv["skills"]["hard_skills"]]
    tools = [skill["name"] for skill in cv["skills"]["tools"]]
    assert {"PyTorch", "TensorFlow", "JAX"} <= set(hard)
    assert {"Kubernetes", "AWS", "GCP"} <= set(tools)
    extras = [extra["name"] for extra in cv["extras"]]
    assert {"Publications", "Selected Honors", "Patents", "Invited Talks"} <= set(extras)
    assert cv["summary"]["description"].startswith("RenderCV reads a CV written in a YAML file")
    assert cv["language"] == "en"


def test_it_invents_nothing_from_real_pdfs(john_doe: tuple[dict[str, Any], str]) -> None:
    cv, source = john_doe

    assert _invented(cv, source) == []


def test_its_output_is_a_normalised_cv(john_doe: tuple[dict[str, Any], str]) -> None:
    cv, _ = john_doe

    assert normalize_cv(cv) == cv


def test_it_reads_a_french_cv() -> None:
    cv = parse_cv_text(_text("fr"))

    assert cv["language"] == "fr"
    assert cv["header"]["full_name"] == "Camille Martin"
    assert cv["header"]["current_title"] == "Développeuse Full Stack"
    assert cv["header"]["contact"]["phone"] == "+33 6 12 34 56 78"
    assert cv["header"]["contact"]["location"] == {
        "city": "Lyon",
        "region": "",
        "country_code": "FR",
    }
    found = [(e["title"], e["company"], e["start_date"], e["end_date"]) for e in cv["experience"]]
    assert found == [
        ("Développeuse Full Stack", "Société Générale", "2020-09", "present"),
        ("Développeuse Web", "Capgemini", "2018-09", "2020-08"),
        ("Stage", "Orange", "2018-02", "2018-06"),
    ]
    assert [(e["institution"], e["degree"], e["field_of_study"]) for e in cv["education"]] == [
        ("Université Claude Bernard Lyon 1", "Master", "Informatique"),
        ("Université Grenoble Alpes", "Licence", "Mathématiques"),
    ]
    assert cv["languages"] == [
        {"name": "Français", "level": "langue maternelle"},
        {"name": "Anglais", "level": "courant (C1)"},
        {"name": "Espagnol", "level": "notions"},
    ]
    assert cv["skills"]["methodologies"] == ["Scrum", "Kanban"]
    assert cv["skills"]["soft_skills"] == ["rigueur", "esprit d'équipe"]
    assert [s["name"] for s in cv["skills"]["tools"]] == ["Docker", "Git", "Jenkins"]
    assert cv["extras"][0]["name"] == "CENTRES D'INTÉRÊT"
    assert cv["summary"]["description"].endswith("pour la banque et les télécoms.")


def test_it_reads_a_german_cv() -> None:
    cv = parse_cv_text(_text("de"))

    assert cv["language"] == "de"
    assert cv["header"]["full_name"] == "Jonas Becker"
    assert cv["header"]["current_title"] == "Senior Backend-Entwickler"
    assert cv["header"]["contact"]["email"] == "jonas.becker@example.de"
    assert cv["header"]["contact"]["phone"] == "+49 170 1234567"
    assert cv["header"]["contact"]["location"]["city"] == "Berlin"
    found = [
        (e["title"], e["company"], e["start_date"], e["end_date"], e["location"]["city"])
        for e in cv["experience"]
    ]
    assert found == [
        ("Senior Backend-Entwickler", "Zalando SE", "2019-03", "present", "Berlin"),
        ("Softwareentwickler", "SAP SE", "2016-01", "2019-02", "Walldorf"),
        ("Mentor", "CodeDoor e.V.", "2022", "present", ""),
    ]
    assert cv["education"][0]["institution"] == "Technische Universität München"
    assert cv["education"][0]["degree"] == "Bachelor of Science"
    assert cv["education"][0]["field_of_study"] == "Informatik"
    assert [(s["name"], s["proficiency"]) for s in cv["skills"]["hard_skills"]] == [
        ("Java", 5),
        ("Kotlin", 4),
        ("Python", 1),
    ]
    assert cv["languages"][0] == {"name": "Deutsch", "level": "Muttersprache"}
    assert cv["extras"][0]["name"] == "Zertifizierungen"


def test_it_reads_a_spanish_cv() -> None:
    cv = parse_cv_text(_text("es"))

    assert cv["language"] == "es"
    assert cv["header"]["full_name"] == "LUCÍA FERNÁNDEZ GARCÍA"
    assert cv["header"]["current_title"] == "Analista de Datos"
    assert cv["header"]["contact"]["location"]["country_code"] == "ES"
    found = [(e["title"], e["company"], e["start_date"], e["end_date"]) for e in cv["experience"]]
    assert found == [
        ("Analista de Datos Senior", "BBVA", "2021-01", "present"),
        ("Analista de Datos", "Telefónica", "2018-03", "2020-12"),
    ]
    assert [(e["institution"], e["degree"], e["field_of_study"]) for e in cv["education"]] == [
        ("Universidad Politécnica de Madrid", "Máster", "Ciencia de Datos"),
        ("Universidad Complutense de Madrid", "Grado", "Economía"),
    ]
    assert {"name": "Inglés", "level": "B2"} in cv["languages"]
    assert "Power BI" in [s["name"] for s in cv["skills"]["tools"]]


@pytest.mark.parametrize("name", ["fr", "de", "es"])
def test_it_invents_nothing_from_written_cvs(name: str) -> None:
    text = _text(name)

    assert _invented(parse_cv_text(text), text) == []


@pytest.mark.parametrize(
    ("line", "start", "end"),
    [
        ("Jan 2020 – present", "2020-01", "present"),
        ("2018 - 2020", "2018", "2020"),
        ("09/2019 – 06/2021", "2019-09", "2021-06"),
        ("Sept. 2018 – Juin 2020", "2018-09", "2020-06"),
        ("seit 2020", "2020", "present"),
        ("März 2017 bis Dezember 2019", "2017-03", "2019-12"),
        ("desde enero de 2021", "2021-01", "present"),
        ("2015-03 – 2016-11", "2015-03", "2016-11"),
    ],
)
def test_it_reads_date_ranges_in_four_languages(line: str, start: str, end: str) -> None:
    text = f"Alex Roe\nEngineer\n\nExperience\nEngineer, Acme Corp\n{line}\n• Built things"

    experience = parse_cv_text(text)["experience"]

    assert [(e["start_date"], e["end_date"]) for e in experience] == [(start, end)]


def test_it_splits_title_and_employer_written_on_one_line() -> None:
    text = (
        "Jane Smith\nProduct Manager\n\nWork Experience\n"
        "Senior Product Manager at Stripe, Dublin, Ireland (Jan 2019 - Present)\n"
        "* Led the billing roadmap across 4 teams\n"
        "Product Manager at Atlassian — Sydney, Australia (2015 - 2018)\n"
        "* Owned onboarding\n"
    )

    experience = parse_cv_text(text)["experience"]

    assert [(e["title"], e["company"], e["location"]["city"]) for e in experience] == [
        ("Senior Product Manager", "Stripe", "Dublin"),
        ("Product Manager", "Atlassian", "Sydney"),
    ]


def test_it_keeps_an_entry_it_cannot_split_as_an_extra() -> None:
    text = "Alex Roe\nEngineer\n\nExperience\nSomewhere\n2019 - 2020\n• Did things"

    cv = parse_cv_text(text)

    assert cv["experience"] == []
    assert cv["extras"] == [{"name": "Experience", "summary": "Somewhere\nDid things"}]


def test_it_asks_for_a_name_when_there_is_none() -> None:
    with pytest.raises(CvParseError, match="could not find your name"):
        parse_cv_text("12345\n67890")


def test_it_asks_for_a_title_when_there_is_neither_title_nor_experience() -> None:
    with pytest.raises(CvParseError, match="job title"):
        parse_cv_text("John Doe\n")


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Expérience professionnelle chez Orange et des projets pour la banque", "fr"),
        ("Berufserfahrung bei der Bank und Kenntnisse mit Java", "de"),
        ("Experiencia en el sector de la banca con los equipos de datos", "es"),
        ("Experience at the bank with the data teams", "en"),
        ("Python Django Docker", "en"),
    ],
)
def test_it_detects_the_language_of_the_cv(text: str, language: str) -> None:
    assert detect_language(text) == language


def test_it_reads_a_title_written_on_the_name_line() -> None:
    cv = parse_cv_text(
        "Jane Roe | Data engineer | jane@example.com | +33 6 12 34 56 78\n\nSkills\nPython"
    )

    assert cv["header"]["full_name"] == "Jane Roe"
    assert cv["header"]["current_title"] == "Data engineer"
    assert cv["header"]["contact"]["email"] == "jane@example.com"
    assert cv["header"]["contact"]["phone"] == "+33 6 12 34 56 78"


@pytest.mark.parametrize("name", ["fr", "de", "es"])
def test_it_reads_the_same_cv_when_every_line_ends_with_a_space(name: str) -> None:
    text = _text(name)
    # Some PDF writers leave a space after every line, not only after wrapped ones.
    spaced = "\n".join(line + " " for line in text.split("\n"))

    assert parse_cv_text(spaced) == parse_cv_text(text)


LINES = [line for name in ("fr", "de", "es") for line in _text(name).split("\n")]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(LINES), max_size=40))
def test_it_invents_nothing_whatever_the_order_of_lines(picked: list[str]) -> None:
    text = "\n".join(picked)
    try:
        cv = parse_cv_text(text)
    except CvParseError:
        return

    assert _invented(cv, text) == []


def test_it_reads_languages_however_they_are_listed() -> None:
    text = (
        "Jane Roe\nData engineer\n\nLanguages\n"
        "English (native), French (B2) and German\n"
        "Anglais : courant (C1), lu, écrit, parlé\n"
        "Wolof – native\n"
        "Driving licence B\n"
    )

    cv = parse_cv_text(text)

    assert cv["languages"] == [
        {"name": "English", "level": "native"},
        {"name": "French", "level": "B2"},
        {"name": "German", "level": ""},
        {"name": "Anglais", "level": "courant (C1), lu, écrit, parlé"},
        {"name": "Wolof", "level": "native"},
    ]
    # What is not a language is kept, under the section's own heading.
    assert cv["extras"] == [{"name": "Languages", "summary": "Driving licence B"}]


def test_it_keeps_a_sentence_of_the_skills_section_and_lists_its_skills() -> None:
    sentence = "Strong knowledge of distributed systems, built on AWS for five years"
    text = f"Jane Roe\nData engineer\n\nSkills\nPython (expert) | SQL\n{sentence}\n"

    cv = parse_cv_text(text)

    hard = [(s["name"], s["proficiency"]) for s in cv["skills"]["hard_skills"]]
    assert hard == [("Python", 5), ("SQL", None), ("Distributed systems", None)]
    assert cv["skills"]["tools"] == [{"name": "AWS", "proficiency": None}]
    assert cv["extras"] == [{"name": "Skills", "summary": sentence}]


def test_a_contact_line_is_never_joined_to_the_bullet_before_it() -> None:
    # Found by the test above: the contact line was read as the rest of the bullet's sentence.
    text = "\n".join(
        [
            "Camille Martin",
            "Camille Martin",
            "• Entwicklung von Microservices mit Java und Spring Boot",
            "camille.martin@example.fr | +33 6 12 34 56 78 | Lyon, France",
            "pour la banque et les télécoms.",
        ]
    )

    cv = parse_cv_text(text)

    assert _invented(cv, text) == []
