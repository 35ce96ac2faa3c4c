"""JSON Resume (https://jsonresume.org, schema v1.0.0) import and export.

JSON Resume -> CV (the export is the reverse):

    basics name, label         header.full_name, current_title (label falls back to the first
                               work position)
    basics email, phone,       header.contact email, phone, location (city, region,
      location                   countryCode)
    basics summary             summary.description
    basics url, image          links labelled "Website" and "Photo"
    basics profiles            links labelled "<network>: <username>"
    work                       experience: name -> company, position -> title, summary ->
                                 description, highlights -> responsibilities, location
                                 "City, Region[, CC]" -> location
    volunteer                  experience whose department_or_client is "Volunteering"
                                 (organization -> company)
    education                  education: studyType -> degree, area -> field_of_study
    skills                     skills.hard_skills: level -> proficiency, and every keyword
                                 becomes a skill of its own
    languages                  languages: language -> name, fluency -> level
    projects                   projects: description -> summary, roles -> role,
                                 keywords -> tech_stack
    awards, certificates,      extras named "Award: <title>", "Certificate: <name>",
      publications, interests,   "Publication: <name>", "Interest: <name>",
      references                 "Reference: <name>"

JSON Resume data that has no CV field is kept as trailing lines of the closest free text, and
the export reads it back from there: "Label: value" lines (a work entry's description and url
as "About:" and "URL:" under the experience description, a project's entity and type, the
secondary fields of an extra such as "Awarder:" or "Date:") and "- item" lines (a project's
highlights). Three more extras hold what has no better place: "Address" (basics address and
postalCode), "Profile: <network>" (a profile without URL) and "Education: <institution>" (an
education's url, score and courses). Lists in free text are joined with ", ".

CV data that has no JSON Resume field is exported as extra properties, which the schema
allows: work/volunteer "department", "deliverables" and "keywords" (skills_used), education
"location", project "urlLabel", skill "category" (tools, soft_skills, methodologies), a
top-level "extras" list for every other extra (including one that an import would not rebuild
exactly, e.g. a second "Address"), and meta.fitmycv {language, sectionOrder}.

Known limits: dates keep month precision; a skill level comes back as its proficiency label
("Master" -> "Expert") and keywords lose their grouping; a missing endDate reads as "present"
(as JSON Resume themes show it), so an unknown CV end date comes back as "present"; a
"City, CC" location comes back as city and region; volunteer entries come back after work ones
and extras grouped by kind; a list item containing ", " comes back split; $schema, meta and
foreign extra properties are not imported.
"""

from __future__ import annotations

import functools
import itertools
import json
import math
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import jsonschema

from cvdoc.document import (
    PRESENT,
    PROFICIENCY_LABELS,
    CvValidationError,
    field_path,
    normalize_cv,
    parse_proficiency,
)

