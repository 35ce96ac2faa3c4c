"""CV export: one Django template per look, rendered to an HTML preview, a PDF (WeasyPrint) and
a DOCX (python-docx) from the same view of the CV.

The preview and the PDF share the template and the stylesheets in `static/cv/`; every CSS rule
is scoped under `.cv-doc` so the preview can sit inside the editor page. The PDF renderer reads
nothing but those static files (see `static_file_fetcher`): CV text is escaped by the template
engine, and a URL that slipped through anyway would stop the render instead of being fetched.
"""

from __future__ import annotations

import atexit
import contextlib
import dataclasses
import functools
import gc
import io
import math
import mimetypes
import re
import threading
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date as date_type
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypedDict
from urllib.parse import unquote, urlsplit
from xml.etree import ElementTree

from django.conf import settings
from django.template.loader import render_to_string
from django.templatetags.static import static
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from cvdoc.document import LANGUAGES, PRESENT, SECTION_NAMES, normalize_cv

# WeasyPrint takes over a second to import, so it is imported where a PDF is made, not by
# every process that loads the URLconf.
if TYPE_CHECKING:
    from weasyprint import CSS, HTML  # WeasyPrint loads Pango: only for PDFs
    from weasyprint.text.fonts import FontConfiguration  # WeasyPrint loads Pango: only for PDFs
    from weasyprint.urls import URLFetcher  # WeasyPrint loads Pango: only for PDFs

TEMPLATES = ("classic", "modern", "compact")
PAPERS = ("a4", "letter")
SKILL_GROUPS = ("hard_skills", "tools", "soft_skills", "methodologies")
ITEM_SECTIONS = ("experience", "education", "projects", "extras", "languages")
# Sections the modern template puts in its sidebar (with the header's contact details).
SIDEBAR_SECTIONS = ("skills", "languages")
STATIC_CV_DIR = Path(settings.BASE_DIR) / "static" / "cv"
STATIC_SUFFIXES = frozenset({".css", ".otf", ".ttf", ".woff", ".woff2", ".svg", ".png"})
MAX_FILENAME_PART = 40

SECTION_TITLES: dict[str, dict[str, str]] = {
    "fr": {
        "summary": "Résumé", "skills": "Compétences", "experience": "Expérience",
        "education": "Formation", "languages": "Langues",
        "extras": "Informations complémentaires", "projects": "Projets personnels",
    },
    "en": {
        "summary": "Summary", "skills": "Skills", "experience": "Experience",
        "education": "Education", "languages": "Languages",
        "extras": "Additional Information", "projects": "Projects",
    },
    "de": {
        "summary": "Zusammenfassung", "skills": "Fähigkeiten", "experience": "Berufserfahrung",
        "education": "Ausbildung", "languages": "Sprachen",
        "extras": "Zusätzliche Informationen", "projects": "Projekte",
    },
    "es": {
        "summary": "Resumen", "skills": "Habilidades", "experience": "Experiencia",
        "education": "Formación", "languages": "Idiomas",
        "extras": "Información adicional", "projects": "Proyectos",
    },
}  # fmt: skip
SKILL_GROUP_TITLES: dict[str, dict[str, str]] = {
    "fr": {"hard_skills": "Compétences techniques", "tools": "Outils",
           "soft_skills": "Savoir-être", "methodologies": "Méthodologies"},
    "en": {"hard_skills": "Technical skills", "tools": "Tools",
           "soft_skills": "Soft skills", "methodologies": "Methodologies"},
    "de": {"hard_skills": "Fachkenntnisse", "tools": "Werkzeuge",
           "soft_skills": "Soziale Kompetenzen", "methodologies": "Methoden"},
    "es": {"hard_skills": "Competencias técnicas", "tools": "Herramientas",
           "soft_skills": "Habilidades interpersonales", "methodologies": "Metodologías"},
}  # fmt: skip
LEVEL_LABELS: dict[str, tuple[str, ...]] = {
    "fr": ("Sensibilisation", "Débutant", "Intermédiaire", "Compétent", "Avancé", "Expert"),
    "en": ("Awareness", "Beginner", "Intermediate", "Proficient", "Advanced", "Expert"),
    "de": ("Grundlagen", "Anfänger", "Mittelstufe", "Kompetent", "Fortgeschritten", "Experte"),
    "es": ("Sensibilización", "Principiante", "Intermedio", "Competente", "Avanzado", "Experto"),
}
MONTHS: dict[str, tuple[str, ...]] = {
    "fr": ("janv.", "févr.", "mars", "avr.", "mai", "juin",
           "juil.", "août", "sept.", "oct.", "nov.", "déc."),
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
    "de": ("Jan.", "Feb.", "März", "Apr.", "Mai", "Juni",
           "Juli", "Aug.", "Sept.", "Okt.", "Nov.", "Dez."),
    "es": ("ene.", "feb.", "mar.", "abr.", "may.", "jun.",
           "jul.", "ago.", "sept.", "oct.", "nov.", "dic."),
}  # fmt: skip
PRESENT_WORDS = {"fr": "présent", "en": "Present", "de": "heute", "es": "actualidad"}
LABELS: dict[str, dict[str, str]] = {
    "fr": {"contact": "Contact", "technologies": "Environnement", "stack": "Technologies"},
    "en": {"contact": "Contact", "technologies": "Environment", "stack": "Tech stack"},
    "de": {"contact": "Kontakt", "technologies": "Umfeld", "stack": "Technologien"},
    "es": {"contact": "Contacto", "technologies": "Entorno", "stack": "Tecnologías"},
}  # fmt: skip
# "- item", "• item", "* item" lines in free text are shown as bullet lists.
_BULLET_LINE = re.compile(r"^(?:[-*•▪◦‣–]\s+)(.+)$")
_UNSAFE_FILENAME = re.compile(r"[^A-Za-z0-9]+")


# Fit to pages: a CV may be asked to fit one or two pages (a third page is never what a
# recruiter asks for, and a CV that long is better cut than squeezed).
FIT_PAGES = (1, 2)
BULLET_FIELDS = ("responsibilities", "deliverables")
BULLET_PATH = re.compile(r"experience\[(\d+)\]\.(responsibilities|deliverables)\[(\d+)\]")

