"""Rule-based structuring of CV text (en/fr/de/es) into the CV document.

The parser never writes a fact of its own: every value it returns is a piece of the input text
(or of the `links` read from the PDF's link annotations), except dates, which are normalised to
YYYY / YYYY-MM / "present", country codes derived from a country name, and the detected
language code. What it cannot place is kept rather than dropped: notes under an education entry
become an extra named after the school, sections it does not model become extras named after
their heading, and an entry without a recognisable title or employer becomes an extra too.
Only page furniture is dropped: lines above the name ("Curriculum Vitae", "Last updated..."),
page footers ("John Doe – 1/2"), durations next to dates ("2 years 10 months"), bare user
names beside contact icons, and a theme's own heading line above the header prose.

Pipeline: lines (bullets found, wrapped lines joined, page footers dropped) -> sections by a
multilingual heading vocabulary -> the header block (name, title, contact) -> entries split on
their date lines, whatever the layout puts first (date, title or bullets).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ai.offline import vocabulary
from ai.offline.vocabulary import fold
from cvdoc.document import (
    MAX_TEXT_CHARS,
    PRESENT,
    CvValidationError,
    normalize_cv,
    parse_proficiency,
)

# Heading words by section kind, folded. A heading line is made only of these words, of
# HEADING_MODIFIERS and of connectors, so "Professional Experience" is a heading and
# "Education Consultant" is not.
SECTION_KEYWORDS: dict[str, tuple[str, ...]] = {
    "summary": (
        "summary", "profile", "about me", "about", "objective", "career objective", "overview",
        "personal statement", "introduction", "profil", "resume", "a propos de moi", "a propos",
        "presentation", "objectif", "accroche", "zusammenfassung", "kurzprofil", "uber mich",
        "perfil", "resumen", "sobre mi", "acerca de mi", "extracto", "objetivo",
    ),
    "experience": (
        "experience", "experiences", "employment", "employment history", "work history",
        "career", "career history", "positions", "internships", "parcours", "stages",
        "berufserfahrung", "erfahrung", "werdegang", "berufspraxis", "praxiserfahrung",
        "praktika", "experiencia", "experiencias", "trayectoria", "historial laboral",
        "practicas",
    ),
    "education": (
        "education", "academic background", "qualifications", "degrees", "formation",
        "formations", "etudes", "diplomes", "cursus", "ausbildung", "bildung", "bildungsweg",
        "studium", "schulbildung", "educacion", "formacion", "estudios", "titulaciones",
    ),
    "skills": (
        "skills", "competences", "competencies", "expertise", "technologies", "tech stack",
        "kenntnisse", "fahigkeiten", "kompetenzen", "habilidades", "competencias",
        "conocimientos", "aptitudes", "savoir-faire", "it-kenntnisse", "edv-kenntnisse",
    ),
    "soft_skills": (
        "soft skills", "soft-skills", "savoir-etre", "qualites", "interpersonal skills",
        "personal skills", "soziale kompetenzen", "habilidades blandas",
        "competencias personales",
    ),
    "tools": ("tools", "outils", "werkzeuge", "herramientas", "software", "logiciels"),
    "methodologies": ("methodologies", "methods", "methodes", "methoden", "metodologias"),
    "languages": (
        "languages", "language skills", "langues", "sprachen", "sprachkenntnisse", "idiomas",
        "lenguas", "competences linguistiques",
    ),
    "projects": ("projects", "projets", "projekte", "proyectos", "portfolio"),
    "certifications": (
        "certifications", "certificates", "certificats", "zertifikate", "zertifizierungen",
        "certificaciones", "certificados", "licenses", "training", "trainings", "courses",
        "cours", "weiterbildung", "fortbildung", "weiterbildungen", "cursos",
    ),
    "awards": (
        "awards", "honors", "honours", "distinctions", "prix", "recompenses",
        "auszeichnungen", "preise", "premios", "reconocimientos", "achievements",
        "accomplishments", "realisations",
    ),
    "publications": (
        "publications", "publikationen", "veroffentlichungen", "publicaciones", "papers",
    ),
    "interests": (
        "interests", "hobbies", "centres d'interet", "centres d'interets", "loisirs",
        "interessen", "hobbys", "freizeit", "intereses", "aficiones", "pasatiempos",
        "activities", "activites",
    ),
    "volunteering": (
        "volunteering", "volunteer", "benevolat", "engagement", "engagements", "ehrenamt",
        "voluntariado",
    ),
    "references": ("references", "referenzen", "referencias"),
    "patents": ("patents", "brevets", "patente", "patentes"),
    "talks": ("talks", "presentations", "conferences", "vortrage", "ponencias", "conferencias"),
    "other": (
        "additional information", "informations complementaires", "divers", "sonstiges",
        "otros", "miscellaneous", "personal information", "informations personnelles",
        "personliche daten", "datos personales",
    ),
}  # fmt: skip
HEADING_MODIFIERS = frozenset(
    {
        "professional", "work", "working", "relevant", "selected", "key", "core", "main",
        "technical", "tech", "academic", "other", "additional", "personal", "computer", "it",
        "language", "linguistic", "hard", "research", "industry", "teaching", "recent",
        "previous", "side", "open", "source", "invited", "my", "certifications",
        "professionnelle", "professionnelles", "professionnel", "professionnels", "techniques",
        "technique", "informatiques", "informatique", "personnelles", "personnels",
        "principales", "cles", "complementaires", "linguistiques", "academique",
        "academiques", "universitaire", "universitaires", "berufliche", "beruflicher",
        "fachliche", "technische", "personliche", "sonstige", "weitere", "akademischer",
        "laboral", "profesional", "tecnicas", "tecnicos", "personales", "academica",
        "adicionales", "informaticos", "otras", "relevantes", "and", "et", "und", "y", "e",
        "&", "de", "des", "du", "d'", "la", "le", "les", "el", "los", "las", "en", "del",
    }
)  # fmt: skip
SKILL_KINDS = {"skills": None, "soft_skills": "soft_skills", "tools": "tools",
               "methodologies": "methodologies"}  # fmt: skip
# Folded words of job titles in en/fr/de/es: they tell a title from an employer.
TITLE_WORDS = frozenset(
    {
        "engineer", "ingenieur", "ingenieure", "ingeniero", "ingeniera", "developer",
        "developpeur", "developpeuse", "entwickler", "entwicklerin", "desarrollador",
        "desarrolladora", "programmer", "programmeur", "programador", "manager", "director",
        "directeur", "directrice", "direktor", "direktorin", "leiter", "leiterin", "head",
        "chief", "officer", "cto", "ceo", "cfo", "coo", "cio", "cmo", "vp", "president",
        "founder", "co-founder", "cofounder", "fondateur", "fondatrice", "co-fondateur",
        "grunder", "grunderin", "fundador", "fundadora", "intern", "internship", "stagiaire",
        "praktikant", "praktikantin", "stage", "becario", "becaria", "trainee", "apprenti",
        "apprentie",
        "alternant", "alternante", "werkstudent", "werkstudentin", "assistant", "assistante",
        "asistente", "analyst", "analyste", "analista", "consultant", "consultante",
        "consultor", "consultora", "berater", "beraterin", "scientist", "chercheur",
        "chercheuse", "researcher", "forscher", "forscherin", "investigador", "investigadora",
        "architect", "architecte", "architekt", "arquitecto", "designer", "disenador",
        "disenadora", "specialist", "specialiste", "spezialist", "especialista", "expert",
        "experte", "experto", "lead", "senior", "junior", "principal", "staff",
        "administrator", "administrateur", "administrador", "technician", "technicien",
        "techniker", "tecnico", "coordinator", "coordinateur", "coordinatrice", "koordinator",
        "coordinador", "associate", "representative", "commercial", "commerciale", "vendeur",
        "vendeuse", "accountant", "comptable", "buchhalter", "contable", "teacher",
        "enseignant", "enseignante", "professeur", "lehrer", "lehrerin", "profesor",
        "professor", "lecturer", "tutor", "nurse", "infirmier", "infirmiere", "lawyer",
        "avocat", "avocate", "anwalt", "abogado", "abogada", "owner", "partner", "freelance",
        "freelancer", "independant", "selbststandig", "autonomo", "responsable", "chef",
        "jefe", "jefa", "gerente", "gestionnaire", "supervisor", "superviseur", "operator",
        "operateur", "agent", "clerk", "secretary", "secretaire", "recruiter", "recruteur",
        "recruteuse", "editor", "writer", "redacteur", "redactrice", "journalist",
        "journaliste", "fellow", "postdoc", "doctorant", "doctorante", "volunteer", "benevole",
        "mentor", "trainer", "formateur", "formatrice", "coach", "devops", "sre", "webmaster",
        "product", "scrum", "master", "sachbearbeiter", "sachbearbeiterin",
        "mitarbeiter", "mitarbeiterin", "referent", "referentin", "teamleiter",
        "abteilungsleiter", "geschaftsfuhrer", "vorstand", "tecnica", "auxiliar", "dependiente",
        "camarero", "cajero", "ouvrier", "employe", "employee",
        "chargee", "charge", "attache", "attachee", "directora", "gerant", "gerante",
    }
)  # fmt: skip
COMPANY_WORDS = frozenset(
    {
        "inc", "ltd", "llc", "gmbh", "ag", "sa", "sas", "sasu", "sarl", "sl", "spa", "bv", "nv",
        "plc", "corp", "corporation", "company", "co", "group", "groupe", "gruppe", "grupo",
        "labs", "lab", "technologies", "technology", "systems", "solutions", "consulting",
        "bank", "banque", "banco", "university", "universite", "universitat", "universidad",
        "institute", "institut", "instituto", "research", "ai", "studio", "studios", "agency",
        "agence", "agentur", "agencia", "partners", "holding", "industries", "services",
        "software", "international", "hospital", "hopital", "klinik", "ministere", "ministry",
        "ministerium", "ministerio", "foundation", "fondation", "stiftung", "fundacion",
        "association", "verein", "asociacion", "kg", "ohg", "ug", "se", "s.a.", "s.l.",
        "s.a.s.", "inc.", "ltd.", "corp.", "co.", "e.v.", "s.r.l.", "srl", "bvba", "oy", "ab",
    }
)  # fmt: skip
INSTITUTION_WORDS = frozenset(
    {
        "university", "universite", "universitat", "universidad", "universita", "college",
        "school", "ecole", "schule", "hochschule", "fachhochschule", "institut", "institute",
        "instituto", "academy", "academie", "akademie", "academia", "lycee", "gymnasium",
        "iut", "insa", "polytechnique", "polytechnic", "escuela", "colegio", "conservatoire",
        "faculty", "faculte", "facultad", "fakultat", "campus", "universitaria", "eth", "epfl",
        "mit", "hec", "essec", "escp", "edhec", "tu", "upm", "uned", "kit", "sorbonne",
        "polytechnicum", "berufsschule", "realschule", "gesamtschule", "liceo", "ies", "cfa",
        "cnam", "centrale", "mines", "telecom", "sciences po", "iae", "ensae", "ensimag",
        "epita", "epitech", "supelec", "uc", "ucla", "upc", "ucm", "uam", "lmu", "rwth",
    }
)  # fmt: skip
# Degree words and abbreviations that start a degree ("PhD Princeton University").
DEGREE_WORDS = frozenset(
    {
        "phd", "ph.d.", "ph.d", "dphil", "md", "mba", "msc", "m.sc.", "m.sc", "ms", "m.s.",
        "ma", "m.a.", "meng", "m.eng.", "mphil", "bsc", "b.sc.", "b.sc", "bs", "b.s.", "ba",
        "b.a.", "beng", "b.eng.", "bba", "llb", "llm", "master", "masters", "master's",
        "bachelor", "bachelors", "bachelor's", "licence", "licenciatura", "grado", "maestria",
        "mastere", "doctorat", "doctorado", "doktor", "diplom", "diploma", "diplome",
        "dipl.-ing.", "abitur", "bts", "dut", "but", "bac", "baccalaureat", "bachillerato",
        "magister", "staatsexamen", "cap", "bep", "deug", "dess", "dea", "hnd", "associate",
        "certificate", "certificat", "ingenieur", "titulo", "tecnico",
    }
)  # fmt: skip
# "Master of Science": the words after "of" that belong to the degree's name.
DEGREE_SUBJECTS = frozenset(
    {"science", "sciences", "arts", "engineering", "business", "laws", "philosophy",
     "technology", "education", "commerce", "fine", "applied", "music", "law"}
)  # fmt: skip
KEEP_HYPHEN_PREFIXES = frozenset(
    {
        "multi", "co", "self", "non", "cross", "semi", "anti", "post", "pre", "well", "high",
        "low", "open", "real", "end", "full", "part", "half", "long", "short", "state", "data",
        "cloud", "client", "server", "user", "front", "back", "e", "on", "off", "top", "world",
        "best", "first", "third", "mid", "large", "small", "fine", "hands", "team", "cost",
        "time", "mission", "business", "customer", "event", "test", "object", "rule", "sous",
        "auto", "micro", "inter", "intra", "extra", "ultra", "meta", "bi", "tri", "de",
    }
)  # fmt: skip
MONTHS: dict[str, int] = {
    **dict.fromkeys(("jan", "january", "janv", "janvier", "januar", "janner", "ene", "enero"), 1),
    **dict.fromkeys(("feb", "february", "fev", "fevr", "fevrier", "februar", "febrero"), 2),
    **dict.fromkeys(("mar", "march", "mars", "marz", "marzo"), 3),
    **dict.fromkeys(("apr", "april", "avr", "avril", "abr", "abril"), 4),
    **dict.fromkeys(("may", "mai", "mayo"), 5),
    **dict.fromkeys(("jun", "june", "juin", "juni", "junio"), 6),
    **dict.fromkeys(("jul", "july", "juil", "juillet", "juli", "julio"), 7),
    **dict.fromkeys(("aug", "august", "aout", "ago", "agosto"), 8),
    **dict.fromkeys(("sep", "sept", "september", "septembre", "set", "septiembre",
                     "setiembre"), 9),
    **dict.fromkeys(("oct", "october", "octobre", "okt", "oktober", "octubre"), 10),
    **dict.fromkeys(("nov", "november", "novembre", "noviembre"), 11),
    **dict.fromkeys(("dec", "december", "decembre", "dez", "dezember", "dic", "diciembre"), 12),
}  # fmt: skip
PRESENT_WORDS = (
    "present", "current", "now", "today", "ongoing", "aujourd'hui", "ce jour", "actuel",
    "actuellement", "en cours", "heute", "jetzt", "aktuell", "laufend", "actualidad",
    "actualmente", "presente", "hoy", "la fecha",
)  # fmt: skip
COUNTRIES: dict[str, str] = {
    **dict.fromkeys(("france",), "FR"),
    **dict.fromkeys(("germany", "deutschland", "allemagne", "alemania"), "DE"),
    **dict.fromkeys(("spain", "espana", "espagne", "spanien"), "ES"),
    **dict.fromkeys(("uk", "united kingdom", "england", "royaume-uni", "angleterre",
                     "reino unido", "grossbritannien", "vereinigtes konigreich"), "GB"),
    **dict.fromkeys(("usa", "us", "united states", "etats-unis", "estados unidos", "u.s.",
                     "u.s.a.", "vereinigte staaten"), "US"),
    **dict.fromkeys(("switzerland", "suisse", "schweiz", "suiza"), "CH"),
    **dict.fromkeys(("belgium", "belgique", "belgien", "belgica"), "BE"),
    **dict.fromkeys(("austria", "osterreich", "autriche"), "AT"),
    **dict.fromkeys(("italy", "italie", "italien", "italia"), "IT"),
    **dict.fromkeys(("portugal",), "PT"),
    **dict.fromkeys(("netherlands", "pays-bas", "niederlande", "paises bajos"), "NL"),
    **dict.fromkeys(("luxembourg", "luxemburg", "luxemburgo"), "LU"),
    **dict.fromkeys(("ireland", "irlande", "irland", "irlanda"), "IE"),
    **dict.fromkeys(("canada", "kanada"), "CA"),
    **dict.fromkeys(("mexico", "mexique", "mexiko"), "MX"),
    **dict.fromkeys(("argentina", "argentine", "argentinien"), "AR"),
    **dict.fromkeys(("colombia", "colombie", "kolumbien"), "CO"),
    **dict.fromkeys(("chile", "chili"), "CL"),
    **dict.fromkeys(("peru", "perou"), "PE"),
    **dict.fromkeys(("morocco", "maroc", "marokko", "marruecos"), "MA"),
    **dict.fromkeys(("tunisia", "tunisie", "tunesien", "tunez"), "TN"),
    **dict.fromkeys(("algeria", "algerie", "algerien", "argelia"), "DZ"),
    **dict.fromkeys(("senegal",), "SN"),
    **dict.fromkeys(("turkiye", "turkey", "turquie", "turkei", "turquia"), "TR"),
    **dict.fromkeys(("poland", "pologne", "polen", "polonia"), "PL"),
    **dict.fromkeys(("india", "inde", "indien"), "IN"),
    **dict.fromkeys(("china", "chine"), "CN"),
    **dict.fromkeys(("japan", "japon", "japan"), "JP"),
    **dict.fromkeys(("brazil", "bresil", "brasilien", "brasil"), "BR"),
    **dict.fromkeys(("australia", "australie", "australien"), "AU"),
    **dict.fromkeys(("sweden", "suede", "schweden", "suecia"), "SE"),
    **dict.fromkeys(("denmark", "danemark", "danemark", "dinamarca"), "DK"),
    **dict.fromkeys(("norway", "norvege", "norwegen", "noruega"), "NO"),
    **dict.fromkeys(("finland", "finlande", "finnland", "finlandia"), "FI"),
}  # fmt: skip
CITIES = frozenset(
    {
        "paris", "lyon", "marseille", "toulouse", "nice", "nantes", "strasbourg",
        "montpellier", "bordeaux", "lille", "rennes", "grenoble", "london", "manchester",
        "edinburgh", "dublin", "berlin", "hamburg", "munich", "munchen", "koln", "cologne",
        "frankfurt", "stuttgart", "dusseldorf", "leipzig", "dresden", "vienna", "wien",
        "zurich", "geneva", "geneve", "genf", "bern", "basel", "lausanne", "brussels",
        "bruxelles", "brussel", "amsterdam", "rotterdam", "madrid", "barcelona", "valencia",
        "sevilla", "seville", "bilbao", "malaga", "zaragoza", "lisbon", "lisboa", "porto",
        "rome", "roma", "milan", "milano", "new york", "san francisco", "boston", "seattle",
        "chicago", "austin", "los angeles", "toronto", "montreal", "mexico city",
        "ciudad de mexico", "buenos aires", "bogota", "santiago", "lima", "casablanca",
        "tunis", "algiers", "alger", "dakar", "istanbul", "warsaw", "prague", "luxembourg",
    }
)  # fmt: skip
REMOTE_WORDS = frozenset(
    {"remote", "full remote", "fully remote", "teletravail", "a distance", "remoto",
     "homeoffice", "home office", "mobiles arbeiten"}
)  # fmt: skip
PROFILE_HOSTS = (
    "linkedin.com/in/", "github.com/", "gitlab.com/", "twitter.com/", "x.com/",
    "medium.com/@", "behance.net/", "dribbble.com/", "xing.com/profile/", "kaggle.com/",
    "orcid.org/", "bitbucket.org/",
)  # fmt: skip
LINK_LABELS = {"linkedin": "LinkedIn", "github": "GitHub", "gitlab": "GitLab", "xing": "Xing",
               "twitter": "Twitter", "orcid": "ORCID", "kaggle": "Kaggle"}  # fmt: skip
DOCUMENT_TITLES = frozenset(
    {"curriculum vitae", "cv", "resume", "lebenslauf", "curriculum", "hoja de vida"}
)
STOPWORDS: dict[str, frozenset[str]] = {
    "en": frozenset({"the", "and", "of", "with", "for", "to", "at", "an", "my", "on",
                     "experience", "skills", "education", "languages", "present", "years"}),
    "fr": frozenset({"le", "les", "des", "et", "du", "une", "pour", "avec", "chez", "aux",
                     "au", "competences", "formation", "langues", "ans", "mois", "projets"}),
    "de": frozenset({"der", "die", "das", "und", "mit", "fur", "bei", "von", "im", "zur",
                     "zum", "ein", "eine", "berufserfahrung", "kenntnisse", "ausbildung",
                     "sprachen", "seit", "heute", "jahre"}),
    "es": frozenset({"el", "los", "las", "y", "del", "con", "para", "una", "por", "como",
                     "experiencia", "habilidades", "educacion", "idiomas", "anos",
                     "actualidad", "formacion"}),
}  # fmt: skip
MAX_INPUT_CHARS = 100_000
MAX_LINE_CHARS = 2_000
MAX_NAME_WORDS = 5
MAX_HEADING_CHARS = 60
MAX_SKILL_WORDS = 6
SENTENCE_WORDS = 10
LIST_ITEM_WORDS = 3  # more words per item on average, and a long line is a sentence
PROSE_WORDS = 12  # an info line this long is a description, not a title or a place
SHORT_LINE_WORDS = 6

_PUA = re.compile(r"[\ue000-\uf8ff]")
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f\ud800-\udfff\u200b-\u200f\ufeff]")
_BULLET = re.compile(r"^(?:[•◦▪▫▸►‣∙●○■□➢➤✓✔→*·]|[-–—](?=\s)|\d{1,2}[.)](?=\s))\s*")
_FOOTER = re.compile(
    r"^(?:(?:.{1,60}\s[–—-]\s)?\d{1,2}\s*/\s*\d{1,2}|(?:page|seite|pagina|página)\s+\d+"
    r"(?:\s*(?:of|sur|von|de|/)\s*\d+)?)$",
    re.IGNORECASE,
)
_FIELD_SEPARATORS = re.compile(r"\s*(?:[|•·◦▪⋅∙✉☎]|\t|\s{3,})\s*")
_NAME_SEPARATORS = re.compile(r"\s+[–—|-]\s+|\s*[|•·,]\s*|\t|\s{3,}")
_STRONG_SEPARATORS = re.compile(r"\s+[–—|]\s+|\s+-\s+|\s*[|•·◦]\s*|\t|\s{3,}")
# Starts only at the start of a run of address characters (linear time on long runs).
_EMAIL = re.compile(r"(?<![\w.+'-])[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")
_URL = re.compile(
    r"(?:https?://|www\.)[^\s<>\"'|,]+|(?<![@\w.])(?:[a-z0-9-]+\.)+(?:com|org|net|io|dev|fr|"
    r"de|es|eu|co|me|ai|app|info|ch|be|uk|ca|us|tech|page|site)(?:/[^\s<>\"'|,]*)?(?![\w@])",
    re.IGNORECASE,
)
_PHONE = re.compile(r"(?<![\w+])(?:\+|00)?\(?\d[\d\s().\-/]{6,18}\d(?!\w)")
_DATE_RANGE_ONLY = re.compile(r"^(?:19|20)\d{2}\s*[-–/]\s*(?:19|20)\d{2}$")
_LABEL = re.compile(
    r"^(?:(?:e-?mail|courriel|correo|tel|tél|telephone|téléphone|telefon|teléfono|phone|mobile|"
    r"portable|handy|móvil|movil|cell|address|adresse|dirección|direccion|anschrift|location|"
    r"ort|wohnort|linkedin|github|website|site|web|homepage)\s*:|(?:tel|tél|mob|fon)\.)\s*",
    re.IGNORECASE,
)
# "Hauptstraße 12, 10115 Berlin", "12 rue Victor Hugo, 69002 Lyon": the city follows the code.
_ADDRESS = re.compile(r"(?:^|,\s*)\d{4,5}\s+(?P<city>[^\W\d_][^\d,]{1,40})$")
_WORD = re.compile(r"[^\W\d_][\w'’.\-]*")
_DURATION = re.compile(
    r"^\(?\s*\d+\+?\s*(?:years?|yrs?|months?|mos?|ans?|annees?|mois|jahre?n?|monate?n?|"
    r"anos?|meses?)(?:\s*(?:,|and|et|und|y)?\s*\d+\s*(?:months?|mos?|mois|monate?n?|meses?))?"
    r"\s*\)?$"
)
_LIST_PUNCTUATION = " \t:–—-|•·,;/"
_LIST_CONNECTOR = re.compile(r"^(?:and|et|und|y|e|&)\s+|\s+(?:and|et|und|y|e|&)$", re.IGNORECASE)
_SOFT_HYPHEN_END = re.compile(r"([^\W\d_]+)-$")
_LEVEL_SUFFIX = re.compile(
    r"^(?P<name>.+?)\s*(?:\((?P<p>[^()]{1,30})\)|[:–—-]\s*(?P<d>[^:–—-]{1,30}))$"
)


def _month_pattern() -> str:
    names = sorted(MONTHS, key=len, reverse=True)
    return r"(?:" + "|".join(names) + r")\.?"


_YEAR = r"(?:19|20)\d{2}"


def _one_date(p: str) -> str:
    """One date with its parts in groups named after `p`: month name, numeric, ISO, year."""
    return (
        rf"(?:(?P<{p}m>{_month_pattern()})\s*(?:de\s+|del\s+|,\s*)?(?P<{p}y>{_YEAR})"
        rf"|(?P<{p}nm>0?[1-9]|1[0-2])\s*[/.]\s*(?P<{p}ny>{_YEAR})"
        rf"|(?P<{p}iy>{_YEAR})-(?P<{p}im>0[1-9]|1[0-2])(?!\d)"
        rf"|(?P<{p}yy>{_YEAR}))"
    )


_PRESENT = r"(?:" + "|".join(re.escape(word) for word in PRESENT_WORDS) + r")"
_RANGE = re.compile(
    rf"(?<![\w/.])(?:(?:from|de|du|von|desde|del)\s+)?{_one_date('a')}"
    rf"\s*(?:[-–—−]+|to|until|till|a|à|au|bis|hasta|al|->|→)\s*"
    rf"(?:(?P<present>{_PRESENT})|{_one_date('b')})(?![\w/])"
)
_SINCE = re.compile(rf"(?<![\w/.])(?:since|depuis|seit|desde|ab)\s+{_one_date('a')}(?![\w/])")
_SINGLE = re.compile(rf"(?<![\w/.]){_one_date('a')}(?![\w/]|\.\d)")


# "Soft skills" must be tried before "skills".
_KEYWORDS_LONGEST_FIRST = sorted(
    ((keyword, kind) for kind, keywords in SECTION_KEYWORDS.items() for keyword in keywords),
    key=lambda pair: -len(pair[0]),
)


class CvParseError(ValueError):
    """The text does not look like a CV (no name could be found); the message is for users."""


@dataclass(slots=True)
class _Line:
    text: str
    bullet: bool = False
    soft: bool = False  # the PDF line ended with a space: the sentence goes on below


@dataclass(slots=True)
class _Dates:
    start: str
    end: str
    span: tuple[int, int]
    is_range: bool


@dataclass(slots=True)
class _Section:
    kind: str
    heading: str
    lines: list[_Line] = field(default_factory=list)


def parse_cv_text(text: str, *, links: Sequence[str] = ()) -> dict[str, Any]:
    """The CV document read from CV text; `links` are link targets found in the file itself.

    Raises CvParseError when no name can be found.
    """
    text = text[:MAX_INPUT_CHARS]
    lines = _prepare_lines(text)
    header_lines, sections = _split_sections(lines)
    source = fold(text + "\n" + "\n".join(links))
    cv: dict[str, Any] = {
        "header": {"full_name": "", "current_title": "", "contact": {}},
        "summary": {"description": ""},
        "skills": {"hard_skills": [], "tools": [], "soft_skills": [], "methodologies": []},
        "experience": [],
        "education": [],
        "languages": [],
        "extras": [],
        "projects": [],
        "language": detect_language(text),
    }
    summary = _parse_header(header_lines, cv, links)
    order: list[str] = ["header"]
    for section in sections:
        kind = section.kind
        if kind == "summary":
            summary += [line.text for line in section.lines]
        elif kind == "experience":
            _parse_experience(section, cv, source)
        elif kind == "education":
            _parse_education(section, cv)
        elif kind in SKILL_KINDS:
            _parse_skills(section, cv, source)
            kind = "skills"
        elif kind == "languages":
            leftovers = _parse_languages(section.lines, cv)
            if leftovers:
                _add_extra(cv, section.heading, leftovers)
        elif kind == "projects":
            _parse_projects(section, cv, source)
        else:
            _add_extra(cv, section.heading, [line.text for line in section.lines])
            kind = "extras"
        if kind not in order:
            order.append(kind)
    cv["summary"]["description"] = _capped("\n".join(summary))
    if summary and "summary" not in order:
        order.insert(1, "summary")
    cv["section_order"] = order
    _fill_title(cv)
    try:
        return normalize_cv(cv)
    except CvValidationError as exc:  # e.g. a CV far larger than any real one
        raise CvParseError(
            "This CV could not be read into sections. Paste its text and correct it."
        ) from exc


def detect_language(text: str) -> str:
    """The CV's language (en/fr/de/es) by counting common words; English when unsure."""
    counts = dict.fromkeys(STOPWORDS, 0)
    for word in re.findall(r"[^\W\d_]+", fold(text)):
        for language, words in STOPWORDS.items():
            if word in words:
                counts[language] += 1
    best = max(counts, key=lambda language: (counts[language], language == "en"))
    return best if counts[best] > 0 else "en"


