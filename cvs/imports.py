"""Importing the JSON exports of other résumé tools, recognised by their shape: JSON Resume
(cvs/jsonresume.py), Reactive Resume (v4's ResumeData and the v3 export) and Resume-Matcher
(its structured resume, as stored, or wrapped in the API's answer).

Reactive Resume v4 -> CV (v3 alike: work -> experience, dates as {start, end}, markdown text):

    basics name, headline      header.full_name, current_title (falls back to the first
                                 experience position)
    basics email, phone,       header.contact email, phone, location ("City, Region[, CC]")
      location
    basics url, picture.url    links "Website" (or the URL's label) and "Photo"
    basics customFields        links labelled with their name when the value is a web
                                 address, else Additional information
    profiles                   links labelled "<network>: <username>"
    summary                    summary.description (HTML as plain text, list items as "- ")
    experience, volunteer      experience: company/organization, position -> title, location,
                                 date -> start/end, summary paragraphs -> description and
                                 its list items -> responsibilities; volunteering is marked
                                 "Volunteering" in department_or_client as JSON Resume's is
    education                  education: studyType -> degree, area -> field_of_study
    skills                     skills.hard_skills: level 1-5 -> proficiency (0 is "no level",
                                 then the description is read as a level word); every keyword
                                 is a skill of its own
    languages                  languages: description (or the level's name) -> level
    projects                   projects: description -> role, summary, keywords ->
                                 tech_stack, url (its label -> url_label)
    awards, certifications,    extras "Award: <title>", "Certificate: <name>",
      publications, interests,   "Publication: <name>", "Interest: <name>", "Reference:
      references, custom         <name>", "<section name>: <item name>", their secondary
                                 fields as "Label: value" lines (the JSON Resume import's
                                 shapes, so a JSON Resume export gives them back)
    metadata.layout            section_order (pages, then columns, then sections)

Resume-Matcher: personalInfo -> header (website, linkedin, github as links), summary,
workExperience -> experience (description lines -> responsibilities), education,
personalProjects -> projects, additional technicalSkills -> skills, languages ("English
(Native)") -> languages, certificationsTraining and awards -> extras, customSections ->
extras, sectionMeta -> section_order.

What has no CV field (an experience's URL, an education's score, a skill's description, a
date that is no date, metadata.notes, custom fields...) is kept in Additional information:
one extra per source entry holding its leftovers as "Label: value" lines, and the source
field is listed in ImportResult.kept for the user. Dates are read in the usual ways
("January 2019 to Present", "Jun 2018 - Dec 2020", "2019-06-01", "06/2020"); one that
cannot be read is kept verbatim there too. Presentation is not imported: ids, icons, the
picture's size and effects, templates, themes, fonts, custom CSS, page format, columns and
section headings. Entries hidden in the source tool (visible: false, isVisible: false) are
imported like the others, since the CV has no hidden entries and nothing should be lost;
they are listed in ImportResult.hidden so the user can remove them.

Every file is checked against the types of its format first (a wrong type is refused with
its path), and the CV built from it is validated like any other (sizes, links).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

import jsonschema
import nh3
from django.core.exceptions import ValidationError

from ai.offline.cv_parser import COUNTRIES, detect_language
from ai.offline.vocabulary import fold
from cvdoc.document import (
    LANGUAGES,
    PRESENT,
    PROFICIENCY_LABELS,
    CvValidationError,
    cv_plain_text,
    field_path,
    normalize_cv,
    parse_proficiency,
)
from cvs.forms import parse_month
from cvs.jsonresume import VOLUNTEER_MARK, _fold_lines, _location, from_json_resume

JSON_RESUME = "json-resume"
REACTIVE_RESUME_V4 = "reactive-resume-v4"
REACTIVE_RESUME_V3 = "reactive-resume-v3"
RESUME_MATCHER = "resume-matcher"
FORMAT_NAMES = {
    JSON_RESUME: "JSON Resume",
    REACTIVE_RESUME_V4: "Reactive Resume",
    REACTIVE_RESUME_V3: "Reactive Resume v3",
    RESUME_MATCHER: "Resume-Matcher",
}
MAX_REPORTED_ERRORS = 20
LIST_SEPARATOR = ", "
# Tags whose structure the plain text keeps (paragraphs, line breaks, list items, links);
# nh3 drops every other tag, and script and style with their content.
HTML_TAGS = frozenset(
    {"p", "div", "br", "ul", "ol", "li", "a", "blockquote", "pre", "h1", "h2", "h3", "h4", "h5",
     "h6"}
)  # fmt: skip
HTML_BLOCKS = HTML_TAGS - {"a", "br"}
LINK_SCHEMES = frozenset({"http", "https", "mailto"})
WEB_ADDRESS = re.compile(r"(?:https?://|www\.)\S+$", re.IGNORECASE)
MARKDOWN_BULLET = re.compile(r"^\s*(?:[-*•+]|\d+[.)])\s+")
DATE_SEPARATOR = re.compile(
    r"\s*[–—]\s*|\s+(?:-|to|until|till|bis|au|à|a|al|hasta)\s+", re.IGNORECASE
)
DASHED_RANGE = re.compile(r"(.+?)\s*-\s*(.+)")  # "2019-2021", "Jan 2020-Dec 2021"
ISO_TIME = re.compile(r"(?<=\d{4}-\d{2}-\d{2})T[\d:.]+Z?$")
NO_DATE = frozenset({"", "undefined", "null", "none"})
LANGUAGE_LEVEL = re.compile(r"^(?P<name>[^()]+?)\s*(?:\((?P<p>[^()]+)\)|[:–—-]\s*(?P<d>.+))$")
# Where each source section goes in the CV, for the section order.
REACTIVE_SECTIONS = {
    "profiles": "header", "summary": "summary", "experience": "experience", "work": "experience",
    "volunteer": "experience", "education": "education", "skills": "skills",
    "languages": "languages", "projects": "projects",
}  # fmt: skip
MATCHER_SECTIONS = {
    "personalInfo": ("header",), "summary": ("summary",), "workExperience": ("experience",),
    "education": ("education",), "personalProjects": ("projects",),
    "additional": ("skills", "languages", "extras"),
}  # fmt: skip
GENERIC_LABELS = {"url": "URL", "date": "Dates", "levelNum": "Level (of 10)"}
MATCHER_KEYS = frozenset({"personalInfo", "workExperience", "personalProjects"})

# --- The formats' types (from their model definitions; every property may be missing) -----

_TEXT: dict[str, Any] = {"type": ["string", "null"]}
_NUMBER: dict[str, Any] = {"type": ["number", "string", "null"]}
_FLAG: dict[str, Any] = {"type": ["boolean", "null"]}
_TEXTS: dict[str, Any] = {"type": ["array", "null"], "items": _TEXT}


def _object(**properties: Any) -> dict[str, Any]:
    return {"type": ["object", "null"], "properties": properties}


def _list(item: dict[str, Any]) -> dict[str, Any]:
    return {"type": ["array", "null"], "items": item}


_URL = _object(label=_TEXT, href=_TEXT)
_LAYOUT = _list(_list(_list(_TEXT)))


def _v4_section(**item: Any) -> dict[str, Any]:
    return _object(name=_TEXT, visible=_FLAG, items=_list(_object(visible=_FLAG, **item)))


V4_ITEMS: dict[str, dict[str, Any]] = {
    "experience": {"company": _TEXT, "position": _TEXT, "location": _TEXT, "date": _TEXT,
                   "summary": _TEXT, "url": _URL},
    "volunteer": {"organization": _TEXT, "position": _TEXT, "location": _TEXT, "date": _TEXT,
                  "summary": _TEXT, "url": _URL},
    "education": {"institution": _TEXT, "studyType": _TEXT, "area": _TEXT, "score": _TEXT,
                  "date": _TEXT, "summary": _TEXT, "url": _URL},
    "skills": {"name": _TEXT, "description": _TEXT, "level": _NUMBER, "keywords": _TEXTS},
    "languages": {"name": _TEXT, "description": _TEXT, "level": _NUMBER},
    "profiles": {"network": _TEXT, "username": _TEXT, "icon": _TEXT, "url": _URL},
    "projects": {"name": _TEXT, "description": _TEXT, "date": _TEXT, "summary": _TEXT,
                 "keywords": _TEXTS, "url": _URL},
    "awards": {"title": _TEXT, "awarder": _TEXT, "date": _TEXT, "summary": _TEXT, "url": _URL},
    "certifications": {"name": _TEXT, "issuer": _TEXT, "date": _TEXT, "summary": _TEXT,
                       "url": _URL},
    "publications": {"name": _TEXT, "publisher": _TEXT, "date": _TEXT, "summary": _TEXT,
                     "url": _URL},
    "interests": {"name": _TEXT, "keywords": _TEXTS},
    "references": {"name": _TEXT, "description": _TEXT, "summary": _TEXT, "url": _URL},
}  # fmt: skip
V4_CUSTOM_ITEM = {"name": _TEXT, "description": _TEXT, "date": _TEXT, "location": _TEXT,
                  "summary": _TEXT, "keywords": _TEXTS, "url": _URL}  # fmt: skip
V4_SCHEMA = {
    "type": "object",
    "required": ["basics", "sections"],
    "properties": {
        "basics": {
            "type": "object",
            "properties": {
                **dict.fromkeys(("name", "headline", "email", "phone", "location"), _TEXT),
                "url": _URL,
                "customFields": _list(_object(name=_TEXT, value=_TEXT, icon=_TEXT)),
                "picture": _object(url=_TEXT),
            },
        },
        "sections": {
            "type": "object",
            "properties": {
                "summary": _object(name=_TEXT, visible=_FLAG, content=_TEXT),
                **{key: _v4_section(**item) for key, item in V4_ITEMS.items()},
                "custom": {
                    "type": ["object", "null"],
                    "additionalProperties": _v4_section(**V4_CUSTOM_ITEM),
                },
            },
        },
        "metadata": _object(layout=_LAYOUT, notes=_TEXT),
    },
}
_V3_DATE = _object(start=_TEXT, end=_TEXT)
V3_ITEMS: dict[str, dict[str, Any]] = {
    "work": {"name": _TEXT, "position": _TEXT, "url": _TEXT, "date": _V3_DATE, "summary": _TEXT},
    "volunteer": {"organization": _TEXT, "position": _TEXT, "url": _TEXT, "date": _V3_DATE,
                  "summary": _TEXT},
    "education": {"institution": _TEXT, "degree": _TEXT, "area": _TEXT, "score": _TEXT,
                  "courses": _TEXTS, "url": _TEXT, "date": _V3_DATE, "summary": _TEXT},
    "skills": {"name": _TEXT, "level": _NUMBER, "levelNum": _NUMBER, "keywords": _TEXTS},
    "languages": {"name": _TEXT, "level": _NUMBER, "levelNum": _NUMBER},
    "projects": {"name": _TEXT, "description": _TEXT, "url": _TEXT, "date": _V3_DATE,
                 "summary": _TEXT, "keywords": _TEXTS},
    "awards": {"title": _TEXT, "awarder": _TEXT, "date": _TEXT, "url": _TEXT, "summary": _TEXT},
    "certifications": {"name": _TEXT, "issuer": _TEXT, "date": _TEXT, "url": _TEXT,
                       "summary": _TEXT},
    "publications": {"name": _TEXT, "publisher": _TEXT, "date": _TEXT, "url": _TEXT,
                     "summary": _TEXT},
    "interests": {"name": _TEXT, "keywords": _TEXTS},
    "references": {"name": _TEXT, "relationship": _TEXT, "email": _TEXT, "phone": _TEXT,
                   "summary": _TEXT},
}  # fmt: skip
V3_SCHEMA = {
    "type": "object",
    "required": ["basics", "sections"],
    "properties": {
        "basics": {
            "type": "object",
            "properties": {
                **dict.fromkeys(
                    ("name", "email", "phone", "headline", "birthdate", "website"), _TEXT
                ),
                "summary": {
                    "type": ["string", "object", "null"],
                    "properties": {"body": _TEXT, "visible": _FLAG, "heading": _TEXT},
                },
                "profiles": _list(_object(url=_TEXT, network=_TEXT, username=_TEXT)),
                "location": _object(
                    address=_TEXT, postalCode=_TEXT, city=_TEXT, country=_TEXT, region=_TEXT
                ),
                "photo": _object(url=_TEXT, visible=_FLAG),
            },
        },
        "sections": {
            "type": "object",
            "properties": {key: _v4_section(**item) for key, item in V3_ITEMS.items()},
            # Custom sections (type "custom") are read generically: text, lists, dates.
            "additionalProperties": _object(name=_TEXT, visible=_FLAG, items=_list(_object())),
        },
        "metadata": _object(layout=_LAYOUT, locale=_TEXT),
    },
}
_MATCHER_LINES = {"type": ["array", "string", "null"], "items": _TEXT}
MATCHER_SCHEMA = {
    "type": "object",
    "properties": {
        "personalInfo": _object(
            **dict.fromkeys(
                ("name", "title", "email", "phone", "location", "website", "linkedin", "github"),
                _TEXT,
            )
        ),
        "summary": _TEXT,
        "workExperience": _list(
            _object(
                title=_TEXT,
                company=_TEXT,
                location=_TEXT,
                years=_TEXT,
                description=_MATCHER_LINES,
            )
        ),
        "education": _list(
            _object(institution=_TEXT, degree=_TEXT, years=_TEXT, description=_TEXT)
        ),
        "personalProjects": _list(
            _object(
                name=_TEXT,
                role=_TEXT,
                years=_TEXT,
                github=_TEXT,
                website=_TEXT,
                description=_MATCHER_LINES,
            )
        ),
        "additional": _object(
            technicalSkills=_MATCHER_LINES,
            languages=_MATCHER_LINES,
            certificationsTraining=_MATCHER_LINES,
            awards=_MATCHER_LINES,
        ),
        "sectionMeta": _list(_object(key=_TEXT, displayName=_TEXT, isVisible=_FLAG, order=_NUMBER)),
        "customSections": {
            "type": ["object", "null"],
            "additionalProperties": _object(
                sectionType=_TEXT,
                items=_list(
                    _object(
                        title=_TEXT,
                        subtitle=_TEXT,
                        location=_TEXT,
                        years=_TEXT,
                        description=_MATCHER_LINES,
                    )
                ),
                strings=_MATCHER_LINES,
                text=_TEXT,
            ),
        },
    },
}
SCHEMAS = {
    REACTIVE_RESUME_V4: V4_SCHEMA,
    REACTIVE_RESUME_V3: V3_SCHEMA,
    RESUME_MATCHER: MATCHER_SCHEMA,
}
TYPE_NAMES = {"array": "a list", "object": "an object", "string": "text", "number": "a number",
              "boolean": "true or false", "null": "null"}  # fmt: skip


class UnknownFormat(ValueError):
    """A JSON document of none of the formats we import."""


@dataclass
class ImportResult:
    cv: dict[str, Any]  # the normalised CV
    source: str  # a key of FORMAT_NAMES
    kept: list[str] = field(default_factory=list)  # source fields kept in the extras
    hidden: list[str] = field(default_factory=list)  # entries the source tool hid
    ordered: bool = False  # the source set the order of the sections

    @property
    def format_name(self) -> str:
        return FORMAT_NAMES[self.source]


def detect_format(doc: Any) -> str | None:
    """The format of a JSON document, by the keys each one's exports always have."""
    if not isinstance(doc, dict):
        return None
    sections, basics = doc.get("sections"), doc.get("basics")
    if isinstance(sections, dict) and isinstance(basics, dict):
        v3 = "work" in sections or "public" in doc or isinstance(basics.get("location"), dict)
        return REACTIVE_RESUME_V3 if v3 else REACTIVE_RESUME_V4
    if _matcher_data(doc) is not None:
        return RESUME_MATCHER
    if "basics" in doc or "work" in doc:
        return JSON_RESUME
    return None


