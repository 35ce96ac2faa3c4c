"""Forms of the CV workspace.

Each section form knows how to read its initial values from the CV content (`initial_from`)
and how to write its cleaned data back into a copy of the content (`apply`). The view then
validates the whole document with cvdoc.document before anything is saved.
"""

from __future__ import annotations

import copy
import functools
import re
import unicodedata
from typing import Any

from babel import Locale, UnknownLocaleError
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import get_language, to_locale
from django.utils.translation import gettext_lazy as _

from cvdoc.document import LANGUAGES, PRESENT, PROFICIENCY_LABELS, SECTION_NAMES, normalize_date
from cvs.fit import bullet_keys
from cvs.jsonresume import JsonResumeParseError, load_json
from cvs.models import (
    LETTER_BODY_CHARS,
    LETTER_LINE_CHARS,
    checked_letter_content,
)
from cvs.ranking import MAX_PASTE_CHARS, PASTED, SAVED, PastedOffer, PasteRejected, split_pasted
from joboffers.models import JobOffer

MAX_JSON_UPLOAD_BYTES = 1_000_000
LEVEL_CHOICES = [("", _("No level"))] + [
    (str(i), f"{i} · {label}") for i, label in enumerate(PROFICIENCY_LABELS)
]
LANGUAGE_CHOICES = [
    ("en", _("English")),
    ("fr", _("French")),
    ("de", _("German")),
    ("es", _("Spanish")),
]
SECTION_LABELS = {
    "header": _("Name and contact"),
    "summary": _("Summary"),
    "skills": _("Skills"),
    "experience": _("Experience"),
    "education": _("Education"),
    "languages": _("Languages"),
    "extras": _("Additional information"),
    "projects": _("Projects"),
}
# Sections made of a list of entries edited one at a time.
ITEM_SECTIONS = ("experience", "education", "extras", "projects")
# CLDR territories that are no country: unknown, the EU, the eurozone, the UN, pseudo-locales.
NOT_COUNTRIES = frozenset({"ZZ", "EU", "EZ", "UN", "QO", "XA", "XB"})
MONTH_YEAR = re.compile(r"(\d{1,2})\s*[/.\-]\s*(\d{4})|(\d{4})\s*[/.]\s*(\d{1,2})")
NAMED_MONTH = re.compile(r"([^\W\d_]+)\.?\s+(\d{4})")


def _lines(text: str) -> list[str]:
    return [line.strip(" \t-•") for line in text.splitlines() if line.strip(" \t-•")]


def _commas(text: str) -> list[str]:
    return [part.strip() for part in text.replace("\n", ",").split(",") if part.strip()]


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _babel_locale() -> Locale:
    try:
        return Locale.parse(to_locale(get_language() or "en"))
    except (ValueError, UnknownLocaleError):
        return Locale.parse("en")


@functools.cache
def _countries(locale: str) -> list[tuple[str, str]]:
    names = Locale.parse(locale).territories
    countries = [
        (code, name)
        for code, name in names.items()
        if len(code) == 2 and code.isalpha() and code not in NOT_COUNTRIES
    ]
    return sorted(countries, key=lambda country: _fold(country[1]))


def country_choices() -> list[tuple[str, str]]:
    """Countries named in the user's language, stored as their ISO code like the CV does."""
    return [("", "—"), *_countries(str(_babel_locale()))]


@functools.cache
def _month_numbers() -> dict[str, int]:
    """Month names and abbreviations of the CV languages, folded: "juin", "jun", "junio"..."""
    numbers: dict[str, int] = {}
    for language in LANGUAGES:
        months = Locale.parse(language).months
        for context in ("format", "stand-alone"):
            for width in ("wide", "abbreviated"):
                for number, name in months[context][width].items():
                    numbers[_fold(name).rstrip(".")] = number
    return numbers


def parse_month(text: str, *, end: bool) -> str:
    """A date typed by a person as the document stores it: "YYYY", "YYYY-MM" or "present".

    Besides what the document accepts, reads "06/2020", "2020/06" and "June 2020" (in any
    CV language), since browsers without a month picker show a plain text box.
    """
    text = text.strip()
    try:
        return normalize_date(text, allow_present=end)
    except ValueError:
        pass
    month = year = None
    if match := MONTH_YEAR.fullmatch(text):
        month, year = (match[1], match[2]) if match[1] else (match[4], match[3])
    elif (match := NAMED_MONTH.fullmatch(text)) and _fold(match[1]) in _month_numbers():
        month, year = str(_month_numbers()[_fold(match[1])]), match[2]
    if month and year:
        try:
            return normalize_date(f"{year}-{month}", allow_present=False)
        except ValueError:
            pass
    if end:
        raise ValidationError(_("Use a month like 2020-06, or tick Present."), code="date")
    try:
        normalize_date(text)
    except ValueError:
        raise ValidationError(
            _("Use a month like 2020-06, or a year like 2020."), code="date"
        ) from None
    raise ValidationError(_("Only the end of an entry can be Present."), code="present")