# --- lines and sections -----------------------------------------------------------------------


def _prepare_lines(text: str) -> list[_Line]:
    text = _CONTROL.sub("", re.sub(r"\r\n?|[\x0b\x0c\x85\u2028\u2029]", "\n", text))
    raw_lines = [line[:MAX_LINE_CHARS] for line in text.replace("\t", "    ").split("\n")]
    lines: list[_Line] = []
    joinable = False
    for raw in raw_lines:
        soft = raw.endswith((" ", "\u00a0"))
        # Icon glyphs (private-use characters) separate fields, as a wide gap does.
        cleaned = _PUA.sub("   ", raw.replace("\u00a0", " ")).strip()
        if not cleaned or _FOOTER.match(cleaned):
            joinable = False  # a blank line or a page footer ends the paragraph
            continue
        bullet = _BULLET.match(cleaned)
        if bullet and not _RANGE.match(cleaned):
            line = _Line(cleaned[bullet.end() :].strip(), bullet=True, soft=soft)
            if line.text:
                lines.append(line)
                joinable = True
            continue
        if joinable and _continues(lines[-1], cleaned):
            lines[-1] = _join(lines[-1], cleaned, soft)
            continue
        lines.append(_Line(cleaned, soft=soft))
        joinable = True
    return lines


def _continues(previous: _Line, text: str) -> bool:
    if _heading(text) or _line_dates(text) or _DURATION.match(fold(text)) or _URL.match(text):
        return False
    if _EMAIL.search(text):  # contact data is never the rest of a sentence
        return False
    starts_lower = text[:1].islower() or text[:1] in "(&"
    hyphenated = bool(_SOFT_HYPHEN_END.search(previous.text))
    if previous.bullet:
        # A trailing space marks a wrapped line in most PDFs, but some writers put one after
        # every line: a capitalised line after a finished sentence, or naming a job, is new.
        ends_sentence = previous.text.rstrip().endswith((".", "!", "?", ";", ":"))
        names_job = _title_score(text) > 0 or _company_score(text) > 0
        soft = previous.soft and not (ends_sentence or names_job or _is_location(text))
        return starts_lower or hyphenated or soft
    # Prose wraps onto a line starting in lower case; a title, a place or contact data do not.
    sentence = len(previous.text.split()) >= SHORT_LINE_WORDS and len(_fields(previous.text)) == 1
    return (starts_lower or hyphenated) and sentence and not _heading(previous.text)