def import_document(doc: Any, *, language: str | None = None) -> ImportResult:
    """A CV from a document in any of the formats; UnknownFormat or CvValidationError."""
    source = detect_format(doc)
    if source is None:
        raise UnknownFormat(
            "this JSON is in none of the formats we import: JSON Resume, Reactive Resume "
            "(v3 and v4) and Resume-Matcher"
        )
    if source == JSON_RESUME:
        meta = doc.get("meta")
        ours = meta.get("fitmycv") if isinstance(meta, dict) else None
        ordered = isinstance(ours, dict) and bool(ours.get("sectionOrder"))
        return ImportResult(from_json_resume(doc, language=language), source, ordered=ordered)
    if source == RESUME_MATCHER:
        doc = _matcher_data(doc)
    _check_types(doc, source)
    builder = _Builder(source)
    if source == REACTIVE_RESUME_V4:
        _read_reactive_v4(doc, builder)
    elif source == REACTIVE_RESUME_V3:
        _read_reactive_v3(doc, builder)
    else:
        _read_matcher(doc, builder)
    return builder.result(language)


def _matcher_data(doc: dict[str, Any]) -> dict[str, Any] | None:
    """Resume-Matcher's structured resume, alone, in a stored row or in the API's answer."""
    data = doc.get("data")
    candidates = (
        doc,
        doc.get("processed_resume"),
        doc.get("processed_data"),
        data.get("processed_resume") if isinstance(data, dict) else None,
    )
    for candidate in candidates:
        if isinstance(candidate, dict) and MATCHER_KEYS & candidate.keys():
            return candidate
    return None


