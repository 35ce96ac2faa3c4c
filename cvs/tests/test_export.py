from __future__ import annotations

import copy
import gc
import io
import json
import re
import shutil
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import pytest
import tinycss2
from docx import Document
from pypdf import PdfReader

from core.testing import require_service
from cvdoc.document import cv_plain_text, normalize_cv
from cvs.export import (
    LEVEL_LABELS,
    SECTION_TITLES,
    STATIC_CV_DIR,
    TEMPLATES,
    ExportError,
    ExportOptions,
    _cv_html_class,
    _render_html,
    _stylesheets,
    build_view,
    cv_user_agent_css,
    export_filename,
    format_period,
    render_docx,
    render_html,
    render_pdf,
    static_file_fetcher,
)
from cvs.jsonresume import from_json_resume

FIXTURES = Path(__file__).parent / "fixtures"
DATE_KEYS = ("start_date", "end_date")
A4_WIDTH_PT, LETTER_WIDTH_PT = 595.28, 612.0


def load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


@pytest.fixture
def rich_cv() -> dict[str, Any]:
    return normalize_cv(load("rich_cv.json"))


@pytest.fixture
def sample_cv() -> dict[str, Any]:
    return from_json_resume(load("jsonresume/sample.resume.json"))


def pdf_text(pdf: bytes, *, layout: bool = True) -> str:
    require_service("pdftotext", shutil.which("pdftotext") is not None)
    args = ["pdftotext", "-layout", "-", "-"] if layout else ["pdftotext", "-", "-"]
    return subprocess.run(args, input=pdf, capture_output=True, check=True).stdout.decode()


def words(text: str) -> set[str]:
    return {word for word in re.findall(r"\w+", text.lower()) if len(word) >= 2}


def expected_words(cv: dict[str, Any]) -> set[str]:
    """Every word of the CV except raw dates and levels, which are shown localised."""
    plain = copy.deepcopy(cv)
    for section in ("experience", "education", "projects"):
        for item in plain[section]:
            for key in DATE_KEYS:
                item[key] = ""
    for group in ("hard_skills", "tools"):
        for skill in plain["skills"][group]:
            skill["proficiency"] = None
    return words(cv_plain_text(plain))


def periods(cv: dict[str, Any]) -> list[str]:
    return [
        format_period(item["start_date"], item["end_date"], cv["language"])
        for section in ("experience", "education", "projects")
        for item in cv[section]
        if item["start_date"] or item["end_date"]
    ]


def heading_positions(text: str, titles: list[str]) -> list[tuple[int, int]]:
    """(line, column) of each title standing alone in a layout column of the pdftotext output."""
    positions = []
    for title in titles:
        found = None
        for number, line in enumerate(text.splitlines()):
            for chunk in re.finditer(r"\S+(?: \S+)*", line):
                if chunk.group().casefold() == title.casefold():
                    found = (number, chunk.start())
                    break
            if found:
                break
        assert found, f"heading {title!r} not found"
        positions.append(found)
    return positions


def long_cv(rich_cv: dict[str, Any]) -> dict[str, Any]:
    """A CV of three pages or more: fourteen jobs with distinct titles and bullets."""
    cv = copy.deepcopy(rich_cv)
    cv["experience"] = [
        {
            **rich_cv["experience"][0],
            "title": f"Role{n:02d} engineer",
            "company": f"Company{n:02d}",
            "description": "Platform team of a large retailer. " * 3,
            "responsibilities": [f"Bullet{n:02d} first duty"]
            + [f"Duty {k} of role {n}, done with care and method" for k in range(4)],
        }
        for n in range(14)
    ]
    return cv


# --- PDF text layer ---------------------------------------------------------------------------


@pytest.mark.parametrize("paper", ["a4", "letter"])
@pytest.mark.parametrize("template", TEMPLATES)
def test_it_keeps_every_word_of_the_cv_in_the_pdf_text(
    rich_cv: dict[str, Any], template: str, paper: str
) -> None:
    pdf = render_pdf(rich_cv, ExportOptions(template=template, paper=paper))

    text = pdf_text(pdf)
    assert expected_words(rich_cv) - words(text) == set()
    for period in periods(rich_cv):
        assert period in text
    for level in (5, 4):
        assert LEVEL_LABELS["fr"][level] in text
    width = float(PdfReader(io.BytesIO(pdf)).pages[0].mediabox.width)
    assert width == pytest.approx(A4_WIDTH_PT if paper == "a4" else LETTER_WIDTH_PT, abs=0.5)


