"""Main content of a fetched job page: JSON-LD JobPosting first, then trafilatura.

Never fetches anything: the HTML comes from `joboffers.fetch`.
"""

from __future__ import annotations

import datetime as dt
import html as html_lib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

import lxml.etree
import lxml.html
import trafilatura

PageStatus = Literal["ok", "login_required", "expired", "no_content"]

MIN_TEXT_CHARS = 200
# A login form beside a long text is a site header; beside a short one it is a login wall.
LOGIN_WALL_MAX_CHARS = 500
EXPIRED_SCAN_CHARS = 1500
MAX_JSONLD_DEPTH = 6

BLOCK_TAGS = frozenset(
    {"p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "table",
     "section", "article", "blockquote", "pre", "dd", "dt"}
)  # fmt: skip
# Sites that always answer with a login wall to a server-side fetch (reference product 1.17).
AUTH_URL_PATTERNS = (
    re.compile(r"^https?://([^/]+\.)?apec\.fr/candidat", re.IGNORECASE),
    re.compile(r"^https?://([^/]+\.)?linkedin\.com/(jobs|in|company)(/|$)", re.IGNORECASE),
)
LOGIN_KEYWORDS = re.compile(
    r"\b(sign[ -]?in|log[ -]?in|se connecter|connexion|identifiez-vous|mot de passe|"
    r"anmelden|einloggen|passwort|iniciar sesi[oó]n|inicia sesi[oó]n|contraseña)\b",
    re.IGNORECASE,
)
EXPIRED_PATTERNS = re.compile(
    "|".join(
        (
            # French
            r"n[’']est plus (disponible|en ligne|active|d'actualit[ée])",
            r"(offre|annonce) (a été |est )?(expir[ée]e|pourvue|cl[ôo]tur[ée]e|supprim[ée]e)",
            r"(offre|annonce) n[’']existe plus",
            # English
            r"no longer (available|active|open|accepting applications)",
            r"(job|position|vacancy|posting|listing) (has )?(expired|been filled|been closed)",
            r"(job|position|posting|listing) is (closed|no longer)",
            # German
            r"nicht mehr (verfügbar|aktiv|online|besetzbar)",
            r"(stelle|stellenanzeige|anzeige) (ist )?(abgelaufen|bereits besetzt)",
            # Spanish
            r"ya no (está|esta) (disponible|activa)",
            r"ya no acepta (candidaturas|solicitudes)",
            r"oferta (ha )?(caducado|expirado|cerrada|finalizada)",
        )
    ),
    re.IGNORECASE,
)
# Inline styles that hide an element from readers (but not from a text extractor).
HIDDEN_STYLE = re.compile(
    r"display\s*:\s*none|visibility\s*:\s*hidden|font-size\s*:\s*0(?![.\d])|opacity\s*:\s*0(?![.\d])",
    re.IGNORECASE,
)
META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([\w.:-]+)""", re.IGNORECASE)
XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")


@dataclass(frozen=True)
class PageContent:
    title: str
    text: str
    job_posting: dict[str, Any] | None
    status: PageStatus


def extract_page(html: str | bytes, *, url: str, encoding: str | None = None) -> PageContent:
    markup = _decode(html, encoding) if isinstance(html, bytes) else html
    # lxml refuses str input that still carries an XML encoding declaration.
    markup = XML_DECLARATION.sub("", markup)
    if not markup.strip():
        return PageContent(title="", text="", job_posting=None, status="no_content")
    try:
        tree = lxml.html.document_fromstring(markup)
    except (lxml.etree.ParserError, ValueError):
        return PageContent(title="", text="", job_posting=None, status="no_content")
    # Text no reader sees is where instructions aimed at the model hide: it is never read.
    if drop_hidden(tree):
        markup = lxml.html.tostring(tree, encoding="unicode")

    posting = _find_job_posting(tree)
    text = _posting_text(posting) if posting else ""
    if len(text) < MIN_TEXT_CHARS:
        text = _main_text(markup, url) or text
    title = _page_title(tree, posting)
    return PageContent(
        title=title,
        text=text,
        job_posting=posting,
        status=_status(tree, url=url, title=title, text=text, posting=posting),
    )


def _status(
    tree: lxml.html.HtmlElement,
    *,
    url: str,
    title: str,
    text: str,
    posting: dict[str, Any] | None,
) -> PageStatus:
    scanned = f"{title}\n{text[:EXPIRED_SCAN_CHARS]}"
    if len(text) < MIN_TEXT_CHARS:
        # Extractors often drop a short "offer closed" notice as boilerplate.
        scanned += "\n" + _visible_text(tree)[:EXPIRED_SCAN_CHARS]
    if (posting and _posting_expired(posting)) or EXPIRED_PATTERNS.search(scanned):
        return "expired"
    if not posting and len(text) < LOGIN_WALL_MAX_CHARS:
        if any(pattern.search(url) for pattern in AUTH_URL_PATTERNS):
            return "login_required"
        has_password = bool(
            tree.xpath("//input[translate(@type, 'PASWORD', 'pasword')='password']")
        )
        if has_password and LOGIN_KEYWORDS.search(f"{title}\n{_visible_text(tree)}"):
            return "login_required"
    if len(text) < MIN_TEXT_CHARS:
        return "no_content"
    return "ok"


def _decode(data: bytes, encoding: str | None) -> str:
    match = META_CHARSET.search(data[:4096])
    declared = match.group(1).decode("ascii", "ignore") if match else None
    for candidate in (encoding, declared, "utf-8"):
        if not candidate:
            continue
        try:
            return data.decode(candidate)
        except (LookupError, UnicodeDecodeError):
            continue
    # Our four languages are all covered by cp1252, the usual mislabelled legacy encoding.
    return data.decode("cp1252", errors="replace")


def _main_text(markup: str, url: str) -> str:
    text = trafilatura.extract(
        markup,
        url=url,
        output_format="markdown",
        include_tables=True,
        include_comments=False,
        favor_recall=True,
    )
    return (text or "").strip()


def drop_hidden(root: lxml.html.HtmlElement) -> int:
    """Remove the elements a browser would not show; return how many were removed."""
    hidden = [
        el
        for el in root.iter()
        if isinstance(el.tag, str)
        and el is not root
        and (
            el.tag == "template"
            or el.get("hidden") is not None
            or el.get("aria-hidden", "").strip().lower() == "true"
            or HIDDEN_STYLE.search(el.get("style", ""))
        )
    ]
    for el in hidden:
        el.drop_tree()
    return len(hidden)


def _visible_text(tree: lxml.html.HtmlElement) -> str:
    body = tree.find("body")
    if body is None:
        return ""
    parts: list[str | None] = []
    for el in body.iter():
        # Comments and script-like elements hide their own text but not the text after them.
        if isinstance(el.tag, str) and el.tag not in ("script", "style", "noscript", "template"):
            parts.append(el.text)
        if el is not body:
            parts.append(el.tail)
    return " ".join(" ".join(p for p in parts if p).split())


def _page_title(tree: lxml.html.HtmlElement, posting: dict[str, Any] | None) -> str:
    candidates = [
        _as_text(posting.get("title")) if posting else "",
        *tree.xpath("//meta[@property='og:title']/@content"),
        tree.findtext(".//title") or "",
        *(h1.text_content() for h1 in tree.xpath("//h1")[:1]),
    ]
    return next((" ".join(c.split()) for c in candidates if c and c.strip()), "")


def _find_job_posting(tree: lxml.html.HtmlElement) -> dict[str, Any] | None:
    for script in tree.xpath("//script[@type]"):
        if script.get("type", "").strip().lower() != "application/ld+json":
            continue
        try:
            # strict=False: job descriptions often carry raw newlines inside JSON strings.
            data = json.loads(script.text or "", strict=False)
        except ValueError:
            continue
        for node in _jsonld_nodes(data, depth=0):
            if any(_is_job_posting_type(t) for t in _as_list(node.get("@type"))):
                return node
    return None


def _is_job_posting_type(value: Any) -> bool:
    # Accept "JobPosting", "schema:JobPosting" and "https://schema.org/JobPosting".
    return isinstance(value, str) and re.split(r"[/:#]", value)[-1] == "JobPosting"


def _jsonld_nodes(data: Any, *, depth: int) -> Iterator[dict[str, Any]]:
    if depth > MAX_JSONLD_DEPTH:
        return
    if isinstance(data, list):
        for item in data:
            yield from _jsonld_nodes(item, depth=depth + 1)
    elif isinstance(data, dict):
        yield data
        for key in ("@graph", "mainEntity", "itemListElement", "item"):
            if key in data:
                yield from _jsonld_nodes(data[key], depth=depth + 1)


def _posting_expired(posting: dict[str, Any]) -> bool:
    valid_through = _as_text(posting.get("validThrough"))
    try:
        end = dt.date.fromisoformat(valid_through[:10])
    except ValueError:
        return False
    # A day of slack: validThrough is often written in the employer's time zone.
    return end < dt.datetime.now(dt.UTC).date() - dt.timedelta(days=1)


def _posting_text(posting: dict[str, Any]) -> str:
    lines = [f"# {_as_text(posting.get('title'))}", ""]
    org = posting.get("hiringOrganization")
    facts = {
        "Company": _as_text(org.get("name") if isinstance(org, dict) else org),
        "Location": _location(posting),
        "Employment type": ", ".join(_as_list(posting.get("employmentType"))),
        "Salary": _salary(posting.get("baseSalary")),
    }
    lines += [f"{label}: {value}" for label, value in facts.items() if value]
    lines += ["", html_to_text(_as_text(posting.get("description")))]
    for key, heading in (
        ("responsibilities", "Responsibilities"),
        ("qualifications", "Qualifications"),
        ("skills", "Skills"),
        ("experienceRequirements", "Experience"),
        ("educationRequirements", "Education"),
        ("jobBenefits", "Benefits"),
    ):
        value = posting.get(key)
        if isinstance(value, str) and value.strip():
            lines += ["", f"## {heading}", html_to_text(value)]
    return "\n".join(lines).strip()


def _location(posting: dict[str, Any]) -> str:
    places = []
    for place in _as_list(posting.get("jobLocation")):
        address = place.get("address") if isinstance(place, dict) else place
        if isinstance(address, dict):
            country = address.get("addressCountry")
            if isinstance(country, dict):
                country = country.get("name")
            fields = (address.get("addressLocality"), address.get("addressRegion"), country)
            places.append(", ".join(_as_text(f) for f in fields if f))
        elif isinstance(address, str):
            places.append(address)
    if _as_text(posting.get("jobLocationType")).upper() == "TELECOMMUTE":
        places.append("Remote")
    return "; ".join(p for p in places if p)


def _salary(salary: Any) -> str:
    if not isinstance(salary, dict):
        return ""
    value = salary.get("value")
    if not isinstance(value, dict):
        value = {"value": value}
    amounts = [value.get(k) for k in ("minValue", "maxValue", "value") if value.get(k) is not None]
    if not amounts:
        return ""
    unit = _as_text(value.get("unitText")).lower()
    text = "–".join(str(a) for a in amounts) + f" {_as_text(salary.get('currency'))}"
    return f"{text} per {unit}".strip() if unit else text.strip()


def html_to_text(fragment: str) -> str:
    """Plain text of an HTML fragment, keeping paragraphs and list items on their own lines."""
    if "<" not in fragment and "&lt;" in fragment:
        fragment = html_lib.unescape(fragment)  # some sites HTML-escape the whole description
    if not fragment.strip():
        return ""
    root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    for el in list(root.iter("script", "style")):
        el.drop_tree()
    drop_hidden(root)
    for el in root.iter():
        if not isinstance(el.tag, str) or el.tag not in BLOCK_TAGS:
            continue
        if el.tag == "li":
            el.text = "- " + (el.text or "")
        el.tail = "\n" + (el.tail or "")
    lines = (" ".join(line.split()) for line in root.text_content().splitlines())
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _as_text(value: Any) -> str:
    if isinstance(value, list):
        value = value[0] if value else ""
    return "" if value is None or isinstance(value, dict) else str(value).strip()
