"""An honest offline translation of a CV into en, fr, de or es.

Without a language model only the CV's vocabulary can be translated reliably, so this module
translates what a phrasebook knows and leaves the rest as written:

- skill names that are words rather than technologies (soft skills, methods, practices), when
  the phrasebook has a name in the target language that the skill vocabulary reads back as
  the same skill, so matching against offers keeps working;
- language names and level words ("Native" -> "Langue maternelle"; CEFR codes are kept);
- degree words (Bachelor, Master, Licence, Diplom...) and common fields of study, when they
  make up the whole field;
- common job titles, whole or split on "&", "/" and ",", with the seniority word moved to
  where the target language puts it and the source's grammatical gender kept;
- month names and "present" inside free text when they are part of a date ("Jan 2020",
  "2019 – present"), and the names of extra sections ("Interests" -> "Centres d'intérêt").

Names, e-mails, phone numbers, URLs, dates, employers, schools, places, project names and
technologies are never touched. Known limit: sentences (summary, descriptions,
responsibilities, extras) are kept in their original language; the caller should tell the
user which parts still need a translation of their own.
"""

from __future__ import annotations

import copy
import functools
import re
from collections.abc import Callable
from typing import Any

from ai.offline import vocabulary
from ai.offline.cv_parser import MONTHS, PRESENT_WORDS, heading_kind
from ai.offline.vocabulary import fold
from cvdoc.document import LANGUAGES, normalize_cv