def _document_message(field: str | None, message: str) -> str:
    if field in ("start_date", "end_date"):
        return str(_("Use a month like 2020-06, or a year like 2020."))
    if "too long" in message:
        return str(_("This text is too long."))
    if "too many items" in message:
        return str(_("There are too many lines here."))
    if "must not be empty" in message or "is required" in message:
        return str(_("This field is required."))
    if field is None:
        return str(_("This entry could not be saved. Check its fields and try again."))
    return str(_("This value is not accepted here."))


class MonthInput(forms.TextInput):
    """A month picker; a date known only by its year stays a text box the picker would empty."""

    input_type = "month"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__({"placeholder": "2020-06", **(attrs or {})})

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        if value and not re.fullmatch(r"\d{4}-\d{2}", str(value)):
            context["widget"]["type"] = "text"
        return context


def _location(data: dict[str, Any]) -> dict[str, str]:
    return {
        "city": data.get("city", ""),
        "region": data.get("region", ""),
        # The document upper-cases codes itself and keeps an old free-text country as it is.
        "country_code": data.get("country_code", ""),
    }


def _location_initial(item: dict[str, Any]) -> dict[str, str]:
    """An entry's location as the city and country fields of its form (_location's reverse)."""
    location = item.get("location") or {}
    return {"city": location.get("city", ""), "country_code": location.get("country_code", "")}


class CreateCvForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=150)
    current_title = forms.CharField(label=_("Job title"), max_length=150)
    email = forms.EmailField(label=_("E-mail"), required=False)
    language = forms.ChoiceField(label=_("CV language"), choices=LANGUAGE_CHOICES)


class RenameCvForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)


class ImportJsonResumeForm(forms.Form):
    """One JSON upload for every format we import (cvs.imports recognises it)."""

    file = forms.FileField(
        label=_("JSON file"),
        help_text=_("A JSON Resume, Reactive Resume (v3 or v4) or Resume-Matcher export."),
    )

    def clean_file(self) -> dict[str, Any]:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_JSON_UPLOAD_BYTES:
            raise ValidationError(_("The file is larger than 1 MB."))
        try:
            document = load_json(upload.read().decode("utf-8"))
        except UnicodeDecodeError:
            raise ValidationError(_("This file is not valid JSON.")) from None
        except JsonResumeParseError as exc:
            if exc.reason == "depth":
                message = _("This file nests its data too deeply to be a CV.")
            elif exc.reason == "number":
                message = _("This file holds a number too large (or not finite) for a CV.")
            else:
                message = _("This file is not valid JSON.")
            raise ValidationError(message) from None
        if not isinstance(document, dict):
            raise ValidationError(_("A CV file holds a JSON object."))
        return document


class SectionForm(forms.Form):
    """Base of the section editors."""

    section: str = ""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields.get("country_code")
        if isinstance(field, forms.ChoiceField):
            # A country the list does not know (an old free-text value) stays as it is.
            current = self.data.get("country_code") if self.is_bound else None
            current = current or self.initial.get("country_code") or ""
            choices = country_choices()
            if current and current not in dict(choices):
                choices.append((current, current))
            field.choices = choices

    @classmethod
    def initial_from(cls, content: dict[str, Any], index: int | None) -> dict[str, Any]:
        raise NotImplementedError

    def add_document_errors(self, errors: list[tuple[str, str]]) -> None:
        """Puts what the document refused beside the field it came from, in plain words.

        The document speaks in field paths ("experience[0].start_date: must be YYYY..."),
        meant for developers: only the path is used, to find the field.
        """
        for path, message in errors:
            parts = [part for part in re.split(r"[.\[\]]+", path) if part]
            name = next((part for part in reversed(parts) if part in self.fields), None)
            self.add_error(name, _document_message(name, message))

    def apply(self, content: dict[str, Any], index: int | None) -> dict[str, Any]:
        raise NotImplementedError

    @staticmethod
    def _put_item(
        content: dict[str, Any], section: str, index: int | None, item: dict[str, Any]
    ) -> dict[str, Any]:
        content = copy.deepcopy(content)
        items = list(content.get(section) or [])
        if index is None:
            items.append(item)
        else:
            items[index] = {**items[index], **item}
        content[section] = items
        return content