# The readable limits a denser layout never crosses (docs/export.md):
MIN_BODY_PT = 9.0  # text the template sets at 9 pt or more: body, titles, bullets
MIN_SMALL_PT = 8.0  # smaller text (dates, labels, the sidebar) never shrinks under 8 pt
MIN_LINE_HEIGHT = 1.2  # nor line spacing under 1.2 (a line height the template sets lower stays)
MIN_MARGIN_MM = 10.0  # nor page margins and insets under 10 mm
# Lengths of 10 mm or more in the stylesheets are page margins and insets (the modern header
# band's padding, its bleed into the right margin): they follow the margins, not the spacing.
INSET_MM = 10.0


@dataclass(frozen=True, slots=True)
class Density:
    """A step of tightening, as factors of the template's own type, line height, vertical
    spacing and margins; each value is then held at the readable limits above."""

    type: float
    line_height: float
    spacing: float
    margins: float


# From the template as designed to the densest readable layout; each step is denser than the
# one before in every respect, so the page count never grows from one step to the next.
DENSITIES = (
    Density(type=1.0, line_height=1.0, spacing=1.0, margins=1.0),
    Density(type=1.0, line_height=0.95, spacing=0.85, margins=0.85),
    Density(type=0.96, line_height=0.92, spacing=0.72, margins=0.75),
    Density(type=0.93, line_height=0.9, spacing=0.62, margins=0.65),
    Density(type=0.9, line_height=0.88, spacing=0.55, margins=0.6),
    # Spacing stops at half the designed gaps: sections must still read as sections.
    Density(type=0.86, line_height=0.86, spacing=0.5, margins=0.55),
)


class ExportError(Exception):
    """The CV could not be rendered (a refused resource, a broken template)."""


class ExportView(TypedDict):
    """What the templates and the DOCX writer render: the CV cut down and localised."""

    language: str
    template: str
    paper: str
    header: dict[str, Any] | None  # full_name, current_title, details, links; None = hidden
    sections: list[dict[str, Any]]  # name, title, then blocks, groups or items
    sidebar: list[dict[str, Any]]  # the modern template's split of `sections`
    main: list[dict[str, Any]]
    labels: dict[str, str]
    watermark: str
    document_title: str


@dataclass
class ExportOptions:
    """What to export and how; `to_dict()`/`from_dict()` is the shape of a saved preset.

    Item selections are indices into the CV's lists (None = every item); indices that no
    longer exist are ignored, so a preset survives edits of the CV. The watermark is decided
    by billing for each export and is never part of a preset.
    """

    template: str = "classic"
    language: str | None = None
    paper: str = "a4"
    sections: list[str] | None = None
    experience_items: list[int] | None = None
    education_items: list[int] | None = None
    projects_items: list[int] | None = None
    extras_items: list[int] | None = None
    languages_items: list[int] | None = None
    hide_levels: bool = False
    hide_skill_groups: set[str] = field(default_factory=set)
    # Fit to this many pages (cvs.fit); None = as many pages as the CV takes.
    fit_pages: int | None = None
    # How dense the layout is: an index into DENSITIES, 0 = as the template is designed.
    density: int = 0
    # Experience bullets left out of this export, as "experience[2].responsibilities[0]"; the
    # CV itself keeps them. Only bullets the user accepted to drop ever get here.
    drop_bullets: list[str] = field(default_factory=list)
    watermark: str | None = None

    def __post_init__(self) -> None:
        # Accept the JSON shapes (lists) and Python ones (tuples, sets) alike.
        if isinstance(self.sections, tuple):
            self.sections = list(self.sections)
        for section in ITEM_SECTIONS:
            if isinstance(self.item_indices(section), tuple):
                setattr(self, f"{section}_items", list(self.item_indices(section)))
        if isinstance(self.hide_skill_groups, list | tuple | frozenset):
            self.hide_skill_groups = set(self.hide_skill_groups)
        if isinstance(self.drop_bullets, tuple | set | frozenset):
            self.drop_bullets = sorted(self.drop_bullets)
        if self.language == "":
            self.language = None
        if self.watermark == "":
            self.watermark = None
        _check_options(self)

    @classmethod
    def from_dict(cls, data: Any) -> ExportOptions:
        if not isinstance(data, dict):
            raise ValueError("export options must be an object")
        known = {f.name for f in dataclasses.fields(cls)} - {"watermark"}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"unknown export option {unknown[0]!r}")
        return cls(**data)

    def to_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        del data["watermark"]
        data["hide_skill_groups"] = sorted(self.hide_skill_groups)
        return data

    def item_indices(self, section: str) -> list[int] | None:
        return getattr(self, f"{section}_items")


def _check_options(options: ExportOptions) -> None:
    def one_of(name: str, value: Any, choices: Sequence[str], *, optional: bool = False) -> None:
        if optional and value is None:
            return
        if value not in choices:
            raise ValueError(f"{name} must be one of {', '.join(choices)}, not {value!r}")

    one_of("template", options.template, TEMPLATES)
    one_of("language", options.language, LANGUAGES, optional=True)
    one_of("paper", options.paper, PAPERS)
    if options.sections is not None:
        if not isinstance(options.sections, list):
            raise ValueError("sections must be a list of section names")
        for name in options.sections:
            one_of("each section", name, SECTION_NAMES)
        if len(set(options.sections)) != len(options.sections):
            raise ValueError("sections must not repeat a section")
    for section in ITEM_SECTIONS:
        items = options.item_indices(section)
        if items is None:
            continue
        if not isinstance(items, list) or not all(
            isinstance(i, int) and not isinstance(i, bool) and i >= 0 for i in items
        ):
            raise ValueError(f"{section}_items must be a list of item numbers (0, 1, 2…)")
    if not isinstance(options.hide_levels, bool):
        raise ValueError("hide_levels must be true or false")
    if not isinstance(options.hide_skill_groups, set):
        raise ValueError("hide_skill_groups must be a list of skill groups")
    for group in options.hide_skill_groups:
        one_of("each hidden skill group", group, SKILL_GROUPS)
    if options.watermark is not None and not isinstance(options.watermark, str):
        raise ValueError("watermark must be text")
    if options.fit_pages is not None and options.fit_pages not in FIT_PAGES:
        raise ValueError(f"fit_pages must be one of {', '.join(map(str, FIT_PAGES))} or null")
    if (
        not isinstance(options.density, int)
        or isinstance(options.density, bool)
        or not 0 <= options.density < len(DENSITIES)
    ):
        raise ValueError(f"density must be a step from 0 to {len(DENSITIES) - 1}")
    if not isinstance(options.drop_bullets, list) or not all(
        isinstance(path, str) and BULLET_PATH.fullmatch(path) for path in options.drop_bullets
    ):
        raise ValueError(
            "drop_bullets must be a list of bullet places like experience[0].responsibilities[1]"
        )


