"""Clearly fictional example CVs, for a job title or a job offer (a template to start from).

The person is "Alex Example" (or its French, German or Spanish twin), with an e-mail address at
example.com, employers and a school that say they are examples, and a summary that opens with
an "Example CV" note. Skills come from the offer (or from a few common ones for the title's
trade), responsibilities from the offer's own list, and years of experience from its level:
junior 2, mid 5, senior or lead 9. Dates count back from `today`, so a given day always gives
the same CV.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any, TypedDict

from ai.offline import vocabulary
from ai.offline.facts import as_dict, as_list, today_utc
from ai.offline.glossary import LANGUAGE_NAMES
from ai.offline.translate import (
    for_language,
    translate_language_name,
    translate_skill,
    translate_title,
)
from ai.offline.vocabulary import fold
from cvdoc.document import LANGUAGES, normalize_cv

MIN_TITLE_LETTERS = 3
MAX_TITLE_CHARS = 80
MAX_WORD_LETTERS = 35
MAX_CONSONANT_RUN = 7  # German has "Rechtsschutz"; keyboard mashes run longer
MAX_REPEATED_CHAR = 3
MIN_VOWEL_SHARE = 0.15
MIN_LETTER_SHARE = 0.6
MAX_SKILLS_PER_GROUP = 8
MAX_RESPONSIBILITIES = 4
VOWELS = frozenset("aeiouyàâäáéèêëíìîïóòôöúùûüÿ")
# Rows of QWERTY, AZERTY and QWERTZ keyboards: four keys in a row is a keyboard mash.
KEYBOARD_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm", "azertyuiop", "qsdfghjklm", "wxcvbn",
                 "qwertzuiop", "yxcvbnm", "1234567890")  # fmt: skip
YEARS_BY_LEVEL = {"junior": 2, "mid": 5, "senior": 9, "lead": 9}
# Length in years of each job, most recent first.
JOBS_BY_YEARS = {2: (2,), 5: (3, 2), 9: (4, 3, 2)}
PROFICIENCY_BY_YEARS = {2: 2, 5: 3, 9: 4}
SENIOR_WORDS = frozenset({"senior", "sr", "lead", "principal", "staff", "head", "chief",
                          "confirme", "confirmee", "experimente", "leiter", "jefe"})  # fmt: skip
JUNIOR_WORDS = frozenset({"junior", "jr", "intern", "stagiaire", "alternant", "alternante",
                          "apprenti", "praktikant", "werkstudent", "becario", "trainee",
                          "debutant", "debutante"})  # fmt: skip
PERSON = {
    "en": ("Alex Example", "alex.example@example.com"),
    "fr": ("Camille Exemple", "camille.exemple@example.com"),
    "de": ("Alex Beispiel", "alex.beispiel@example.com"),
    "es": ("Alex Ejemplo", "alex.ejemplo@example.com"),
}
COMPANIES = {
    "en": ("Example Corp", "Sample Industries", "Demo Labs"),
    "fr": ("Exemple SAS", "Modèle & Associés", "Démo Conseil"),
    "de": ("Beispiel GmbH", "Muster AG", "Demo Labs GmbH"),
    "es": ("Ejemplo S.L.", "Modelo Consultores", "Demo Labs S.A."),
}
SCHOOL = {
    "en": "Example University",
    "fr": "Université Exemple",
    "de": "Beispiel-Universität",
    "es": "Universidad Ejemplo",
}


class _Texts(TypedDict):
    """The fixed sentences of an example CV in one language."""

    note: str
    profile: str  # formatted with title and years
    skills: str  # formatted with skills
    generic: tuple[str, ...]  # experience lines; "{skills}" in a line is formatted too
    degree: str


TEXTS: dict[str, _Texts] = {
    "en": {
        "note": "Example CV: a fictional person, for illustration only. Replace every detail "
        "with your own.",
        "profile": "{title} with {years} years of experience.",
        "skills": " Works with {skills}.",
        "generic": (
            "Handled the day-to-day work of the role for internal and external clients",
            "Used {skills} on real projects",
            "Worked with the team to improve processes and quality",
        ),
        "degree": "Master's degree",
    },
    "fr": {
        "note": "Exemple de CV : personne fictive, à titre d'illustration uniquement. "
        "Remplacez chaque information par les vôtres.",
        "profile": "{title} avec {years} ans d'expérience.",
        "skills": " Travaille avec {skills}.",
        "generic": (
            "Prise en charge des missions courantes du poste pour des clients internes et externes",
            "Utilisation de {skills} sur des projets concrets",
            "Travail en équipe pour améliorer les processus et la qualité",
        ),
        "degree": "Master",
    },
    "de": {
        "note": "Beispiel-Lebenslauf: fiktive Person, nur zur Veranschaulichung. Ersetzen Sie "
        "alle Angaben durch Ihre eigenen.",
        "profile": "{title} mit {years} Jahren Berufserfahrung.",
        "skills": " Arbeitet mit {skills}.",
        "generic": (
            "Erledigung der täglichen Aufgaben der Stelle für interne und externe Kunden",
            "Einsatz von {skills} in realen Projekten",
            "Zusammenarbeit im Team zur Verbesserung von Prozessen und Qualität",
        ),
        "degree": "Master",
    },
    "es": {
        "note": "CV de ejemplo: persona ficticia, solo a modo de ilustración. Sustituya cada "
        "dato por los suyos.",
        "profile": "{title} con {years} años de experiencia.",
        "skills": " Trabaja con {skills}.",
        "generic": (
            "Gestión del trabajo diario del puesto para clientes internos y externos",
            "Uso de {skills} en proyectos reales",
            "Trabajo en equipo para mejorar los procesos y la calidad",
        ),
        "degree": "Máster",
    },
}
NOT_A_TITLE = {
    "en": "“{title}” does not look like a job title. Enter one such as “Data analyst”.",
    "fr": "« {title} » ne ressemble pas à un intitulé de poste. Saisissez-en un comme "
    "« Analyste de données ».",
    "de": "„{title}“ sieht nicht wie eine Berufsbezeichnung aus. Geben Sie eine ein, z. B. "
    "„Datenanalyst“.",
    "es": "«{title}» no parece un puesto de trabajo. Escriba uno como «Analista de datos».",
}
# (en, fr, de, es) by vocabulary.EDUCATION_RANKS level, and the years each takes.
DEGREES = {
    "High school": ("High school diploma", "Baccalauréat", "Abitur", "Bachillerato"),
    "Associate": ("Associate degree", "BTS", "Berufsausbildung", "Técnico superior"),
    "Bachelor": ("Bachelor's degree", "Licence", "Bachelor", "Grado"),
    "Master": ("Master's degree", "Master", "Master", "Máster"),
    "PhD": ("Doctorate", "Doctorat", "Promotion", "Doctorado"),
}
DEGREE_YEARS = {"High school": 3, "Associate": 2, "Bachelor": 3, "Master": 5, "PhD": 8}
NATIVE = {"en": "Native", "fr": "Langue maternelle", "de": "Muttersprache", "es": "Nativo"}
# Common skills by trade, for a CV made from a job title alone; every name is a vocabulary
# skill. The trade is the first whose folded keyword appears in the title.
TRADE_SKILLS: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = (
    (("data", "donnees", "daten", "datos", "analyst", "analyste", "analista"),
     ("SQL", "Python", "Data analysis", "Data visualization", "Power BI", "Microsoft Excel",
      "Analytical skills", "Communication")),
    (("design", "designer", "ux", "ui", "disenador"),
     ("UX design", "UI design", "Design systems", "Figma", "Design thinking",
      "User-centered design", "Creativity", "Empathy")),
    (("product", "produit", "produkt", "producto"),
     ("Product management", "Product roadmap", "User research", "Jira", "Agile", "Scrum",
      "Stakeholder management", "Communication")),
    (("project", "projet", "projekt", "proyecto"),
     ("Project management", "Risk management", "Jira", "Agile", "Waterfall", "Leadership",
      "Organisation skills")),
    (("developer", "developpeur", "developpeuse", "entwickler", "desarrollador", "engineer",
      "ingenieur", "ingeniero", "programmer", "devops", "software", "logiciel", "backend",
      "frontend", "fullstack", "full stack", "web"),
     ("SQL", "REST APIs", "Unit testing", "Git", "Docker", "Linux", "Agile", "Code review",
      "Teamwork", "Problem solving")),
    (("sales", "commercial", "commerciale", "vertrieb", "ventas", "account"),
     ("Business development", "Account management", "Customer relationship management",
      "Salesforce", "Negotiation", "Communication")),
    (("marketing",),
     ("Digital marketing", "Content marketing", "SEO", "Google Analytics", "Creativity")),
    (("accountant", "comptable", "buchhalter", "contable", "finance", "financier", "controller"),
     ("Financial reporting", "Cost accounting", "Financial analysis", "Microsoft Excel", "SAP",
      "Rigor", "Attention to detail")),
)  # fmt: skip
DEFAULT_SKILLS = ("Communication", "Teamwork", "Organisation skills", "Time management",
                  "Microsoft Excel", "Continuous improvement")  # fmt: skip


def example_cv(
    *,
    job_title: str | None = None,
    offer: Mapping[str, Any] | None = None,
    language: str,
    today: date | None = None,
) -> dict[str, Any]:
    """A fictional CV fitting the job title or the job offer, in `language`.

    Raises ValueError for an unknown language, a missing source, or a job title that is not one.
    """
    if language not in LANGUAGES:
        raise ValueError(f"unsupported language {language!r}; use one of {', '.join(LANGUAGES)}")
    if offer is None and job_title is None:
        raise ValueError("give a job title or a job offer")
    offer = offer or {}
    title = " ".join((job_title or "").split())
    if job_title is not None:
        check_job_title(title, language=language)
    else:
        title = " ".join(str(offer.get("title") or "").split())[:MAX_TITLE_CHARS]
        if not title:
            raise ValueError("the job offer has no title")
    years = _years(title, offer)
    title = translate_title(title[:1].upper() + title[1:], language)
    skills = _skills(title, offer, language, PROFICIENCY_BY_YEARS[years])
    name, email = PERSON[language]
    texts = TEXTS[language]
    highlighted = [s["name"] for s in [*skills["hard_skills"], *skills["tools"]]][:3]
    profile = texts["profile"].format(title=title, years=years)
    if highlighted:
        profile += texts["skills"].format(skills=_listing(highlighted, language))
    cv = {
        "header": {
            "full_name": name,
            "current_title": title,
            "contact": {"email": email, "location": _location(offer)},
        },
        "summary": {"description": texts["note"] + "\n" + profile},
        "skills": skills,
        "experience": _experience(title, offer, years, highlighted, language, today),
        "education": [_education(offer, years, language, today)],
        "languages": _languages(offer, language),
        "language": language,
    }
    return normalize_cv(cv)


def check_job_title(title: str, *, language: str = "en") -> None:
    """Raises ValueError (a message for the user) when `title` cannot be a job title."""
    message = NOT_A_TITLE.get(language, NOT_A_TITLE["en"]).format(title=title[:40])
    folded = fold(title)
    letters = [char for char in folded if char.isalpha()]
    compact = folded.replace(" ", "")
    if (
        len(letters) < MIN_TITLE_LETTERS
        or len(title) > MAX_TITLE_CHARS
        or len(letters) < MIN_LETTER_SHARE * len(compact)
        or not any(char in VOWELS for char in letters)
        or sum(char in VOWELS for char in letters) < MIN_VOWEL_SHARE * len(letters)
        or re.search(rf"([^\W\d_])\1{{{MAX_REPEATED_CHAR},}}", folded)
        or re.search(rf"[^\W\d_aeiouy]{{{MAX_CONSONANT_RUN + 1},}}", compact)
        or any(len(word) > MAX_WORD_LETTERS for word in re.findall(r"[^\W\d_]+", folded))
        or _has_keyboard_run(compact)
    ):
        raise ValueError(message)


def _has_keyboard_run(text: str) -> bool:
    return any(
        row[start : start + 4] in text for row in KEYBOARD_ROWS for start in range(len(row) - 3)
    )


def _years(title: str, offer: Mapping[str, Any]) -> int:
    experience = as_dict(offer.get("experience"))
    level = experience.get("level")
    if level in YEARS_BY_LEVEL:
        return YEARS_BY_LEVEL[level]
    minimum = experience.get("min_years")
    if isinstance(minimum, int | float) and not isinstance(minimum, bool):
        return 2 if minimum < 3 else 5 if minimum < 7 else 9
    words = set(re.findall(r"[^\W\d_]+", fold(title)))
    if words & SENIOR_WORDS:
        return 9
    return 2 if words & JUNIOR_WORDS else 5


def _listing(names: list[str], language: str) -> str:
    if len(names) < 2:
        return "".join(names)
    joiner = {"en": " and ", "fr": " et ", "de": " und ", "es": " y "}[language]
    return ", ".join(names[:-1]) + joiner + names[-1]


def _offer_skills(offer: Mapping[str, Any]) -> list[tuple[str, str, bool]]:
    """(name, category, required) for each skill the offer lists."""
    skills = as_dict(offer.get("skills"))
    found: list[tuple[str, str, bool]] = []
    for category in ("hard_skills", "tools", "methodologies"):
        group = as_dict(skills.get(category))
        for key, required in (("required", True), ("nice_to_have", False)):
            names = as_list(group.get(key))
            found += [(str(n), category, required) for n in names if str(n).strip()]
    soft = as_list(skills.get("soft_skills"))
    found += [(str(n), "soft_skills", True) for n in soft if str(n).strip()]
    return found


def _skills(
    title: str, offer: Mapping[str, Any], language: str, proficiency: int
) -> dict[str, list[Any]]:
    wanted = _offer_skills(offer)
    if not wanted:
        names = [match.name for match in vocabulary.find_skills(title)]
        names += next(
            (list(skills) for keys, skills in TRADE_SKILLS if _names_trade(title, keys)),
            list(DEFAULT_SKILLS),
        )
        wanted = [(name, vocabulary.skill_category(name) or "hard_skills", True) for name in names]
    out: dict[str, list[Any]] = {
        "hard_skills": [], "tools": [], "soft_skills": [], "methodologies": []
    }  # fmt: skip
    seen: set[str] = set()
    for name, category, required in wanted:
        key = fold(vocabulary.canonical_skill(name) or name)
        group = out[category]
        if key in seen or len(group) >= MAX_SKILLS_PER_GROUP:
            continue
        seen.add(key)
        shown = translate_skill(name, language)
        if category in ("soft_skills", "methodologies"):
            group.append(shown)
        else:
            group.append({"name": shown, "proficiency": proficiency - (0 if required else 1)})
    return out


def _names_trade(title: str, keys: tuple[str, ...]) -> bool:
    folded = f" {fold(title).replace('-', ' ')} "
    return any(f" {key} " in folded or f" {key}" in folded for key in keys)


def _location(offer: Mapping[str, Any]) -> dict[str, str]:
    location = as_dict(offer.get("location"))
    city = location.get("city")
    return {"city": str(city)} if city else {}


def _responsibilities(offer: Mapping[str, Any]) -> list[str]:
    listed = as_list(offer.get("responsibilities"))
    phrased: list[str] = []
    for item in listed:
        # The first sentence, as a CV line: no final full stop, a capital first letter.
        sentence = re.split(r"(?<=[.!?;])\s", " ".join(str(item).split()))[0].rstrip(".;! ")
        if sentence:
            phrased.append(sentence[:1].upper() + sentence[1:])
    return phrased


def _experience(
    title: str,
    offer: Mapping[str, Any],
    years: int,
    highlighted: list[str],
    language: str,
    today: date | None,
) -> list[dict[str, Any]]:
    year = (today or today_utc()).year
    texts = TEXTS[language]
    skills = _listing(highlighted, language) if highlighted else ""
    generic = [
        line.format(skills=skills) for line in texts["generic"] if skills or "{skills}" not in line
    ]
    # Older jobs repeat the role, not the skills line, so the example does not read as a copy.
    older = [line for line in texts["generic"] if "{skills}" not in line]
    offered = _responsibilities(offer)
    plain_title = " ".join(w for w in title.split() if fold(w) not in SENIOR_WORDS) or title
    jobs: list[dict[str, Any]] = []
    end = year
    for index, length in enumerate(JOBS_BY_YEARS[years]):
        start = end - length
        lines = offered[index * MAX_RESPONSIBILITIES : (index + 1) * MAX_RESPONSIBILITIES]
        jobs.append(
            {
                "title": title if index == 0 else plain_title,
                "company": COMPANIES[language][index],
                "start_date": str(start),
                "end_date": "present" if index == 0 else str(end),
                "responsibilities": lines or (generic if index == 0 else older),
                "skills_used": highlighted,
            }
        )
        end = start
    return jobs


def _education(
    offer: Mapping[str, Any], years: int, language: str, today: date | None
) -> dict[str, Any]:
    education = as_dict(offer.get("education"))
    level = vocabulary.degree_level(str(education.get("level") or "")) or "Master"
    end = (today or today_utc()).year - years
    return {
        "institution": SCHOOL[language],
        "degree": for_language(DEGREES[level], language),
        "field_of_study": str(education.get("field") or ""),
        "start_date": str(end - DEGREE_YEARS[level]),
        "end_date": str(end),
    }


def _languages(offer: Mapping[str, Any], language: str) -> list[dict[str, str]]:
    own = {"en": "English", "fr": "French", "de": "German", "es": "Spanish"}[language]
    native = for_language((own, *LANGUAGE_NAMES[own]), language)
    languages = [{"name": native, "level": NATIVE[language]}]
    listed = as_list(offer.get("languages"))
    for item in listed:
        if not isinstance(item, Mapping) or not item.get("language"):
            continue
        name = translate_language_name(str(item["language"]), language)
        if vocabulary.canonical_language(name) == own:
            continue
        languages.append({"name": name, "level": str(item.get("level") or "B2")})
    return languages