@pytest.mark.parametrize("template", TEMPLATES)
def test_it_keeps_every_word_of_a_json_resume_import(
    sample_cv: dict[str, Any], template: str
) -> None:
    text = pdf_text(render_pdf(sample_cv, ExportOptions(template=template)))

    assert expected_words(sample_cv) - words(text) == set()
    assert "Expert" in text
    assert "Dec 2013 – Dec 2014" in text


@pytest.mark.parametrize("template", TEMPLATES)
def test_it_puts_section_headings_in_the_configured_order(
    rich_cv: dict[str, Any], template: str
) -> None:
    order = ["header", "projects", "education", "experience", "summary", "languages", "skills"]
    rich_cv["section_order"] = [*order, "extras"]
    titles = SECTION_TITLES["fr"]

    text = pdf_text(render_pdf(rich_cv, ExportOptions(template=template)))

    names = [name for name in rich_cv["section_order"] if name != "header"]
    if template == "modern":
        # Two columns: each keeps the configured order, and the header comes before both.
        sidebar = [name for name in names if name in ("skills", "languages")]
        main = [name for name in names if name not in sidebar]
        columns = [[titles[name] for name in sidebar], [titles[name] for name in main]]
    else:
        columns = [[titles[name] for name in names]]
    lines = text.splitlines()
    name_line = next(i for i, line in enumerate(lines) if rich_cv["header"]["full_name"] in line)
    for column in columns:
        positions = heading_positions(text, column)
        assert positions == sorted(positions)
        assert name_line < positions[0][0]