ORDER = ("en", "fr", "de", "es")  # the column order of the tables below
# Skill names by canonical vocabulary name, as (fr, de, es); technologies are absent on purpose.
SKILL_NAMES: dict[str, tuple[str, str, str]] = {
    "Communication": ("Communication", "Kommunikation", "Comunicación"),
    "Teamwork": ("Travail en équipe", "Teamfähigkeit", "Trabajo en equipo"),
    "Leadership": ("Leadership", "Führungsstärke", "Liderazgo"),
    "Problem solving": ("Résolution de problèmes", "Problemlösung", "Resolución de problemas"),
    "Critical thinking": ("Esprit critique", "Kritisches Denken", "Pensamiento crítico"),
    "Analytical skills": ("Esprit d'analyse", "Analytisches Denken", "Capacidad analítica"),
    "Adaptability": ("Adaptabilité", "Anpassungsfähigkeit", "Adaptabilidad"),
    "Flexibility": ("Flexibilité", "Flexibilität", "Flexibilidad"),
    "Autonomy": ("Autonomie", "Selbstständigkeit", "Autonomía"),
    "Creativity": ("Créativité", "Kreativität", "Creatividad"),
    "Curiosity": ("Curiosité", "Neugier", "Curiosidad"),
    "Attention to detail": ("Souci du détail", "Liebe zum Detail", "Atención al detalle"),
    "Rigor": ("Rigueur", "Sorgfalt", "Rigor"),
    "Organisation skills": ("Sens de l'organisation", "Organisationstalent",
                            "Capacidad de organización"),
    "Time management": ("Gestion du temps", "Zeitmanagement", "Gestión del tiempo"),
    "Stress management": ("Gestion du stress", "Belastbarkeit", "Trabajo bajo presión"),
    "Negotiation": ("Négociation", "Verhandlungsgeschick", "Negociación"),
    "Public speaking": ("Prise de parole en public", "Public Speaking", "Hablar en público"),
    "Active listening": ("Écoute active", "Aktives Zuhören", "Escucha activa"),
    "Collaboration": ("Collaboration", "Zusammenarbeit", "Colaboración"),
    "Conflict resolution": ("Gestion des conflits", "Konfliktlösung", "Resolución de conflictos"),
    "Decision making": ("Prise de décision", "Entscheidungsfähigkeit", "Toma de decisiones"),
    "Empathy": ("Empathie", "Empathie", "Empatía"),
    "Resilience": ("Résilience", "Resilienz", "Resiliencia"),
    "Team management": ("Management d'équipe", "Mitarbeiterführung", "Gestión de equipos"),
    "Customer orientation": ("Sens du client", "Kundenorientierung", "Orientación al cliente"),
    "Initiative": ("Esprit d'initiative", "Eigeninitiative", "Capacidad de iniciativa"),
    "Strategic thinking": ("Vision stratégique", "Strategisches Denken",
                           "Pensamiento estratégico"),
    "Pedagogy": ("Pédagogie", "Didaktik", "Pedagogía"),
    "Diplomacy": ("Diplomatie", "Diplomatie", "Diplomacia"),
    "Project management": ("Gestion de projet", "Projektmanagement", "Gestión de proyectos"),
    "Change management": ("Conduite du changement", "Veränderungsmanagement",
                          "Gestión del cambio"),
    "Risk management": ("Gestion des risques", "Risikomanagement", "Gestión de riesgos"),
    "Data analysis": ("Analyse de données", "Datenanalyse", "Análisis de datos"),
    "Data visualization": ("Visualisation de données", "Datenvisualisierung",
                           "Visualización de datos"),
    "Software architecture": ("Architecture logicielle", "Softwarearchitektur",
                              "Arquitectura de software"),
    "Distributed systems": ("Systèmes distribués", "Verteilte Systeme", "Sistemas distribuidos"),
    "Object-oriented programming": ("Programmation orientée objet",
                                    "Objektorientierte Programmierung",
                                    "Programación orientada a objetos"),
    "Functional programming": ("Programmation fonctionnelle", "Funktionale Programmierung",
                               "Programación funcional"),
    "Algorithms and data structures": ("Algorithmique", "Algorithmen", "Algoritmos"),
    "Design patterns": ("Patrons de conception", "Entwurfsmuster", "Patrones de diseño"),
    "Data modeling": ("Modélisation de données", "Datenmodellierung", "Modelado de datos"),
    "Continuous improvement": ("Amélioration continue", "Kontinuierliche Verbesserung",
                               "Mejora continua"),
}  # fmt: skip
# (fr, de, es) by the English names of vocabulary.LANGUAGE_NAMES.
LANGUAGE_NAMES: dict[str, tuple[str, str, str]] = {
    "English": ("Anglais", "Englisch", "Inglés"),
    "French": ("Français", "Französisch", "Francés"),
    "German": ("Allemand", "Deutsch", "Alemán"),
    "Spanish": ("Espagnol", "Spanisch", "Español"),
    "Italian": ("Italien", "Italienisch", "Italiano"),
    "Portuguese": ("Portugais", "Portugiesisch", "Portugués"),
    "Dutch": ("Néerlandais", "Niederländisch", "Neerlandés"),
    "Chinese": ("Chinois", "Chinesisch", "Chino"),
    "Japanese": ("Japonais", "Japanisch", "Japonés"),
    "Arabic": ("Arabe", "Arabisch", "Árabe"),
    "Russian": ("Russe", "Russisch", "Ruso"),
    "Polish": ("Polonais", "Polnisch", "Polaco"),
    "Turkish": ("Turc", "Türkisch", "Turco"),
    "Korean": ("Coréen", "Koreanisch", "Coreano"),
    "Swedish": ("Suédois", "Schwedisch", "Sueco"),
    "Greek": ("Grec", "Griechisch", "Griego"),
    "Romanian": ("Roumain", "Rumänisch", "Rumano"),
    "Catalan": ("Catalan", "Katalanisch", "Catalán"),
    "Hindi": ("Hindi", "Hindi", "Hindi"),
}  # fmt: skip
# (en, fr, de, es) by the level labels of vocabulary.LANGUAGE_LEVELS.
LEVEL_NAMES: dict[str, tuple[str, str, str, str]] = {
    "Native": ("Native", "Langue maternelle", "Muttersprache", "Nativo"),
    "Bilingual": ("Bilingual", "Bilingue", "Zweisprachig", "Bilingüe"),
    "Fluent": ("Fluent", "Courant", "Fließend", "Fluido"),
    "Professional": ("Professional working proficiency", "Professionnel", "Verhandlungssicher",
                     "Profesional"),
    "Advanced": ("Advanced", "Avancé", "Sehr gut", "Avanzado"),
    "Good": ("Good", "Bon niveau", "Gut", "Bueno"),
    "Intermediate": ("Intermediate", "Intermédiaire", "Mittelstufe", "Intermedio"),
    "Basic": ("Basic", "Notions", "Grundkenntnisse", "Básico"),
}  # fmt: skip
# Words that may surround a level word without changing it ("bon niveau", "native speaker").
LEVEL_FILLERS = frozenset(
    {"speaker", "level", "niveau", "nivel", "sprecher", "hablante", "proficiency", "working"}
)
# Whole degree fields as ((en, fr, de, es), other spellings); abbreviations such as BSc, MSc,
# PhD or MBA are international and kept.
DEGREES: tuple[tuple[tuple[str, str, str, str], tuple[str, ...]], ...] = (
    (("Bachelor's degree", "Licence", "Bachelor", "Grado"),
     ("bachelor", "bachelors", "bachelor's", "bachelor degree", "licenciatura",
      "bachelorstudium")),
    (("Master's degree", "Master", "Master", "Máster"),
     ("masters", "master's", "master degree", "mastere", "maestria", "masterstudium")),
    (("Doctorate", "Doctorat", "Promotion", "Doctorado"), ("doktorat",)),
    (("High school diploma", "Baccalauréat", "Abitur", "Bachillerato"), ("bac",)),
    (("Engineering degree", "Diplôme d'ingénieur", "Diplom-Ingenieur", "Título de ingeniero"),
     ("dipl.-ing.",)),
)  # fmt: skip
FIELDS_OF_STUDY: tuple[tuple[str, str, str, str], ...] = (
    ("Computer Science", "Informatique", "Informatik", "Informática"),
    ("Computer Engineering", "Génie informatique", "Technische Informatik",
     "Ingeniería informática"),
    ("Mathematics", "Mathématiques", "Mathematik", "Matemáticas"),
    ("Physics", "Physique", "Physik", "Física"),
    ("Chemistry", "Chimie", "Chemie", "Química"),
    ("Biology", "Biologie", "Biologie", "Biología"),
    ("Economics", "Économie", "Volkswirtschaftslehre", "Economía"),
    ("Business Administration", "Gestion des entreprises", "Betriebswirtschaftslehre",
     "Administración de empresas"),
    ("Finance", "Finance", "Finanzwesen", "Finanzas"),
    ("Law", "Droit", "Rechtswissenschaft", "Derecho"),
    ("Data Science", "Science des données", "Datenwissenschaft", "Ciencia de datos"),
    ("Electrical Engineering", "Génie électrique", "Elektrotechnik", "Ingeniería eléctrica"),
    ("Mechanical Engineering", "Génie mécanique", "Maschinenbau", "Ingeniería mecánica"),
    ("Civil Engineering", "Génie civil", "Bauingenieurwesen", "Ingeniería civil"),
    ("Psychology", "Psychologie", "Psychologie", "Psicología"),
    ("Marketing", "Marketing", "Marketing", "Marketing"),
)  # fmt: skip
# Job titles as (en, fr, de, es), "masculine|feminine" where the language marks gender.
TITLES: tuple[tuple[str, str, str, str], ...] = (
    ("Software Engineer", "Ingénieur logiciel|Ingénieure logiciel",
     "Softwareingenieur|Softwareingenieurin", "Ingeniero de software|Ingeniera de software"),
    ("Software Developer", "Développeur logiciel|Développeuse logiciel",
     "Softwareentwickler|Softwareentwicklerin",
     "Desarrollador de software|Desarrolladora de software"),
    ("Developer", "Développeur|Développeuse", "Entwickler|Entwicklerin",
     "Desarrollador|Desarrolladora"),
    ("Web Developer", "Développeur web|Développeuse web", "Webentwickler|Webentwicklerin",
     "Desarrollador web|Desarrolladora web"),
    ("Full Stack Developer", "Développeur full stack|Développeuse full stack",
     "Full-Stack-Entwickler|Full-Stack-Entwicklerin",
     "Desarrollador full stack|Desarrolladora full stack"),
    ("Backend Developer", "Développeur back-end|Développeuse back-end",
     "Backend-Entwickler|Backend-Entwicklerin", "Desarrollador backend|Desarrolladora backend"),
    ("Frontend Developer", "Développeur front-end|Développeuse front-end",
     "Frontend-Entwickler|Frontend-Entwicklerin",
     "Desarrollador frontend|Desarrolladora frontend"),
    ("Data Engineer", "Ingénieur data|Ingénieure data", "Dateningenieur|Dateningenieurin",
     "Ingeniero de datos|Ingeniera de datos"),
    ("Data Scientist", "Data scientist", "Data Scientist",
     "Científico de datos|Científica de datos"),
    ("Data Analyst", "Analyste de données", "Datenanalyst|Datenanalystin", "Analista de datos"),
    ("DevOps Engineer", "Ingénieur DevOps|Ingénieure DevOps", "DevOps-Ingenieur|DevOps-Ingenieurin",
     "Ingeniero DevOps|Ingeniera DevOps"),
    ("Software Architect", "Architecte logiciel", "Softwarearchitekt|Softwarearchitektin",
     "Arquitecto de software|Arquitecta de software"),
    ("System Administrator", "Administrateur système|Administratrice système",
     "Systemadministrator|Systemadministratorin",
     "Administrador de sistemas|Administradora de sistemas"),
    ("Project Manager", "Chef de projet|Cheffe de projet", "Projektleiter|Projektleiterin",
     "Jefe de proyecto|Jefa de proyecto"),
    ("Product Manager", "Chef de produit|Cheffe de produit", "Produktmanager|Produktmanagerin",
     "Gerente de producto"),
    ("Team Lead", "Chef d'équipe|Cheffe d'équipe", "Teamleiter|Teamleiterin",
     "Jefe de equipo|Jefa de equipo"),
    ("Consultant", "Consultant|Consultante", "Berater|Beraterin", "Consultor|Consultora"),
    ("Analyst", "Analyste", "Analyst|Analystin", "Analista"),
    ("Business Analyst", "Business analyst", "Business Analyst|Business Analystin",
     "Analista de negocio"),
    ("Designer", "Designer", "Designer|Designerin", "Diseñador|Diseñadora"),
    ("Intern", "Stagiaire", "Praktikant|Praktikantin", "Becario|Becaria"),
    ("Research Intern", "Stagiaire de recherche", "Forschungspraktikant|Forschungspraktikantin",
     "Becario de investigación|Becaria de investigación"),
    ("Researcher", "Chercheur|Chercheuse", "Forscher|Forscherin", "Investigador|Investigadora"),
    ("Founder", "Fondateur|Fondatrice", "Gründer|Gründerin", "Fundador|Fundadora"),
    ("Co-Founder", "Cofondateur|Cofondatrice", "Mitgründer|Mitgründerin",
     "Cofundador|Cofundadora"),
    ("Teacher", "Enseignant|Enseignante", "Lehrer|Lehrerin", "Profesor|Profesora"),
    ("Accountant", "Comptable", "Buchhalter|Buchhalterin", "Contable"),
    ("Assistant", "Assistant|Assistante", "Assistent|Assistentin", "Asistente"),
    ("Technician", "Technicien|Technicienne", "Techniker|Technikerin", "Técnico|Técnica"),
    ("Mentor", "Mentor|Mentore", "Mentor|Mentorin", "Mentor|Mentora"),
    ("Volunteer", "Bénévole", "Ehrenamtlicher Helfer|Ehrenamtliche Helferin",
     "Voluntario|Voluntaria"),
    ("Student", "Étudiant|Étudiante", "Student|Studentin", "Estudiante"),
    ("Nurse", "Infirmier|Infirmière", "Pflegefachmann|Pflegefachfrau", "Enfermero|Enfermera"),
    ("Sales Representative", "Commercial|Commerciale",
     "Vertriebsmitarbeiter|Vertriebsmitarbeiterin", "Representante de ventas"),
    ("Manager", "Manager", "Manager|Managerin", "Gerente"),
)  # fmt: skip
# Other spellings of a title, folded, with the English title they name and their gender.
TITLE_SPELLINGS: dict[str, tuple[str, bool]] = {
    "full-stack developer": ("Full Stack Developer", False),
    "fullstack developer": ("Full Stack Developer", False),
    "back-end developer": ("Backend Developer", False),
    "front-end developer": ("Frontend Developer", False),
    "ingenieur donnees": ("Data Engineer", False),
    "ingenieure donnees": ("Data Engineer", True),
    "projektmanager": ("Project Manager", False),
    "projektmanagerin": ("Project Manager", True),
    "cofounder": ("Co-Founder", False),
    "co-fondateur": ("Co-Founder", False),
    "co-fondatrice": ("Co-Founder", True),
    "stage": ("Intern", False),
    "trainee": ("Intern", False),
    "research scientist": ("Researcher", False),
}  # fmt: skip
SENIORITY = ("senior", "junior", "sr.", "jr.", "sr", "jr")
# (en, fr, de, es) by the section kinds of cv_parser.SECTION_KEYWORDS.
EXTRA_NAMES: dict[str, tuple[str, str, str, str]] = {
    "certifications": ("Certifications", "Certifications", "Zertifikate", "Certificaciones"),
    "awards": ("Awards", "Distinctions", "Auszeichnungen", "Premios"),
    "publications": ("Publications", "Publications", "Publikationen", "Publicaciones"),
    "interests": ("Interests", "Centres d'intérêt", "Interessen", "Intereses"),
    "volunteering": ("Volunteering", "Bénévolat", "Ehrenamt", "Voluntariado"),
    "references": ("References", "Références", "Referenzen", "Referencias"),
    "patents": ("Patents", "Brevets", "Patente", "Patentes"),
    "talks": ("Talks", "Conférences", "Vorträge", "Ponencias"),
    "other": ("Additional information", "Informations complémentaires", "Weitere Angaben",
              "Información adicional"),
}  # fmt: skip
# Prefixes of the extras a JSON Resume import writes ("Award: Best paper").
EXTRA_PREFIXES: dict[str, tuple[str, str, str, str]] = {
    "Award": ("Award", "Distinction", "Auszeichnung", "Premio"),
    "Certificate": ("Certificate", "Certificat", "Zertifikat", "Certificado"),
    "Publication": ("Publication", "Publication", "Publikation", "Publicación"),
    "Interest": ("Interest", "Centre d'intérêt", "Interesse", "Interés"),
    "Reference": ("Reference", "Référence", "Referenz", "Referencia"),
}  # fmt: skip
VOLUNTEERING = EXTRA_NAMES["volunteering"]
MONTH_NAMES: dict[str, tuple[str, ...]] = {
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
    "fr": ("janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.",
           "nov.", "déc."),
    "de": ("Jan.", "Feb.", "März", "Apr.", "Mai", "Juni", "Juli", "Aug.", "Sept.", "Okt.",
           "Nov.", "Dez."),
    "es": ("ene.", "feb.", "mar.", "abr.", "may.", "jun.", "jul.", "ago.", "sept.", "oct.",
           "nov.", "dic."),
}  # fmt: skip
PRESENT_NAMES = {"en": "present", "fr": "aujourd'hui", "de": "heute", "es": "actualidad"}