@functools.cache
def _validator(source: str) -> jsonschema.Draft7Validator:
    return jsonschema.Draft7Validator(SCHEMAS[source])


def _check_types(doc: dict[str, Any], source: str) -> None:
    errors = list(_validator(source).iter_errors(doc))[:MAX_REPORTED_ERRORS]
    if errors:
        raise CvValidationError([(field_path(e.absolute_path), _message(e)) for e in errors])


def _message(error: jsonschema.ValidationError) -> str:
    if error.validator == "type":
        kinds = (
            error.validator_value
            if isinstance(error.validator_value, list)
            else [error.validator_value]
        )
        names = [TYPE_NAMES.get(str(kind), str(kind)) for kind in kinds if kind != "null"]
        return "should be " + " or ".join(names)
    return error.message[:200]


# --- Plain text from HTML, markdown and dates -----------------------------------------------


class _Blocks(HTMLParser):
    """Paragraphs and list items of sanitised HTML, as ("p" | "li", text) pairs."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[tuple[str, str]] = []
        self.parts: list[str] = []
        self.kinds: list[str] = ["p"]
        self.link: tuple[str, int] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in HTML_BLOCKS:
            self._flush()
            self.kinds.append("li" if tag == "li" else self.kinds[-1])
        elif tag == "br":
            self.parts.append("\n")
        elif tag == "a":
            self.link = (dict(attrs).get("href") or "", len(self.parts))

    def handle_endtag(self, tag: str) -> None:
        if tag in HTML_BLOCKS:
            self._flush()
            if len(self.kinds) > 1:
                self.kinds.pop()
        elif tag == "a" and self.link:
            href, start = self.link
            if href and href not in "".join(self.parts[start:]):
                self.parts.append(f" ({href})")
            self.link = None

    def handle_data(self, data: str) -> None:
        self.parts.append(data)

    def _flush(self) -> None:
        lines = (" ".join(line.split()) for line in "".join(self.parts).split("\n"))
        text = "\n".join(line for line in lines if line)
        if text:
            self.blocks.append((self.kinds[-1], text))
        self.parts = []

    def close(self) -> None:
        super().close()
        self._flush()


def html_blocks(html: str) -> list[tuple[str, str]]:
    """("p" | "li", plain text) for each paragraph and list item of an HTML fragment.

    The HTML is sanitised by nh3 first (scripts, styles, events and unsafe links removed);
    what comes out is plain text, escaped again wherever the CV is shown."""
    cleaned = nh3.clean(
        html,
        tags=set(HTML_TAGS),
        attributes={"a": {"href"}},
        url_schemes=set(LINK_SCHEMES),
        link_rel=None,
    )
    parser = _Blocks()
    parser.feed(cleaned)
    parser.close()
    return parser.blocks


def markdown_blocks(text: str) -> list[tuple[str, str]]:
    """Reactive Resume v3's markdown: bullet lines are list items, other lines paragraphs."""
    blocks = []
    for line in text.splitlines():
        if not line.strip():
            continue
        bullet = MARKDOWN_BULLET.match(line)
        body = line[bullet.end() :] if bullet else line
        blocks.append(("li" if bullet else "p", body.replace("**", "").strip()))
    return blocks


