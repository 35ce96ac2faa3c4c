"""The CV document: the one shape every module reads and writes (stored in CvFile.content).

A CV being edited may be mostly empty, so only the fields that identify an entry must be
non-empty (full name, current title, skill/language/extra/project names, experience title and
company, education institution, link URL); every other field defaults to empty. Dates are
"YYYY", "YYYY-MM", "present" (end dates only) or "" when unknown. Proficiency is 0..5 or null.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Sequence
from typing import Annotated, Any, Literal, get_args

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from core.jsonschema import strict_json_schema

CvLanguage = Literal["fr", "en", "de", "es"]
SectionName = Literal[
    "header", "summary", "skills", "experience", "education", "languages", "extras", "projects"
]
LANGUAGES: tuple[str, ...] = get_args(CvLanguage)
SECTION_NAMES: tuple[str, ...] = get_args(SectionName)
DEFAULT_SECTION_ORDER = SECTION_NAMES
MAX_TEXT_CHARS = 5_000
MAX_LIST_ITEMS = 200
MAX_DOCUMENT_CHARS = 200_000
MIN_YEAR, MAX_YEAR = 1900, 2100
PRESENT = "present"
# Compared after lower-casing and removing accents (see _fold).
PRESENT_SYNONYMS = frozenset(
    {
        "present", "current", "now", "today", "ongoing", "till date", "to date",
        "aujourd'hui", "a ce jour", "actuel", "en cours", "maintenant",
        "heute", "bis heute", "aktuell", "jetzt", "laufend",
        "actualidad", "actualmente", "presente", "hoy", "en curso",
    }
)  # fmt: skip
PROFICIENCY_LABELS = ("Awareness", "Beginner", "Intermediate", "Proficient", "Advanced", "Expert")
PROFICIENCY_WORDS: dict[str, int] = {
    **dict.fromkeys(("awareness", "aware", "sensibilisation", "sensibilise"), 0),
    **dict.fromkeys(
        ("beginner", "basic", "basics", "novice", "elementary", "debutant", "debutante",
         "notions", "elementaire", "anfanger", "grundkenntnisse", "principiante", "basico",
         "basica", "elemental", "nociones"), 1),
    **dict.fromkeys(
        ("intermediate", "intermediaire", "mittel", "mittelstufe", "intermedio", "intermedia",
         "medio"), 2),
    **dict.fromkeys(
        ("proficient", "competent", "good", "bon", "bonne", "competente", "operationnel",
         "operationnelle", "gut", "kompetent", "bueno", "buena"), 3),
    **dict.fromkeys(
        ("advanced", "very good", "avance", "avancee", "confirme", "confirmee", "maitrise",
         "tres bon", "fortgeschritten", "sehr gut", "avanzado", "avanzada", "dominio"), 4),
    **dict.fromkeys(
        ("expert", "master", "experte", "expertin", "experto", "experta", "excellent",
         "exzellent", "excelente"), 5),
}  # fmt: skip
LEGACY_KEYS = frozenset(
    {
        "methodologies_detailed", "keywords_global", "notes", "frameworks", "alias_titles",
        "meta", "order_hint", "section_titles", "generated_at",
    }
)  # fmt: skip
# Links end up as <a href> in pages and PDFs, so only schemes that cannot run code get through.
SAFE_URL_SCHEMES = frozenset({"http", "https", "mailto", "tel"})

_LINE_BREAKS = re.compile(r"\r\n?|[\x0b\x0c\x85\u2028\u2029]")
# Lone surrogates cannot be stored as UTF-8, and PostgreSQL's jsonb refuses NUL.
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_DATE = re.compile(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?")
_NUMBER = re.compile(r"(-?\d+(?:[.,]\d+)?)\s*(?:/\s*5)?")
_URL_SCHEME = re.compile(r"([a-zA-Z][a-zA-Z0-9+-]*):")


class CvValidationError(ValueError):
    """A CV (or an imported document) is invalid; `errors` lists (field path, message)."""

    def __init__(self, errors: list[tuple[str, str]]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{path}: {msg}" if path else msg for path, msg in errors))

    @classmethod
    def from_pydantic(cls, exc: ValidationError) -> CvValidationError:
        return cls([(field_path(err["loc"]), _message(err)) for err in exc.errors()])


def field_path(loc: Sequence[str | int]) -> str:
    """("experience", 2, "start_date") -> "experience[2].start_date"."""
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path


def _message(err: Any) -> str:
    kind, ctx = err["type"], err.get("ctx") or {}
    if kind == "value_error":
        return str(ctx["error"])
    if kind == "missing":
        return "is required"
    if kind == "extra_forbidden":
        return "is not a CV field"
    if kind == "too_long":
        return f"has too many items (at most {ctx['max_length']})"
    if kind == "literal_error":
        return f"must be one of {ctx['expected']}"
    return str(err["msg"])


def _fold(text: str) -> str:
    """Lower-case without accents, so "Aujourd’hui" and "aujourd'hui" compare equal."""
    decomposed = unicodedata.normalize("NFKD", text.replace("’", "'").lower())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


def _as_str(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ValueError("must be text")
    return str(value)


def _checked_length(text: str) -> str:
    if len(text) > MAX_TEXT_CHARS:
        raise ValueError(f"is too long ({len(text)} characters, at most {MAX_TEXT_CHARS})")
    return text


def clean_line(value: Any) -> str:
    """One line of text: control characters removed, line breaks and tabs become spaces."""
    text = _LINE_BREAKS.sub(" ", _as_str(value)).replace("\n", " ").replace("\t", " ")
    return _checked_length(_CONTROL_CHARS.sub("", text).strip())


def clean_text(value: Any) -> str:
    """Multi-line text: control characters removed, line breaks kept as \\n."""
    text = _CONTROL_CHARS.sub("", _LINE_BREAKS.sub("\n", _as_str(value)))
    return _checked_length("\n".join(line.rstrip() for line in text.split("\n")).strip())


def _required(text: str) -> str:
    if not text:
        raise ValueError("must not be empty")
    return text


def _url(value: Any) -> str:
    url = clean_line(value)
    scheme = _URL_SCHEME.match(url)
    if scheme and scheme.group(1).lower() not in SAFE_URL_SCHEMES:
        raise ValueError(f"must be a web address, not a {scheme.group(1)!r} link")
    return url


def _optional_url(value: Any) -> str | None:
    return _url(value) or None


def _optional_line(value: Any) -> str | None:
    return clean_line(value) or None


def normalize_date(value: Any, *, allow_present: bool = True) -> str:
    """Dates as "YYYY" or "YYYY-MM" ("2020-03-15" keeps its month), "heute" as "present".

    Anything else raises ValueError.
    """
    text = clean_line(value)
    if not text:
        return ""
    if _fold(text) in PRESENT_SYNONYMS:
        if allow_present:
            return PRESENT
        raise ValueError("only an end date can be 'present'")
    match = _DATE.fullmatch(text)
    if match:
        year, month, day = match.groups()
        if not MIN_YEAR <= int(year) <= MAX_YEAR:
            raise ValueError(f"year {year} is out of range")
        if month is None:
            return year
        if 1 <= int(month) <= 12 and (day is None or 1 <= int(day) <= 31):
            return f"{year}-{int(month):02d}"
    shown = text if len(text) <= 40 else text[:40] + "…"
    raise ValueError(f"must be YYYY, YYYY-MM or 'present', not {shown!r}")


def _start_date(value: Any) -> str:
    return normalize_date(value, allow_present=False)


def parse_proficiency(value: Any) -> int | None:
    """0..5 from a number, a numeric string ("4", "3/5") or a level word; None when not given."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ValueError("must be a number from 0 to 5 or a level word")
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        text = _fold(clean_line(value))
        if text in PROFICIENCY_WORDS:
            return PROFICIENCY_WORDS[text]
        match = _NUMBER.fullmatch(text)
        if not match:
            raise ValueError(f"unknown level {value.strip()[:40]!r}; use 0-5 or e.g. 'advanced'")
        number = float(match.group(1).replace(",", "."))
    else:
        raise ValueError("must be a number from 0 to 5 or a level word")
    if not math.isfinite(number):
        raise ValueError("must be a number from 0 to 5")
    return max(0, min(5, math.floor(number + 0.5)))