_TITLE_SEPARATORS = re.compile(r"(\s*[&/,|]\s*|\s+[-–—]\s+)")
_MONTH_BEFORE_YEAR = re.compile(
    r"(?<![\w])(?P<m>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
    r"(?P<sep>\s+(?:de\s+)?)(?P<y>(?:19|20)\d{2})\b"
)
_PRESENT_AFTER_DATE = re.compile(
    r"(?P<d>(?:19|20)\d{2}\s*[-–—]\s*)(?P<p>"
    + "|".join(re.escape(word) for word in sorted(PRESENT_WORDS, key=len, reverse=True))
    + r")\b"
)


def translate_cv(cv: dict[str, Any], target: str) -> dict[str, Any]:
    """A copy of `cv` in the `target` language, as far as the phrasebooks go (see above)."""
    if target not in LANGUAGES:
        raise ValueError(f"cannot translate into {target!r}; choose one of {', '.join(LANGUAGES)}")
    out = copy.deepcopy(normalize_cv(cv))
    out["language"] = target
    header = out["header"]
    titles = [header["current_title"], *(item["title"] for item in out["experience"])]
    # One title written in the feminine ("Développeuse") settles the gender of the others.
    feminine = any(_is_feminine(title) for title in titles)
    header["current_title"] = translate_title(header["current_title"], target, feminine=feminine)
    out["summary"]["description"] = _free_text(out["summary"]["description"], target)
    skills = out["skills"]
    for group in ("hard_skills", "tools"):
        for skill in skills[group]:
            skill["name"] = translate_skill(skill["name"], target)
    for group in ("soft_skills", "methodologies"):
        skills[group] = [translate_skill(name, target) for name in skills[group]]
    for item in out["experience"]:
        item["title"] = translate_title(item["title"], target, feminine=feminine)
        if fold(item["department_or_client"]) in {fold(name) for name in VOLUNTEERING}:
            item["department_or_client"] = for_language(VOLUNTEERING, target)
        item["description"] = _free_text(item["description"], target)
        for key in ("responsibilities", "deliverables"):
            item[key] = [_free_text(text, target) for text in item[key]]
        item["skills_used"] = [translate_skill(name, target) for name in item["skills_used"]]
    for item in out["education"]:
        item["degree"] = _lookup(item["degree"], _degree_forms(), target)
        item["field_of_study"] = _lookup(item["field_of_study"], _field_forms(), target)
    for item in out["languages"]:
        item["name"] = translate_language_name(item["name"], target)
        item["level"] = translate_level(item["level"], target)
    for item in out["extras"]:
        item["name"] = _extra_name(item["name"], target)
        item["summary"] = _free_text(item["summary"], target)
    for item in out["projects"]:
        item["role"] = translate_title(item["role"], target, feminine=feminine)
        item["summary"] = _free_text(item["summary"], target)
    return normalize_cv(out)