SCHEMA_PATH = Path(__file__).with_name("jsonresume_schema.json")
# What a résumé never needs: deeper nesting (the schema's deepest path is 4 levels), longer
# numbers. Past them, a file is refused before Python's parser recurses or converts it.
MAX_JSON_DEPTH = 32
MAX_NUMBER_CHARS = 32
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_JSON_BRACKET = re.compile(r"[\[\]{}]")
BASICS_LINKS = {"url": "Website", "image": "Photo"}  # basics key -> link label
VOLUNTEER_MARK = "Volunteering"
LIST_SEPARATOR = ", "
MAX_REPORTED_ERRORS = 20
EXPERIENCE_LABELS = (("description", "About"), ("url", "URL"))
PROJECT_LABELS = (("entity", "Organisation"), ("type", "Type"))
# kind -> (extra name prefix, title key, text key, labelled keys), in the order of import.
EXTRA_KINDS: dict[str, tuple[str, str | None, str, tuple[tuple[str, str], ...]]] = {
    "address": ("Address", None, "address", (("postalCode", "Postal code"),)),
    "profiles": ("Profile", "network", "summary", (("username", "Username"),)),
    "education": (
        "Education",
        "institution",
        "summary",
        (("score", "Score"), ("url", "URL"), ("courses", "Courses")),
    ),
    "awards": ("Award", "title", "summary", (("awarder", "Awarder"), ("date", "Date"))),
    "certificates": (
        "Certificate",
        "name",
        "summary",
        (("issuer", "Issuer"), ("date", "Date"), ("url", "URL")),
    ),
    "publications": (
        "Publication",
        "name",
        "summary",
        (("publisher", "Publisher"), ("releaseDate", "Date"), ("url", "URL")),
    ),
    "interests": ("Interest", "name", "keywords", ()),
    "references": ("Reference", "name", "reference", ()),
}
# The extras merged into other JSON Resume sections exist only when they carry one of these.
DETAIL_KEYS = {
    "address": ("address", "postalCode"),
    "profiles": ("network", "username", "summary"),
    "education": ("url", "score", "courses", "summary"),
}
LIST_KEYS = frozenset({"courses", "keywords"})
DATE_KEYS = frozenset({"date", "releaseDate"})
REQUIRED_KEYS = {
    "work": ("name", "position"),
    "volunteer": ("organization", "position"),
    "education": ("institution",),
    "languages": ("language",),
    "projects": ("name",),
}
SKILL_GROUPS = {"soft_skills": "Soft skills", "methodologies": "Methodologies"}
TYPE_NAMES = {"array": "a list", "object": "an object", "string": "text"}


@functools.cache
def _validator() -> jsonschema.Draft7Validator:
    return jsonschema.Draft7Validator(json.loads(SCHEMA_PATH.read_text(encoding="utf-8")))


@functools.cache
def _date_pattern() -> re.Pattern[str]:
    return re.compile(_validator().schema["definitions"]["iso8601"]["pattern"])