# --- The view of the CV that every format renders -------------------------------------------


def format_date(value: str, language: str) -> str:
    """A CV date in `language`: 2021-03 as "Mar 2021" or "mars 2021", present as "Present"."""
    if not value:
        return ""
    if value == PRESENT:
        return PRESENT_WORDS[language]
    year, _, month = value.partition("-")
    return f"{MONTHS[language][int(month) - 1]} {year}" if month else year


def format_period(start: str, end: str, language: str) -> str:
    first, last = format_date(start, language), format_date(end, language)
    if first and last:
        return first if first == last else f"{first} – {last}"
    return first or last


def location_text(location: dict[str, str]) -> str:
    parts = (location.get("city"), location.get("region"), location.get("country_code"))
    return ", ".join(part for part in parts if part)


def text_blocks(text: str) -> list[dict[str, Any]]:
    """Free text as paragraphs and bullet lists ("- item" lines), blank lines dropped."""
    blocks: list[dict[str, Any]] = []
    for raw in text.split("\n"):
        line = raw.strip()
        if not line:
            continue
        bullet = _BULLET_LINE.match(line)
        if bullet and blocks and blocks[-1]["kind"] == "list":
            blocks[-1]["items"].append(bullet.group(1))
        elif bullet:
            blocks.append({"kind": "list", "items": [bullet.group(1)]})
        else:
            blocks.append({"kind": "text", "text": line})
    return blocks


def _selected(items: list[dict[str, Any]], indices: list[int] | None) -> list[dict[str, Any]]:
    if indices is None:
        return items
    wanted = set(indices)
    return [item for i, item in enumerate(items) if i in wanted]


def _header(cv: dict[str, Any]) -> dict[str, Any]:
    header = cv["header"]
    contact = header["contact"]
    details = []
    if contact["email"]:
        details.append(
            {"kind": "email", "text": contact["email"], "href": f"mailto:{contact['email']}"}
        )
    if contact["phone"]:
        tel = re.sub(r"[^\d+]", "", contact["phone"])
        details.append(
            {"kind": "phone", "text": contact["phone"], "href": f"tel:{tel}" if tel else ""}
        )
    where = location_text(contact["location"])
    if where:
        details.append({"kind": "location", "text": where, "href": ""})
    links = [
        {"label": link["label"] if link["label"] != link["url"] else "", "url": link["url"]}
        for link in contact["links"]
    ]
    return {
        "full_name": header["full_name"],
        "current_title": header["current_title"],
        "details": details,
        "links": links,
    }


def _skills(cv: dict[str, Any], options: ExportOptions, language: str) -> list[dict[str, Any]]:
    levels = LEVEL_LABELS[language]
    groups = []
    for group in SKILL_GROUPS:
        if group in options.hide_skill_groups or not cv["skills"][group]:
            continue
        items = []
        for skill in cv["skills"][group]:
            if isinstance(skill, str):
                items.append({"name": skill, "level": None, "level_label": ""})
                continue
            level = None if options.hide_levels else skill["proficiency"]
            label = "" if level is None else levels[level]
            items.append({"name": skill["name"], "level": level, "level_label": label})
        groups.append({"key": group, "title": SKILL_GROUP_TITLES[language][group], "items": items})
    return groups


def _experience(item: dict[str, Any], language: str) -> dict[str, Any]:
    return {
        "title": item["title"],
        "company": item["company"],
        "department": item["department_or_client"],
        "location": location_text(item["location"]),
        "period": format_period(item["start_date"], item["end_date"], language),
        "blocks": text_blocks(item["description"]),
        "bullets": item["responsibilities"] + item["deliverables"],
        "skills_used": ", ".join(item["skills_used"]),
    }


def _education(item: dict[str, Any], language: str) -> dict[str, Any]:
    degree = ", ".join(part for part in (item["degree"], item["field_of_study"]) if part)
    return {
        "degree": degree,
        "institution": item["institution"],
        "location": location_text(item["location"]),
        "period": format_period(item["start_date"], item["end_date"], language),
    }


def _project(item: dict[str, Any], language: str) -> dict[str, Any]:
    return {
        "name": item["name"],
        "role": item["role"],
        "period": format_period(item["start_date"], item["end_date"], language),
        "blocks": text_blocks(item["summary"]),
        "tech_stack": ", ".join(item["tech_stack"]),
        "url": item["url"] or "",
        "url_label": item["url_label"] if item["url_label"] != item["url"] else "",
    }


def without_bullets(cv: dict[str, Any], paths: Iterable[str]) -> dict[str, Any]:
    """The CV with these experience bullets left out (places that do not exist are ignored);
    the experience entries they came from are copied, the CV given is left as it is."""
    dropped: dict[int, set[tuple[str, int]]] = {}
    for path in paths:
        if found := BULLET_PATH.fullmatch(path):
            job, kind, line = found.groups()
            dropped.setdefault(int(job), set()).add((kind, int(line)))
    if not dropped:
        return cv
    experience = list(cv.get("experience") or [])
    for job, lines in dropped.items():
        if job < len(experience) and isinstance(experience[job], dict):
            item = dict(experience[job])
            for kind in BULLET_FIELDS:
                item[kind] = [
                    b for i, b in enumerate(item.get(kind) or []) if (kind, i) not in lines
                ]
            experience[job] = item
    return {**cv, "experience": experience}


def build_view(cv: dict[str, Any], options: ExportOptions) -> ExportView:
    """The normalised CV cut down to the options, with dates and titles in the CV's language.

    Sections come in the options' order and only when they have something to show.
    """
    data = without_bullets(normalize_cv(cv), options.drop_bullets)
    language = options.language or data["language"]
    titles = SECTION_TITLES[language]
    order = options.sections if options.sections is not None else data["section_order"]
    sections: list[dict[str, Any]] = []
    header = None
    for name in order:
        section: dict[str, Any] = {"name": name, "title": titles.get(name, "")}
        if name == "header":
            header = _header(data)
            continue
        if name == "summary":
            section["blocks"] = text_blocks(data["summary"]["description"])
            has_content = bool(section["blocks"])
        elif name == "skills":
            section["groups"] = _skills(data, options, language)
            has_content = bool(section["groups"])
        else:
            items = _selected(data[name], options.item_indices(name))
            if name == "experience":
                items = [_experience(item, language) for item in items]
            elif name == "education":
                items = [_education(item, language) for item in items]
            elif name == "projects":
                items = [_project(item, language) for item in items]
            elif name == "extras":
                items = [{"name": i["name"], "blocks": text_blocks(i["summary"])} for i in items]
            section["items"] = items
            has_content = bool(items)
        if has_content:
            sections.append(section)
    return {
        "language": language,
        "template": options.template,
        "paper": options.paper,
        "header": header,
        "sections": sections,
        "sidebar": [s for s in sections if s["name"] in SIDEBAR_SECTIONS],
        "main": [s for s in sections if s["name"] not in SIDEBAR_SECTIONS],
        "labels": LABELS[language],
        "watermark": options.watermark or "",
        "document_title": " – ".join(
            part for part in (data["header"]["full_name"], data["header"]["current_title"]) if part
        ),
    }