def _join(previous: _Line, text: str, soft: bool) -> _Line:
    match = _SOFT_HYPHEN_END.search(previous.text)
    if match and text[:1].islower() and fold(match.group(1)) not in KEEP_HYPHEN_PREFIXES:
        joined = previous.text[:-1] + text
    elif match:
        joined = previous.text + text
    else:
        joined = previous.text + " " + text
    return _Line(joined, bullet=previous.bullet, soft=soft)


def heading_kind(text: str) -> str | None:
    """The section a heading names ("Centres d'intérêt" -> "interests"), or None."""
    found = _heading(text)
    return found[0] if found else None


@functools.lru_cache(maxsize=4096)
def _heading(text: str) -> tuple[str, str] | None:
    """(section kind, heading as written) when the line is a section heading."""
    if len(text) > MAX_HEADING_CHARS or re.search(r"\d", text):
        return None
    cleaned = text.strip(" \t:：#*=_-–—").strip()
    if re.fullmatch(r"(?:\w ){2,}\w", cleaned):  # "E X P E R I E N C E"
        cleaned = cleaned.replace(" ", "")
    folded = " " + re.sub(r"[\s/,&+]+", " ", fold(cleaned)).replace("’", "'") + " "
    found: list[tuple[int, str]] = []
    for keyword, kind in _KEYWORDS_LONGEST_FIRST:
        position = folded.find(f" {keyword} ")
        if position >= 0:
            found.append((position, kind))
            folded = folded.replace(f" {keyword} ", " " * (len(keyword) + 1) + " ", 1)
    if not found:
        return None
    rest = folded.split()
    if any(word not in HEADING_MODIFIERS for word in rest):
        return None
    return min(found)[1], cleaned