def _without_empty(items: list[str]) -> list[str]:
    return [item for item in items if item]


Line = Annotated[str, BeforeValidator(clean_line)]
Text = Annotated[str, BeforeValidator(clean_text)]
Name = Annotated[str, BeforeValidator(clean_line), AfterValidator(_required)]
Url = Annotated[str, BeforeValidator(_url), AfterValidator(_required)]
OptionalUrl = Annotated[str | None, BeforeValidator(_optional_url)]
OptionalLine = Annotated[str | None, BeforeValidator(_optional_line)]
StartDate = Annotated[
    str,
    BeforeValidator(_start_date),
    Field(description="YYYY or YYYY-MM; empty when unknown"),
]
EndDate = Annotated[
    str,
    BeforeValidator(normalize_date),
    Field(description="YYYY, YYYY-MM or 'present' when ongoing; empty when unknown"),
]
Proficiency = Annotated[
    int | None,
    BeforeValidator(parse_proficiency),
    Field(
        description="0 Awareness, 1 Beginner, 2 Intermediate, 3 Proficient, 4 Advanced, 5 Expert"
    ),
]
Lines = Annotated[list[Line], Field(max_length=MAX_LIST_ITEMS), AfterValidator(_without_empty)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _drop_legacy_and_null_keys(cls, data: Any) -> Any:
        # null means "not given" in legacy and extracted data: let the field's default apply.
        if isinstance(data, dict):
            return {k: v for k, v in data.items() if k not in LEGACY_KEYS and v is not None}
        return data


class Location(_Model):
    city: Line = ""
    region: Line = ""
    country_code: Line = Field(default="", description="ISO 3166-1 alpha-2, e.g. FR")

    @field_validator("country_code")
    @classmethod
    def _upper_code(cls, value: str) -> str:
        return value.upper() if len(value) == 2 else value


class Link(_Model):
    label: Line = ""
    url: Url


class Contact(_Model):
    email: Line = ""
    phone: Line = ""
    location: Location = Field(default_factory=Location)
    links: Annotated[list[Link], Field(max_length=MAX_LIST_ITEMS)] = []


class Header(_Model):
    full_name: Name
    current_title: Name
    contact: Contact = Field(default_factory=Contact)


class Summary(_Model):
    description: Text = ""


class Skill(_Model):
    name: Name
    proficiency: Proficiency = None

    @model_validator(mode="before")
    @classmethod
    def _from_legacy_shapes(cls, data: Any) -> Any:
        if isinstance(data, str):
            return {"name": data}
        if isinstance(data, dict) and "level_0to5" in data:
            data = dict(data)
            level = data.pop("level_0to5")
            if data.get("proficiency") is None:
                data["proficiency"] = level
        return data


SkillList = Annotated[list[Skill], Field(max_length=MAX_LIST_ITEMS)]


class Skills(_Model):
    hard_skills: SkillList = []
    tools: SkillList = []
    soft_skills: Lines = []
    methodologies: Lines = []


class Experience(_Model):
    title: Name
    company: Name
    department_or_client: Line = ""
    start_date: StartDate = ""
    end_date: EndDate = ""
    location: Location = Field(default_factory=Location)
    description: Text = ""
    responsibilities: Lines = []
    deliverables: Lines = []
    skills_used: Lines = []


class Education(_Model):
    institution: Name
    degree: Line = ""
    field_of_study: Line = ""
    start_date: StartDate = ""
    end_date: EndDate = ""
    location: Location = Field(default_factory=Location)


class Language(_Model):
    name: Name
    level: Line = Field(default="", description="free text, e.g. C1, Native, Courant")


class Extra(_Model):
    name: Name
    summary: Text = ""


class Project(_Model):
    name: Name
    role: Line = ""
    start_date: StartDate = ""
    end_date: EndDate = ""
    summary: Text = ""
    tech_stack: Lines = []
    url: OptionalUrl = None
    url_label: OptionalLine = None


class CvDocument(_Model):
    header: Header
    summary: Summary = Field(default_factory=Summary)
    skills: Skills = Field(default_factory=Skills)
    experience: Annotated[list[Experience], Field(max_length=MAX_LIST_ITEMS)] = []
    education: Annotated[list[Education], Field(max_length=MAX_LIST_ITEMS)] = []
    languages: Annotated[list[Language], Field(max_length=MAX_LIST_ITEMS)] = []
    extras: Annotated[list[Extra], Field(max_length=MAX_LIST_ITEMS)] = []
    projects: Annotated[list[Project], Field(max_length=MAX_LIST_ITEMS)] = []
    language: CvLanguage = Field(default="en", description="language of the CV content")
    section_order: list[SectionName] = list(DEFAULT_SECTION_ORDER)

    @field_validator("language", mode="before")
    @classmethod
    def _lower_language(cls, value: Any) -> Any:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("section_order", mode="before")
    @classmethod
    def _complete_section_order(cls, value: Any) -> list[str]:
        if not isinstance(value, list):
            raise ValueError("must be a list of section names")
        names: list[str] = []
        for raw in value:
            name = clean_line(raw).lower()
            if name not in SECTION_NAMES:
                raise ValueError(f"unknown section {name!r}; use {', '.join(SECTION_NAMES)}")
            if name not in names:
                names.append(name)
        return names + [name for name in DEFAULT_SECTION_ORDER if name not in names]

    @model_validator(mode="after")
    def _check_size(self) -> CvDocument:
        size = len(self.model_dump_json())
        if size > MAX_DOCUMENT_CHARS:
            raise ValueError(
                f"the CV is too large ({size} characters, at most {MAX_DOCUMENT_CHARS})"
            )
        return self


def validate_cv(data: Any) -> CvDocument:
    """CvDocument.model_validate, raising CvValidationError (field path + message) instead."""
    if not isinstance(data, dict):
        raise CvValidationError([("", "a CV must be a JSON object")])
    try:
        return CvDocument.model_validate(data)
    except ValidationError as exc:
        raise CvValidationError.from_pydantic(exc) from None


def normalize_cv(data: dict[str, Any]) -> dict[str, Any]:
    """The validated CV as a plain JSON-serialisable dict, keys in contract order."""
    return validate_cv(data).model_dump(mode="json")


def empty_cv(
    *, full_name: str, current_title: str, email: str = "", language: str = "en"
) -> dict[str, Any]:
    header = {"full_name": full_name, "current_title": current_title, "contact": {"email": email}}
    return normalize_cv({"header": header, "language": language})


def cv_plain_text(data: dict[str, Any] | CvDocument) -> str:
    """Every fact of the CV, one per line, in section order (skills carry their level)."""
    document = data if isinstance(data, CvDocument) else validate_cv(data)
    plain = document.model_dump(mode="json")
    lines: list[str] = []
    for section in document.section_order:
        _collect_facts(plain[section], lines)
    return "\n".join(lines)


def _collect_facts(node: Any, lines: list[str]) -> None:
    if isinstance(node, dict):
        if "proficiency" in node:
            level = node["proficiency"]
            suffix = "" if level is None else f" ({PROFICIENCY_LABELS[level]})"
            lines.append(node["name"] + suffix)
            return
        for value in node.values():
            _collect_facts(value, lines)
    elif isinstance(node, list):
        for value in node:
            _collect_facts(value, lines)
    elif isinstance(node, str) and node:
        lines.append(node)


def cv_json_schema() -> dict[str, Any]:
    """The CV as a self-contained JSON Schema fit for OpenAI strict structured output.

    Constraints strict mode refuses (maxLength, pattern, minimum, default) are left out: they
    are enforced by validate_cv instead.
    """
    return strict_json_schema(CvDocument.model_json_schema())