# --- HTML and PDF ----------------------------------------------------------------------------


def render_html(cv: dict[str, Any], options: ExportOptions, *, for_preview: bool = False) -> str:
    """The CV as a whole HTML document: for the PDF, or for the export page's preview frame.

    Both are the same document with the same stylesheets, and nothing else: the preview is
    shown in a frame of its own, so none of the site's styles reach it. The preview links the
    stylesheets through the static files app and wraps the page in `.cv-preview`, a sheet with
    the PDF's size and margins; the PDF's document links them as file:// URLs.
    """
    names = ("base.css", f"{options.template}.css")
    if for_preview:
        stylesheets = [static(f"cv/{name}") for name in names]
    else:
        stylesheets = [(STATIC_CV_DIR / name).as_uri() for name in names]
    return _render_html(cv, options, for_preview=for_preview, stylesheets=stylesheets)


def _render_html(
    cv: dict[str, Any], options: ExportOptions, *, for_preview: bool, stylesheets: list[str]
) -> str:
    context = {**build_view(cv, options), "for_preview": for_preview, "stylesheets": stylesheets}
    return render_to_string(f"cvs/export/{options.template}.html", context)


def static_file_fetcher(root: Path = STATIC_CV_DIR) -> URLFetcher:
    """A WeasyPrint URL fetcher that serves files under static/cv/ and refuses the rest.

    A refusal stops the render (fail_on_errors): our templates only point at static/cv/, so
    any other URL (a network address, file:///etc/passwd, a data: URI carrying SVG that itself
    fetches) means something got past escaping and must not go unnoticed.
    """
    return _static_file_fetcher_class()(root)


@functools.cache
def _static_file_fetcher_class() -> type[URLFetcher]:
    from weasyprint.urls import URLFetcher, URLFetcherResponse  # WeasyPrint loads Pango: PDFs only

    class StaticFileFetcher(URLFetcher):
        def __init__(self, root: Path) -> None:
            super().__init__(
                allowed_protocols=("file",), allow_redirects=False, fail_on_errors=True
            )
            self.root = root.resolve()

        def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
            path = static_path(url, self.root)
            content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(
                path.as_uri(), body=path.read_bytes(), headers={"Content-Type": content_type}
            )

    return StaticFileFetcher


@functools.cache
def _cv_html_class() -> type[HTML]:
    """WeasyPrint's HTML document, parsed faster, with a user agent stylesheet cut down for CVs.

    WeasyPrint's stylesheet styles `::marker`, `::footnote-*` and `::note-*` on every element,
    so each render computed six pseudo-element styles per element of the CV, 20 times as many
    styles as the elements need: half the time spent styling. Markers are scoped to list
    items, and footnotes, which the CV templates never use, are left out; every other rule is
    WeasyPrint's own.
    """
    import cssselect2  # comes with WeasyPrint: only for PDFs
    from weasyprint import CSS, HTML  # WeasyPrint loads Pango: only for PDFs
    from weasyprint.css.counters import CounterStyle  # WeasyPrint loads Pango: only for PDFs
    from weasyprint.html import UA  # WeasyPrint loads Pango: only for PDFs

    # The counter styles it defines are WeasyPrint's own, already registered for every render.
    stylesheet = CSS(string=cv_user_agent_css(UA), counter_style=CounterStyle())

    class CvHTML(HTML):
        """Parses the export templates' documents as XML when they are well-formed (they are
        written so), in a tenth of the time WeasyPrint's pure-Python HTML parser takes."""

        def __init__(self, *, string: str, base_url: str, url_fetcher: URLFetcher) -> None:
            try:
                root = ElementTree.fromstring(string.removeprefix("<!doctype html>"))
            except ElementTree.ParseError:
                # Characters XML refuses (form feeds, say) in the CV: the HTML parser takes them.
                super().__init__(string=string, base_url=base_url, url_fetcher=url_fetcher)
                return
            self.base_url = base_url
            self.url_fetcher = url_fetcher
            self.media_type = "print"
            self.wrapper_element = cssselect2.ElementWrapper.from_html_root(
                root, content_language=None
            )
            self.etree_element = self.wrapper_element.etree_element

        def _ua_stylesheets(self, forms: bool = False) -> list[CSS]:
            return [stylesheet]

    return CvHTML


def cv_user_agent_css(css: str) -> str:
    """WeasyPrint's user agent stylesheet without the rules that style every element's
    footnote pseudo-elements, and with `::marker` limited to list items."""
    lines = []
    for line in css.splitlines():
        if line.startswith(("::footnote-", "::note-")):
            continue
        lines.append("li" + line if line.startswith("::marker ") else line)
    return "\n".join(lines)


def static_path(url: str, root: Path = STATIC_CV_DIR) -> Path:
    """The file a file:// URL names when it is a stylesheet, font or image under `root`."""
    parts = urlsplit(url)
    if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
        raise PermissionError(f"refused to fetch {url[:200]!r}: only static CV files")
    path = Path(unquote(parts.path)).resolve()
    if (
        not path.is_relative_to(root.resolve())
        or path.suffix.lower() not in STATIC_SUFFIXES
        or not path.is_file()
    ):
        raise PermissionError(f"refused to fetch {url[:200]!r}: not a static CV file")
    return path


_local = threading.local()


@atexit.register
def _drop_cached_stylesheets() -> None:
    # A FontConfiguration deletes its temporary font folder in __del__, which fails once the
    # interpreter is shutting down; drop the main thread's cache while it still can.
    _local.__dict__.clear()