def test_the_modern_sidebar_follows_the_header_in_reading_order(
    rich_cv: dict[str, Any],
) -> None:
    pdf = render_pdf(rich_cv, ExportOptions(template="modern"))

    text = pdf_text(pdf, layout=False)
    raw = subprocess.run(
        ["pdftotext", "-raw", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()

    for extracted in (text, raw):
        name = extracted.index("Camille Dupont")
        assert name < extracted.index("camille.dupont@example.fr")
        assert name < extracted.upper().index("COMPÉTENCES")
    # Content order: header, then the whole sidebar, then the main column.
    assert raw.index("Ingénieure data senior") < raw.index("Allemand") < raw.index("Mentore")


@pytest.mark.parametrize("template", TEMPLATES)
def test_it_never_splits_an_entry_across_pages(rich_cv: dict[str, Any], template: str) -> None:
    cv = long_cv(rich_cv)

    pdf = render_pdf(cv, ExportOptions(template=template))

    pages = [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]
    assert len(pages) >= 3
    for n in range(14):
        title_pages = {i for i, page in enumerate(pages) if f"Role{n:02d}" in page}
        bullet_pages = {i for i, page in enumerate(pages) if f"Bullet{n:02d}" in page}
        assert len(title_pages) == 1
        assert title_pages == bullet_pages
    # A section heading never ends a page: the first job sits on the page of its heading.
    heading_page = next(i for i, page in enumerate(pages) if "xpérience" in page)
    assert "Role00" in pages[heading_page]


# --- Selection and options --------------------------------------------------------------------


def test_it_removes_exactly_the_deselected_sections_and_items(rich_cv: dict[str, Any]) -> None:
    options = ExportOptions(
        sections=["header", "experience", "education", "skills", "extras"],
        experience_items=[0, 2],
        education_items=[1],
        extras_items=[],
    )
    kept = copy.deepcopy(rich_cv)
    kept["experience"] = [rich_cv["experience"][0], rich_cv["experience"][2]]
    kept["education"] = [rich_cv["education"][1]]
    for name in ("summary", "languages", "extras", "projects"):
        kept[name] = {"description": ""} if name == "summary" else []

    text = pdf_text(render_pdf(rich_cv, options))

    assert expected_words(kept) - words(text) == set()
    for gone in ("Rhodanienne", "INSA", "Watt-Watch", "industrialiser", "Allemand", "Escalade"):
        assert gone.lower() not in text.lower()
    for title in ("Résumé", "Langues", "Projets personnels", "Informations complémentaires"):
        assert title not in text


def test_item_indices_that_no_longer_exist_are_ignored(rich_cv: dict[str, Any]) -> None:
    view = build_view(rich_cv, ExportOptions(experience_items=[1, 99]))

    experience = next(s for s in view["sections"] if s["name"] == "experience")
    assert [item["company"] for item in experience["items"]] == ["Banque Rhodanienne"]


def test_it_hides_levels_when_asked(sample_cv: dict[str, Any]) -> None:
    shown = pdf_text(render_pdf(sample_cv, ExportOptions(template="modern")))
    hidden = pdf_text(render_pdf(sample_cv, ExportOptions(template="modern", hide_levels=True)))

    assert "Expert" in shown
    assert "Expert" not in hidden
    assert "Web Development" in hidden
    assert "cv-meter" not in render_html(sample_cv, ExportOptions(hide_levels=True))


def test_it_hides_skill_groups(rich_cv: dict[str, Any]) -> None:
    view = build_view(rich_cv, ExportOptions(hide_skill_groups={"tools", "soft_skills"}))

    skills = next(s for s in view["sections"] if s["name"] == "skills")
    assert [group["key"] for group in skills["groups"]] == ["hard_skills", "methodologies"]


def test_a_section_with_nothing_to_show_is_left_out(rich_cv: dict[str, Any]) -> None:
    rich_cv["projects"] = []

    html = render_html(rich_cv, ExportOptions())

    assert "Projets personnels" not in html
    assert "cv-section--projects" not in html


# --- Localisation -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "period", "title"),
    [
        ("fr", "mars 2021 – présent", "Expérience"),
        ("en", "Mar 2021 – Present", "Experience"),
        ("de", "März 2021 – heute", "Berufserfahrung"),
        ("es", "mar. 2021 – actualidad", "Experiencia"),
    ],
)
def test_it_localises_titles_and_dates(
    rich_cv: dict[str, Any], language: str, period: str, title: str
) -> None:
    html = render_html(rich_cv, ExportOptions(language=language))

    assert f'<html lang="{language}">' in html
    assert period in html
    assert f">{title}</h2>" in html
    assert LEVEL_LABELS[language][5] in html


def test_the_pdf_text_is_in_french_for_a_french_cv(rich_cv: dict[str, Any]) -> None:
    text = pdf_text(render_pdf(rich_cv, ExportOptions(template="compact")))

    assert "mars 2021 – présent" in text
    assert "janv. 2022 – mai 2023" in text
    assert "FORMATION" in text
    assert "Avancé" in text


# --- DOCX -------------------------------------------------------------------------------------


@pytest.mark.parametrize("template", TEMPLATES)
def test_the_docx_holds_every_section_and_experience(
    rich_cv: dict[str, Any], template: str
) -> None:
    data = render_docx(rich_cv, ExportOptions(template=template, paper="letter"))

    document = Document(io.BytesIO(data))
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    titles = SECTION_TITLES["fr"]
    assert headings == [titles[name] for name in rich_cv["section_order"] if name != "header"]
    text = "\n".join(p.text for p in document.paragraphs)
    for experience in rich_cv["experience"]:
        assert experience["title"] in text
        assert experience["company"] in text
    assert expected_words(rich_cv) - words(text) == set()
    assert "mars 2021 – présent" in text
    section = document.sections[0]
    assert round(section.page_width.mm, 1) == 215.9


def test_the_docx_links_are_real_hyperlinks(rich_cv: dict[str, Any]) -> None:
    data = render_docx(rich_cv, ExportOptions())

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        xml = archive.read("word/document.xml").decode()
        rels = archive.read("word/_rels/document.xml.rels").decode()
    assert xml.count("<w:hyperlink") >= 6
    for url in ("https://github.com/cdupont", "https://github.com/cdupont/watt-watch"):
        assert f'Target="{url}" TargetMode="External"' in rels
    assert 'Target="mailto:camille.dupont@example.fr"' in rels


# --- Watermark --------------------------------------------------------------------------------


def test_the_watermark_is_on_every_page_when_set(rich_cv: dict[str, Any]) -> None:
    pdf = render_pdf(rich_cv, ExportOptions(watermark="fitmycv.io"))

    pages = [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]
    assert len(pages) == 2
    assert all("fitmycv.io" in page for page in pages)
    # pdftotext -layout (what ATS-like readers see) skips the diagonal text.
    assert "fitmycv.io" not in pdf_text(pdf)


def test_there_is_no_watermark_by_default(rich_cv: dict[str, Any]) -> None:
    pdf = render_pdf(rich_cv, ExportOptions())
    docx = render_docx(rich_cv, ExportOptions())

    assert "fitmycv.io" not in pdf_text(pdf)
    assert "cv-watermark" not in render_html(rich_cv, ExportOptions())
    with zipfile.ZipFile(io.BytesIO(docx)) as archive:
        assert all(b"fitmycv.io" not in archive.read(name) for name in archive.namelist())


def test_the_docx_watermark_is_in_the_page_header(rich_cv: dict[str, Any]) -> None:
    data = render_docx(rich_cv, ExportOptions(watermark="fitmycv.io"))

    header = Document(io.BytesIO(data)).sections[0].header
    assert header.paragraphs[0].text == "fitmycv.io"


# --- Resources and escaping -------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "http://127.0.0.1/",
        "https://example.com/font.ttf",
        "data:image/svg+xml,<svg/>",
        f"{STATIC_CV_DIR.as_uri()}/../../manage.py",
        f"{STATIC_CV_DIR.as_uri()}/missing.css",
        "file://evil.example/etc/passwd",
    ],
)
def test_the_url_fetcher_refuses_anything_but_static_cv_files(url: str) -> None:
    with pytest.raises(PermissionError):
        static_file_fetcher().fetch(url)