class HeaderForm(SectionForm):
    section = "header"
    full_name = forms.CharField(label=_("Full name"), max_length=150)
    current_title = forms.CharField(label=_("Job title"), max_length=150)
    email = forms.EmailField(label=_("E-mail"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    city = forms.CharField(label=_("City"), max_length=100, required=False)
    region = forms.CharField(label=_("Region"), max_length=100, required=False)
    country_code = forms.ChoiceField(label=_("Country"), required=False)
    links = forms.CharField(
        label=_("Links"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line: Label | https://address"),
    )

    @classmethod
    def initial_from(cls, content: dict[str, Any], index: int | None) -> dict[str, Any]:
        header = content.get("header", {})
        contact = header.get("contact", {})
        return {
            "full_name": header.get("full_name", ""),
            "current_title": header.get("current_title", ""),
            "email": contact.get("email", ""),
            "phone": contact.get("phone", ""),
            **(contact.get("location") or {}),
            "links": "\n".join(
                f"{link.get('label', '')} | {link['url']}".strip(" |")
                for link in contact.get("links", [])
            ),
        }

    def clean_links(self) -> list[dict[str, str]]:
        links = []
        for line in _lines(self.cleaned_data["links"]):
            label, _sep, url = line.rpartition("|") if "|" in line else ("", "", line)
            links.append({"label": label.strip(), "url": url.strip()})
        return links

    def apply(self, content: dict[str, Any], index: int | None) -> dict[str, Any]:
        data = self.cleaned_data
        content = copy.deepcopy(content)
        content["header"] = {
            "full_name": data["full_name"],
            "current_title": data["current_title"],
            "contact": {
                "email": data["email"],
                "phone": data["phone"],
                "location": _location(data),
                "links": data["links"],
            },
        }
        return content


class SummaryForm(SectionForm):
    section = "summary"
    description = forms.CharField(
        label=_("Summary"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    language = forms.ChoiceField(label=_("CV language"), choices=LANGUAGE_CHOICES)

    @classmethod
    def initial_from(cls, content: dict[str, Any], index: int | None) -> dict[str, Any]:
        return {
            "description": (content.get("summary") or {}).get("description", ""),
            "language": content.get("language", "en"),
        }

    def apply(self, content: dict[str, Any], index: int | None) -> dict[str, Any]:
        content = copy.deepcopy(content)
        content["summary"] = {"description": self.cleaned_data["description"]}
        content["language"] = self.cleaned_data["language"]
        return content


def _skill_lines(skills: list[dict[str, Any]]) -> str:
    return "\n".join(
        s["name"] if s.get("proficiency") is None else f"{s['name']} | {s['proficiency']}"
        for s in skills
    )


def _parse_skill_lines(text: str, label: str) -> list[dict[str, Any]]:
    skills = []
    for line in _lines(text):
        name, _sep, level = line.partition("|")
        level = level.strip()
        if level and not (level.isdigit() and 0 <= int(level) <= 5):
            raise ValidationError(
                _("%(label)s: the level of “%(name)s” must be a number from 0 to 5."),
                params={"label": label, "name": name.strip()},
            )
        skills.append({"name": name.strip(), "proficiency": int(level) if level else None})
    return skills


class SkillsForm(SectionForm):
    section = "skills"
    hard_skills = forms.CharField(
        label=_("Skills"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("One per line, with an optional level from 0 to 5: Python | 4"),
    )
    tools = forms.CharField(
        label=_("Tools"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One per line, with an optional level: Figma | 3"),
    )
    soft_skills = forms.CharField(
        label=_("Soft skills"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line"),
    )
    methodologies = forms.CharField(
        label=_("Methods"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line"),
    )

    @classmethod
    def initial_from(cls, content: dict[str, Any], index: int | None) -> dict[str, Any]:
        skills = content.get("skills") or {}
        return {
            "hard_skills": _skill_lines(skills.get("hard_skills", [])),
            "tools": _skill_lines(skills.get("tools", [])),
            "soft_skills": "\n".join(skills.get("soft_skills", [])),
            "methodologies": "\n".join(skills.get("methodologies", [])),
        }

    def clean_hard_skills(self) -> list[dict[str, Any]]:
        return _parse_skill_lines(self.cleaned_data["hard_skills"], str(_("Skills")))

    def clean_tools(self) -> list[dict[str, Any]]:
        return _parse_skill_lines(self.cleaned_data["tools"], str(_("Tools")))

    def apply(self, content: dict[str, Any], index: int | None) -> dict[str, Any]:
        data = self.cleaned_data
        content = copy.deepcopy(content)
        content["skills"] = {
            "hard_skills": data["hard_skills"],
            "tools": data["tools"],
            "soft_skills": _lines(data["soft_skills"]),
            "methodologies": _lines(data["methodologies"]),
        }
        return content


def _dates_initial(item: dict[str, Any]) -> dict[str, Any]:
    end = item.get("end_date") or ""
    return {
        "start_date": item.get("start_date") or "",
        "end_date": "" if end == PRESENT else end,
        "end_present": end == PRESENT,
    }


class _DatesMixin(forms.Form):
    start_date = forms.CharField(
        label=_("Start"), max_length=40, required=False, widget=MonthInput()
    )
    end_date = forms.CharField(label=_("End"), max_length=40, required=False, widget=MonthInput())
    end_present = forms.BooleanField(label=_("Present"), required=False)

    def _ticked_present(self) -> bool:
        field = self.fields["end_present"]
        return bool(field.widget.value_from_datadict(self.data, self.files, "end_present"))

    def clean_start_date(self) -> str:
        return parse_month(self.cleaned_data["start_date"], end=False)

    def clean_end_date(self) -> str:
        if self._ticked_present():
            return PRESENT
        return parse_month(self.cleaned_data["end_date"], end=True)

    def clean(self) -> dict[str, Any]:
        super().clean()
        self.cleaned_data.pop("end_present", None)  # folded into end_date
        return self.cleaned_data


class ExperienceForm(_DatesMixin, SectionForm):
    section = "experience"
    title = forms.CharField(label=_("Job title"), max_length=150)
    company = forms.CharField(label=_("Company"), max_length=150)
    department_or_client = forms.CharField(
        label=_("Department or client"), max_length=150, required=False
    )
    city = forms.CharField(label=_("City"), max_length=100, required=False)
    country_code = forms.ChoiceField(label=_("Country"), required=False)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    responsibilities = forms.CharField(
        label=_("Responsibilities"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("One per line"),
    )
    deliverables = forms.CharField(
        label=_("Achievements"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line, ideally with a figure"),
    )
    skills_used = forms.CharField(
        label=_("Skills used"), required=False, help_text=_("Separated by commas")
    )
    field_order = [
        "title",
        "company",
        "department_or_client",
        "start_date",
        "end_date",
        "end_present",
        "city",
        "country_code",
        "description",
        "responsibilities",
        "deliverables",
        "skills_used",
    ]

    @classmethod
    def initial_from(cls, content: dict[str, Any], index: int | None) -> dict[str, Any]:
        if index is None:
            return {}
        item = content["experience"][index]
        return {
            **{k: item.get(k, "") for k in ("title", "company", "department_or_client")},
            "description": item.get("description", ""),
            **_dates_initial(item),
            **_location_initial(item),
            "responsibilities": "\n".join(item.get("responsibilities", [])),
            "deliverables": "\n".join(item.get("deliverables", [])),
            "skills_used": ", ".join(item.get("skills_used", [])),
        }

    def apply(self, content: dict[str, Any], index: int | None) -> dict[str, Any]:
        data = self.cleaned_data
        item = {
            **{k: data[k] for k in ("title", "company", "department_or_client")},
            **{k: data[k] for k in ("start_date", "end_date", "description")},
            "location": {**_location(data), "region": ""},
            "responsibilities": _lines(data["responsibilities"]),
            "deliverables": _lines(data["deliverables"]),
            "skills_used": _commas(data["skills_used"]),
        }
        return self._put_item(content, "experience", index, item)


class EducationForm(_DatesMixin, SectionForm):
    section = "education"
    institution = forms.CharField(label=_("School"), max_length=150)
    degree = forms.CharField(label=_("Degree"), max_length=150, required=False)
    field_of_study = forms.CharField(label=_("Field of study"), max_length=150, required=False)
    city = forms.CharField(label=_("City"), max_length=100, required=False)
    country_code = forms.ChoiceField(label=_("Country"), required=False)
    field_order = [
        "institution",
        "degree",
        "field_of_study",
        "start_date",
        "end_date",
        "end_present",
        "city",
        "country_code",
    ]

    @classmethod
    def initial_from(cls, content: dict[str, Any], index: int | None) -> dict[str, Any]:
        if index is None:
            return {}
        item = content["education"][index]
        return {
            **{k: item.get(k, "") for k in ("institution", "degree", "field_of_study")},
            **_dates_initial(item),
            **_location_initial(item),
        }

    def apply(self, content: dict[str, Any], index: int | None) -> dict[str, Any]:
        data = self.cleaned_data
        item = {
            **{k: data[k] for k in ("institution", "degree", "field_of_study")},
            **{k: data[k] for k in ("start_date", "end_date")},
            "location": {**_location(data), "region": ""},
        }
        return self._put_item(content, "education", index, item)


class LanguagesForm(SectionForm):
    section = "languages"
    languages = forms.CharField(
        label=_("Languages"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One per line: Language | level (e.g. English | C1)"),
    )

    @classmethod
    def initial_from(cls, content: dict[str, Any], index: int | None) -> dict[str, Any]:
        return {
            "languages": "\n".join(
                f"{lang['name']} | {lang.get('level', '')}".strip(" |")
                for lang in content.get("languages", [])
            )
        }

    def apply(self, content: dict[str, Any], index: int | None) -> dict[str, Any]:
        content = copy.deepcopy(content)
        content["languages"] = [
            {"name": name.strip(), "level": level.strip()}
            for name, _sep, level in (
                line.partition("|") for line in _lines(self.cleaned_data["languages"])
            )
        ]
        return content


class ExtraForm(SectionForm):
    section = "extras"
    name = forms.CharField(label=_("Title"), max_length=150)
    summary = forms.CharField(
        label=_("Details"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    @classmethod
    def initial_from(cls, content: dict[str, Any], index: int | None) -> dict[str, Any]:
        return {} if index is None else dict(content["extras"][index])

    def apply(self, content: dict[str, Any], index: int | None) -> dict[str, Any]:
        return self._put_item(content, "extras", index, dict(self.cleaned_data))


class ProjectForm(_DatesMixin, SectionForm):
    section = "projects"
    name = forms.CharField(label=_("Project"), max_length=150)
    role = forms.CharField(label=_("Role"), max_length=150, required=False)
    summary = forms.CharField(
        label=_("Summary"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    tech_stack = forms.CharField(
        label=_("Technologies"), required=False, help_text=_("Separated by commas")
    )
    url = forms.URLField(label=_("Link"), required=False, assume_scheme="https")
    url_label = forms.CharField(label=_("Link text"), max_length=100, required=False)
    field_order = [
        "name", "role", "start_date", "end_date", "end_present", "summary", "tech_stack", "url"
    ]  # fmt: skip

    @classmethod
    def initial_from(cls, content: dict[str, Any], index: int | None) -> dict[str, Any]:
        if index is None:
            return {}
        item = dict(content["projects"][index])
        item["tech_stack"] = ", ".join(item.get("tech_stack", []))
        return {**{k: v or "" for k, v in item.items()}, **_dates_initial(item)}

    def apply(self, content: dict[str, Any], index: int | None) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["tech_stack"] = _commas(data["tech_stack"])
        data["url"] = data["url"] or None
        data["url_label"] = data["url_label"] or None
        return self._put_item(content, "projects", index, data)


SECTION_FORMS: dict[str, type[SectionForm]] = {
    form.section: form
    for form in (
        HeaderForm,
        SummaryForm,
        SkillsForm,
        ExperienceForm,
        EducationForm,
        LanguagesForm,
        ExtraForm,
        ProjectForm,
    )
}
assert set(SECTION_FORMS) == set(SECTION_NAMES)
assert {c for c, _label in LANGUAGE_CHOICES} == set(LANGUAGES)


class ExportForm(forms.Form):
    """The export settings of one CV; item choices are built from that CV's entries."""

    template = forms.ChoiceField(
        label=_("Template"),
        choices=[("classic", _("Classic")), ("modern", _("Modern")), ("compact", _("Compact"))],
        widget=forms.RadioSelect,
        initial="classic",
    )
    paper = forms.ChoiceField(
        label=_("Paper"), choices=[("a4", "A4"), ("letter", _("Letter"))], initial="a4"
    )
    language = forms.ChoiceField(
        label=_("Headings and dates in"), choices=LANGUAGE_CHOICES, required=False
    )
    sections = forms.MultipleChoiceField(
        label=_("Sections"), widget=forms.CheckboxSelectMultiple, required=False
    )
    experience_items = forms.TypedMultipleChoiceField(
        label=_("Experience"), coerce=int, widget=forms.CheckboxSelectMultiple, required=False
    )
    education_items = forms.TypedMultipleChoiceField(
        label=_("Education"), coerce=int, widget=forms.CheckboxSelectMultiple, required=False
    )
    projects_items = forms.TypedMultipleChoiceField(
        label=_("Projects"), coerce=int, widget=forms.CheckboxSelectMultiple, required=False
    )
    extras_items = forms.TypedMultipleChoiceField(
        label=_("Additional information"),
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    hide_levels = forms.BooleanField(label=_("Hide skill levels"), required=False)
    hide_skill_groups = forms.MultipleChoiceField(
        label=_("Hide skill groups"),
        choices=[
            ("hard_skills", _("Skills")),
            ("tools", _("Tools")),
            ("soft_skills", _("Soft skills")),
            ("methodologies", _("Methods")),
        ],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    fit_pages = forms.TypedChoiceField(
        label=_("Fit to"),
        choices=[("", _("As many pages as it takes")), ("1", _("1 page")), ("2", _("2 pages"))],
        coerce=int,
        empty_value=None,
        required=False,
        error_messages={"invalid_choice": _("A CV can be fitted to 1 or 2 pages.")},
    )
    fit_offer = forms.ModelChoiceField(
        label=_("Rank bullets against"),
        queryset=JobOffer.objects.none(),
        empty_label=_("No offer (older jobs first)"),
        required=False,
        error_messages={"invalid_choice": _("Choose one of your offers.")},
    )
    # Bullets the user accepted to leave out, each as "path:digest" (cvs.fit.Bullet.key).
    drop = forms.MultipleChoiceField(
        required=False,
        widget=forms.MultipleHiddenInput,
        error_messages={
            "invalid_choice": _(
                "This CV changed since these removals were proposed: check the fit again."
            )
        },
    )

    ITEM_LABELS = {
        "experience": lambda e: f"{e.get('title', '')} · {e.get('company', '')}",
        "education": lambda e: e.get("degree") or e.get("institution", ""),
        "projects": lambda e: e.get("name", ""),
        "extras": lambda e: e.get("name", ""),
    }

    def __init__(
        self,
        *args: Any,
        content: dict[str, Any],
        offers: QuerySet[JobOffer] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if offers is not None:
            self.fields["fit_offer"].queryset = offers  # type: ignore[attr-defined]
        self.bullet_paths = bullet_keys(content)
        drop = self.fields["drop"]
        assert isinstance(drop, forms.MultipleChoiceField)
        drop.choices = [(key, key) for key in self.bullet_paths]
        order = content.get("section_order") or list(SECTION_NAMES)
        self.fields["sections"].choices = [(name, SECTION_LABELS[name]) for name in order]
        self.fields["sections"].initial = list(order)
        for section, label in self.ITEM_LABELS.items():
            items = content.get(section) or []
            field = self.fields[f"{section}_items"]
            field.choices = [(i, label(item)) for i, item in enumerate(items)]
            field.initial = list(range(len(items)))
        self.fields["language"].initial = content.get("language", "en")

    def options(self) -> dict[str, Any]:
        """The cleaned settings as an ExportOptions dict (also the shape of a saved preset)."""
        data = self.cleaned_data
        return {
            "template": data["template"],
            "paper": data["paper"],
            "language": data["language"] or None,
            "sections": ["header", *[s for s in data["sections"] if s != "header"]],
            **{f"{s}_items": data[f"{s}_items"] for s in self.ITEM_LABELS},
            "hide_levels": data["hide_levels"],
            "hide_skill_groups": sorted(data["hide_skill_groups"]),
            "fit_pages": data["fit_pages"],
            # Removals are part of fitting: without a page target, nothing is left out.
            "drop_bullets": sorted(self.bullet_paths[key] for key in data["drop"])
            if data["fit_pages"]
            else [],
        }

    @classmethod
    def initial_from_options(cls, options: dict[str, Any]) -> dict[str, Any]:
        initial = {k: v for k, v in options.items() if v is not None}
        return initial


class ExportPresetForm(forms.Form):
    # Not required in HTML: the field sits in the export form, whose download buttons must
    # submit without it. The save view refuses an empty name itself.
    preset_name = forms.CharField(label=_("Save these settings as"), max_length=80, required=False)

    def clean_preset_name(self) -> str:
        name = self.cleaned_data["preset_name"].strip()
        if not name:
            raise ValidationError(_("Give the settings a name."))
        return name


class ImportPdfForm(forms.Form):
    file = forms.FileField(label=_("Your CV as a PDF"), help_text=_("10 MB and 10 pages at most"))


class JobTitleForm(forms.Form):
    job_title = forms.CharField(label=_("Job title"), max_length=120, min_length=2)
    language = forms.ChoiceField(label=_("CV language"), choices=LANGUAGE_CHOICES)


class TranslateForm(forms.Form):
    target = forms.ChoiceField(label=_("Translate into"), choices=LANGUAGE_CHOICES)


class OfferChecklist(forms.CheckboxSelectMultiple):
    """The user's offers as checkboxes; those that could not be read cannot be ticked."""

    disabled_values: frozenset[int] = frozenset()

    def create_option(
        self,
        name: str,
        value: Any,
        label: Any,
        selected: Any,
        index: int,
        subindex: int | None = None,
        attrs: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        if value in self.disabled_values:
            option["attrs"]["disabled"] = True
        return option


class TailorForm(forms.Form):
    """Pick offers already added, and/or add a new one by link or pasted text."""

    offers = forms.TypedMultipleChoiceField(
        label=_("Your job offers"), coerce=int, required=False, widget=OfferChecklist
    )
    url = forms.URLField(label=_("Link to a job offer"), required=False, assume_scheme="https")
    text = forms.CharField(
        label=_("…or paste the offer text"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=60_000,
    )

    def __init__(self, *args: Any, offers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Offers whose reading failed (joboffers.services.mark_read_states) are shown marked,
        # and refused until they are read: tailoring to nothing would be charged for nothing.
        self.unread_offers = {o.pk: str(o) for o in offers if o.read_failed}
        self.fields["offers"].widget.disabled_values = frozenset(self.unread_offers)
        self.fields["offers"].choices = [
            (o.pk, _("%(offer)s (could not be read)") % {"offer": o} if o.read_failed else str(o))
            for o in offers
        ]

    def clean_offers(self) -> list[int]:
        offers: list[int] = self.cleaned_data.get("offers") or []
        unread = [self.unread_offers[pk] for pk in offers if pk in self.unread_offers]
        if unread:
            raise ValidationError(
                _("“%(offers)s” could not be read: read it again or paste its text first.")
                % {"offers": ", ".join(unread)}
            )
        return offers

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not (data.get("offers") or data.get("url") or data.get("text", "").strip()):
            raise ValidationError(_("Choose an offer, give a link, or paste an offer."))
        if data.get("text") and len(data["text"].strip()) < 200:
            self.add_error("text", _("Paste the whole offer (200 characters at least)."))
        return data


class RankForm(forms.Form):
    """The offers pasted on the ranking page, one per block between lines of dashes."""

    offers_text = forms.CharField(
        label=_("Paste offers to rank them too"),
        help_text=_(
            "One offer after the other, with a line of three dashes (---) between two. They "
            "are read and scored here, and saved only if you choose to."
        ),
        required=False,
        max_length=MAX_PASTE_CHARS,
        error_messages={
            "max_length": _(
                "Paste at most %(limit_value)d characters at once (this is %(show_value)d)."
            )
        },
        widget=forms.Textarea(attrs={"rows": 8}),
    )

    def clean_offers_text(self) -> list[PastedOffer]:
        try:
            return split_pasted(self.cleaned_data.get("offers_text") or "")
        except PasteRejected as exc:
            raise ValidationError(exc.message) from None


OFFER_KEY = re.compile(rf"({SAVED})-(\d{{1,18}})|({PASTED})-([0-9a-f]{{64}})")


class OfferKeysField(forms.MultipleChoiceField):
    """Rows of the ranking: "offer-<id>" for a saved offer, "pasted-<sha256>" for a pasted one."""

    def valid_value(self, value: Any) -> bool:
        return bool(OFFER_KEY.fullmatch(str(value)))


class RankedChoiceForm(RankForm):
    """The offers ticked on the ranking page, to tailor the CV to or (pasted ones) to save."""

    chosen = OfferKeysField(
        required=True,
        error_messages={
            "required": _("Tick at least one offer."),
            "invalid_choice": _("This is not an offer of the ranking."),
        },
    )
    action = forms.ChoiceField(choices=[("tailor", "tailor"), ("save", "save")])

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        keys = [OFFER_KEY.fullmatch(key) for key in data.get("chosen") or []]
        data["offer_ids"] = [int(m[2]) for m in keys if m and m[1]]
        digests = [m[4] for m in keys if m and m[3]]
        pasted = {item.digest: item for item in data.get("offers_text") or []}
        if "offers_text" in data and any(digest not in pasted for digest in digests):
            raise ValidationError(
                _("The pasted offers changed since they were ranked: rank them again, then choose.")
            )
        data["pasted"] = [pasted[digest] for digest in dict.fromkeys(digests) if digest in pasted]
        if data.get("action") == "save" and not data["pasted"]:
            raise ValidationError(_("Tick the pasted offers you want to save."))
        return data


class ImproveForm(forms.Form):
    suggestions = forms.TypedMultipleChoiceField(
        coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    context = forms.CharField(
        label=_("Anything the AI should know (your own words)"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example: “I led a team of 4 on the payment project.” 500 characters."),
    )
    skills = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple)
    skill_level = forms.ChoiceField(
        label=_("Level of the added skills"), choices=LEVEL_CHOICES[1:], initial="3"
    )

    def __init__(self, *args: Any, cv: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        suggestions = cv.improvement_suggestions or []
        self.fields["suggestions"].choices = [
            (i, s.get("title") or s.get("suggestion", "")) for i, s in enumerate(suggestions)
        ]
        self.fields["skills"].choices = [(s, s) for s in cv.missing_skills or []]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not (data.get("suggestions") or data.get("skills")):
            raise ValidationError(_("Choose at least one suggestion or one skill to add."))
        return data


class ReviewForm(forms.Form):
    change = forms.MultipleChoiceField(required=True)
    action = forms.ChoiceField(choices=[("accept", "accept"), ("reject", "reject")])

    def __init__(self, *args: Any, pending: list[dict[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["change"].choices = [(c["id"], c["id"]) for c in pending]


# --- Cover letters ----------------------------------------------------------------------------

_BLANK_LINES = re.compile(r"\n\s*\n")


def letter_paragraphs(body: str) -> list[str]:
    """The paragraphs of a letter typed as text: separated by blank lines, each on one line."""
    return [" ".join(part.split()) for part in _BLANK_LINES.split(body.strip()) if part.strip()]


class CoverLetterForm(forms.Form):
    subject = forms.CharField(label=_("Subject"), max_length=LETTER_LINE_CHARS, required=False)
    greeting = forms.CharField(label=_("Greeting"), max_length=LETTER_LINE_CHARS)
    body = forms.CharField(
        label=_("Letter"),
        max_length=LETTER_BODY_CHARS,
        widget=forms.Textarea(attrs={"rows": 18}),
        help_text=_("Leave a blank line between paragraphs."),
    )
    sign_off = forms.CharField(label=_("Closing"), max_length=LETTER_LINE_CHARS)

    @staticmethod
    def initial_from(content: dict[str, Any]) -> dict[str, str]:
        return {
            "subject": content.get("subject", ""),
            "greeting": content.get("greeting", ""),
            "body": "\n\n".join(content.get("paragraphs") or []),
            "sign_off": content.get("sign_off", ""),
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        content = {
            "subject": data["subject"],
            "greeting": data["greeting"],
            "paragraphs": letter_paragraphs(data["body"]),
            "sign_off": data["sign_off"],
        }
        try:
            data["content"] = checked_letter_content(content)
        except ValidationError as exc:
            self.add_error("body", exc)
        return data


class LetterOfferForm(forms.Form):
    """The offer a new letter is written for: one the user added, already read."""

    offer = forms.TypedChoiceField(label=_("Job offer"), coerce=int, widget=forms.RadioSelect)

    def __init__(self, *args: Any, offers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.unread_offers = {o.pk: str(o) for o in offers if o.read_failed}
        field = self.fields["offer"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [
            (o.pk, _("%(offer)s (could not be read)") % {"offer": o} if o.read_failed else str(o))
            for o in offers
        ]

    def clean_offer(self) -> int:
        offer: int = self.cleaned_data["offer"]
        if offer in self.unread_offers:
            raise ValidationError(
                _("“%(offers)s” could not be read: read it again or paste its text first.")
                % {"offers": self.unread_offers[offer]}
            )
        return offer


class LetterExportForm(forms.Form):
    template = forms.ChoiceField(
        label=_("Template"),
        choices=[("classic", _("Classic")), ("modern", _("Modern")), ("compact", _("Compact"))],
        initial="classic",
    )
    paper = forms.ChoiceField(
        label=_("Paper"), choices=[("a4", "A4"), ("letter", _("Letter"))], initial="a4"
    )
    # Left out by the preview, which shows the same settings: a download is then a PDF.
    format = forms.ChoiceField(
        choices=[("pdf", "PDF"), ("docx", "DOCX")], initial="pdf", required=False
    )