def for_language(row: tuple[str, ...], target: str) -> str:
    """The cell of a phrasebook row (en, fr, de, es) for `target`."""
    return row[ORDER.index(target)]


def translate_skill(name: str, target: str) -> str:
    """The target-language name of a non-technical skill; technologies stay as written."""
    canonical = vocabulary.canonical_skill(name)
    if canonical not in SKILL_NAMES:
        return name
    return for_language((canonical, *SKILL_NAMES[canonical]), target)


def translate_language_name(name: str, target: str) -> str:
    canonical = vocabulary.canonical_language(name)
    # Only a field that is just the language's name: "English (US)" keeps its detail.
    if canonical not in LANGUAGE_NAMES or len(fold(name).split()) != 1:
        return name
    return for_language((canonical, *LANGUAGE_NAMES[canonical]), target)


def translate_level(level: str, target: str) -> str:
    """Level words become the target's ("courant (C1)" -> "Fluent (C1)"); CEFR codes stay.

    A level with words the phrasebook does not know stays as written.
    """
    # The vocabulary reads "fliessend" but not "fließend" (its folding keeps lengths).
    written = level.replace("ß", "ss")
    found = [item for item in vocabulary.find_language_levels(written) if item[0] in LEVEL_NAMES]
    if not found:
        return level
    rest = written
    for _, _, start, end in reversed(found):
        rest = rest[:start] + " " + rest[end:]
    leftover = re.sub(r"\b[ABC][12]\b|[^\w]+", " ", rest).split()
    if any(fold(word) not in LEVEL_FILLERS for word in leftover):
        return level
    out = written
    for label, _, start, end in reversed(found):
        out = out[:start] + for_language(LEVEL_NAMES[label], target) + out[end:]
    for filler in sorted(LEVEL_FILLERS, key=len, reverse=True):
        out = re.sub(rf"\s*\b{filler}\b", "", out, flags=re.IGNORECASE)
    return out.strip()