def _stylesheets(
    template: str, *extra: str, density: int = 0
) -> tuple[list[CSS], FontConfiguration]:
    """The template's parsed stylesheets (and any extra sheet, such as the letter's) and their
    fonts, kept per thread; for a denser step, followed by the step's overrides (`density_css`).

    Parsing the CSS and registering its fonts costs about 40 ms, so it happens once per thread
    (fontconfig objects must not be shared between threads) and again only when a stylesheet
    changes on disk.
    """
    from weasyprint import CSS  # WeasyPrint loads Pango: only for PDFs
    from weasyprint.text.fonts import FontConfiguration  # WeasyPrint loads Pango: only for PDFs

    names = ["base.css", f"{template}.css", *extra]
    paths = [STATIC_CV_DIR / name for name in names]
    key = (template, *(path.stat().st_mtime_ns for path in paths))
    cache: dict[str, tuple[tuple[Any, ...], list[CSS], FontConfiguration]]
    cache = _local.__dict__.setdefault("stylesheets", {})
    design, template = template, "+".join([template, *extra])
    if template not in cache or cache[template][0] != key:
        font_config = FontConfiguration()
        fetcher = static_file_fetcher()
        sheets = [
            CSS(filename=str(path), url_fetcher=fetcher, font_config=font_config) for path in paths
        ]
        cache[template] = (key, sheets, font_config)
        _local.__dict__.setdefault("densities", {}).pop(template, None)
    sheets, font_config = cache[template][1], cache[template][2]
    if not density:
        return sheets, font_config
    dense: dict[str, dict[int, CSS]] = _local.__dict__.setdefault("densities", {})
    steps = dense.setdefault(template, {})
    if density not in steps:
        steps[density] = CSS(string=density_css(design, density), font_config=font_config)
    return [*sheets, steps[density]], font_config


def scaled_type(points: float, factor: float) -> float:
    """A font size at a denser step: text set at 9 pt or more never goes under 9 pt, smaller
    text never under 8 pt, and text the template sets smaller still is left as it is."""
    floor = MIN_BODY_PT if points >= MIN_BODY_PT else MIN_SMALL_PT
    return max(points * factor, min(points, floor))


def scaled_line_height(value: float, factor: float) -> float:
    return max(value * factor, min(value, MIN_LINE_HEIGHT))


def scaled_length(mm: float, density: Density, *, vertical: bool, page: bool = False) -> float:
    """A margin or padding at a denser step. Page margins and insets (10 mm or more) follow
    the margin factor down to 10 mm; smaller vertical gaps follow the spacing factor; smaller
    horizontal ones (indents, bullet offsets) keep their size, so text stays aligned."""
    if page or abs(mm) >= INSET_MM:
        return math.copysign(max(abs(mm) * density.margins, min(abs(mm), MIN_MARGIN_MM)), mm)
    return mm * density.spacing if vertical else mm


_BOX_SIDES = {"top": True, "right": False, "bottom": True, "left": False}  # side: vertical


def _dense_declaration(declaration: Any, density: Density, *, page: bool) -> str | None:
    """The declaration at `density`, as CSS text, or None when the step leaves it as it is."""
    name = declaration.lower_name
    values = [t for t in declaration.value if t.type not in ("whitespace", "comment")]
    if name == "font-size" and len(values) == 1:
        value = values[0]
        if value.type == "dimension" and value.lower_unit == "pt":
            return f"font-size: {scaled_type(value.value, density.type):.2f}pt"
    elif name == "line-height" and len(values) == 1 and values[0].type == "number":
        return f"line-height: {scaled_line_height(values[0].value, density.line_height):.3f}"
    elif name.partition("-")[0] in ("margin", "padding"):
        prop, _, side = name.partition("-")
        if not values or not all(
            (v.type == "dimension" and v.lower_unit == "mm") or (v.type == "number" and not v.value)
            for v in values
        ):
            return None  # auto, percentages, em: not the template's spacing in millimetres
        lengths = [float(v.value) for v in values]
        if side:
            if side not in _BOX_SIDES or len(lengths) != 1:
                return None
            sides = {side: lengths[0]}
        elif len(lengths) <= 4:
            top, right, bottom, left = [lengths[i] for i in _SHORTHAND_SIDES[len(lengths)]]
            sides = {"top": top, "right": right, "bottom": bottom, "left": left}
        else:
            return None
        scaled = {
            key: scaled_length(mm, density, vertical=_BOX_SIDES[key], page=page)
            for key, mm in sides.items()
        }
        if scaled == sides:
            return None
        text = " ".join(f"{mm:.2f}mm" if mm else "0" for mm in scaled.values())
        return f"{name}: {text}"
    return None


# Which of a margin shorthand's 1 to 4 values stands for top, right, bottom and left.
_SHORTHAND_SIDES = {1: (0, 0, 0, 0), 2: (0, 1, 0, 1), 3: (0, 1, 2, 1), 4: (0, 1, 2, 3)}


def density_css(template: str, density: int) -> str:
    """The overrides that make `template` print at step `density` of DENSITIES.

    Every rule of the template's print stylesheets that sets a font size, a line height or a
    margin or padding in millimetres is repeated with the step's values, in the same order and
    with the same selectors: appended after the template's sheets, each override wins exactly
    where its original did, so the template keeps its look, only tighter.
    """
    import tinycss2  # comes with WeasyPrint: only for PDFs

    step = DENSITIES[density]
    rules = []
    for path in (STATIC_CV_DIR / "base.css", STATIC_CV_DIR / f"{template}.css"):
        sheet = tinycss2.parse_stylesheet(
            path.read_text(encoding="utf-8"), skip_comments=True, skip_whitespace=True
        )
        for rule in sheet:
            if rule.type == "qualified-rule":
                selector = tinycss2.serialize(rule.prelude).strip()
                if "cv-doc" not in selector:
                    continue
                page = False
            elif rule.type == "at-rule" and rule.lower_at_keyword == "page" and rule.content:
                selector = f"@page {tinycss2.serialize(rule.prelude).strip()}".strip()
                page = True
            else:
                continue  # @font-face, and @media screen (the preview only)
            declarations = tinycss2.parse_blocks_contents(
                rule.content, skip_comments=True, skip_whitespace=True
            )
            dense = [
                text
                for declaration in declarations
                if declaration.type == "declaration"
                and (text := _dense_declaration(declaration, step, page=page))
            ]
            if dense:
                rules.append(f"{selector} {{ {'; '.join(dense)} }}")
    return "\n".join(rules) + "\n"