def _split(blocks: list[tuple[str, str]]) -> tuple[str, list[str]]:
    """(paragraphs, list items)."""
    text = "\n".join(body for kind, body in blocks if kind == "p")
    return text, [body for kind, body in blocks if kind == "li"]


def _joined(blocks: list[tuple[str, str]]) -> str:
    return "\n".join(f"- {body}" if kind == "li" else body for kind, body in blocks)


def _inline(text: str) -> str:
    """One Resume-Matcher string, whose lines may carry <strong>, <em>, <u> or <a>."""
    return " ".join(body for _, body in html_blocks(text)) if "<" in text else text.strip()


def _one_date(text: str, *, end: bool) -> str | None:
    text = ISO_TIME.sub("", text.strip())  # v3 wrote some dates as 2018-03-12T23:00:00.000Z
    if text.lower() in NO_DATE:
        return ""
    try:
        return parse_month(text, end=end)
    except ValidationError:
        return None


def date_range(text: str) -> tuple[str, str] | None:
    """(start, end) of a date or range as people write it; None when it cannot be read."""
    text = " ".join(text.split())
    if text.lower() in NO_DATE:
        return "", ""
    halves = [DATE_SEPARATOR.split(text, maxsplit=1)]
    if dashed := DASHED_RANGE.fullmatch(text):
        halves.append([dashed[1], dashed[2]])
    for parts in halves:
        if len(parts) == 2:
            start, end = _one_date(parts[0], end=False), _one_date(parts[1], end=True)
            if start is not None and end is not None:
                return start, end
    single = _one_date(text, end=False)
    if single is not None:
        return single, single
    if _one_date(text, end=True) == PRESENT:
        return "", PRESENT
    return None


# --- Building the CV ------------------------------------------------------------------------


class _Leftovers:
    """What one source entry has and the CV has not: one extra in Additional information."""

    def __init__(self, builder: _Builder, name: str) -> None:
        self.builder, self.name = builder, name
        self.text = ""
        self.bullets: list[str] = []
        self.fields: list[tuple[str, str]] = []
        self.extra: dict[str, Any] | None = None

    def add_text(self, path: str, text: str, bullets: Sequence[str] = ()) -> None:
        if text or bullets:
            self.text = "\n".join(part for part in (self.text, text) if part)
            self.bullets += list(bullets)
            self.keep(path)

    def add(self, path: str, label: str, value: Any) -> None:
        value = _text(value)
        if value:
            self.fields.append((label, value))
            self.keep(path)

    def keep(self, path: str) -> None:
        """Note the source field, and make the extra (even empty: the entry is kept)."""
        if self.extra is None:
            self.extra = {"name": self.name}
            self.builder.extras.append(self.extra)
        self.extra["summary"] = _fold_lines(self.text, self.fields, self.bullets)
        self.builder.keep(path)


