from __future__ import annotations

import copy
import json
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from ai.offline.extract import extract_job_offer
from ai.offline.tailor import invented_facts, tailor_cv

FIXTURES = Path(__file__).parent / "fixtures"
TODAY = date(2025, 6, 1)
JOBS = sorted(p.stem for p in (FIXTURES / "jobs").glob("*.txt") if p.stem.islower())
SKILL_CATEGORIES = ("hard_skills", "tools", "methodologies", "soft_skills")


def load_cv(name: str) -> dict[str, Any]:
    cv: dict[str, Any] = json.loads(
        (FIXTURES / "cvs" / f"{name}.cv.json").read_text(encoding="utf-8")
    )
    return cv


def load_offer(name: str) -> dict[str, Any]:
    return extract_job_offer((FIXTURES / "jobs" / f"{name}.txt").read_text(encoding="utf-8"))


def name_of(item: Any) -> str:
    return str(item["name"] if isinstance(item, dict) else item)


def job_key(job: dict[str, Any]) -> tuple[str, str, str]:
    return (job["company"], job["start_date"], job["end_date"])


def removed_indexes(changes: list[dict[str, Any]], path: str) -> dict[int, Any]:
    pattern = re.compile(rf"^{re.escape(path)}\[(\d+)\]$")
    return {
        int(m.group(1)): change["before"]
        for change in changes
        if change["change_type"] == "removed" and (m := pattern.match(change["path"]))
    }


def added_items(changes: list[dict[str, Any]], path: str) -> list[Any]:
    pattern = re.compile(rf"^{re.escape(path)}\[(\d+)\]$")
    return [c["after"] for c in changes if c["change_type"] == "added" and pattern.match(c["path"])]


def assert_changes_explain(
    source: dict[str, Any], result: dict[str, Any], changes: list[dict[str, Any]]
) -> None:
    """Every difference between source and result is one of the listed changes."""
    by_path = {change["path"]: change for change in changes if change["change_type"] != "removed"}
    for key, value in source["header"].items():
        if result["header"][key] != value:
            assert by_path[f"header.{key}"]["after"] == result["header"][key]
    before = (source.get("summary") or {}).get("description", "")
    if result["summary"]["description"] != before:
        change = by_path["summary.description"]
        assert (change["before"], change["after"]) == (before, result["summary"]["description"])

    for category in SKILL_CATEGORIES:
        path = f"skills.{category}"
        items, tailored = source["skills"][category], result["skills"][category]
        added = added_items(changes, path)
        for change in changes:
            if change["change_type"] == "added" and change["path"].startswith(f"{path}["):
                (index,) = map(int, re.findall(r"\d+", change["path"]))
                assert tailored[index] == change["after"] and change["reason"]
        tailored = [item for item in tailored if item not in added]
        removed = removed_indexes(changes, path)
        assert all(items[i] == item for i, item in removed.items())
        kept = [item for i, item in enumerate(items) if i not in removed]
        assert sorted(map(json.dumps, kept)) == sorted(map(json.dumps, tailored))
        if kept != tailored:
            assert by_path[path]["after"] == [name_of(item) for item in tailored]

    removed = removed_indexes(changes, "experience")
    assert all(source["experience"][i] == job for i, job in removed.items())
    kept = [job for i, job in enumerate(source["experience"]) if i not in removed]
    assert sorted(map(job_key, kept)) == sorted(map(job_key, result["experience"]))
    if [job_key(job) for job in kept] != [job_key(job) for job in result["experience"]]:
        assert by_path["experience"]["change_type"] == "reordered"
    originals = {job_key(job): job for job in kept}
    for n, job in enumerate(result["experience"]):
        original = originals[job_key(job)]
        for field, value in job.items():
            if value != original[field]:
                change = by_path[f"experience[{n}].{field}"]
                assert (change["before"], change["after"]) == (original[field], value)
                assert sorted(value) == sorted(original[field])  # reordered, nothing new

    projects = {project["name"]: project for project in source.get("projects", [])}
    names = [project["name"] for project in result.get("projects", [])]
    if names != list(projects):
        assert by_path["projects"]["after"] == names
    for n, project in enumerate(result.get("projects", [])):
        for field, value in project.items():
            if value != projects[project["name"]][field]:
                assert by_path[f"projects[{n}].{field}"]["after"] == value
    for section in ("education", "languages", "extras", "language"):
        assert result.get(section) == source.get(section)


