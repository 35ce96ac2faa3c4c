"""Importing the JSON exports of Reactive Resume (v4, v3) and Resume-Matcher."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from accounts.models import User
from cvdoc.document import CvValidationError
from cvs import services
from cvs.imports import (
    JSON_RESUME,
    REACTIVE_RESUME_V3,
    REACTIVE_RESUME_V4,
    RESUME_MATCHER,
    UnknownFormat,
    date_range,
    detect_format,
    html_blocks,
    import_document,
)
from cvs.jsonresume import to_json_resume
from cvs.models import CV

FIXTURES = Path(__file__).parent / "fixtures"
IMPORTS = FIXTURES / "imports"
URL = "/cvs/import/json-resume/"


def load(name: str) -> dict[str, Any]:
    return json.loads((IMPORTS / f"{name}.json").read_text(encoding="utf-8"))


@pytest.fixture
def v4() -> dict[str, Any]:
    return load("reactive_resume_v4")


@pytest.fixture
def v3() -> dict[str, Any]:
    return load("reactive_resume_v3")


@pytest.fixture
def matcher() -> dict[str, Any]:
    return load("resume_matcher")


def extras(cv: dict[str, Any]) -> dict[str, str]:
    return {extra["name"]: extra["summary"] for extra in cv["extras"]}


def upload(document: Any, name: str = "resume.json") -> io.BytesIO:
    data = io.BytesIO(
        json.dumps(document).encode() if not isinstance(document, bytes) else document
    )
    data.name = name
    return data


# --- Reactive Resume v4 ---------------------------------------------------------------------


def test_it_maps_every_field_of_a_reactive_resume_v4_export(v4: dict[str, Any]) -> None:
    result = import_document(v4)
    cv = result.cv
    assert result.source == REACTIVE_RESUME_V4
    header = cv["header"]
    assert (header["full_name"], header["current_title"]) == (
        "Jordan Rivera",
        "Senior Web Developer",
    )
    contact = header["contact"]
    assert (contact["email"], contact["phone"]) == ("jordan.rivera@example.com", "+1 555 010 2030")
    assert contact["location"] == {"city": "Portland", "region": "Oregon", "country_code": "US"}
    assert contact["links"] == [
        {"label": "jordanrivera.dev", "url": "https://jordanrivera.dev/"},
        {"label": "Photo", "url": "https://example.com/jordan.jpg"},
        {"label": "Portfolio", "url": "https://portfolio.example.com/jordan"},
        {"label": "GitHub: jrivera", "url": "https://github.com/jrivera"},
    ]
    assert cv["summary"]["description"] == (
        "Web developer with 8 years of experience.\nFocused on accessible front ends."
    )

    senior, web, intern, volunteer = cv["experience"]
    assert (senior["title"], senior["company"]) == (
        "Senior Web Developer",
        "Creative Solutions Inc.",
    )
    assert (senior["start_date"], senior["end_date"]) == ("2019-01", "present")
    assert senior["location"] == {"city": "San Francisco", "region": "CA", "country_code": ""}
    assert senior["description"] == "Lead of the web team."
    assert senior["responsibilities"] == [
        "Redesigned the main website, +40% engagement.",
        "Mentored four developers & interns.",
    ]
    assert (web["start_date"], web["end_date"]) == ("2016-06", "2018-12")
    assert web["responsibilities"] == ["Built React apps safely"]  # img and javascript: gone
    assert (intern["company"], intern["start_date"], intern["end_date"]) == ("Old Shop", "", "")
    assert volunteer["company"] == "Code Club"
    assert volunteer["department_or_client"] == "Volunteering"
    assert (volunteer["start_date"], volunteer["end_date"]) == ("2017", "2019")
    assert volunteer["description"] == "Taught children to code."

    [education] = cv["education"]
    assert education["institution"] == "Oregon State University"
    assert (education["degree"], education["field_of_study"]) == (
        "Bachelor of Science",
        "Computer Science",
    )
    assert (education["start_date"], education["end_date"]) == ("2010-08", "2014-05")

    assert cv["skills"]["hard_skills"] == [
        {"name": "Web Technologies", "proficiency": 4},  # level 0: the description "Advanced"
        {"name": "HTML5", "proficiency": None},
        {"name": "CSS", "proficiency": None},
        {"name": "JavaScript", "proficiency": None},
        {"name": "Python", "proficiency": 4},
    ]
    assert cv["languages"] == [
        {"name": "English", "level": "Native speaker"},
        {"name": "Spanish", "level": "Proficient"},
    ]
    [project] = cv["projects"]
    assert project == {
        "name": "Booking Platform",
        "role": "Project Lead",
        "start_date": "2020-03",
        "end_date": "2021-06",
        "summary": "A booking platform for clinics.\n- Cut no-shows by 25%",
        "tech_stack": ["Django", "htmx"],
        "url": "https://booking.example.com/",
        "url_label": "Live site",
    }
    assert extras(cv) == {
        "Driving licence": "Category B",
        "Profile: Mastodon": "Username: @jordan@example.social",
        "Experience: Creative Solutions Inc.": "URL: https://creativesolutions.example.com/",
        "Experience: Old Shop": "Dates: Summer of my second year",
        "Education: Oregon State University": (
            "- Dean's list\nScore: 3.8 GPA\nURL: https://oregonstate.edu/"
        ),
        "Skill: Python": "Since 2012",
        "Award: Best Web App 2021": (
            "For the booking platform.\nAwarder: Web Guild\nDate: 2021\n"
            "URL: https://webguild.example.org/2021"
        ),
        "Certificate: AWS Certified Developer": "Issuer: Amazon Web Services\nDate: 2019",
        "Publication: Accessible Forms": (
            "On form labels.\nPublisher: A List Apart\nDate: March 2020\n"
            "URL: https://alistapart.example.com/forms"
        ),
        "Interest: Climbing": "bouldering, alpine",
        "Reference: Sam Lee": "Available on request.\nDescription: CTO at Creative Solutions",
        "Talks: Forms that work": (
            "A talk on accessible forms.\nDescription: PyCon US\nDate: May 2022\n"
            "Location: Salt Lake City\nKeywords: a11y\nURL: https://pycon.example.org/talks/forms"
        ),
        "Notes": "Send to recruiters only.",
    }
    assert cv["section_order"] == [
        "header", "summary", "experience", "projects", "education", "extras", "skills",
        "languages",
    ]  # fmt: skip
    assert result.ordered
    assert cv["language"] == "en"


def test_it_lists_what_it_kept_in_additional_information(v4: dict[str, Any]) -> None:
    result = import_document(v4)
    assert result.kept == [
        "basics.customFields", "profiles (without a link)", "experience.url", "experience.date",
        "education.summary", "education.score", "education.url", "skills.description", "awards",
        "certifications", "publications", "interests", "references", "custom.Talks",
        "metadata.notes",
    ]  # fmt: skip


def test_it_imports_hidden_entries_and_names_them(v4: dict[str, Any]) -> None:
    result = import_document(v4)
    # The hidden experience and the items of the hidden references section are in the CV.
    assert "Old Shop" in [exp["company"] for exp in result.cv["experience"]]
    assert "Reference: Sam Lee" in extras(result.cv)
    assert result.hidden == ["Experience: Old Shop", "References: Sam Lee"]


def test_scripts_in_rich_text_never_reach_the_cv(v4: dict[str, Any]) -> None:
    text = json.dumps(import_document(v4).cv)
    assert "alert" not in text
    assert "<" not in text


def test_awards_and_certificates_come_back_in_a_json_resume_export(v4: dict[str, Any]) -> None:
    resume = to_json_resume(import_document(v4).cv)
    assert resume["certificates"] == [
        {"name": "AWS Certified Developer", "issuer": "Amazon Web Services", "date": "2019"}
    ]
    assert resume["interests"] == [{"name": "Climbing", "keywords": ["bouldering", "alpine"]}]


def test_an_experience_without_a_position_is_kept_whole(v4: dict[str, Any]) -> None:
    item = v4["sections"]["experience"]["items"][1]
    item["position"] = ""
    result = import_document(v4)
    assert "TechAdvancers" not in [exp["company"] for exp in result.cv["experience"]]
    assert extras(result.cv)["Experience: TechAdvancers"] == (
        "- Built React apps safely\nLocation: San Jose, CA\nDates: 2016-06 – 2018-12"
    )
    assert "experience (without a position)" in result.kept


def test_the_title_falls_back_to_the_first_position(v4: dict[str, Any]) -> None:
    v4["basics"]["headline"] = ""
    assert import_document(v4).cv["header"]["current_title"] == "Senior Web Developer"


def test_a_file_without_a_name_is_refused(v4: dict[str, Any]) -> None:
    v4["basics"]["name"] = ""
    with pytest.raises(CvValidationError, match="name: is required"):
        import_document(v4)


# --- Reactive Resume v3 ---------------------------------------------------------------------


def test_it_maps_every_field_of_a_reactive_resume_v3_export(v3: dict[str, Any]) -> None:
    result = import_document(v3)
    cv = result.cv
    assert result.source == REACTIVE_RESUME_V3
    header = cv["header"]
    assert (header["full_name"], header["current_title"]) == (
        "Alexis Jones",
        "Frontend Web Developer",
    )
    assert header["contact"]["location"] == {
        "city": "Stuttgart",
        "region": "Baden-Württemberg",
        "country_code": "DE",
    }
    assert header["contact"]["links"] == [
        {"label": "Website", "url": "https://alexisjones.example.com"},
        {"label": "Photo", "url": "https://example.com/alexis.jpg"},
        {"label": "LinkedIn: alexisjones", "url": "https://linkedin.com/in/alexisjones"},
    ]
    assert cv["summary"]["description"] == "Frontend developer with 4 years of experience."
    dp, voko, freelance, red_cross = cv["experience"]
    assert (dp["start_date"], dp["end_date"]) == ("2015-09", "present")
    assert dp["description"] == "Lead of the theme work."
    assert dp["responsibilities"] == [
        "Managed website projects from design to launch.",
        "Trained clients on content management.",
    ]
    assert (voko["start_date"], voko["end_date"]) == ("2011-05", "2015-07")
    assert (freelance["company"], freelance["title"]) == ("Self-employed", "Web Designer")
    assert red_cross["department_or_client"] == "Volunteering"
    assert cv["education"][0]["field_of_study"] == "Computer Science"
    assert (cv["education"][0]["start_date"], cv["education"][0]["end_date"]) == (
        "2007-10",
        "2011-05",
    )
    assert cv["skills"]["hard_skills"] == [
        {"name": "Frontend Web Development", "proficiency": 5},
        {"name": "ReactJS", "proficiency": None},
        {"name": "HTML/CSS", "proficiency": None},
        {"name": "Design", "proficiency": 3},  # levelNum 6 of 10
        {"name": "Testing", "proficiency": None},
    ]
    assert cv["languages"] == [
        {"name": "German", "level": "Native"},
        {"name": "French", "level": "Intermediate"},
    ]
    assert cv["projects"][0]["tech_stack"] == ["Python", "MQTT"]
    assert (cv["projects"][0]["start_date"], cv["projects"][0]["end_date"]) == (
        "2019-01",
        "2019-12",
    )
    kept = extras(cv)
    assert kept["Address"] == "Ollenhauer Str. 51\nPostal code: 70376"
    assert kept["Date of birth"] == "1995-08-06"
    assert kept["Award: Blitz Hackathon"] == "Awarder: 2nd Place\nDate: 2018-03-12"
    assert kept["Education: University of Stuttgart"] == (
        "Thesis on web accessibility.\nScore: 1.7\nURL: https://uni-stuttgart.example.de\n"
        "Courses: Algorithms, Databases"
    )
    assert kept["Reference: Jane Doe"] == (
        "Happy to be called.\nRelationship: Former manager\nEmail: jane@example.com\n"
        "Phone: +49 711 555 0100"
    )
    assert kept["Hackathons: Code for Good"] == (
        "Built a volunteer matching app.\nSubtitle: JP Morgan Chase\n"
        "Dates: 2018-03-10 – 2018-03-12\nURL: https://codeforgood.example.com\nKeywords: Vue"
    )
    assert kept["Skill: Testing"] == "Level: Getting there"
    assert cv["language"] == "de"  # metadata.locale
    assert cv["section_order"][:4] == ["header", "summary", "experience", "extras"]
    assert result.hidden == ["References: Jane Doe"]
    assert "basics.birthdate" in result.kept


# --- Resume-Matcher -------------------------------------------------------------------------


def test_it_maps_every_field_of_a_resume_matcher_master_resume(matcher: dict[str, Any]) -> None:
    result = import_document(matcher)
    cv = result.cv
    assert result.source == RESUME_MATCHER
    header = cv["header"]
    assert (header["full_name"], header["current_title"]) == ("Jane Doe", "Senior Backend Engineer")
    assert (header["contact"]["email"], header["contact"]["phone"]) == (
        "jane@example.com",
        "+1-555-0100",
    )
    assert header["contact"]["links"] == [
        {"label": "Website", "url": "https://janedoe.example.dev"},
        {"label": "LinkedIn", "url": "https://linkedin.com/in/janedoe"},
        {"label": "GitHub", "url": "https://github.com/janedoe"},
    ]
    assert cv["summary"]["description"] == (
        "Backend engineer with 6 years of experience building Python APIs."
    )
    acme, startup, lab = cv["experience"]
    assert (acme["start_date"], acme["end_date"]) == ("2021-01", "present")
    assert acme["location"] == {"city": "San Francisco", "region": "CA", "country_code": ""}
    assert acme["responsibilities"] == [
        "Built REST APIs serving 50K requests/day using FastAPI",
        "Led the migration to microservices",
    ]
    assert startup["responsibilities"] == [
        "Developed the payment system",
        "Raised test coverage from 40% to 85%",
    ]
    assert (lab["start_date"], lab["end_date"]) == ("", "")
    assert cv["education"][0]["degree"] == "B.S. Computer Science"
    assert (cv["education"][0]["start_date"], cv["education"][0]["end_date"]) == ("2014", "2018")
    oag, dotfiles = cv["projects"]
    assert (oag["role"], oag["url"], oag["start_date"], oag["end_date"]) == (
        "Creator & Maintainer",
        "https://oag.example.dev",
        "2021-03",
        "present",
    )
    assert oag["summary"] == "- CLI tool generating API clients\n- 500+ GitHub stars"
    assert (dotfiles["url"], dotfiles["url_label"]) == (
        "https://github.com/janedoe/dotfiles",
        "GitHub",
    )
    assert [s["name"] for s in cv["skills"]["hard_skills"]] == ["Python", "FastAPI", "Docker"]
    assert cv["languages"] == [
        {"name": "English", "level": "Native"},
        {"name": "Spanish", "level": "Conversational"},
        {"name": "German", "level": ""},
    ]
    assert extras(cv) == {
        "Experience: Lab": "Dates: two summers",
        "Education: MIT": "Graduated with honors",
        "Project: OpenAPI Generator": "GitHub: https://github.com/janedoe/oag",
        "Certificate: AWS Solutions Architect Associate": "",
        "Award: Employee of the Year 2022": "",
        "Open Source: CPython": (
            "Contributor\n- Fixed asyncio bugs\nLocation: Remote\nDates: 2020 - 2022"
        ),
        "Hobbies": "- Chess\n- Running",
        "Statement": "I care about reliable software.",
    }
    assert result.kept == [
        "workExperience.years", "education.description", "personalProjects.github",
        "additional.certificationsTraining", "additional.awards", "customSections.Open Source",
        "customSections.Hobbies", "customSections.Statement",
    ]  # fmt: skip
    assert result.hidden == ["Hobbies"]
    assert cv["section_order"] == [
        "header", "summary", "experience", "skills", "languages", "extras", "education",
        "projects",
    ]  # fmt: skip


@pytest.mark.parametrize(
    "wrap",
    [
        lambda data: {"request_id": "r1", "data": {"resume_id": "x", "processed_resume": data}},
        lambda data: {"resume_id": "x", "is_master": True, "processed_data": data},
    ],
    ids=["api-answer", "stored-row"],
)
def test_it_reads_a_wrapped_resume_matcher_resume(matcher: dict[str, Any], wrap: Any) -> None:
    assert import_document(wrap(matcher)).cv == import_document(matcher).cv


# --- Detection, dates, HTML -----------------------------------------------------------------


def test_it_recognises_each_format(
    v4: dict[str, Any], v3: dict[str, Any], matcher: dict[str, Any]
) -> None:
    json_resume = json.loads((FIXTURES / "jsonresume" / "sample.resume.json").read_text())
    assert detect_format(v4) == REACTIVE_RESUME_V4
    assert detect_format(v3) == REACTIVE_RESUME_V3
    assert detect_format(matcher) == RESUME_MATCHER
    assert detect_format(json_resume) == JSON_RESUME
    unknowns: list[Any] = [{"name": "Jane"}, {"sections": {}}, [], "text"]
    for unknown in unknowns:
        assert detect_format(unknown) is None
    with pytest.raises(UnknownFormat, match="Reactive Resume"):
        import_document({"name": "Jane"})


@pytest.mark.parametrize(
    ("text", "dates"),
    [
        ("January 2019 to Present", ("2019-01", "present")),
        ("August 2012 to May 2016", ("2012-08", "2016-05")),
        ("Jun 2018 - Dec 2020", ("2018-06", "2020-12")),
        ("2014 - 2018", ("2014", "2018")),
        ("2019-2021", ("2019", "2021")),
        ("2020-03 – 2021-06", ("2020-03", "2021-06")),
        ("06/2020 - heute", ("2020-06", "present")),
        ("juin 2019 à mars 2021", ("2019-06", "2021-03")),
        ("2019-06-01", ("2019-06", "2019-06")),
        ("2018-03-12T23:00:00.000Z", ("2018-03", "2018-03")),
        ("May 2022", ("2022-05", "2022-05")),
        ("Present", ("", "present")),
        ("undefined - undefined", ("", "")),
        ("", ("", "")),
        ("Summer of my second year", None),
        ("2019 - sometime", None),
    ],
)
def test_it_reads_dates_as_people_write_them(text: str, dates: tuple[str, str] | None) -> None:
    assert date_range(text) == dates


def test_html_becomes_paragraphs_and_list_items_without_markup() -> None:
    html = (
        '<p>Intro <a href="https://x.example">site</a> and <a href="javascript:alert(1)">bad</a>'
        "<br>next line</p><style>p{}</style><ul><li><p>One &amp; two</p></li>"
        "<li>Three<script>alert(1)</script></li></ul><img src=x onerror=alert(1)>"
    )
    assert html_blocks(html) == [
        ("p", "Intro site (https://x.example) and bad\nnext line"),
        ("li", "One & two"),
        ("li", "Three"),
    ]


# --- The upload -----------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fixture", "source_type", "created_by", "format_name"),
    [
        ("reactive_resume_v4", "reactive-resume", "import-reactive-resume", "Reactive Resume"),
        ("reactive_resume_v3", "reactive-resume", "import-reactive-resume", "Reactive Resume v3"),
        ("resume_matcher", "resume-matcher", "import-resume-matcher", "Resume-Matcher"),
    ],
)
def test_the_json_upload_imports_each_format_and_tells_what_it_kept(
    alice_client: Client,
    alice: User,
    fixture: str,
    source_type: str,
    created_by: str,
    format_name: str,
) -> None:
    document = load(fixture)
    response = alice_client.post(URL, {"file": upload(document)}, follow=True)
    cv = CV.objects.get(user=alice)
    assert response.redirect_chain[-1][0] == f"/cvs/{cv.pk}/"
    assert (cv.source_type, cv.created_by) == (source_type, created_by)
    assert cv.content == import_document(document).cv
    page = response.content.decode()
    assert f"Your CV was imported from {format_name}." in page
    kept = import_document(document).kept
    assert "were kept in Additional information: " in page
    assert all(field.replace("&", "&amp;") in page for field in kept)


@pytest.mark.django_db
def test_a_file_without_a_section_order_gets_the_default_one(
    alice_client: Client, alice: User, v4: dict[str, Any]
) -> None:
    del v4["metadata"]["layout"]
    alice_client.post(URL, {"file": upload(v4)})
    cv = CV.objects.get(user=alice)
    assert cv.content["section_order"] == services.new_cv_section_order()


@pytest.mark.django_db
def test_an_unrecognised_json_is_refused_naming_the_formats(alice_client: Client) -> None:
    response = alice_client.post(URL, {"file": upload({"cv": {"name": "Jane"}})})
    assert response.status_code == 400
    page = response.content.decode()
    assert "We do not recognise this JSON file" in page
    assert "JSON Resume, Reactive Resume (v3 and v4) and Resume-Matcher" in page
    assert not CV.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["sections"]["experience"].update(items="a string"), "should be a list"),
        (lambda d: d["sections"]["skills"]["items"][0].update(level=[5]), "should be a number"),
        (lambda d: d["basics"].update(name={"first": "Jordan"}), "should be text"),
        (lambda d: d["sections"].update(custom=[]), "should be an object"),
        (lambda d: d["basics"]["url"].update(href="javascript:alert(1)"), "web address"),
        (lambda d: d["sections"]["summary"].update(content="x" * 6000), "too long"),
        (
            lambda d: d["sections"]["skills"]["items"][0].update(
                keywords=[f"skill {i}" for i in range(300)]
            ),
            "too many items",
        ),
    ],
    ids=["list", "number", "text", "object", "javascript-link", "long-text", "many-items"],
)
def test_a_hostile_reactive_resume_file_is_refused_and_nothing_is_stored(
    alice_client: Client, v4: dict[str, Any], change: Any, message: str
) -> None:
    change(v4)
    response = alice_client.post(URL, {"file": upload(v4)})
    assert response.status_code == 400
    page = response.content.decode()
    assert "This is not a valid Reactive Resume file" in page
    assert message in page
    assert not CV.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b'{"personalInfo": {"name": "A"}, "x": ' + b"[" * 100 + b"]" * 100 + b"}", "too deeply"),
        (b'{"personalInfo": {"name": "' + b"a" * 1_100_000 + b'"}}', "larger than 1 MB"),
        (b'{"personalInfo": {"name": "A"}, "n": 1e999}', "number too large"),
    ],
    ids=["deep", "huge", "number"],
)
def test_a_hostile_file_is_refused_before_it_is_read(
    alice_client: Client, data: bytes, message: str
) -> None:
    response = alice_client.post(URL, {"file": upload(data)})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not CV.objects.exists()


@pytest.mark.django_db
def test_wrong_types_in_a_resume_matcher_file_are_refused(
    alice_client: Client, matcher: dict[str, Any]
) -> None:
    matcher["workExperience"][0]["description"] = 42
    response = alice_client.post(URL, {"file": upload(matcher)})
    assert response.status_code == 400
    page = response.content.decode()
    assert "This is not a valid Resume-Matcher file" in page
    assert "workExperience[0].description" in page
    assert not CV.objects.exists()


def test_the_import_command_reads_other_tools_and_says_what_it_kept(
    capsys: pytest.CaptureFixture[str],
) -> None:
    call_command("import_cv", str(IMPORTS / "reactive_resume_v4.json"))
    out, err = capsys.readouterr()
    assert json.loads(out) == import_document(load("reactive_resume_v4")).cv
    assert "Read as Reactive Resume." in err
    assert "These fields were kept in Additional information: basics.customFields" in err
    assert "Hidden in Reactive Resume, imported: Experience: Old Shop" in err