class _Builder:
    def __init__(self, source: str) -> None:
        self.source = source
        self.header: dict[str, Any] = {"full_name": "", "current_title": ""}
        self.contact: dict[str, Any] = {"links": []}
        self.summary = ""
        self.skills: list[dict[str, Any]] = []
        self.skill_names: set[str] = set()
        self.experience: list[dict[str, Any]] = []
        self.education: list[dict[str, Any]] = []
        self.languages: list[dict[str, str]] = []
        self.projects: list[dict[str, Any]] = []
        self.extras: list[dict[str, Any]] = []
        self.kept: list[str] = []
        self.hidden: list[str] = []
        self.order: list[str] = []
        self.language = ""

    def keep(self, path: str) -> None:
        if path not in self.kept:
            self.kept.append(path)

    def leftovers(self, name: str) -> _Leftovers:
        return _Leftovers(self, name)

    def extra(self, path: str, name: str, text: str, fields: list[tuple[str, Any]]) -> None:
        """An entry the CV keeps in Additional information by nature (an award, an interest)."""
        lines = [(label, _text(value)) for label, value in fields]
        self.extras.append({"name": name, "summary": _fold_lines(text, lines)})
        self.keep(path)

    def link(self, label: str, url: Any) -> None:
        url = _text(url)
        if url:
            self.contact["links"].append({"label": label, "url": url})

    def skill(self, name: str, proficiency: int | None = None) -> None:
        if name and name.casefold() not in self.skill_names:
            self.skill_names.add(name.casefold())
            self.skills.append({"name": name, "proficiency": proficiency})

    def dates(self, value: Any, leftovers: _Leftovers, path: str) -> tuple[str, str]:
        text = _text(value)
        dates = date_range(text)
        if dates is None:
            leftovers.add(path, "Dates", text)
            return "", ""
        return dates

    def add_experience(
        self,
        *,
        path: str,
        company: str,
        title: str,
        location: str,
        dates: tuple[str, str],
        blocks: list[tuple[str, str]],
        leftovers: _Leftovers,
        volunteer: bool = False,
    ) -> None:
        if not company or not title:  # the CV needs both: the whole entry is kept as text
            if not (company or title or blocks or any(dates) or location):
                return
            leftovers.keep(f"{path} (without {'a position' if company else 'a company'})")
            leftovers.add_text(path, _joined(blocks))
            leftovers.add(path, "Position", title)
            leftovers.add(path, "Location", location)
            leftovers.add(path, "Dates", " – ".join(part for part in dates if part))
            return
        description, bullets = _split(blocks)
        self.experience.append(
            {
                "title": title,
                "company": company,
                "department_or_client": VOLUNTEER_MARK if volunteer else "",
                "start_date": dates[0],
                "end_date": dates[1],
                "location": _location(location) if location else {},
                "description": description,
                "responsibilities": bullets,
            }
        )

    def add_project(self, project: dict[str, Any], path: str = "projects") -> None:
        if project["name"]:
            self.projects.append(project)
        elif any(project.values()):  # the CV needs a name: the entry is kept as text
            dates = " – ".join(
                part for part in (project["start_date"], project["end_date"]) if part
            )
            fields = [("Role", project["role"]), ("Dates", dates), ("URL", project["url"])]
            fields.append(("Technologies", project.get("tech_stack", [])))
            self.extra(f"{path} (without a name)", "Project", project["summary"], fields)

    def add_language(self, language: dict[str, str]) -> None:
        if language["name"]:
            self.languages.append(language)

    def set_order(self, names: list[str]) -> None:
        order = ["header"]
        for name in names:
            if name not in order:
                order.append(name)
        self.order = order if len(order) > 1 else []

    def result(self, language: str | None) -> ImportResult:
        title = self.header["current_title"] or next((exp["title"] for exp in self.experience), "")
        errors = []
        if not self.header["full_name"]:
            errors.append(("name", "is required: the file gives no name"))
        if not title:
            errors.append(("title", "is required: the file gives no headline or job title"))
        if errors:
            raise CvValidationError(errors)
        cv: dict[str, Any] = {
            "header": {**self.header, "current_title": title, "contact": self.contact},
            "summary": {"description": self.summary},
            "skills": {"hard_skills": self.skills},
            "experience": self.experience,
            "education": self.education,
            "languages": self.languages,
            "extras": self.extras,
            "projects": self.projects,
        }
        if self.order:
            cv["section_order"] = self.order
        cv["language"] = language or self.language or "en"
        cv = normalize_cv(cv)
        if not language and not self.language:
            cv["language"] = detect_language(cv_plain_text(cv))
        return ImportResult(cv, self.source, self.kept, self.hidden, bool(self.order))


def _text(value: Any) -> str:
    if isinstance(value, list):
        return LIST_SEPARATOR.join(text for text in map(_text, value) if text)
    if isinstance(value, bool) or value is None:
        return ""
    if isinstance(value, int | float):
        return str(value)
    return value.strip() if isinstance(value, str) else ""


def _texts(value: Any) -> list[str]:
    """Lines of a list or of a text (Resume-Matcher takes both), without bullet marks."""
    if isinstance(value, str):
        value = value.splitlines()
    lines = (MARKDOWN_BULLET.sub("", _text(item), count=1) for item in value or [])
    return [text for text in map(_inline, lines) if text]


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    try:
        return float(str(value).strip())
    except ValueError:
        return None


def _level(value: Any, *, scale: int = 5) -> int | None:
    """A 1..scale rating as 1..5; 0 or nothing is no level (the tools show no dots then)."""
    number = _number(value)
    if number is None or number <= 0:
        return None
    return max(1, min(5, round(number * 5 / scale)))


def _level_word(text: str) -> int | None:
    try:
        return parse_proficiency(text) if text else None
    except ValueError:
        return None


def _url(value: Any) -> tuple[str, str]:
    """(href, label) of Reactive Resume v4's {label, href}."""
    url = _dict(value)
    return _text(url.get("href")), _text(url.get("label"))


# --- Reactive Resume ------------------------------------------------------------------------


def _items(builder: _Builder, section: Any, key: str, title_key: str) -> Iterator[dict[str, Any]]:
    """The items of a section; those hidden (or in a hidden section) are noted."""
    section = _dict(section)
    hidden_section = section.get("visible") is False
    heading = _text(section.get("name")) or key
    for item in section.get("items") or []:
        if not isinstance(item, dict):
            continue  # v3 keeps deleted entries as null
        if hidden_section or item.get("visible") is False:
            builder.hidden.append(f"{heading}: {_text(item.get(title_key)) or '…'}")
        yield item


def _layout_order(layout: Any, names: dict[str, str]) -> list[str]:
    order = []
    for page in layout or []:
        for column in page or []:
            for key in column or []:
                key = _text(key)
                order.append(names.get(key, "extras"))
    return order