def translate_title(title: str, target: str, *, feminine: bool = False) -> str:
    """A known job title in the target language; each part of "Co-Founder & CTO" alone.

    The feminine form is used when the title itself is feminine, or when `feminine` is set
    and the title is the same for both ("Stagiaire").
    """
    parts = _TITLE_SEPARATORS.split(title)
    return "".join(
        part if index % 2 else _title_part(part, target, feminine)
        for index, part in enumerate(parts)
    )


def _is_feminine(title: str) -> bool:
    for part in _TITLE_SEPARATORS.split(title)[::2]:
        match = _title_forms().get(fold(_without_seniority(part)))
        if match is not None and match[1]:
            return True
    return False


def _without_seniority(part: str) -> str:
    return " ".join(word for word in part.split() if fold(word) not in SENIORITY)


def _title_part(part: str, target: str, feminine: bool) -> str:
    seniority = [word for word in part.split() if fold(word) in SENIORITY]
    match = _title_forms().get(fold(_without_seniority(part)))
    if match is None:
        return part
    row, written_feminine = match
    forms = for_language(row, target).split("|")
    translated = forms[-1] if written_feminine or feminine else forms[0]
    if not seniority:
        return translated
    level = " ".join(seniority)
    if target in ("fr", "es"):
        return f"{translated} {level.lower()}"
    return f"{level[:1].upper()}{level[1:]} {translated}"