@pytest.mark.parametrize("job", JOBS)
def test_it_keeps_every_fact_of_the_sample_resume(job: str) -> None:
    source = load_cv("sample-resume")
    kept = copy.deepcopy(source)

    result = tailor_cv(source, load_offer(job), today=TODAY)

    assert source == kept  # the source is not modified
    assert result.cv["header"]["full_name"] == source["header"]["full_name"]
    assert result.cv["header"]["contact"] == source["header"]["contact"]
    assert [job_key(j) for j in result.cv["experience"]] == [
        job_key(j) for j in source["experience"]
    ]
    assert result.cv["education"] == source["education"]
    assert invented_facts(source, result.cv, today=TODAY) == []
    assert_changes_explain(source, result.cv, result.changes)


@pytest.mark.parametrize("job", JOBS)
def test_it_lists_every_change_it_makes(job: str) -> None:
    source = load_cv("backend-engineer")

    result = tailor_cv(source, load_offer(job), today=TODAY)

    assert invented_facts(source, result.cv, today=TODAY) == []
    assert_changes_explain(source, result.cv, result.changes)
    for change in result.changes:
        assert set(change) == {"section", "path", "change_type", "before", "after", "reason"}
        assert change["change_type"] in ("modified", "removed", "reordered", "added")
        assert change["path"].startswith(change["section"]) and change["reason"]


def test_it_puts_what_the_offer_asks_for_first() -> None:
    result = tailor_cv(load_cv("backend-engineer"), load_offer("backend-eng"), today=TODAY)
    cv = result.cv

    assert [s["name"] for s in cv["skills"]["hard_skills"][:3]] == ["Python", "Django", "FastAPI"]
    assert [s["name"] for s in cv["skills"]["tools"][:2]] == ["PostgreSQL", "Docker"]
    assert cv["experience"][0]["company"] == "Acme Logistics"  # current job first
    assert cv["experience"][0]["responsibilities"] == [
        "Built REST APIs in Django and FastAPI serving 2 million requests a day",
        "Migrated the PostgreSQL database to Amazon RDS",
        "Set up CI/CD pipelines with GitHub Actions",
        "Ran weekly product demos for the sales team",  # unrelated lines keep their order
        "Mentored two junior developers",
    ]
    assert cv["experience"][1]["responsibilities"][-1] == "Organised the team's quarterly offsite"


def test_it_drops_only_unrelated_skills_from_long_lists() -> None:
    source = load_cv("backend-engineer")

    result = tailor_cv(source, load_offer("backend-eng"), today=TODAY)

    removed = [
        c for c in result.changes if c["change_type"] == "removed" and c["section"] == "skills"
    ]
    assert [c["before"]["name"] for c in removed] == ["Photography", "Video editing"]
    # Short lists keep everything, related or not.
    added = added_items(result.changes, "skills.tools")
    assert [t for t in result.cv["skills"]["tools"] if t not in added] != []
    assert len(result.cv["skills"]["tools"]) == len(source["skills"]["tools"]) + len(added)


def test_it_drops_an_old_unrelated_job_and_says_why() -> None:
    source = load_cv("backend-engineer")

    result = tailor_cv(source, load_offer("backend-eng"), today=TODAY)

    (removed,) = [c for c in result.changes if c["path"].startswith("experience[")
                  and c["change_type"] == "removed"]  # fmt: skip
    assert removed["before"]["company"] == "Café du Parc"
    assert removed["path"] == "experience[2]"
    assert "10 years" in removed["reason"]
    assert "Café du Parc" not in [job["company"] for job in result.cv["experience"]]


def test_it_keeps_old_jobs_when_few_remain() -> None:
    source = load_cv("backend-engineer")
    source["experience"] = [source["experience"][1], source["experience"][2]]

    result = tailor_cv(source, load_offer("backend-eng"), today=TODAY)

    assert [job["company"] for job in result.cv["experience"]] == ["Acme Logistics", "Café du Parc"]


def title_change(changes: list[dict[str, Any]]) -> dict[str, Any] | None:
    return next((c for c in changes if c["path"] == "header.current_title"), None)


def test_the_headline_takes_the_offer_title_the_experience_shows() -> None:
    source = load_cv("backend-engineer")

    result = tailor_cv(source, load_offer("backend-eng"), today=TODAY)

    # "Senior Backend Engineer": no title of the CV says "Senior", so the headline does not.
    assert result.cv["header"]["current_title"] == "Backend Engineer"
    change = title_change(result.changes)
    assert change is not None and change["before"] == "Software Engineer"
    assert change["reason"] == (
        "Your experience as Software Engineer at Acme Logistics matches the offer's title: "
        "“Backend team of a freight marketplace.”"
    )