class _CollectorPause:
    """Keeps Python's cyclic garbage collector off while at least one render runs.

    A render of a two-page CV allocates enough objects to set off some 35 young collections,
    3 older ones and, every fifth render, a full one over the whole process (a quarter of a
    million objects once Django is loaded): a tenth of the render's time, more on a full one.
    The render's own cyclic garbage (about 20,000 objects) is then collected once, by the
    first collection after the render. The collector is process-wide, hence the count of
    renders in flight: it is switched back on when the last one ends, and only if it was on
    before the first.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._renders = 0
        self._was_enabled = False

    @contextlib.contextmanager
    def __call__(self) -> Iterator[None]:
        with self._lock:
            if not self._renders:
                self._was_enabled = gc.isenabled()
                gc.disable()
            self._renders += 1
        try:
            yield
        finally:
            with self._lock:
                self._renders -= 1
                if not self._renders and self._was_enabled:
                    gc.enable()


_collector_paused = _CollectorPause()


def layout_pdf(cv: dict[str, Any], options: ExportOptions) -> Any:
    """The CV laid out in pages (a WeasyPrint document): `len(doc.pages)` counts them and
    `write_pdf(doc)` writes that very layout, so fitting lays a step out only once."""
    html = _render_html(cv, options, for_preview=False, stylesheets=[])
    return _layout(html, *_stylesheets(options.template, density=options.density))


def _layout(html: str, stylesheets: list[CSS], font_config: FontConfiguration) -> Any:
    """An export template's document laid out in pages with these stylesheets."""
    from weasyprint.urls import FatalURLFetchingError  # WeasyPrint loads Pango: only for PDFs

    try:
        with _collector_paused():
            document = _cv_html_class()(
                string=html,
                base_url=STATIC_CV_DIR.as_uri() + "/",
                url_fetcher=static_file_fetcher(),
            )
            return document.render(stylesheets=stylesheets, font_config=font_config)
    except FatalURLFetchingError as exc:
        raise ExportError(str(exc.__cause__ or exc)) from None


def write_pdf(document: Any) -> bytes:
    with _collector_paused():
        return bytes(document.write_pdf())


def render_pdf(cv: dict[str, Any], options: ExportOptions) -> bytes:
    """The CV as a PDF with a real text layer; needs no browser and no network.

    Laid out and written under one pause of the collector: a collection between the two, while
    the layout is alive, leaves the process some 90 KB larger after each render."""
    with _collector_paused():
        return write_pdf(layout_pdf(cv, options))


# --- File names ------------------------------------------------------------------------------


def _ascii_slug(text: str, limit: int = MAX_FILENAME_PART) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = _UNSAFE_FILENAME.sub("-", ascii_text).strip("-")
    return slug[:limit].rstrip("-")


def export_filename(cv: dict[str, Any], options: ExportOptions, ext: str) -> str:
    """ "CV_Jane-Doe_Backend-Engineer_EN.pdf": ASCII letters, digits, "-" and "_" only."""
    header = cv.get("header") if isinstance(cv, dict) else None
    header = header if isinstance(header, dict) else {}
    language = options.language or (cv.get("language") if isinstance(cv, dict) else None)
    language = language if language in LANGUAGES else "en"
    parts = ["CV"]
    for key in ("full_name", "current_title"):
        value = header.get(key)
        slug = _ascii_slug(value) if isinstance(value, str) else ""
        if slug:
            parts.append(slug)
    parts.append(language.upper())
    extension = _ascii_slug(ext.lstrip("."), 10).lower() or "pdf"
    return f"{'_'.join(parts)}.{extension}"


# --- DOCX ------------------------------------------------------------------------------------

DOCX_STYLES: dict[str, dict[str, Any]] = {
    "classic": {"body": "Georgia", "heading": "Georgia", "size": 10.5, "name_size": 24,
                "accent": (0x1F, 0x3A, 0x5F), "caps": True},
    "modern": {"body": "Calibri", "heading": "Calibri", "size": 10.5, "name_size": 26,
               "accent": (0x0F, 0x6E, 0x6E), "caps": False},
    "compact": {"body": "Calibri", "heading": "Calibri", "size": 9.5, "name_size": 18,
                "accent": (0x8A, 0x2D, 0x3B), "caps": True},
}  # fmt: skip
MUTED_RGB = (0x55, 0x5B, 0x66)
# Page size in mm and margins (top, right, bottom, left) in mm, as in the print CSS.
PAGE_SIZES_MM = {"a4": (210, 297), "letter": (215.9, 279.4)}
PAGE_MARGINS_MM = (15, 14, 15, 14)


def render_docx(cv: dict[str, Any], options: ExportOptions) -> bytes:
    """The CV as a Word document: same sections, order and words as the PDF, one column."""
    view = build_view(cv, options)
    document = Document()
    writer = _DocxWriter(document, DOCX_STYLES[options.template], view, DENSITIES[options.density])
    writer.setup_page(options.paper)
    if view["watermark"]:
        writer.watermark(view["watermark"])
    if view["header"]:
        writer.header(view["header"])
    for section in view["sections"]:
        writer.section(section)
    document.core_properties.title = view["document_title"]
    document.core_properties.language = view["language"]
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