@functools.cache
def _title_forms() -> dict[str, tuple[tuple[str, str, str, str], bool]]:
    """Every spelling of every title, folded, with its row and whether it is feminine."""
    forms: dict[str, tuple[tuple[str, str, str, str], bool]] = {}
    for row in TITLES:
        for cell in row:
            masculine, _, feminine = cell.partition("|")
            forms.setdefault(fold(masculine), (row, False))
            if feminine:
                forms.setdefault(fold(feminine), (row, True))
    by_english = {row[0]: row for row in TITLES}
    for spelling, (english, is_feminine) in TITLE_SPELLINGS.items():
        forms.setdefault(spelling, (by_english[english], is_feminine))
    return forms


@functools.cache
def _degree_forms() -> dict[str, tuple[str, ...]]:
    forms: dict[str, tuple[str, ...]] = {}
    for row, spellings in DEGREES:
        for spelling in (*(fold(cell) for cell in row), *spellings):
            forms.setdefault(spelling, row)
    return forms


@functools.cache
def _field_forms() -> dict[str, tuple[str, ...]]:
    return {fold(cell): row for row in FIELDS_OF_STUDY for cell in row}


def _lookup(text: str, forms: dict[str, tuple[str, ...]], target: str) -> str:
    row = forms.get(fold(text).strip())
    return for_language(row, target) if row else text