def test_the_headline_takes_the_offer_wording_of_a_title_held() -> None:
    source = load_cv("backend-engineer")
    offer = {**load_offer("backend-eng"), "title": "Backend Developer (m/w/d)"}
    source["experience"][1]["description"] = "Freight marketplace."

    result = tailor_cv(source, offer, today=TODAY)

    assert result.cv["header"]["current_title"] == "Backend Developer"
    change = title_change(result.changes)
    assert change is not None
    assert change["reason"] == (
        "Your experience as Backend Developer at Beta Payments matches the offer's title."
    )


@pytest.mark.parametrize("job", ["product-manager", "de-data-engineer", "fr-comptable"])
def test_the_headline_stays_when_the_cv_does_not_show_the_role(job: str) -> None:
    result = tailor_cv(load_cv("backend-engineer"), load_offer(job), today=TODAY)

    assert result.cv["header"]["current_title"] == "Software Engineer"
    assert title_change(result.changes) is None


def test_the_summary_is_rewritten_from_the_cv_facts_leading_with_the_offer() -> None:
    source = load_cv("backend-engineer")

    result = tailor_cv(source, load_offer("backend-eng"), today=TODAY)

    summary = result.cv["summary"]["description"]
    assert summary.startswith(
        "Backend Engineer with 8 years of experience. "
        "Key skills for this role: Python, Django, FastAPI and SQL. "
        "Experience as Software Engineer at Acme Logistics and Backend Developer at Beta Payments."
    )
    assert "piano" not in summary  # the CV's own sentences follow only when they fit the offer
    assert "I design REST APIs with Django and FastAPI and run them on AWS." in summary
    assert invented_facts(source, result.cv, today=TODAY) == []
    (change,) = [c for c in result.changes if c["path"] == "summary.description"]
    assert change["before"] == source["summary"]["description"]


def test_the_summary_is_rewritten_in_the_cv_language() -> None:
    source = load_cv("backend-engineer")
    source["language"] = "de"

    result = tailor_cv(source, load_offer("backend-eng"), today=TODAY)

    assert result.cv["summary"]["description"].startswith(
        "Backend Engineer mit 8 Jahren Berufserfahrung. "
        "Kernkompetenzen für diese Stelle: Python, Django, FastAPI und SQL. "
        "Stationen: Software Engineer bei Acme Logistics und Backend Developer bei Beta Payments."
    )


def test_a_skill_shown_in_additional_information_reaches_the_skills() -> None:
    source = load_cv("backend-engineer")
    source["extras"].append({"name": "Home lab", "summary": "Runs my services on Kubernetes"})

    result = tailor_cv(source, load_offer("backend-eng"), today=TODAY)

    tools = [name_of(item) for item in result.cv["skills"]["tools"]]
    assert "Kubernetes" in tools
    (change,) = [c for c in result.changes if c["after"] == {"name": "Kubernetes",
                                                             "proficiency": None}]  # fmt: skip
    assert change["change_type"] == "added"
    assert change["path"] == f"skills.tools[{tools.index('Kubernetes')}]"
    assert change["reason"] == (
        "The offer asks for it. From your additional information (Home lab): "
        "“Runs my services on Kubernetes”"
    )
    (rds,) = [c for c in result.changes if c["after"] == {"name": "Amazon RDS",
                                                          "proficiency": None}]  # fmt: skip
    assert rds["reason"].endswith(
        "From your experience as Software Engineer at Acme Logistics: "
        "“Migrated the PostgreSQL database to Amazon RDS”"
    )


def test_no_skill_is_added_that_the_cv_does_not_show() -> None:
    source = load_cv("backend-engineer")

    result = tailor_cv(source, load_offer("backend-eng"), today=TODAY)

    added = {name_of(c["after"]) for c in result.changes if c["change_type"] == "added"
             and c["section"] == "skills"}  # fmt: skip
    assert added == {"Backend development", "Amazon RDS"}
    # Asked for, but nowhere in the CV.
    tools = [name_of(item) for item in result.cv["skills"]["tools"]]
    assert "Kubernetes" not in tools and "Apache Kafka" not in tools