class _DocxWriter:
    def __init__(
        self, document: Any, style: dict[str, Any], view: ExportView, density: Density
    ) -> None:
        self.doc = document
        self.style = style
        self.view = view
        # A fitted export's step, as in the PDF: type within the same limits, vertical spacing
        # and margins by the same factors. Word keeps its own line spacing and page breaks.
        self.density = density
        self.accent = RGBColor(*style["accent"])
        self.muted = RGBColor(*MUTED_RGB)
        normal = document.styles["Normal"]
        normal.font.size = Pt(self._size(style["size"]))
        normal.paragraph_format.space_after = Pt(self._space(2))
        defaults = document.styles.element.find(
            f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}/{qn('w:rPr')}/{qn('w:rFonts')}"
        )
        if defaults is not None:
            _set_fonts(defaults, style["body"])
        for name, font in (("Normal", "body"), ("List Bullet", "body"), ("Heading 1", "heading")):
            rpr = document.styles[name].element.get_or_add_rPr()
            _set_fonts(rpr.get_or_add_rFonts(), style[font])
        document.styles["List Bullet"].paragraph_format.space_after = Pt(self._space(1))

    def _size(self, points: float) -> float:
        return scaled_type(points, self.density.type)

    def _space(self, points: float) -> float:
        return points * self.density.spacing

    def setup_page(self, paper: str) -> None:
        section = self.doc.sections[0]
        width, height = PAGE_SIZES_MM[paper]
        section.page_width, section.page_height = Mm(width), Mm(height)
        top, right, bottom, left = (
            scaled_length(mm, self.density, vertical=True, page=True) for mm in PAGE_MARGINS_MM
        )
        section.top_margin, section.right_margin = Mm(top), Mm(right)
        section.bottom_margin, section.left_margin = Mm(bottom), Mm(left)
        self.text_width = Mm(width - left - right)

    def watermark(self, text: str) -> None:
        paragraph = self.doc.sections[0].header.paragraphs[0]
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = paragraph.add_run(text)
        run.font.size = Pt(8)
        run.font.color.rgb = RGBColor(0xB0, 0xB4, 0xBA)

    def _paragraph(self, *, space_before: float = 0, space_after: float = 2) -> Any:
        paragraph = self.doc.add_paragraph()
        paragraph.paragraph_format.space_before = Pt(self._space(space_before))
        paragraph.paragraph_format.space_after = Pt(self._space(space_after))
        return paragraph

    def _run(
        self,
        paragraph: Any,
        text: str,
        *,
        bold: bool = False,
        italic: bool = False,
        size: float | None = None,
        color: Any = None,
        font: str | None = None,
    ) -> Any:
        run = paragraph.add_run(text)
        run.bold, run.italic = bold or None, italic or None
        if size:
            run.font.size = Pt(self._size(size))
        if color is not None:
            run.font.color.rgb = color
        if font:
            run.font.name = font
        return run

    def header(self, header: dict[str, Any]) -> None:
        name = self._paragraph(space_after=0)
        self._run(name, header["full_name"], bold=True, size=self.style["name_size"],
                  color=self.accent, font=self.style["heading"])  # fmt: skip
        title = self._paragraph(space_after=4)
        self._run(title, header["current_title"], size=self.style["size"] + 2.5, color=self.muted)
        details = self._paragraph(space_after=2)
        for i, detail in enumerate(header["details"]):
            if i:
                self._run(details, "  ·  ", color=self.muted)
            if detail["href"]:
                add_hyperlink(details, detail["href"], detail["text"])
            else:
                self._run(details, detail["text"])
        if header["links"]:
            links = self._paragraph(space_after=6)
            for i, link in enumerate(header["links"]):
                if i:
                    self._run(links, "  ·  ", color=self.muted)
                if link["label"]:
                    self._run(links, f"{link['label']} ", color=self.muted)
                add_hyperlink(links, link["url"], link["url"])

    def heading(self, title: str) -> None:
        paragraph = self.doc.add_heading(level=1)
        paragraph.paragraph_format.space_before = Pt(self._space(10))
        paragraph.paragraph_format.space_after = Pt(self._space(3))
        paragraph.paragraph_format.keep_with_next = True
        run = self._run(paragraph, title, bold=True, size=self.style["size"] + 1.5,
                        color=self.accent, font=self.style["heading"])  # fmt: skip
        run.font.all_caps = self.style["caps"]
        _bottom_border(paragraph, self.style["accent"])

    def _title_line(self, title: str, period: str, *, subtitle: str = "") -> None:
        paragraph = self._paragraph(space_before=5, space_after=0)
        paragraph.paragraph_format.keep_with_next = True
        paragraph.paragraph_format.tab_stops.add_tab_stop(self.text_width, WD_TAB_ALIGNMENT.RIGHT)
        self._run(paragraph, title, bold=True)
        if subtitle:
            self._run(paragraph, f" · {subtitle}")
        if period:
            self._run(paragraph, f"\t{period}", color=self.muted)

    def _muted_line(self, text: str, *, italic: bool = True) -> None:
        if text:
            paragraph = self._paragraph(space_after=1)
            paragraph.paragraph_format.keep_with_next = True
            self._run(paragraph, text, italic=italic, color=self.muted)

    def _blocks(self, blocks: list[dict[str, Any]]) -> None:
        for block in blocks:
            if block["kind"] == "text":
                self._run(self._paragraph(space_after=1), block["text"])
            else:
                self._bullets(block["items"])

    def _bullets(self, items: Iterable[str]) -> None:
        for item in items:
            self.doc.add_paragraph(item, style="List Bullet")

    def _colon(self) -> str:
        # French puts a (non-breaking) space before the colon.
        return "\u00a0: " if self.view["language"] == "fr" else ": "

    def _labelled(self, label: str, text: str) -> None:
        if text:
            paragraph = self._paragraph(space_after=1)
            self._run(paragraph, label + self._colon(), bold=True, color=self.muted)
            self._run(paragraph, text)

    def section(self, section: dict[str, Any]) -> None:
        self.heading(section["title"])
        name = section["name"]
        labels = self.view["labels"]
        if name == "summary":
            self._blocks(section["blocks"])
        elif name == "skills":
            for group in section["groups"]:
                text = ", ".join(
                    f"{item['name']} ({item['level_label']})"
                    if item["level_label"]
                    else item["name"]
                    for item in group["items"]
                )
                self._labelled(group["title"], text)
        elif name == "experience":
            for item in section["items"]:
                self._title_line(item["title"], item["period"])
                where = " · ".join(
                    p for p in (item["company"], item["department"], item["location"]) if p
                )
                self._muted_line(where)
                self._blocks(item["blocks"])
                self._bullets(item["bullets"])
                self._labelled(labels["technologies"], item["skills_used"])
        elif name == "education":
            for item in section["items"]:
                self._title_line(item["degree"] or item["institution"], item["period"])
                where = item["institution"] if item["degree"] else ""
                self._muted_line(" · ".join(p for p in (where, item["location"]) if p))
        elif name == "projects":
            for item in section["items"]:
                self._title_line(item["name"], item["period"], subtitle=item["role"])
                self._blocks(item["blocks"])
                self._labelled(labels["stack"], item["tech_stack"])
                if item["url"]:
                    paragraph = self._paragraph(space_after=1)
                    if item["url_label"]:
                        label = item["url_label"] + self._colon()
                        self._run(paragraph, label, bold=True, color=self.muted)
                    add_hyperlink(paragraph, item["url"], item["url"])
        elif name == "languages":
            for item in section["items"]:
                paragraph = self._paragraph(space_after=1)
                self._run(paragraph, item["name"], bold=True)
                if item["level"]:
                    self._run(paragraph, f" – {item['level']}", color=self.muted)
        elif name == "extras":
            for item in section["items"]:
                paragraph = self._paragraph(space_before=3, space_after=0)
                paragraph.paragraph_format.keep_with_next = bool(item["blocks"])
                self._run(paragraph, item["name"], bold=True)
                self._blocks(item["blocks"])


def _set_fonts(fonts: Any, name: str) -> None:
    """Name the font of every script in a w:rFonts element.

    The theme fonts of python-docx's template are dropped: they would win over named fonts.
    """
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), name)