def _read_reactive_v4(doc: dict[str, Any], builder: _Builder) -> None:
    basics, sections = doc["basics"], doc["sections"]
    builder.header["full_name"] = _text(basics.get("name"))
    builder.header["current_title"] = _text(basics.get("headline"))
    location = _text(basics.get("location"))
    builder.contact.update(
        email=_text(basics.get("email")),
        phone=_text(basics.get("phone")),
        location=_location(location) if location else {},
    )
    href, label = _url(basics.get("url"))
    builder.link(label or "Website", href)
    builder.link("Photo", _dict(basics.get("picture")).get("url"))
    for custom in basics.get("customFields") or []:
        name, value = _text(_dict(custom).get("name")), _text(_dict(custom).get("value"))
        if WEB_ADDRESS.match(value):
            builder.link(name or "Link", value)
        elif value:
            builder.leftovers(name or "Details").add_text("basics.customFields", value)
    for item in _items(builder, sections.get("profiles"), "profiles", "network"):
        _profile(builder, item, *_url(item.get("url")))

    summary = _dict(sections.get("summary"))
    if summary.get("visible") is False and _text(summary.get("content")):
        builder.hidden.append(_text(summary.get("name")) or "Summary")
    builder.summary = _joined(html_blocks(_text(summary.get("content"))))

    for key, company_key, volunteer in (
        ("experience", "company", False),
        ("volunteer", "organization", True),
    ):
        for item in _items(builder, sections.get(key), key, company_key):
            company = _text(item.get(company_key))
            kind = "Volunteering" if volunteer else "Experience"
            left = builder.leftovers(f"{kind}: {company or _text(item.get('position'))}")
            builder.add_experience(
                path=key,
                company=company,
                title=_text(item.get("position")),
                location=_text(item.get("location")),
                dates=builder.dates(item.get("date"), left, f"{key}.date"),
                blocks=html_blocks(_text(item.get("summary"))),
                leftovers=left,
                volunteer=volunteer,
            )
            left.add(f"{key}.url", "URL", _url(item.get("url"))[0])

    for item in _items(builder, sections.get("education"), "education", "institution"):
        _education(
            builder,
            item,
            degree=_text(item.get("studyType")),
            field_of_study=_text(item.get("area")),
            dates=item.get("date"),
            blocks=html_blocks(_text(item.get("summary"))),
            url=_url(item.get("url"))[0],
        )

    for item in _items(builder, sections.get("skills"), "skills", "name"):
        name, description = _text(item.get("name")), _text(item.get("description"))
        level = _level(item.get("level"))
        word = _level_word(description)
        builder.skill(name, level if level is not None else word)
        if description and word is None and name:
            builder.leftovers(f"Skill: {name}").add_text("skills.description", description)
        for keyword in _texts(item.get("keywords")):
            builder.skill(keyword)

    for item in _items(builder, sections.get("languages"), "languages", "name"):
        level = _level(item.get("level"))
        description = _text(item.get("description"))
        builder.add_language(
            {
                "name": _text(item.get("name")),
                "level": description or ("" if level is None else PROFICIENCY_LABELS[level]),
            }
        )

    for item in _items(builder, sections.get("projects"), "projects", "name"):
        href, label = _url(item.get("url"))
        left = builder.leftovers(f"Project: {_text(item.get('name'))}")
        start, end = builder.dates(item.get("date"), left, "projects.date")
        builder.add_project(
            {
                "name": _text(item.get("name")),
                "role": _text(item.get("description")),
                "start_date": start,
                "end_date": end,
                "summary": _joined(html_blocks(_text(item.get("summary")))),
                "tech_stack": _texts(item.get("keywords")),
                "url": href,
                "url_label": label,
            }
        )

    _reactive_extras(builder, sections, html_blocks, v4=True)
    for custom in _dict(sections.get("custom")).values():
        heading = _text(_dict(custom).get("name")) or "Custom section"
        for item in _items(builder, custom, heading, "name"):
            name = _text(item.get("name"))
            builder.extra(
                f"custom.{heading}",
                f"{heading}: {name}" if name else heading,
                _joined(html_blocks(_text(item.get("summary")))),
                [
                    ("Description", item.get("description")),
                    ("Date", item.get("date")),
                    ("Location", item.get("location")),
                    ("Keywords", _texts(item.get("keywords"))),
                    ("URL", _url(item.get("url"))[0]),
                ],
            )

    metadata = _dict(doc.get("metadata"))
    if notes := _joined(html_blocks(_text(metadata.get("notes")))):
        builder.leftovers("Notes").add_text("metadata.notes", notes)
    builder.set_order(_layout_order(metadata.get("layout"), REACTIVE_SECTIONS))


def _profile(builder: _Builder, item: dict[str, Any], href: str, label: str) -> None:
    network, username = _text(item.get("network")), _text(item.get("username"))
    if href:
        builder.link(": ".join(part for part in (network, username) if part) or label, href)
    elif network or username:
        builder.leftovers(f"Profile: {network}" if network else "Profile").add(
            "profiles (without a link)", "Username", username or network
        )


def _education(
    builder: _Builder,
    item: dict[str, Any],
    *,
    degree: str,
    field_of_study: str,
    dates: Any,
    blocks: list[tuple[str, str]],
    url: str,
    courses: Sequence[str] = (),
    text_path: str = "education.summary",
) -> None:
    institution = _text(item.get("institution"))
    left = builder.leftovers(f"Education: {institution or degree}")
    if isinstance(dates, dict):  # v3: {start, end}
        start, end = _v3_dates(dates, left, "education.date")
    else:
        start, end = builder.dates(dates, left, "education.date")
    if not institution:
        if not (degree or field_of_study or blocks or start or end):
            return
        left.keep("education (without an institution)")
        left.add_text("education", degree)
        left.add("education", "Field of study", field_of_study)
        left.add("education", "Dates", " – ".join(part for part in (start, end) if part))
    else:
        builder.education.append(
            {
                "institution": institution,
                "degree": degree,
                "field_of_study": field_of_study,
                "start_date": start,
                "end_date": end,
            }
        )
    # The JSON Resume import's "Education: <institution>" extra: text, Score, URL, Courses.
    left.add_text(text_path, _joined(blocks))
    left.add("education.score", "Score", item.get("score"))
    left.add("education.url", "URL", url)
    left.add("education.courses", "Courses", list(courses))