def _split_sections(lines: list[_Line]) -> tuple[list[_Line], list[_Section]]:
    header: list[_Line] = []
    sections: list[_Section] = []
    current: _Section | None = None
    for index, line in enumerate(lines):
        found = None if line.bullet else _heading(line.text)
        if found and not (index == 0 and fold(found[1]) in DOCUMENT_TITLES):
            current = _Section(found[0], found[1])
            sections.append(current)
            continue
        inline = None if line.bullet else _inline_heading(line.text)
        in_entries = current is not None and current.kind in ("experience", "projects")
        in_skills = current is not None and current.kind in SKILL_KINDS
        if inline and not in_entries and not (in_skills and inline[0] in SKILL_KINDS):
            # "Langues : anglais (C1)" on one line is a section of its own.
            kind, heading, rest = inline
            sections.append(_Section(kind, heading, [_Line(rest)]))
            continue
        (current.lines if current is not None else header).append(line)
    return header, [section for section in sections if section.lines]


def _inline_heading(text: str) -> tuple[str, str, str] | None:
    label, colon, rest = text.partition(":")
    if not colon or not rest.strip():
        return None
    found = _heading(label)
    if not found or found[0] not in (
        "languages",
        "interests",
        "skills",
        "soft_skills",
        "tools",
        "methodologies",
        "certifications",
    ):
        return None
    return found[0], found[1], rest.strip()