def _extra_name(name: str, target: str) -> str:
    prefix, colon, rest = name.partition(":")
    if colon and prefix in EXTRA_PREFIXES and rest.strip():
        spacing = " : " if target == "fr" else ": "
        return for_language(EXTRA_PREFIXES[prefix], target) + spacing + rest.strip()
    kind = heading_kind(name)
    if kind not in EXTRA_NAMES:
        return name
    translated = for_language(EXTRA_NAMES[kind], target)
    return translated.upper() if name.isupper() else translated


def _free_text(text: str, target: str) -> str:
    """Only the date words of a sentence: "since Jan 2020" -> "since janv. 2020"."""
    if not text:
        return text

    def month(match: re.Match[str]) -> str:
        number = MONTHS[match.group("m")]
        return f"{MONTH_NAMES[target][number - 1]} {match.group('y')}"

    def present(match: re.Match[str]) -> str:
        return text[match.start("d") : match.end("d")] + PRESENT_NAMES[target]

    text = _replace_folded(_MONTH_BEFORE_YEAR, text, month)
    return _replace_folded(_PRESENT_AFTER_DATE, text, present)


def _replace_folded(
    pattern: re.Pattern[str], text: str, replace: Callable[[re.Match[str]], str]
) -> str:
    # Match on the folded text (same length as the original) and splice into the original.
    out, last = [], 0
    for match in pattern.finditer(fold(text)):
        out += [text[last : match.start()], replace(match)]
        last = match.end()
    out.append(text[last:])
    return "".join(out)