# Reactive Resume's dated sections kept as extras: (section, its title's key, the extra's
# label, who gave it: key and label).
DATED_EXTRAS = (
    ("awards", "title", "Award", "awarder", "Awarder"),
    ("certifications", "name", "Certificate", "issuer", "Issuer"),
    ("publications", "name", "Publication", "publisher", "Publisher"),
)


def _reactive_extras(builder: _Builder, sections: dict[str, Any], blocks: Any, *, v4: bool) -> None:
    """Awards, certifications, publications, interests and references (both versions)."""

    def date(item: dict[str, Any]) -> str:
        return ISO_TIME.sub("", _text(item.get("date")))

    def url(item: dict[str, Any]) -> str:
        return _url(item.get("url"))[0] if v4 else _text(item.get("url"))

    def text(item: dict[str, Any]) -> str:
        return _joined(blocks(_text(item.get("summary"))))

    for section, title_key, label, by_key, by_label in DATED_EXTRAS:
        for item in _items(builder, sections.get(section), section, title_key):
            builder.extra(
                section,
                f"{label}: {_text(item.get(title_key))}",
                text(item),
                [(by_label, item.get(by_key)), ("Date", date(item)), ("URL", url(item))],
            )
    for item in _items(builder, sections.get("interests"), "interests", "name"):
        builder.extra(
            "interests",
            f"Interest: {_text(item.get('name'))}",
            LIST_SEPARATOR.join(_texts(item.get("keywords"))),
            [],
        )
    for item in _items(builder, sections.get("references"), "references", "name"):
        fields = (
            [("Description", item.get("description")), ("URL", url(item))]
            if v4
            else [
                ("Relationship", item.get("relationship")),
                ("Email", item.get("email")),
                ("Phone", item.get("phone")),
            ]
        )
        builder.extra("references", f"Reference: {_text(item.get('name'))}", text(item), fields)


def _v3_dates(date: dict[str, Any], left: _Leftovers, path: str) -> tuple[str, str]:
    start_text, end_text = _text(date.get("start")), _text(date.get("end"))
    start, end = _one_date(start_text, end=False), _one_date(end_text, end=True)
    if start is None or end is None:
        left.add(path, "Dates", " – ".join(part for part in (start_text, end_text) if part))
        return "", ""
    # An entry with a start and no end is shown as ongoing, as in JSON Resume.
    return start, end or (PRESENT if start else "")


def _read_reactive_v3(doc: dict[str, Any], builder: _Builder) -> None:
    basics, sections = doc["basics"], doc["sections"]
    builder.header["full_name"] = _text(basics.get("name"))
    builder.header["current_title"] = _text(basics.get("headline"))
    location = _dict(basics.get("location"))
    country = _text(location.get("country"))
    code = COUNTRIES.get(fold(country), country.upper() if len(country) == 2 else "")
    region = ", ".join(
        part for part in (_text(location.get("region")), "" if code else country) if part
    )
    builder.contact.update(
        email=_text(basics.get("email")),
        phone=_text(basics.get("phone")),
        location={"city": _text(location.get("city")), "region": region, "country_code": code},
    )
    address = builder.leftovers("Address")
    address.add_text("basics.location.address", _text(location.get("address")))
    address.add("basics.location.postalCode", "Postal code", location.get("postalCode"))
    builder.leftovers("Date of birth").add_text("basics.birthdate", _text(basics.get("birthdate")))
    builder.link("Website", basics.get("website"))
    builder.link("Photo", _dict(basics.get("photo")).get("url"))
    for profile in basics.get("profiles") or []:
        profile = _dict(profile)
        _profile(builder, profile, _text(profile.get("url")), "")
    summary = basics.get("summary")
    if isinstance(summary, dict):
        if summary.get("visible") is False and _text(summary.get("body")):
            builder.hidden.append(_text(summary.get("heading")) or "Summary")
        summary = summary.get("body")
    builder.summary = _joined(markdown_blocks(_text(summary)))

    # A section duplicated in v3 has an id of its own for a key, and the type of the original.
    work = [key for key, section in sections.items() if _dict(section).get("type") == "work"]
    works = [(key, "name", False) for key in dict.fromkeys(["work", *work])]
    for key, company_key, volunteer in [*works, ("volunteer", "organization", True)]:
        for item in _items(builder, sections.get(key), key, company_key):
            company = _text(item.get(company_key))
            kind = "Volunteering" if volunteer else "Experience"
            left = builder.leftovers(f"{kind}: {company or _text(item.get('position'))}")
            builder.add_experience(
                path=key,
                company=company,
                title=_text(item.get("position")),
                location="",
                dates=_v3_dates(_dict(item.get("date")), left, f"{key}.date"),
                blocks=markdown_blocks(_text(item.get("summary"))),
                leftovers=left,
                volunteer=volunteer,
            )
            left.add(f"{key}.url", "URL", item.get("url"))

    for item in _items(builder, sections.get("education"), "education", "institution"):
        _education(
            builder,
            item,
            degree=_text(item.get("degree")),
            field_of_study=_text(item.get("area")),
            dates=_dict(item.get("date")),
            blocks=markdown_blocks(_text(item.get("summary"))),
            url=_text(item.get("url")),
            courses=_texts(item.get("courses")),
        )

    for item in _items(builder, sections.get("skills"), "skills", "name"):
        name, level_text = _text(item.get("name")), _text(item.get("level"))
        word = _level_word(level_text)
        builder.skill(name, word if word is not None else _level(item.get("levelNum"), scale=10))
        if level_text and word is None and name:
            builder.leftovers(f"Skill: {name}").add("skills.level", "Level", level_text)
        for keyword in _texts(item.get("keywords")):
            builder.skill(keyword)

    for item in _items(builder, sections.get("languages"), "languages", "name"):
        level = _level(item.get("levelNum"), scale=10)
        builder.add_language(
            {
                "name": _text(item.get("name")),
                "level": _text(item.get("level"))
                or ("" if level is None else PROFICIENCY_LABELS[level]),
            }
        )

    for item in _items(builder, sections.get("projects"), "projects", "name"):
        left = builder.leftovers(f"Project: {_text(item.get('name'))}")
        start, end = _v3_dates(_dict(item.get("date")), left, "projects.date")
        builder.add_project(
            {
                "name": _text(item.get("name")),
                "role": _text(item.get("description")),
                "start_date": start,
                "end_date": end,
                "summary": _joined(markdown_blocks(_text(item.get("summary")))),
                "tech_stack": _texts(item.get("keywords")),
                "url": _text(item.get("url")),
            }
        )

    _reactive_extras(builder, sections, markdown_blocks, v4=False)
    for key, section in sections.items():
        if key in V3_ITEMS or key in work:
            continue
        heading = _text(_dict(section).get("name")) or key
        for item in _items(builder, section, heading, "title"):
            _generic_extra(builder, f"sections.{key}", heading, item)

    metadata = _dict(doc.get("metadata"))
    locale = _text(metadata.get("locale")).lower()[:2]
    builder.language = locale if locale in LANGUAGES else ""
    # v3 shows the summary under the name, outside the layout.
    builder.set_order(["summary", *_layout_order(metadata.get("layout"), REACTIVE_SECTIONS)])