# --- header -----------------------------------------------------------------------------------


def _parse_header(lines: list[_Line], cv: dict[str, Any], links: Sequence[str]) -> list[str]:
    """Fills the header and returns the header's leftover prose (it opens the summary)."""
    header = cv["header"]
    contact: dict[str, Any] = {"email": "", "phone": "", "location": {}, "links": []}
    found = _find_name(lines)
    if found is None:
        raise CvParseError(
            "We could not find your name at the top of this CV. Check that the file is a CV, "
            "or paste its text and correct it."
        )
    name_index, name_parts = found
    header["full_name"] = name_parts[0]
    # "Jane Roe | Data engineer | jane@example.com": the rest of the name line.
    title_fields = [f for f in name_parts[1:] if not _take_contact(f, contact)]
    leftovers: list[str] = []
    for index, line in enumerate(lines[name_index + 1 :], start=name_index + 1):
        fields = _fields(line.text)
        rest = [f for f in fields if not _take_contact(f, contact)]
        if len(rest) < len(fields):
            # Beside an e-mail or a link, a lone lower-case word is a user name, not a title.
            rest = [f for f in rest if " " in f or not f.islower()]
        if not rest:
            continue
        if not title_fields and _looks_like_title(
            " ".join(rest), right_after_name=index == name_index + 1
        ):
            title_fields = rest
            continue
        leftovers.append(line.text if len(rest) > 1 and not line.bullet else " ".join(rest))
    # The first field only: joining "Data engineer | Python" would write a title nobody wrote.
    header["current_title"] = title_fields[0] if title_fields else ""
    for url in links:
        _take_pdf_link(url, contact)
    header["contact"] = contact
    # A short line followed by prose is a heading of the theme's own ("Welcome to ...").
    if (
        len(leftovers) > 1
        and _is_short_title_line(leftovers[0])
        and not _is_short_title_line(leftovers[1])
    ):
        leftovers = leftovers[1:]
    return leftovers


def _find_name(lines: list[_Line]) -> tuple[int, list[str]] | None:
    """The index of the name line and its parts, the name first."""
    for index, line in enumerate(lines[:8]):
        parts = _name_parts(line.text)
        if parts and _looks_like_name(parts[0]):
            return index, parts
    for index, line in enumerate(lines[:3]):
        parts = _name_parts(line.text)
        text = parts[0] if parts else ""
        if (
            not re.search(r"[\d@/:]", text)
            and 0 < len(text.split()) <= MAX_NAME_WORDS
            and re.search(r"[^\W\d_]", text)
            and fold(text) not in DOCUMENT_TITLES
            and not _heading(text)
        ):
            return index, parts
    return None


def _name_parts(text: str) -> list[str]:
    parts = [part.strip() for part in _NAME_SEPARATORS.split(text)]
    return [part for part in parts if part]


def _looks_like_name(text: str) -> bool:
    words = text.split()
    if not 2 <= len(words) <= MAX_NAME_WORDS or fold(text) in DOCUMENT_TITLES:
        return False
    if re.search(r"[\d@/:()]", text) or _heading(text) or _is_location(text):
        return False
    particles = {"de", "van", "von", "der", "da", "di", "del", "la", "le", "du", "y", "bin"}
    if any(fold(word) in TITLE_WORDS for word in words):
        return False
    return all(_WORD.fullmatch(word) and (word[0].isupper() or word in particles) for word in words)


def _looks_like_title(text: str, *, right_after_name: bool) -> bool:
    words = text.split()
    if not words or len(words) > 10 or text.endswith((".", ",")) or _line_dates(text):
        return False
    has_title_word = any(fold(word.strip(",()")) in TITLE_WORDS for word in words)
    return has_title_word or (right_after_name and len(words) <= SHORT_LINE_WORDS)


def _is_short_title_line(text: str) -> bool:
    return len(text.split()) <= SHORT_LINE_WORDS and not text.rstrip().endswith((".", ":"))


def _fields(text: str) -> list[str]:
    return [part.strip() for part in _FIELD_SEPARATORS.split(text) if part.strip(" -–—")]