def test_the_url_fetcher_serves_the_templates_files() -> None:
    response = static_file_fetcher().fetch((STATIC_CV_DIR / "fonts" / "Inter-Bold.otf").as_uri())

    assert response.read()[:4] == b"OTTO"


def test_weasyprint_stops_on_a_refused_url() -> None:
    from weasyprint import HTML
    from weasyprint.urls import FatalURLFetchingError

    html = HTML(string='<img src="file:///etc/passwd">', url_fetcher=static_file_fetcher())

    with pytest.raises(FatalURLFetchingError):
        html.write_pdf()


def test_markup_in_cv_data_is_text_and_fetches_nothing(
    rich_cv: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    payload = '<img src="file:///etc/passwd"><style>p{background:url(http://127.0.0.1/x)}</style>'
    rich_cv["summary"]["description"] = payload
    rich_cv["header"]["full_name"] = '<img src="http://127.0.0.1/">Camille'
    fetched: list[str] = []
    fetcher_class = type(static_file_fetcher())
    original = fetcher_class.fetch

    def recording_fetch(self: Any, url: str, headers: Any = None) -> Any:
        fetched.append(url)
        return original(self, url)

    monkeypatch.setattr(fetcher_class, "fetch", recording_fetch)

    pdf = render_pdf(rich_cv, ExportOptions())
    html = render_html(rich_cv, ExportOptions(), for_preview=True)

    assert all(url.startswith(STATIC_CV_DIR.as_uri()) for url in fetched)
    assert "&lt;img src=&quot;file:///etc/passwd&quot;&gt;" in html
    assert "<img" not in html
    assert 'src="file:///etc/passwd"' in pdf_text(pdf)


def test_render_pdf_reports_a_refused_resource_as_an_export_error(
    rich_cv: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        "cvs.export._render_html",
        lambda *args, **kwargs: '<link rel="stylesheet" href="http://127.0.0.1/x.css">',
    )

    with pytest.raises(ExportError, match="refused"):
        render_pdf(rich_cv, ExportOptions())


# --- Render cost ------------------------------------------------------------------------------


def record_collector_state(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Whether the collector was on when each render laid the CV out and wrote the PDF."""
    from weasyprint import HTML
    from weasyprint.document import Document

    seen: list[bool] = []
    for cls, name in ((HTML, "render"), (Document, "write_pdf")):
        original = getattr(cls, name)

        def record(self: Any, *args: Any, _original: Any = original, **kwargs: Any) -> Any:
            seen.append(gc.isenabled())
            return _original(self, *args, **kwargs)

        monkeypatch.setattr(cls, name, record)
    return seen


def test_the_cyclic_collector_is_off_during_a_render_and_on_again_after(
    rich_cv: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    seen = record_collector_state(monkeypatch)
    assert gc.isenabled()

    render_pdf(rich_cv, ExportOptions())

    assert seen == [False, False]  # laid out, then written
    assert gc.isenabled()


def test_a_render_leaves_a_disabled_collector_disabled(
    rich_cv: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    seen = record_collector_state(monkeypatch)
    monkeypatch.setattr(
        "cvs.export._render_html",
        lambda *args, **kwargs: '<link rel="stylesheet" href="http://127.0.0.1/x.css">',
    )
    gc.disable()
    try:
        render_pdf(rich_cv, ExportOptions(template="modern"))  # a failed render too
    except ExportError:
        pass
    finally:
        disabled_after = not gc.isenabled()
        gc.enable()

    assert seen == [False]
    assert disabled_after


@pytest.mark.parametrize("template", TEMPLATES)
def test_pseudo_elements_are_styled_only_where_a_stylesheet_gives_them_content(
    rich_cv: dict[str, Any], template: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from weasyprint.css import StyleFor

    styled: list[tuple[Any, str | None]] = []
    original = StyleFor.set_computed_styles

    def set_computed_styles(self: Any, element: Any, *args: Any, **kwargs: Any) -> None:
        styled.append((element, kwargs.get("pseudo_type")))
        original(self, element, *args, **kwargs)

    monkeypatch.setattr(StyleFor, "set_computed_styles", set_computed_styles)

    render_pdf(rich_cv, ExportOptions(template=template))

    # Pages and their margin boxes are styled too; elements are those with a tag.
    pseudo = [(e.tag, p) for e, p in styled if hasattr(e, "tag") and p]
    assert pseudo
    # Bullets' dots, list markers and the separators the stylesheets draw: never footnotes,
    # nor a pseudo-element for each element.
    assert {p for _, p in pseudo} <= {"before", "marker"}
    elements = len(re.findall(r"<[a-z]", render_html(rich_cv, ExportOptions(template=template))))
    assert len(pseudo) < elements / 4


@pytest.mark.parametrize("template", TEMPLATES)
def test_text_is_laid_out_without_font_features_but_small_caps(
    rich_cv: dict[str, Any], template: str
) -> None:
    # WeasyPrint leaks a Pango attribute list for each piece of text laid out with font
    # features (ligatures, small caps...): the fonts' defaults must do for ordinary text.
    render_pdf(rich_cv, ExportOptions(template=template))

    features = _stylesheets(template)[1].font_features
    assert all(b"smcp" in key for key in features)
    assert bool(features) == (template == "classic")  # its small-caps headings and labels


def element_tree(element: Any) -> list[Any]:
    """Tags, attributes and words of an element and its descendants, in document order."""
    return [
        (
            node.tag,
            sorted(node.attrib.items()),
            (node.text or "").split(),
            (node.tail or "").split(),
        )
        for node in element.iter()
    ]


@pytest.mark.parametrize("template", TEMPLATES)
def test_the_pdf_document_is_read_as_xml_into_the_tree_the_html_parser_builds(
    rich_cv: dict[str, Any], template: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from weasyprint import HTML

    options = ExportOptions(template=template, watermark="fitmycv.io")
    html = _render_html(rich_cv, options, for_preview=False, stylesheets=[])  # as render_pdf
    expected = HTML(string=html).etree_element  # WeasyPrint's own HTML parser

    def no_html_parser(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("parsed as HTML")

    monkeypatch.setattr(HTML, "__init__", no_html_parser)
    document = _cv_html_class()(string=html, base_url="", url_fetcher=static_file_fetcher())

    assert element_tree(document.etree_element) == element_tree(expected)


def test_text_that_xml_refuses_goes_through_the_html_parser(rich_cv: dict[str, Any]) -> None:
    html = render_html(rich_cv, ExportOptions()).replace("Camille Dupont", "Camille\x0cDupont")

    document = _cv_html_class()(string=html, base_url="", url_fetcher=static_file_fetcher())

    assert document.etree_element.find("head/title").text.startswith("Camille")
    assert "Dupont" in pdf_text(document.write_pdf())


def test_the_user_agent_stylesheet_keeps_weasyprints_rules_but_footnotes() -> None:
    from weasyprint.html import UA

    css = cv_user_agent_css(UA)

    assert "li::marker {" in css
    for line in css.splitlines():
        assert not line.startswith("::")
    assert len(UA.splitlines()) - len(css.splitlines()) == 5


# --- Preview ----------------------------------------------------------------------------------


def test_the_preview_is_the_pdfs_document_on_a_sheet(rich_cv: dict[str, Any]) -> None:
    html = render_html(rich_cv, ExportOptions(template="modern", paper="letter"), for_preview=True)
    pdf_html = render_html(rich_cv, ExportOptions(template="modern", paper="letter"))

    assert html.startswith("<!doctype html>")
    assert '<div class="cv-preview cv-preview--letter">' in html
    # The same article as the PDF's, between the same head and the sheet's wrapper.
    article = html[html.index("<article") : html.index("</article>")]
    assert article == pdf_html[pdf_html.index("<article") : pdf_html.index("</article>")]
    assert '<link rel="stylesheet" href="/static/cv/modern.css">' in html
    assert '<article class="cv-doc cv-doc--modern" lang="fr">' in html


def selectors(rules: list[Any]) -> list[str]:
    found = []
    for rule in rules:
        if rule.type == "qualified-rule":
            found += [s.strip() for s in tinycss2.serialize(rule.prelude).split(",")]
        elif rule.type == "at-rule" and rule.lower_at_keyword == "media" and rule.content:
            found += selectors(tinycss2.parse_rule_list(rule.content, skip_whitespace=True))
    return found


@pytest.mark.parametrize("name", ["base.css", *(f"{t}.css" for t in TEMPLATES)])
def test_the_stylesheets_never_style_the_page_around_the_preview(name: str) -> None:
    css = (STATIC_CV_DIR / name).read_text(encoding="utf-8")
    rules = tinycss2.parse_stylesheet(css, skip_whitespace=True, skip_comments=True)

    found = selectors(rules)
    assert found
    assert [s for s in found if not s.startswith((".cv-doc", ".cv-preview"))] == []


# --- Options and file names -------------------------------------------------------------------


def test_options_round_trip_through_a_preset() -> None:
    options = ExportOptions(
        template="compact",
        language="de",
        paper="letter",
        sections=["header", "experience"],
        experience_items=[0, 2],
        hide_levels=True,
        hide_skill_groups={"tools"},
        watermark="fitmycv.io",
    )

    preset = json.loads(json.dumps(options.to_dict()))

    assert "watermark" not in preset
    assert preset["hide_skill_groups"] == ["tools"]
    restored = ExportOptions.from_dict(preset)
    assert restored.experience_items == [0, 2]
    assert restored.hide_skill_groups == {"tools"}
    assert restored.watermark is None


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"template": "fancy"}, "template must be one of classic, modern, compact"),
        ({"paper": "a3"}, "paper must be one of a4, letter"),
        ({"language": "it"}, "language must be one of"),
        ({"sections": ["summary", "hobbies"]}, "each section must be one of"),
        ({"sections": ["summary", "summary"]}, "must not repeat"),
        ({"experience_items": [0, -1]}, "experience_items must be a list of item numbers"),
        ({"projects_items": "0,1"}, "projects_items must be a list"),
        ({"hide_levels": "yes"}, "hide_levels must be true or false"),
        ({"hide_skill_groups": ["hobbies"]}, "each hidden skill group must be one of"),
        ({"colour": "red"}, "unknown export option 'colour'"),
        ({"watermark": "none"}, "unknown export option 'watermark'"),
    ],
)
def test_options_from_a_dict_are_validated(data: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        ExportOptions.from_dict(data)


def test_the_file_name_names_the_person_the_title_and_the_language(
    rich_cv: dict[str, Any],
) -> None:
    rich_cv["header"]["full_name"] = "Jane Doe"
    rich_cv["header"]["current_title"] = "Backend Engineer"

    assert export_filename(rich_cv, ExportOptions(language="en"), "pdf") == (
        "CV_Jane-Doe_Backend-Engineer_EN.pdf"
    )
    assert export_filename(rich_cv, ExportOptions(), ".docx") == (
        "CV_Jane-Doe_Backend-Engineer_FR.docx"
    )


def test_the_file_name_is_sanitised(rich_cv: dict[str, Any]) -> None:
    rich_cv["header"]["full_name"] = "../../etc/Zoë  Ñúñez\\x"
    rich_cv["header"]["current_title"] = 'Dév "senior" <C++> ' + "x" * 200

    name = export_filename(rich_cv, ExportOptions(), "../pdf")

    assert name.startswith("CV_etc-Zoe-Nunez-x_Dev-senior-C-xxx")
    assert name.endswith("_FR.pdf")
    assert re.fullmatch(r"[A-Za-z0-9_.-]+", name)
    assert ".." not in name
    assert len(name) < 100