class JsonResumeParseError(ValueError):
    """Why a file is not a JSON document we read: reason is "syntax", "depth" or "number"."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _refuse_number(text: str) -> Any:
    raise JsonResumeParseError("number")


def _parse_int(text: str) -> int:
    if len(text) > MAX_NUMBER_CHARS:
        raise JsonResumeParseError("number")
    return int(text)


def _parse_float(text: str) -> float:
    value = float(text)
    if len(text) > MAX_NUMBER_CHARS or not math.isfinite(value):
        raise JsonResumeParseError("number")
    return value


def load_json(text: str) -> Any:
    """The JSON document in text; JsonResumeParseError when it is not JSON, nests deeper than
    MAX_JSON_DEPTH, or holds a number longer than MAX_NUMBER_CHARS, NaN or Infinity (which
    neither JSON nor PostgreSQL's jsonb accept)."""
    brackets = _JSON_BRACKET.findall(_JSON_STRING.sub("", text))
    steps = (1 if bracket in "[{" else -1 for bracket in brackets)
    if max(itertools.accumulate(steps), default=0) > MAX_JSON_DEPTH:
        raise JsonResumeParseError("depth")
    try:
        return json.loads(
            text, parse_int=_parse_int, parse_float=_parse_float, parse_constant=_refuse_number
        )
    except JsonResumeParseError:
        raise
    except (ValueError, RecursionError):  # JSONDecodeError is a ValueError
        raise JsonResumeParseError("syntax") from None


def validate_json_resume(doc: Any) -> None:
    """Raise CvValidationError (JSON Resume paths) unless doc is valid against the schema."""
    if not isinstance(doc, dict):
        raise CvValidationError([("", "a JSON Resume document must be a JSON object")])
    errors = list(_validator().iter_errors(doc))[:MAX_REPORTED_ERRORS]
    if errors:
        raise CvValidationError([(field_path(e.absolute_path), _message(e)) for e in errors])


def _message(error: jsonschema.ValidationError) -> str:
    if error.validator == "type":
        return f"should be {TYPE_NAMES.get(str(error.validator_value), error.validator_value)}"
    if error.validator == "pattern":
        return "should be a date like 2014, 2014-06 or 2014-06-29"
    return error.message[:200]


def from_json_resume(doc: dict[str, Any], *, language: str | None = None) -> dict[str, Any]:
    """A normalised CV from a JSON Resume document; CvValidationError when it is invalid."""
    validate_json_resume(doc)  # from here on, the known properties have the schema's types
    basics = doc.get("basics") or {}
    title = _text(basics.get("label")) or next(
        (_text(item.get("position")) for item in _items(doc, "work")), ""
    )
    _check_required(doc, basics, title)
    location = basics.get("location") or {}
    settings = (doc.get("meta") or {}).get("fitmycv")
    settings = settings if isinstance(settings, dict) else {}

    extras: list[dict[str, str]] = []
    if _carries_details("address", location):
        extras.append(_extra("address", location))
    links = _links(basics, extras)
    education = []
    for item in _items(doc, "education"):
        education.append(
            {
                "institution": _text(item.get("institution")),
                "degree": _text(item.get("studyType")),
                "field_of_study": _text(item.get("area")),
                "start_date": _text(item.get("startDate")),
                "end_date": _end_date(item),
                "location": _location(_text(item.get("location"))),
            }
        )
        if _carries_details("education", item):
            extras.append(_extra("education", item))
    for kind in ("awards", "certificates", "publications", "interests", "references"):
        extras += [_extra(kind, item) for item in _items(doc, kind)]
    extras += [{"name": i.get("name"), "summary": i.get("summary")} for i in _items(doc, "extras")]

    cv = {
        "header": {
            "full_name": _text(basics.get("name")),
            "current_title": title,
            "contact": {
                "email": _text(basics.get("email")),
                "phone": _text(basics.get("phone")),
                "location": {
                    "city": _text(location.get("city")),
                    "region": _text(location.get("region")),
                    "country_code": _text(location.get("countryCode")),
                },
                "links": links,
            },
        },
        "summary": {"description": _text(basics.get("summary"))},
        "skills": _skills(_items(doc, "skills")),
        "experience": [_experience(item, "name") for item in _items(doc, "work")]
        + [_experience(item, "organization", volunteer=True) for item in _items(doc, "volunteer")],
        "education": education,
        "languages": [
            {"name": _text(item.get("language")), "level": _text(item.get("fluency"))}
            for item in _items(doc, "languages")
        ],
        "extras": extras,
        "projects": [_project(item) for item in _items(doc, "projects")],
        "language": language or settings.get("language") or "en",
    }
    if settings.get("sectionOrder"):
        cv["section_order"] = settings["sectionOrder"]
    return normalize_cv(cv)


def to_json_resume(cv: dict[str, Any]) -> dict[str, Any]:
    """A JSON Resume document, valid against the schema, from a CV (validated first)."""
    data = normalize_cv(cv)
    kinds, leftovers = _sort_extras(data["extras"])
    if len(kinds["address"]) > 1:  # basics holds a single address
        leftovers += [extra for extra, _ in kinds["address"][1:]]
    experience: dict[str, list[dict[str, Any]]] = {"work": [], "volunteer": []}
    for exp in data["experience"]:
        section, item = _resume_experience(exp)
        experience[section].append(item)
    education = [_resume_education(edu) for edu in data["education"]]
    detailed: set[int] = set()
    for extra, item in kinds["education"]:
        index = next(
            (
                i
                for i, edu in enumerate(education)
                if i not in detailed and edu["institution"] == item["institution"]
            ),
            None,
        )
        if index is None:
            leftovers.append(extra)
        else:
            detailed.add(index)
            education[index].update(item)

    skills = data["skills"]
    resume = {
        "basics": _resume_basics(data, kinds),
        **experience,
        "education": education,
        "awards": [item for _, item in kinds["awards"]],
        "certificates": [item for _, item in kinds["certificates"]],
        "publications": [item for _, item in kinds["publications"]],
        "skills": [_resume_skill(skill) for skill in skills["hard_skills"]]
        + [{**_resume_skill(tool), "category": "tools"} for tool in skills["tools"]]
        + [
            {"name": name, "keywords": skills[category], "category": category}
            for category, name in SKILL_GROUPS.items()
            if skills[category]
        ],
        "languages": [
            {"language": lang["name"], "fluency": lang["level"]} for lang in data["languages"]
        ],
        "interests": [item for _, item in kinds["interests"]],
        "references": [item for _, item in kinds["references"]],
        "projects": [_resume_project(project) for project in data["projects"]],
        "extras": leftovers,
        "meta": {"fitmycv": {"language": data["language"], "sectionOrder": data["section_order"]}},
    }
    resume = _compact(resume)
    validate_json_resume(resume)  # a safety net: the mapping above only writes valid values
    return resume


def _check_required(doc: dict[str, Any], basics: dict[str, Any], title: str) -> None:
    errors = [
        (f"{section}[{index}].{key}", "is required to import this entry")
        for section, keys in REQUIRED_KEYS.items()
        for index, item in enumerate(_items(doc, section))
        for key in keys
        if not _text(item.get(key))
    ]
    if not _text(basics.get("name")):
        errors.insert(0, ("basics.name", "is required"))
    if not title:
        errors.insert(0, ("basics.label", "is required (or a work entry with a position)"))
    if errors:
        raise CvValidationError(errors)


def _items(parent: dict[str, Any], key: str) -> list[dict[str, Any]]:
    value = parent.get(key)
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _text(value: Any) -> str:
    if isinstance(value, list):
        return LIST_SEPARATOR.join(text for text in map(_text, value) if text)
    return value.strip() if isinstance(value, str) else ""


def _strings(value: Any) -> list[str]:
    return [text for text in map(_text, value) if text] if isinstance(value, list) else []


def _one_line(text: str) -> str:
    return " ".join(text.splitlines())


def _fold_lines(text: str, fields: Iterable[tuple[str, str]], bullets: Sequence[str] = ()) -> str:
    """Free text followed by "- bullet" lines and "Label: value" lines."""
    lines = [text] if text else []
    lines += [f"- {_one_line(bullet)}" for bullet in bullets]
    lines += [f"{label}: {_one_line(value)}" for label, value in fields if value]
    return "\n".join(lines)


def _unfold_lines(
    text: str, labelled: Sequence[tuple[str, str]], *, bullets: bool = False
) -> tuple[str, dict[str, str], list[str]]:
    """The inverse of _fold_lines: (free text, {key: value}, bullets), read from the end."""
    lines = text.split("\n") if text else []
    keys = {label: key for key, label in labelled}
    found: dict[str, str] = {}
    while lines:
        label, separator, value = lines[-1].partition(": ")
        key = keys.get(label)
        if not separator or key is None or key in found or not _valid_value(key, value):
            break
        found[key] = value
        lines.pop()
    items: list[str] = []
    while bullets and lines and lines[-1].startswith("- "):
        items.insert(0, lines.pop()[2:])
    return "\n".join(lines).strip(), found, items


def _valid_value(key: str, value: str) -> bool:
    # A hand-typed "Date: spring 2020" stays in the text rather than making the export invalid.
    return bool(value.strip()) and (key not in DATE_KEYS or bool(_date_pattern().match(value)))


def _extra(kind: str, item: dict[str, Any]) -> dict[str, str]:
    prefix, title_key, text_key, labelled = EXTRA_KINDS[kind]
    title = _text(item.get(title_key)) if title_key else ""
    fields = [(label, _text(item.get(key))) for key, label in labelled]
    return {
        "name": f"{prefix}: {title}" if title else prefix,
        "summary": _fold_lines(_text(item.get(text_key)), fields),
    }


def _parse_extra(extra: dict[str, str]) -> tuple[str, dict[str, Any]] | None:
    for kind, (prefix, title_key, text_key, labelled) in EXTRA_KINDS.items():
        name = extra["name"]
        if name == prefix:
            title = ""
        elif title_key and name.startswith(f"{prefix}: "):
            title = name[len(prefix) + 2 :]
        else:
            continue
        text, found, _ = _unfold_lines(extra["summary"], labelled)
        pairs = {**({title_key: title} if title_key else {}), text_key: text, **found}
        item = {
            key: value.split(LIST_SEPARATOR) if key in LIST_KEYS else value
            for key, value in pairs.items()
            if value
        }
        # Export only what an import turns back into this very extra; the rest stays generic.
        if _carries_details(kind, item) and _extra(kind, item) == extra:
            return kind, item
        return None
    return None


def _carries_details(kind: str, item: dict[str, Any]) -> bool:
    return kind not in DETAIL_KEYS or any(_text(item.get(key)) for key in DETAIL_KEYS[kind])


def _sort_extras(
    extras: list[dict[str, str]],
) -> tuple[dict[str, list[tuple[dict[str, str], dict[str, Any]]]], list[dict[str, str]]]:
    """Extras by kind as (extra, JSON Resume item) pairs, and the extras of no known kind."""
    kinds: dict[str, list[tuple[dict[str, str], dict[str, Any]]]] = {k: [] for k in EXTRA_KINDS}
    leftovers = []
    for extra in extras:
        parsed = _parse_extra(extra)
        if parsed is None:
            leftovers.append(extra)
        else:
            kinds[parsed[0]].append((extra, parsed[1]))
    return kinds, leftovers


def _links(basics: dict[str, Any], extras: list[dict[str, str]]) -> list[dict[str, str]]:
    links = [
        {"label": label, "url": _text(basics.get(key))}
        for key, label in BASICS_LINKS.items()
        if _text(basics.get(key))
    ]
    for profile in _items(basics, "profiles"):
        parts = (_text(profile.get("network")), _text(profile.get("username")))
        label = ": ".join(part for part in parts if part)
        if _text(profile.get("url")):
            links.append({"label": label, "url": _text(profile.get("url"))})
        elif _carries_details("profiles", profile):
            extras.append(_extra("profiles", profile))
    return links


def _end_date(item: dict[str, Any]) -> str:
    # JSON Resume themes show an entry that has a start but no end as ongoing.
    end = _text(item.get("endDate"))
    return end or (PRESENT if _text(item.get("startDate")) else "")


def _resume_end_date(end_date: str) -> str:
    return "" if end_date == PRESENT else end_date


def _location(text: str) -> dict[str, str]:
    parts = [part.strip() for part in text.split(",")]
    # Only a third part is read as a country: in "Palo Alto, CA", CA is the state.
    if len(parts) >= 3 and re.fullmatch(r"[A-Za-z]{2}", parts[-1]):
        return {"city": parts[0], "region": ", ".join(parts[1:-1]), "country_code": parts[-1]}
    return {"city": parts[0], "region": ", ".join(parts[1:])}


def _location_text(location: dict[str, str]) -> str:
    parts = (location["city"], location["region"], location["country_code"])
    return ", ".join(part for part in parts if part)


def _experience(
    item: dict[str, Any], company_key: str, *, volunteer: bool = False
) -> dict[str, Any]:
    fields = [(label, _text(item.get(key))) for key, label in EXPERIENCE_LABELS]
    return {
        "title": _text(item.get("position")),
        "company": _text(item.get(company_key)),
        "department_or_client": VOLUNTEER_MARK if volunteer else _text(item.get("department")),
        "start_date": _text(item.get("startDate")),
        "end_date": _end_date(item),
        "location": _location(_text(item.get("location"))),
        "description": _fold_lines(_text(item.get("summary")), fields),
        "responsibilities": _strings(item.get("highlights")),
        "deliverables": _strings(item.get("deliverables")),
        "skills_used": _strings(item.get("keywords")),
    }


def _skills(groups: list[dict[str, Any]]) -> dict[str, list[Any]]:
    skills: dict[str, list[Any]] = {"hard_skills": [], "tools": [], **{k: [] for k in SKILL_GROUPS}}
    seen: set[str] = set()
    for group in groups:
        category = _text(group.get("category"))
        if category in SKILL_GROUPS:
            skills[category] += _strings(group.get("keywords"))
            continue
        target = skills["tools" if category == "tools" else "hard_skills"]
        if name := _text(group.get("name")):
            target.append({"name": name, "proficiency": _proficiency(group.get("level"))})
            seen.add(name.casefold())
        for keyword in _strings(group.get("keywords")):
            if keyword.casefold() not in seen:
                target.append({"name": keyword, "proficiency": None})
                seen.add(keyword.casefold())
    return skills


def _proficiency(level: Any) -> int | None:
    try:
        return parse_proficiency(_text(level))
    except ValueError:
        return None  # free-text levels such as "3 years" have no place on the 0-5 scale


def _resume_basics(data: dict[str, Any], kinds: dict[str, list[Any]]) -> dict[str, Any]:
    header, contact = data["header"], data["header"]["contact"]
    basics: dict[str, Any] = {
        "name": header["full_name"],
        "label": header["current_title"],
        "email": contact["email"],
        "phone": contact["phone"],
        "summary": data["summary"]["description"],
        "location": {
            "city": contact["location"]["city"],
            "region": contact["location"]["region"],
            "countryCode": contact["location"]["country_code"],
            **(kinds["address"][0][1] if kinds["address"] else {}),
        },
        "profiles": [],
    }
    for link in contact["links"]:
        key = next((k for k, label in BASICS_LINKS.items() if label == link["label"]), None)
        if key and key not in basics:
            basics[key] = link["url"]
        else:
            network, _, username = link["label"].partition(": ")
            basics["profiles"].append(
                {"network": network, "username": username, "url": link["url"]}
            )
    basics["profiles"] += [item for _, item in kinds["profiles"]]
    return basics


def _resume_experience(exp: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    summary, found, _ = _unfold_lines(exp["description"], EXPERIENCE_LABELS)
    volunteer = exp["department_or_client"] == VOLUNTEER_MARK
    return ("volunteer" if volunteer else "work"), {
        ("organization" if volunteer else "name"): exp["company"],
        "position": exp["title"],
        "department": "" if volunteer else exp["department_or_client"],
        "location": _location_text(exp["location"]),
        "startDate": exp["start_date"],
        "endDate": _resume_end_date(exp["end_date"]),
        "summary": summary,
        "highlights": exp["responsibilities"],
        "deliverables": exp["deliverables"],
        "keywords": exp["skills_used"],
        **found,
    }


def _resume_education(edu: dict[str, Any]) -> dict[str, Any]:
    return {
        "institution": edu["institution"],
        "studyType": edu["degree"],
        "area": edu["field_of_study"],
        "startDate": edu["start_date"],
        "endDate": _resume_end_date(edu["end_date"]),
        "location": _location_text(edu["location"]),
    }


def _resume_skill(skill: dict[str, Any]) -> dict[str, Any]:
    level = skill["proficiency"]
    return {"name": skill["name"], "level": "" if level is None else PROFICIENCY_LABELS[level]}


def _project(item: dict[str, Any]) -> dict[str, Any]:
    fields = [(label, _text(item.get(key))) for key, label in PROJECT_LABELS]
    return {
        "name": _text(item.get("name")),
        "role": LIST_SEPARATOR.join(_strings(item.get("roles"))),
        "start_date": _text(item.get("startDate")),
        "end_date": _end_date(item),
        "summary": _fold_lines(
            _text(item.get("description")), fields, _strings(item.get("highlights"))
        ),
        "tech_stack": _strings(item.get("keywords")),
        "url": _text(item.get("url")),
        "url_label": _text(item.get("urlLabel")),
    }


def _resume_project(project: dict[str, Any]) -> dict[str, Any]:
    description, found, highlights = _unfold_lines(project["summary"], PROJECT_LABELS, bullets=True)
    return {
        "name": project["name"],
        "description": description,
        "highlights": highlights,
        "keywords": project["tech_stack"],
        "startDate": project["start_date"],
        "endDate": _resume_end_date(project["end_date"]),
        "url": project["url"] or "",
        "urlLabel": project["url_label"] or "",
        "roles": project["role"].split(LIST_SEPARATOR) if project["role"] else [],
        **found,
    }


def _compact(value: Any) -> Any:
    """Drop empty strings, lists and objects: JSON Resume leaves unknown fields out."""
    if isinstance(value, dict):
        pairs = ((key, _compact(item)) for key, item in value.items())
        return {key: item for key, item in pairs if item not in ("", None, [], {})}
    if isinstance(value, list):
        return [_compact(item) for item in value]
    return value