def _take_contact(text: str, contact: dict[str, Any]) -> bool:
    """Stores `text` in the contact block when it is contact data; True when it was."""
    value = _LABEL.sub("", text).strip()
    email = _EMAIL.search(value)
    if email:
        if not contact["email"]:
            contact["email"] = email.group(0)
        leftover = (value[: email.start()] + value[email.end() :]).strip(" ,;")
        return not leftover or _take_contact(leftover, contact)
    url = _URL.fullmatch(value) or (_URL.match(value) if " " not in value else None)
    if url:
        _add_link(contact, url.group(0).rstrip(".);"))
        return True
    phone = _PHONE.fullmatch(value)
    if phone and _is_phone(value):
        if not contact["phone"]:
            contact["phone"] = value
        return True
    if _is_location(value):
        if not contact["location"]:
            contact["location"] = _location(value)
        return True
    address = _ADDRESS.search(value)
    if address:
        if not contact["location"]:
            contact["location"] = {"city": address.group("city")}
        return True
    return False


def _is_phone(text: str) -> bool:
    digits = re.sub(r"\D", "", text)
    if not 8 <= len(digits) <= 15 or _DATE_RANGE_ONLY.match(text.strip()):
        return False
    return text.lstrip().startswith(("+", "(", "0")) or len(digits) >= 10


def _link_key(url: str) -> str:
    key = re.sub(r"^(?:https?://)?(?:www\.)?", "", url.strip().lower())
    return key.rstrip("/")


def _link_label(url: str) -> str:
    host = _link_key(url).split("/")[0]
    for word, label in LINK_LABELS.items():
        if word in host:
            return label
    return host


def _add_link(contact: dict[str, Any], url: str) -> None:
    key = _link_key(url)
    for link in contact["links"]:
        if _link_key(link["url"]) == key:
            return
    contact["links"].append({"label": _link_label(url), "url": url})


def _take_pdf_link(url: str, contact: dict[str, Any]) -> None:
    """Adds a link target read from the PDF when it is the email or a profile of the owner."""
    if url.lower().startswith("mailto:"):
        address = url[len("mailto:") :].split("?")[0]
        if not contact["email"] and _EMAIL.fullmatch(address):
            contact["email"] = address
        return
    key = _link_key(url)
    for link in contact["links"]:
        if _link_key(link["url"]) == key:
            link["url"] = url  # the file's own target is complete (scheme included)
            return
    for host in PROFILE_HOSTS:
        rest = key[len(host) :] if key.startswith(host) else ""
        # A profile is one path segment after the host ("github.com/jdoe"), not a repository
        # or the site's home page.
        if rest and "/" not in rest:
            _add_link(contact, url)
            return


# --- places and dates -------------------------------------------------------------------------


def _is_location(text: str) -> bool:
    cleaned = text.strip(" ()")
    folded = fold(cleaned)
    if folded in REMOTE_WORDS or folded in COUNTRIES or folded in CITIES:
        return True
    parts = [part.strip() for part in cleaned.split(",")]
    if not 2 <= len(parts) <= 3 or len(cleaned.split()) > 6 or re.search(r"\d{3,}", cleaned):
        return False
    last = parts[-1]
    if not all(part and part[0].isupper() for part in parts):
        return False
    return (
        bool(re.fullmatch(r"[A-Z]{2,3}", last))
        or fold(last) in COUNTRIES
        or fold(parts[0]) in CITIES
        or fold(last) in REMOTE_WORDS
    )


def _is_place_name(text: str) -> bool:
    words = text.split()
    return (
        1 <= len(words) <= 2
        and all(word[:1].isupper() and _WORD.fullmatch(word) for word in words)
        and _title_score(text) == 0
        and _company_score(text) == 0
    )


def _location(text: str) -> dict[str, str]:
    cleaned = text.strip(" ()")
    folded = fold(cleaned)
    if folded in COUNTRIES and folded not in CITIES:
        return {"country_code": COUNTRIES[folded]}
    parts = [part.strip() for part in cleaned.split(",")]
    location = {"city": parts[0]}
    if len(parts) == 1:
        return location
    last = fold(parts[-1])
    if last in COUNTRIES:
        location["country_code"] = COUNTRIES[last]
        middle = parts[1:-1]
    elif len(parts) == 3 and re.fullmatch(r"[A-Z]{2}", parts[-1]):
        location["country_code"] = parts[-1]
        middle = parts[1:-1]
    else:
        middle = parts[1:]
    if middle:
        location["region"] = ", ".join(middle)
    return location


def _date_value(match: re.Match[str], prefix: str) -> str:
    groups = match.groupdict()
    if groups.get(f"{prefix}m"):
        month = MONTHS[fold(groups[f"{prefix}m"]).rstrip(".")]
        return f"{groups[prefix + 'y']}-{month:02d}"
    if groups.get(f"{prefix}nm"):
        return f"{groups[prefix + 'ny']}-{int(groups[prefix + 'nm']):02d}"
    if groups.get(f"{prefix}iy"):
        return f"{groups[prefix + 'iy']}-{groups[prefix + 'im']}"
    return groups[f"{prefix}yy"]


def _line_dates(text: str) -> _Dates | None:
    """The date range of an entry line, or a lone date standing at the start or end of it."""
    folded = fold(text)
    match = _RANGE.search(folded)
    if match:
        end = PRESENT if match.group("present") else _date_value(match, "b")
        return _Dates(_date_value(match, "a"), end, match.span(), True)
    match = _SINCE.search(folded)
    if match:
        return _Dates(_date_value(match, "a"), PRESENT, match.span(), True)
    match = _SINGLE.search(folded)
    if match:
        before = text[: match.start()].strip(" ,–—-|()")
        after = text[match.end() :].strip(" ,–—-|()")
        if not before or not after:
            value = _date_value(match, "a")
            return _Dates(value, value, match.span(), False)
    return None


def _without_span(text: str, span: tuple[int, int]) -> str:
    return (text[: span[0]] + "   " + text[span[1] :]).strip(" ,–—-|()\t")


# --- entries ----------------------------------------------------------------------------------


@dataclass(slots=True)
class _Entry:
    info: list[str] = field(default_factory=list)
    bullets: list[str] = field(default_factory=list)
    dates: _Dates | None = None


def _is_tail_line(text: str) -> bool:
    return bool(_DURATION.match(fold(text))) or _is_location(text)


def _split_entries(lines: list[_Line]) -> list[_Entry]:
    """Entries of a dated section, whether each starts with its date, its title or bullets."""
    anchors = [
        i for i, line in enumerate(lines) if not line.bullet and _line_dates(line.text) is not None
    ]
    if not anchors:
        return _split_undated(lines)
    first = anchors[0]
    if first == 0:
        bounds = anchors
    elif any(line.bullet for line in lines[:first]):
        # Bullets come before the date: the date closes its entry, with the place and the
        # duration that follow it.
        bounds = [0]
        for anchor in anchors[:-1]:
            end = anchor + 1
            while end < len(lines) and not lines[end].bullet and _is_tail_line(lines[end].text):
                end += 1
            bounds.append(end)
    else:
        bounds = [0]
        for previous, anchor in zip(anchors, anchors[1:], strict=False):
            last_bullet = max(
                (i for i in range(previous + 1, anchor) if lines[i].bullet), default=None
            )
            if last_bullet is not None:
                bounds.append(last_bullet + 1)
                continue
            end = previous + 1
            while end < anchor and _is_tail_line(lines[end].text):
                end += 1
            bounds.append(end)
    entries: list[_Entry] = []
    for start, stop in zip(bounds, [*bounds[1:], len(lines)], strict=True):
        entries.append(_entry(lines[start:stop]))
    return [entry for entry in entries if entry.info or entry.bullets]


def _split_undated(lines: list[_Line]) -> list[_Entry]:
    entries: list[_Entry] = []
    for line in lines:
        if not entries or (not line.bullet and entries[-1].bullets):
            entries.append(_Entry())
        (entries[-1].bullets if line.bullet else entries[-1].info).append(line.text)
    return entries