def add_hyperlink(paragraph: Any, url: str, text: str) -> Any:
    """Append a clickable link run (python-docx has no public API to write hyperlinks)."""
    rel_id = paragraph.part.relate_to(url, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
    hyperlink = OxmlElement("w:hyperlink")
    hyperlink.set(qn("r:id"), rel_id)
    run = OxmlElement("w:r")
    props = OxmlElement("w:rPr")
    color = OxmlElement("w:color")
    color.set(qn("w:val"), "1F5F99")
    underline = OxmlElement("w:u")
    underline.set(qn("w:val"), "single")
    props.extend([color, underline])
    run.append(props)
    text_element = OxmlElement("w:t")
    text_element.text = text
    text_element.set(qn("xml:space"), "preserve")
    run.append(text_element)
    hyperlink.append(run)
    paragraph._p.append(hyperlink)
    return hyperlink


def _bottom_border(paragraph: Any, rgb: tuple[int, int, int]) -> None:
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"),
                       ("w:color", "{:02X}{:02X}{:02X}".format(*rgb))):  # fmt: skip
        bottom.set(qn(key), value)
    borders.append(bottom)
    paragraph._p.get_or_add_pPr().append(borders)


# --- Cover letters ---------------------------------------------------------------------------

LETTER_STYLESHEET = "letter.css"
# "Lyon, le 7 décembre 2026": where and when, as a letter in each language writes it.
LETTER_PLACE_DATE = {"en": "{place}, {date}", "fr": "{place}, le {date}",
                     "de": "{place}, {date}", "es": "{place}, {date}"}  # fmt: skip
DATE_LOCALES = {"en": "en_GB", "fr": "fr_FR", "de": "de_DE", "es": "es_ES"}


def letter_date(day: date_type, language: str, place: str = "") -> str:
    """The letter's date line: "7 December 2026", "Lyon, le 7 décembre 2026"."""
    from babel.dates import format_date  # only the letter exports spell dates out

    text = format_date(day, format="long", locale=DATE_LOCALES.get(language, "en_GB"))
    return LETTER_PLACE_DATE[language].format(place=place, date=text) if place else text


def build_letter_view(
    cv: dict[str, Any], letter: dict[str, Any], options: ExportOptions, *, day: date_type
) -> dict[str, Any]:
    """What the letter templates and the DOCX writer render: the CV's header as letterhead,
    the date, the recipient, then the letter as saved, signed with the CV's name."""
    data = normalize_cv(cv)
    language = letter.get("language") or data["language"]
    header = _header(data)
    place = data["header"]["contact"]["location"].get("city", "")
    return {
        "language": language,
        "template": options.template,
        "paper": options.paper,
        "header": header,
        "date": letter_date(day, language, place),
        "recipient": [line for line in (letter.get("company", ""),) if line],
        "subject": letter["content"].get("subject", ""),
        "greeting": letter["content"].get("greeting", ""),
        "paragraphs": list(letter["content"].get("paragraphs") or []),
        "sign_off": letter["content"].get("sign_off", ""),
        "signature": data["header"]["full_name"],
        "watermark": options.watermark or "",
        "document_title": " – ".join(
            part for part in (letter["content"].get("subject", ""), header["full_name"]) if part
        ),
    }


def render_letter_html(
    cv: dict[str, Any],
    letter: dict[str, Any],
    options: ExportOptions,
    *,
    day: date_type,
    for_preview: bool = False,
) -> str:
    """The letter as a whole HTML document, in the CV's template: the PDF's, or the preview's."""
    names = ("base.css", f"{options.template}.css", LETTER_STYLESHEET, "letter-preview.css")
    # The PDF reads its parsed stylesheets (_stylesheets), not links.
    stylesheets = [static(f"cv/{name}") for name in names] if for_preview else []
    context = {
        **build_letter_view(cv, letter, options, day=day),
        "for_preview": for_preview,
        "stylesheets": stylesheets,
    }
    return render_to_string("cvs/export/letter.html", context)


def render_letter_pdf(
    cv: dict[str, Any], letter: dict[str, Any], options: ExportOptions, *, day: date_type
) -> bytes:
    html = render_letter_html(cv, letter, options, day=day)
    with _collector_paused():
        return write_pdf(_layout(html, *_stylesheets(options.template, LETTER_STYLESHEET)))


def render_letter_docx(
    cv: dict[str, Any], letter: dict[str, Any], options: ExportOptions, *, day: date_type
) -> bytes:
    """The letter as a Word document with the CV's header, fonts and colours."""
    view = build_letter_view(cv, letter, options, day=day)
    document = Document()
    export_view: Any = {**view, "sections": [], "labels": LABELS[view["language"]]}
    writer = _DocxWriter(document, DOCX_STYLES[options.template], export_view, DENSITIES[0])
    writer.setup_page(options.paper)
    section = document.sections[0]
    section.left_margin = section.right_margin = Mm(22)
    if view["watermark"]:
        writer.watermark(view["watermark"])
    writer.header(view["header"])
    _bottom_border(document.paragraphs[-1], DOCX_STYLES[options.template]["accent"])
    date_line = writer._paragraph(space_before=14, space_after=10)
    date_line.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    writer._run(date_line, view["date"], color=writer.muted)
    for line in view["recipient"]:
        writer._run(writer._paragraph(space_after=10), line, bold=True)
    if view["subject"]:
        writer._run(writer._paragraph(space_before=4, space_after=12), view["subject"], bold=True)
    writer._run(writer._paragraph(space_after=8), view["greeting"])
    for text in view["paragraphs"]:
        paragraph = writer._paragraph(space_after=8)
        paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        paragraph.paragraph_format.line_spacing = 1.15
        writer._run(paragraph, text)
    writer._run(writer._paragraph(space_before=6, space_after=24), view["sign_off"])
    writer._run(writer._paragraph(), view["signature"], bold=True)
    document.core_properties.title = view["document_title"]
    document.core_properties.language = view["language"]
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def letter_filename(cv: dict[str, Any], letter: dict[str, Any], ext: str) -> str:
    """ "Letter_Jane-Doe_Cargo-Cloud_EN.pdf": ASCII letters, digits, "-" and "_" only."""
    header = cv.get("header")
    header = header if isinstance(header, dict) else {}
    parts = ["Letter"]
    for value in (header.get("full_name"), letter.get("company") or letter.get("role")):
        slug = _ascii_slug(value) if isinstance(value, str) else ""
        if slug:
            parts.append(slug)
    language = letter.get("language") if letter.get("language") in LANGUAGES else "en"
    parts.append(str(language).upper())
    return f"{'_'.join(parts)}.{_ascii_slug(ext, 10).lower() or 'pdf'}"