@pytest.mark.parametrize("cv_name", ["backend-engineer", "sample-resume"])
@pytest.mark.parametrize("job", JOBS)
def test_it_invents_nothing_for_any_cv_and_offer(cv_name: str, job: str) -> None:
    source = load_cv(cv_name)

    result = tailor_cv(source, load_offer(job), today=TODAY)

    assert invented_facts(source, result.cv, today=TODAY) == []
    assert_changes_explain(source, result.cv, result.changes)
    employers = {j["company"] for j in source["experience"]}
    for change in result.changes:
        if change["path"] == "summary.description":
            named = set(re.findall(r"(?:at|chez|bei|en) ([A-Z][\w ]+?)(?: and| et| und| y|\.)",
                                   change["after"]))  # fmt: skip
            assert named <= employers


def test_it_reorders_summary_sentences_without_writing_new_ones() -> None:
    source = load_cv("backend-engineer")

    # One required skill in common: too little to retell the CV, the sentences are reordered.
    result = tailor_cv(source, load_offer("product-manager"), today=TODAY)

    summary = result.cv["summary"]["description"]
    assert summary.startswith("Engineer who likes clear code")  # the opening stays
    assert summary.index("REST APIs") < summary.index("piano")
    sentences = re.split(r"(?<=\.)\s+", source["summary"]["description"])
    assert sorted(re.split(r"(?<=\.)\s+", summary)) == sorted(sentences)


def test_it_composes_a_missing_summary_from_facts_only() -> None:
    source = load_cv("backend-engineer")
    source["summary"] = {"description": ""}

    result = tailor_cv(source, load_offer("backend-eng"), today=TODAY)

    summary = result.cv["summary"]["description"]
    # 2017-01 to today without the dropped café job: 8 whole years.
    assert summary.startswith("Backend Engineer with 8 years of experience. Key skills for")
    assert result.changes[-1]["change_type"] == "added"
    assert invented_facts(source, result.cv, today=TODAY) == []


def test_it_composes_in_the_cv_language() -> None:
    source = load_cv("backend-engineer")
    source["summary"] = {"description": ""}
    source["language"] = "fr"

    result = tailor_cv(source, load_offer("fr-fullstack"), today=TODAY)

    assert result.cv["summary"]["description"].startswith("Software Engineer, 8 ans d'expérience.")
    assert result.changes[0]["reason"].startswith("Les compétences demandées")


def test_it_gives_the_same_result_every_time() -> None:
    source, offer = load_cv("backend-engineer"), load_offer("de-data-engineer")

    first = tailor_cv(source, offer, today=TODAY)
    second = tailor_cv(copy.deepcopy(source), copy.deepcopy(offer), today=TODAY)

    assert (first.cv, first.changes) == (second.cv, second.changes)


@pytest.mark.parametrize(
    ("edit", "fact"),
    [
        (lambda cv: cv["experience"][0].update(company="Globex"), "employer: Globex"),
        (lambda cv: cv["education"][0].update(institution="MIT"), "school: MIT"),
        (lambda cv: cv["extras"].append({"name": "PMP", "summary": ""}), "extra: PMP"),
        (lambda cv: cv["experience"][1]["responsibilities"].append("Cut costs by 37%"),
         "number: 37"),
        (lambda cv: cv["summary"].update(description="See https://portfolio.example.org"),
         "url: https://portfolio.example.org"),
        (lambda cv: cv["header"]["contact"].update(email="alex@other.example"),
         "email: alex@other.example"),
        (lambda cv: cv["summary"].update(description="Backend engineer, 17 years."),
         "number: 17"),
    ],
)  # fmt: skip
def test_it_reports_invented_facts(edit: Any, fact: str) -> None:
    source = load_cv("backend-engineer")
    result = copy.deepcopy(source)
    edit(result)

    assert invented_facts(source, result, today=TODAY) == [fact]


def test_it_accepts_reordered_facts_and_durations_from_the_dates() -> None:
    source = load_cv("backend-engineer")
    result = copy.deepcopy(source)
    result["experience"].reverse()
    result["skills"]["tools"].reverse()
    result["summary"]["description"] = "Backend engineer with 10 years of experience."

    assert invented_facts(source, result, today=TODAY) == []


def test_it_leaves_a_cv_alone_for_an_empty_offer() -> None:
    source = load_cv("sample-resume")

    result = tailor_cv(source, {}, today=TODAY)

    assert result.cv == source
    assert result.changes == []


def test_it_tailors_partial_documents_without_failing() -> None:
    source = {"header": None, "skills": "Python", "experience": [None, {"title": "Dev"}]}

    result = tailor_cv(source, load_offer("backend-eng"), today=TODAY)

    assert result.cv == source
    assert invented_facts(source, result.cv, today=TODAY) == []