def _entry(lines: list[_Line]) -> _Entry:
    entry = _Entry()
    for line in lines:
        if line.bullet:
            entry.bullets.append(line.text)
            continue
        dates = _line_dates(line.text) if entry.dates is None else None
        if dates is not None:
            entry.dates = dates
            rest = _without_span(line.text, dates.span)
            if rest:
                entry.info.append(rest)
        elif not _DURATION.match(fold(line.text)):
            entry.info.append(line.text)
    return entry


def _head_fields(info: list[str]) -> tuple[list[str], list[str], str]:
    """(fields naming the entry, prose lines, location text) from an entry's non-bullet lines."""
    fields: list[str] = []
    prose: list[str] = []
    location = ""
    for text in info:
        if len(text.split()) >= PROSE_WORDS or (text.endswith(".") and len(text.split()) > 4):
            prose.append(text)
            continue
        for part in _split_head(text):
            if not location and _is_location(part):
                location = part
            else:
                fields.append(part)
    return fields, prose, location


def _split_head(text: str) -> list[str]:
    parts: list[str] = []
    for strong in _STRONG_SEPARATORS.split(text):
        strong = strong.strip(" ,")
        if not strong:
            continue
        if _is_location(strong):
            parts.append(strong)
            continue
        at = re.split(r"\s+(?:at|@|chez|bei)\s+", strong, maxsplit=1)
        for piece in at:
            parts.extend(_split_commas(piece))
    return parts


def _split_commas(text: str) -> list[str]:
    pieces = [piece.strip() for piece in text.split(",") if piece.strip()]
    merged: list[str] = []
    for piece in pieces:
        if merged and fold(piece).rstrip(".") in COMPANY_WORDS and len(piece.split()) == 1:
            merged[-1] += ", " + piece  # "Acme, Inc."
        else:
            merged.append(piece)
    # A trailing "City, Country" stays one place.
    if len(merged) >= 3 and _is_location(", ".join(merged[-2:])):
        merged[-2:] = [", ".join(merged[-2:])]
    return merged


def _words(text: str) -> list[str]:
    return [fold(word) for word in re.findall(r"[\w'’.&-]+", text)]


def _title_score(text: str) -> int:
    words = _words(text)
    score = sum(
        1 for word in words if word.strip(".") in TITLE_WORDS or word.split("-")[-1] in TITLE_WORDS
    )
    return score


def _company_score(text: str) -> int:
    score = sum(1 for word in _words(text) if word.strip(",") in COMPANY_WORDS)
    acronyms = [
        word
        for word in re.findall(r"\b[A-Z][A-Z0-9&]{1,}\b", text)
        if fold(word) not in TITLE_WORDS
    ]
    return score + len(acronyms)


def _pick_title_company(fields: list[str]) -> tuple[str, str, list[str]]:
    """(title, company, other fields): the field with the most job-title words is the title."""
    if not fields:
        return "", "", []
    titles = [_title_score(f) for f in fields]
    companies = [_company_score(f) for f in fields]
    if len(fields) == 1:
        return (fields[0], "", []) if titles[0] > companies[0] else ("", fields[0], [])
    # Sorting is stable: with no clue either way, "Title, Company" is the usual order.
    title_index = max(range(len(fields)), key=lambda i: (titles[i], -companies[i], -i))
    others = [i for i in range(len(fields)) if i != title_index]
    company_index = max(others, key=lambda i: (companies[i] - titles[i], -i))
    rest = [fields[i] for i in others if i != company_index]
    return fields[title_index], fields[company_index], rest


def _skills_in(text: str, source: str) -> list[str]:
    names: list[str] = []
    for match in vocabulary.find_skills(text):
        if match.category == "soft_skills":
            continue  # "communication protocols" is not the soft skill
        name = _skill_name(match.name, match.text, source)
        if fold(name) not in {fold(n) for n in names}:
            names.append(name)
    return names


def _skill_name(canonical: str, written: str, source: str) -> str:
    # The canonical spelling only when the CV itself uses it: "GCP" stays "GCP".
    return canonical if fold(canonical) in source else written.strip()


def _dates_dict(dates: _Dates | None, *, single_is: str) -> dict[str, str]:
    if dates is None:
        return {"start_date": "", "end_date": ""}
    if dates.is_range:
        return {"start_date": dates.start, "end_date": dates.end}
    if single_is == "end":
        return {"start_date": "", "end_date": dates.end}
    if single_is == "start":
        return {"start_date": dates.start, "end_date": ""}
    return {"start_date": dates.start, "end_date": dates.end}


def _parse_experience(section: _Section, cv: dict[str, Any], source: str) -> None:
    for entry in _split_entries(section.lines):
        fields, prose, location = _head_fields(entry.info)
        title, company, rest = _pick_title_company(fields)
        if not title or not company:
            _add_extra(cv, section.heading, entry.info + entry.bullets)
            continue
        text = "\n".join([title, *prose, *entry.bullets])
        if not location and len(rest) == 1 and _is_place_name(rest[0]):
            location, rest = rest[0], []  # "Title, Company, Walldorf"
        department = rest[0] if len(rest) == 1 and len(rest[0].split()) <= SHORT_LINE_WORDS else ""
        description = [r for r in rest if r != department] + prose
        cv["experience"].append(
            {
                "title": title,
                "company": company,
                "department_or_client": department,
                **_dates_dict(entry.dates, single_is="both"),
                "location": _location(location) if location else {},
                "description": _capped("\n".join(description)),
                "responsibilities": entry.bullets,
                "skills_used": _skills_in(text, source),
            }
        )


def _is_institution(text: str) -> bool:
    folded = " " + " ".join(_words(text)) + " "
    return any(f" {word} " in folded for word in INSTITUTION_WORDS)


def _degree_prefix(text: str) -> int:
    """How many leading words of `text` name a degree ("PhD", "Master of Science")."""
    words = [fold(word).strip(",") for word in text.split()]
    count = 0
    while count < len(words) and words[count] in DEGREE_WORDS:
        count += 1
        following = words[count : count + 2]
        if len(following) == 2 and following[0] == "of" and following[1] in DEGREE_SUBJECTS:
            count += 2
    return count


def _is_degree(text: str) -> bool:
    return _degree_prefix(text) > 0 or vocabulary.degree_level(text) is not None


def _split_degree(text: str) -> tuple[str, str]:
    """("PhD in Computer Science") -> ("PhD", "Computer Science"), "Master Informatique" too."""
    match = re.match(r"(?P<d>.+?)\s+(?:in|en|de|in der|im)\s+(?P<f>[^\W\d_].+)$", text)
    if match and _is_degree(match.group("d")):
        return match.group("d"), match.group("f")
    words = text.split()
    prefix = _degree_prefix(text)
    if 0 < prefix < len(words):
        return " ".join(words[:prefix]), " ".join(words[prefix:])
    return text, ""


def _parse_education(section: _Section, cv: dict[str, Any]) -> None:
    for entry in _split_entries(section.lines):
        fields, prose, location = _head_fields(entry.info)
        institution, degree, study = "", "", ""
        leftovers: list[str] = []
        for text in fields:
            prefix = _degree_prefix(text)
            if prefix and _is_institution(" ".join(text.split()[prefix:])) and not institution:
                degree = degree or " ".join(text.split()[:prefix])
                institution = " ".join(text.split()[prefix:])
            elif _is_institution(text) and not institution:
                institution = text
            elif _is_degree(text) and not degree:
                degree, study = _split_degree(text)
            else:
                leftovers.append(text)
        if not institution and leftovers:
            institution = leftovers.pop(0)
        if not study and degree and leftovers:
            study = leftovers.pop(0)
        if not institution:
            _add_extra(cv, section.heading, entry.info + entry.bullets)
            continue
        cv["education"].append(
            {
                "institution": institution,
                "degree": degree,
                "field_of_study": study,
                **_dates_dict(entry.dates, single_is="end"),
                "location": _location(location) if location else {},
            }
        )
        notes = leftovers + prose + entry.bullets
        if notes:
            _add_extra(cv, institution, notes)