def _generic_extra(builder: _Builder, path: str, heading: str, item: dict[str, Any]) -> None:
    """A v3 custom section's item: its title, its summary, every other value as a line."""
    title = _text(item.get("title")) or _text(item.get("name"))
    fields: list[tuple[str, Any]] = []
    for key, value in item.items():
        if isinstance(value, dict):  # a date range
            value = " – ".join(
                _text(value.get(part)) for part in ("start", "end") if _text(value.get(part))
            )
        skipped = key in ("id", "title", "name", "summary", "visible")
        if skipped or not _text(value) or (key == "levelNum" and not _number(value)):
            continue
        fields.append((GENERIC_LABELS.get(key, key[:1].upper() + key[1:]), value))
    builder.extra(
        path,
        f"{heading}: {title}" if title else heading,
        _joined(markdown_blocks(_text(item.get("summary")))),
        fields,
    )


# --- Resume-Matcher -------------------------------------------------------------------------


def _read_matcher(doc: dict[str, Any], builder: _Builder) -> None:
    info = _dict(doc.get("personalInfo"))
    builder.header["full_name"] = _text(info.get("name"))
    builder.header["current_title"] = _text(info.get("title"))
    location = _text(info.get("location"))
    builder.contact.update(
        email=_text(info.get("email")),
        phone=_text(info.get("phone")),
        location=_location(location) if location else {},
    )
    for key, label in (("website", "Website"), ("linkedin", "LinkedIn"), ("github", "GitHub")):
        builder.link(label, info.get(key))
    builder.summary = _inline(_text(doc.get("summary")))

    for item in doc.get("workExperience") or []:
        item = _dict(item)
        company, title = _text(item.get("company")), _text(item.get("title"))
        left = builder.leftovers(f"Experience: {company or title}")
        builder.add_experience(
            path="workExperience",
            company=company,
            title=title,
            location=_text(item.get("location")),
            dates=builder.dates(item.get("years"), left, "workExperience.years"),
            blocks=[("li", line) for line in _texts(item.get("description"))],
            leftovers=left,
        )
    for item in doc.get("education") or []:
        item = _dict(item)
        _education(
            builder,
            item,
            degree=_text(item.get("degree")),
            field_of_study="",
            dates=item.get("years"),
            blocks=[("p", line) for line in _texts(item.get("description"))],
            url="",
            text_path="education.description",
        )
    for item in doc.get("personalProjects") or []:
        item = _dict(item)
        name = _text(item.get("name"))
        left = builder.leftovers(f"Project: {name}")
        start, end = builder.dates(item.get("years"), left, "personalProjects.years")
        website, github = _text(item.get("website")), _text(item.get("github"))
        lines = _texts(item.get("description"))
        builder.add_project(
            {
                "name": name,
                "role": _text(item.get("role")),
                "start_date": start,
                "end_date": end,
                "summary": lines[0] if len(lines) == 1 else "\n".join(f"- {x}" for x in lines),
                "url": website or github,
                "url_label": "GitHub" if github and not website else "",
            }
        )
        if website:
            left.add("personalProjects.github", "GitHub", github)

    additional = _dict(doc.get("additional"))
    for name in _texts(additional.get("technicalSkills")):
        builder.skill(name)
    for text in _texts(additional.get("languages")):
        match = LANGUAGE_LEVEL.match(text)
        name, level = (match["name"], match["p"] or match["d"]) if match else (text, "")
        builder.add_language({"name": name.strip(), "level": (level or "").strip()})
    for text in _texts(additional.get("certificationsTraining")):
        builder.extra("additional.certificationsTraining", f"Certificate: {text}", "", [])
    for text in _texts(additional.get("awards")):
        builder.extra("additional.awards", f"Award: {text}", "", [])

    metas = sorted(
        (_dict(meta) for meta in doc.get("sectionMeta") or []),
        key=lambda meta: _number(meta.get("order")) or 0,
    )
    headings = {_text(meta.get("key")): _text(meta.get("displayName")) for meta in metas}
    for key, custom in _dict(doc.get("customSections")).items():
        _matcher_custom(builder, key, headings.get(key) or key, _dict(custom))
    for meta in metas:
        key = _text(meta.get("key"))
        if meta.get("isVisible") is False and (
            doc.get(key) or key in _dict(doc.get("customSections"))
        ):
            builder.hidden.append(_text(meta.get("displayName")) or key)
    builder.set_order(
        [
            name
            for meta in metas
            for name in MATCHER_SECTIONS.get(_text(meta.get("key")), ("extras",))
        ]
    )


def _matcher_custom(builder: _Builder, key: str, heading: str, custom: dict[str, Any]) -> None:
    path = f"customSections.{heading}"
    for item in custom.get("items") or []:
        item = _dict(item)
        title = _text(item.get("title"))
        lines = _texts(item.get("description"))
        builder.extra(
            path,
            f"{heading}: {title}" if title else heading,
            _fold_lines(_text(item.get("subtitle")), [], lines),
            [("Location", item.get("location")), ("Dates", item.get("years"))],
        )
    if strings := _texts(custom.get("strings")):
        builder.extra(path, heading, "\n".join(f"- {text}" for text in strings), [])
    if text := _inline(_text(custom.get("text"))):
        builder.extra(path, heading, text, [])