def _parse_projects(section: _Section, cv: dict[str, Any], source: str) -> None:
    for entry in _split_entries(section.lines):
        fields, prose, _ = _head_fields(entry.info)
        if not fields:
            if entry.info or entry.bullets:
                _add_extra(cv, section.heading, entry.info + entry.bullets)
            continue
        name, rest = fields[0], fields[1:]
        role = next((f for f in rest if _title_score(f) > 0), "")
        text = "\n".join([*entry.info, *entry.bullets])
        url = _URL.search(text)
        summary = [f for f in rest if f != role] + prose + entry.bullets
        cv["projects"].append(
            {
                "name": name,
                "role": role,
                **_dates_dict(entry.dates, single_is="start"),
                "summary": _capped("\n".join(summary)),
                "tech_stack": _skills_in(text, source),
                "url": url.group(0).rstrip(".);") if url else None,
            }
        )


# --- skills and languages ---------------------------------------------------------------------


def _split_items(text: str) -> list[str]:
    """Split a list on , ; | • outside parentheses."""
    items, depth, current = [], 0, ""
    for char in text:
        depth += char == "("
        depth -= char == ")" and depth > 0
        if depth == 0 and char in ",;|•·":
            items.append(current)
            current = ""
        else:
            current += char
    items.append(current)
    return [item.strip(" .\t") for item in items if item.strip(" .\t")]


def _label_category(label: str) -> str | None:
    folded = fold(label)
    if re.search(r"soft|savoir-etre|personal|interpersonal|sozial|blandas|qualit", folded):
        return "soft_skills"
    if re.search(
        r"tool|outil|werkzeug|herramient|software|logiciel|infra|cloud|devops|platform", folded
    ):
        return "tools"
    if re.search(r"method|methode|methoden|metodolog", folded):
        return "methodologies"
    return None


def _parse_skills(section: _Section, cv: dict[str, Any], source: str) -> None:
    default = SKILL_KINDS[section.kind]
    sentences: list[str] = []
    for line in section.lines:
        label, colon, rest = line.text.partition(":")
        if colon and rest.strip() and len(label.split()) <= 4:
            items, hint = _split_items(rest), _label_category(label) or default
        else:
            label, items, hint = "", _split_items(line.text), default
            words = len(line.text.split())
            long_items = words > LIST_ITEM_WORDS * len(items)
            if line.text.endswith(".") or (words >= SENTENCE_WORDS and long_items):
                items = [line.text]  # a sentence with commas, not a list
        if label and _are_languages(items):
            for item in _parse_languages([_Line(rest.strip())], cv):
                _add_skill_item(cv, item, hint, source)
            continue
        for item in items:
            if len(item.split()) > MAX_SKILL_WORDS:
                # A sentence: its skills are listed, and the sentence is kept as written.
                for match in vocabulary.find_skills(item):
                    name = _skill_name(match.name, match.text, source)
                    _store_skill(cv, name, match.category, None)
                sentences.append(item)
            else:
                _add_skill_item(cv, item, hint, source)
    if sentences:
        _add_extra(cv, section.heading, sentences)


def _are_languages(items: list[str]) -> bool:
    found = [item for item in items if vocabulary.find_languages(item)]
    return bool(items) and len(found) * 2 > len(items)


def _add_skill_item(cv: dict[str, Any], item: str, hint: str | None, source: str) -> None:
    name, level = item, None
    suffix = _LEVEL_SUFFIX.match(item)
    if suffix:
        try:
            level = parse_proficiency(suffix.group("p") or suffix.group("d"))
            name = suffix.group("name")
        except ValueError:
            level = None
    canonical = vocabulary.canonical_skill(name)
    if canonical is not None:
        category = vocabulary.skill_category(name) or "hard_skills"
        name = _skill_name(canonical, name, source)
    else:
        category = hint or "hard_skills"
    _store_skill(cv, name, category, level)


def _store_skill(cv: dict[str, Any], name: str, category: str, level: int | None) -> None:
    skills = cv["skills"]
    known = {
        fold(s if isinstance(s, str) else s["name"]) for group in skills.values() for s in group
    }
    if not name or fold(name) in known:
        return
    if category in ("soft_skills", "methodologies"):
        skills[category].append(name)
    else:
        skills[category].append({"name": name, "proficiency": level})


def _parse_languages(lines: list[_Line], cv: dict[str, Any]) -> list[str]:
    """Adds the languages named in `lines`; returns the lines or parts it could not read."""
    languages = cv["languages"]
    leftovers: list[str] = []
    for line in lines:
        text = line.text
        found = vocabulary.find_languages(text)
        if not found:
            if languages and not languages[-1]["level"] and vocabulary.language_level(text):
                languages[-1]["level"] = _unwrapped(text.strip())  # "English\nNative"
            else:
                leftovers += _unknown_languages(text, languages)
            continue
        head = text[: found[0][1]].strip(_LIST_PUNCTUATION)
        if head:
            leftovers += _unknown_languages(head, languages)
        # Each language owns the text up to the next one: "English (native), French B2".
        for index, (_, start, end) in enumerate(found):
            stop = found[index + 1][1] if index + 1 < len(found) else len(text)
            level = _LIST_CONNECTOR.sub("", text[end:stop].strip(_LIST_PUNCTUATION))
            languages.append({"name": text[start:end], "level": _unwrapped(level.strip())})
    return leftovers


def _unknown_languages(text: str, languages: list[dict[str, str]]) -> list[str]:
    """Reads "Wolof – native" (a language the vocabulary lacks, then a level) or gives it back."""
    pairs = [_level_split(segment) for segment in _split_items(text)]
    read = [pair for pair in pairs if pair is not None]
    if not pairs or len(read) < len(pairs):
        return [text]
    languages += [{"name": name, "level": level} for name, level in read if name]
    return []


def _unwrapped(text: str) -> str:
    if text.startswith("(") and text.endswith(")") and text.count("(") == 1:
        return text[1:-1].strip()
    return text


def _level_split(segment: str) -> tuple[str, str] | None:
    """(name, level) for a language the vocabulary does not know ("Wolof – native")."""
    match = _LEVEL_SUFFIX.match(segment)
    if not match or len(match.group("name").split()) > 2:
        return None
    level = (match.group("p") or match.group("d") or "").strip()
    return (match.group("name"), level) if vocabulary.language_level(level) else None


# --- extras and finishing ---------------------------------------------------------------------


def _capped(text: str) -> str:
    if len(text) <= MAX_TEXT_CHARS:
        return text
    return text[: text.rfind("\n", 0, MAX_TEXT_CHARS)].rstrip() or text[:MAX_TEXT_CHARS]


def _add_extra(cv: dict[str, Any], name: str, lines: Iterable[str]) -> None:
    chunk: list[str] = []
    size = 0
    for line in [*lines, None]:
        if line is None or size + len(line) + 1 > MAX_TEXT_CHARS:
            if chunk:
                cv["extras"].append({"name": name, "summary": "\n".join(chunk)})
            chunk, size = [], 0
        if line is not None:
            chunk.append(line[:MAX_TEXT_CHARS])
            size += len(line) + 1


def _fill_title(cv: dict[str, Any]) -> None:
    header = cv["header"]
    if header["current_title"]:
        return
    ongoing = [e for e in cv["experience"] if e["end_date"] == PRESENT]
    experience = (ongoing or cv["experience"])[:1]
    if experience:
        header["current_title"] = experience[0]["title"]
    elif cv["education"] and cv["education"][0]["degree"]:
        header["current_title"] = cv["education"][0]["degree"]
    else:
        raise CvParseError(
            "We could not find a job title or an experience in this CV. Add your current "
            "title at the top of the text and try again."
        )
