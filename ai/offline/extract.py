"""Job offer extraction from plain text in fr/en/de/es, without a language model.

The text is cut into blocks (paragraphs, bullets, headings) and each block belongs to a section
("requirements", "nice", "benefits"...) named by the last heading above it. Skills come from the
vocabulary; everything else from small multilingual patterns. Nothing is guessed: a field the
text does not state stays null or empty.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ai.offline.vocabulary import (
    CITIES,
    CONTRACT_PATTERNS,
    COUNTRIES,
    LANGUAGE_STOPWORDS,
    NUMBER_WORDS,
    SECTION_HEADINGS,
    canonical_skill,
    degree_level,
    find_language_levels,
    find_languages,
    find_skills_in,
    fold,
)

# Label-like kinds only match the exact heading word ("Poste : X"), never a longer line.
EXACT_ONLY_KINDS = frozenset({"salary", "location", "contract", "company", "title"})
EXACT_ONLY_KEYS = frozenset({"plus", "bonus", "role", "profil", "mission", "a propos"})
NO_SKILL_SECTIONS = frozenset(
    {"benefits", "about", "process", "salary", "location", "contract", "company"}
)
YEARS_FOR_LEVEL = ((2, "junior"), (5, "mid"))  # below 2 years junior, below 5 mid, else senior
MAX_ITEMS = 15

_NUM = r"(\d{1,2}|" + "|".join(sorted(NUMBER_WORDS, key=len, reverse=True)) + ")"
_YEARS = r"(?:years?|yrs?|ans?|annees?|jahre?n?|anos?)"
_EXPERIENCE_PATTERNS = (
    ("range", re.compile(rf"\b{_NUM}\s*\+?\s*(?:-|–|to|a|bis|y|and|et)\s*{_NUM}\s*\+?\s*"
                         rf"{_YEARS}\b")),
    ("min", re.compile(rf"(?:at least|minimum(?: of)?|min\.?|au moins|mindestens|al menos|"
                       rf"minimo(?: de)?|more than|over|plus de|mas de|uber)\s*{_NUM}\s*\+?\s*"
                       rf"{_YEARS}\b")),
    ("min", re.compile(rf"\b{_NUM}\s*\+\s*{_YEARS}\b")),
    ("min", re.compile(rf"\b{_NUM}\s*{_YEARS}\b")),
)  # fmt: skip
_EXPERIENCE_CONTEXT = re.compile(
    r"experien|erfahrung|berufspraxis|years of|years in|ans d'|ans en|ans dans|jahre in|"
    r"anos de|anos en|background|track record|similar role|poste similaire"
)
# Seniority read in the job title; the body only tells junior or mid-level profiles apart,
# since "lead the migration" or "report to a senior manager" say nothing of the level.
_TITLE_LEVELS = (
    (
        "lead",
        re.compile(
            r"\b(?:lead|principal|staff|head of|chief|director|directeur|directrice|"
            r"leiter\w*|teamlead|tech lead|jef[ea])\b"
        ),
    ),
    ("senior", re.compile(r"\b(?:senior|sr\.?|experimente\w*|erfahrene?[nr]?|experimentad[oa])\b")),
    (
        "junior",
        re.compile(
            r"\b(?:junior|jr\.?|debutant\w*|graduate|entry[\s-]level|einsteiger\w*|"
            r"berufseinsteiger\w*|trainee|stagiaire|intern|alternan\w*|"
            r"praktikant\w*|werkstudent\w*|becari[oa])\b"
        ),
    ),
    ("mid", re.compile(r"\b(?:mid[\s-]?level|confirme\w*)\b")),
)
_BODY_LEVELS = (
    ("junior", re.compile(r"\b(?:entry[\s-]level|junior profile|profil junior|debutants? "
                          r"acceptes?|premiere experience|erste berufserfahrung|"
                          r"berufseinsteiger\w*|primera experiencia|sin experiencia)\b")),
    ("mid", re.compile(r"\b(?:mid[\s-]level|profil confirme|mehrjahrige\w*)\b")),
)  # fmt: skip
_NICE_RE = re.compile(
    r"nice[\s-]to[\s-]have|\bis a plus\b|\ba plus\b|\bbonus\b|\bpreferred\b|\bideally\b|"
    r"\bappreciated\b|\bdesirable\b|\bgood to have\b|\boptional\b|not required|un plus|"
    r"un atout|apprecie|\bidealement\b|\bsouhaitable\b|von vorteil|wunschenswert|"
    r"idealerweise|se valorara|valorable|\bdeseable\b|es un plus|sera un plus|\bapreciable\b"
)
_LANGUAGE_CUE = re.compile(
    r"speak|spoken|written|language|langue|sprach|kenntnisse|idioma|nivel|niveau|level|"
    r"maitrise|dominio|required|requis|exige|obligatoire|erforderlich|imprescindible|"
    r"proficien|fluent|courant|environnement|environment|anglophone|english-speaking"
)
_BULLET_RE = re.compile(r"^\s*(?:[-*•·▪●◦–—+>]|\d{1,2}[.)])\s+")
_CLAUSE_END = re.compile(r"(?<=[.!?])\s+|;\s*|\s+[•·]\s+")
_HEADING_COLON = re.compile(r"^(?P<head>[^:：]{2,50}?)\s*[:：]\s*(?P<rest>.*)$")
_GENDER_RE = re.compile(
    r"\s*\(?\b(?:h/f|f/h|m/w/d|w/m/d|m/f/d|f/m/d|d/f/m|m/f/x|f/m/x|m/f|f/m|h/m|m/h|w/m|m/w)"
    r"\b\)?",
    re.IGNORECASE,
)
_TITLE_INTRO = re.compile(
    r"\b(?:we\s+are\s+(?:currently\s+)?(?:looking\s+for|hiring|seeking|recruiting)|"
    r"we're\s+(?:looking\s+for|hiring|seeking)|is\s+(?:looking\s+for|hiring|seeking|recruiting)|"
    r"nous\s+(?:recherchons|recrutons|cherchons)|recrute|recherche|"
    r"wir\s+suchen(?:\s+(?:ab\s+sofort|zum\s+nachstmoglichen\s+zeitpunkt|ab\s+\w+|in\s+vollzeit|"
    r"zur\s+verstarkung\s+unseres\s+teams))*|"
    r"buscamos|estamos\s+buscando|necesitamos|incorporamos|seleccionamos)\s+"
    r"(?:(?:an?|one|the|our|un\(e\)|un/une|une?|eine[nr]?|ein|un/a|un\(a\)|una?|uno)\s+)?"
    r"(?!de\s|d'|des\s|du\s)"
    r"(?:(?:new|talented|motivated|experienced|passionate|skilled|compassionate|caring|"
    r"dedicated|enthusiastic|friendly|dynamic|reliable|qualified|proactive|hard-working|"
    r"motive\(?e?\)?|passionne\(?e?\)?|dynamique|rigoureu(?:x|se|x\(se\))|"
    r"engagierte[nr]?|motivierte[nr]?|zuverlassige[nr]?|qualifizierte[nr]?|"
    r"motivad[oa](?:/a)?|dinamic[oa](?:/a)?)\s+)*"
    r"(?P<t>(?:[^\W_]|[ '’\-/&+#.]|\((?:e|se|euse|rice|ice|ne|le|in|a)\))+?)"
    r"(?=\s+(?:to|who|with|for|that|in|at|on|based|join|pour|qui|afin|avec|en|au|aux|dans|"
    r"chez|a|fur|zur|zum|mit|bei|im|ab|para|que|con|al)\b|\s*\((?!(?:e|se|euse|rice|ice|ne|le|"
    r"in|a)\))|\s*[,.;:!?](?:\s|$)|\s*[\n,;:!?]|\s+[-–—]|\s*$)"
)
_ROLE_RE = re.compile(
    r"engineer|developer|manager|designer|analyst|scientist|architect|consultant|specialist|"
    r"director|officer|administrator|assistant|accountant|controller|recruiter|coordinator|"
    r"technician|intern\b|representative|executive|associate|owner|marketer|writer|editor|"
    r"\blead\b|head of|advisor|agent|nurse|teacher|driver|buyer|planner|strategist|researcher|"
    r"tester|programmer|developpeu|ingenieur|chef de|responsable|charge|directeur|directrice|"
    r"comptable|commercial|analyste|technicien|stagiaire|alternant|gestionnaire|conseill|"
    r"entwickler|berater|leiter|referent|sachbearbeiter|buchhalter|kaufm|kauffrau|werkstudent|"
    r"praktikant|desarrollador|ingenier|gerente|analista|tecnico|consultor|jef[ea]\b|"
    r"disenador|contable|asistente|becari|programador|"
    # Care, trades, hospitality, teaching, logistics and sales: the titles outside software.
    r"infirmi|soignant|enfermer|pflege|krankenschwester|midwife|sage-femme|hebamme|matron|"
    r"doctor|medecin|\barzt|arztin|medico|pharmac|apotheker|farmaceut|physio|kine|fisioterap|"
    r"carer|caregiver|care assistant|auxiliar|educat|erzieher|teacher|lehrer|professeu?r|"
    r"enseignant|maestr[oa]|tutor|trainer|formateu|ausbilder|formador|\bchef\b|\bcook\b|"
    r"cuisinier|\bkoch\b|cociner|waiter|waitress|serveu|camarer|kellner|receptionist|"
    r"receptionn|rezeption|recepcionist|bartender|barman|barista|sommelier|maitre|housekeep|"
    r"concierge|mechanic|mecanicien|mechaniker|mecanic|mechatron|electrician|electricien|"
    r"elektrik|electricist|elektron|plumber|plombier|installateur|fontaner|carpenter|menuisier|"
    r"tischler|schreiner|carpinter|welder|soudeu|schweiss|soldador|warehouse|magasinier|"
    r"lagerist|logisti|disponent|cashier|caissi|kassier|cajer|sales|vendeu|verkauf|vendedor|"
    r"dependient|bookkeeper|steuerfach|auditor|auditeu|techniker|monteur|fachkraft|"
    r"mitarbeiter|operator|operateu|operari|supervisor|superviseu|encargad|chauffeur|"
    r"conductor|fahrer|courier|livreu|repartidor|clerk|employe|empleado|secretar|sekret|"
    r"administrat|worker|ouvrier|arbeiter|obrer|handler|packer|picker|preparat|"
    r"jefe de|maitre d|jefe/a|nurse|dentist|dentaire|zahn|teacher|instructor|coach|"
    r"profesor|docente|lehrkraft|bricklayer|\bmacon|maurer|albanil|roofer|couvreur|dachdeck|"
    r"tejador|painter|peintre|\bmaler\b|pintor|plasterer|platrier|stuckateur|yesero|labourer|"
    r"scaffolder|glazier|tiler|carreleur|fliesenleger|solador|therapist|therapeut|terapeut|"
    r"plongeu|commis|kitchen porter|friegaplatos|spulkraft|housekeeper|gouvernant|camarist|"
    r"helfer|aushilfe|baker|\bbacker|boulang|panader|konditor|patissier|pastry|pasteler|"
    r"lifeguard|rettungsschwimm|maitre-nageur|socorrista"
)
_CAP_WORD = r"[A-ZÀ-ÖØ-Þ0-9][\w&'’.\-]*"
# A name starts at the start of a word and has eight words at most: unbounded, a long run of
# capitalised words or digits (a pasted table) made every start scan to the end of the text,
# quadratic time that held a worker for minutes.
_CAP_NAME = rf"(?<![\w&'’.\-]){_CAP_WORD}(?:\s+(?:{_CAP_WORD}|&|de|du|des|of|and|y)){{0,7}}"
# "X is a ... company": the noun keeps "Python is a plus" from naming an employer.
_COMPANY_NOUN = (
    r"(?:[\w-]+\s+){0,3}?\w*(?i:company|agency|startup|start-up|scale-up|scaleup|firm|leader|"
    r"platform|provider|group|entreprise|societe|société|agence|groupe|[ée]diteur|cabinet|"
    r"empresa|agencia|compañía|unternehmen|agentur|firma|konzern|anbieter|hersteller|l[ií]der)\b"
)
_COMPANY_PATTERNS = (
    re.compile(rf"(?P<c>{_CAP_NAME})\s+(?:is\s+(?:looking|hiring|seeking|recruiting)|recrute\b|"
               rf"recherche\b|sucht\b|busca\b)"),
    re.compile(rf"(?P<c>{_CAP_NAME})(?:\s+(?:is|est|ist|es)|,)\s+(?:an?|une?|una?|eine?[rsn]?)\s+"
               rf"{_COMPANY_NOUN}"),
    re.compile(rf"\b(?:at|chez|bei|join|rejoindre|rejoignez|rejoins|[úu]nete\s+a)\s+"
               rf"(?:(?:der|die|den|dem|la|le|el|the)\s+)?(?P<c>{_CAP_NAME})"),
)  # fmt: skip
# The subject of the first sentence about the company: "Northwind Cloud runs managed databases".
_ABOUT_SUBJECT = re.compile(rf"^(?P<c>{_CAP_NAME})\s+(?=[a-zà-ÿ])")
# An employer named on a line of its own in the posting's header: its name says what it is.
_ORG_WORD = re.compile(
    r"\b(?:hospital|hospitals|clinic|clinique|klinik\w*|clinica|hopital|krankenhaus|school|ecole|"
    r"schule|colegio|college|academy|academie|academia|university|universite|universitat|"
    r"universidad|ltd|limited|inc|llc|gmbh|mbh|ag|se|sa|sas|sarl|sasu|sl|s\.a|s\.l|plc|kg|group|"
    r"groupe|gruppe|grupo|trust|hotel|hotels|restaurant|restaurante|brasserie|bistro|taverns?|"
    r"residence|cabinet|kanzlei|bank|banque|banco|foundation|fondation|stiftung|fundacion|"
    r"association|verein|asociacion|nhs|council|labs?|technologies|solutions|systems|industries|"
    r"consulting|services|partners|studio|agency|agence|agentur)\b\.?"
)
_LEGAL_FORM = re.compile(
    r"\b(?:ltd|limited|inc|llc|gmbh|mbh|ag|sa|sas|sarl|sasu|sl|s\.a|s\.l|plc|kg|bv|nv|oy|ab)\b"
)
# The page around a pasted posting: navigation, breadcrumbs, cookie banners, buttons, rules.
_DEBRIS_WORDS = re.compile(
    r"cookie|\bskip to\b|\bsign in\b|\blog ?in\b(?!\.\w)|\bsign up\b|se connecter|creer un compte|"
    r"\banmelden\b|\beinloggen\b|iniciar sesion|\bregistrate\b|job alert|alerte emploi|"
    r"jobalarm|alerta de empleo|back to (?:search|results|jobs)|retour aux (?:offres|resultats)|"
    r"vous etes ici|[▾▸]"
)
_CRUMB = re.compile(r"\s[>›»]\s|^\s*<\s")
_NAV_GAP = re.compile(r"\S {2,}(?=\S)")
_RULE_LINE = re.compile(r"^[\W_]*$")
MAX_HEADER_SCAN = 40  # lines read for the posting's header
MAX_HEADER_LINES = 8
MAX_TITLE_CHARS = 120
MAX_TITLE_WORDS = 16
MAX_NAME_WORDS = 7
MAX_EXTRA_WORDS = 4  # "CDD 6 mois"
MAX_PREFIX_WORDS = 5  # "Presidential Innovation Fellows - Director of Events"
MAX_ORG_WORDS = 10  # "York and Scarborough Teaching Hospitals NHS Foundation Trust"
_ARTICLES = frozenset({"the", "la", "le", "les", "el", "los", "las", "die", "der", "das"})
# "Comptable H/F – CDI – Nantes (44)": the parts a heading or an employer's line adds.
_SEGMENT_SPLIT = re.compile(r"\s+[–—|·•]\s+|\s+-\s+")
_CONTRACT_WORD = re.compile(
    r"\b(?:cdi|cdd|interim|alternance|full[\s-]?time|part[\s-]?time|permanent|temporary|"
    r"fixed[\s-]term|freelance|vollzeit|teilzeit|unbefristet|befristet|festanstellung|"
    r"temps (?:plein|partiel)|jornada (?:completa|parcial)|indefinido|media jornada|"
    r"tiempo (?:completo|parcial))\b"
)
_PAY_RE = re.compile(
    r"[$€£]|\b\d+(?:[.,]\d+)?\s?k\b|\b(?:per|an|a) (?:hour|year|annum)\b|"
    r"/\s?(?:h|hr|hour|an|mois|month|stunde|hora)\b"
)
# A pay grade or step of a public pay scale: "GS-15", "Step 1", "Band 6", "échelon 3".
_PAY_GRADE = re.compile(
    r"\b(?:gs|gg|grade|step|band|echelon|scale|stufe|tarifstufe|entgeltgruppe|nivel)"
    r"[\s-]*\d+\b|\bper annum\b|\bpar an\b|€\s?/\s?an\b"
)
_REMOTE_WORD = re.compile(
    r"(?:remote|hybrid|hybride|on[\s-]?site|teletravail|homeoffice|remoto|hibrido|itinerant)\b"
)
# "We are looking for an engineer. You will" wrapped on a line: prose, not a heading.
_SENTENCE_INSIDE = re.compile(r"[^\W\d_]{3}[.!?]\s+[A-Z]")
_ASIDE = re.compile(r"\s*\([^()]*\)")
_LEADING_SYMBOLS = re.compile(r"^[^\w(\"'«¿¡]+")
_HEAD_COUNT = re.compile(
    r"\s*\((?:x\s?\d{1,3}|\d{1,3}\s?x|\d{1,3}\s(?:roles|positions|postes|stellen|puestos|"
    r"vacancies|openings))\)",
    re.IGNORECASE,
)
_NOT_NAME_WORD = re.compile(
    r"\b(?:role|job|jobs|position|positions|vacanc\w*|opportunit\w*|poste|postes|offre|emploi|"
    r"stelle|stellen|puesto|oferta|empleo|team|equipe|equipo|mission|missions)\b"
)
_COMPANY_LABEL = re.compile(
    r"(?:company|employer|hiring (?:company|organi[sz]ation)|organi[sz]ation|recruiter|"
    r"entreprise|societe|employeur|organisme|recruteur|unternehmen|arbeitgeber|firma|empresa|"
    r"compania|empleador)\s*:\s*"
)
_ABOUT_COMPANY = re.compile(r"^(?:about|a propos d[e']|uber|sobre|qui est)\s*(?P<c>.+?)\s*:?$")
_NOT_COMPANY = frozenset(
    {
        "we", "our", "the", "you", "us", "a", "an", "nous", "notre", "vous", "wir", "unser",
        "unsere", "sie", "du", "ihr", "nosotros", "nuestro", "nuestra", "el", "la", "le", "les",
        "die", "der", "das", "this", "team", "equipe", "equipo", "about", "chez", "join"
    }
)  # fmt: skip
_CITY_RE = re.compile(
    r"(?<![\w-])("
    + "|".join(sorted(map(re.escape, CITIES), key=len, reverse=True))
    + r")(?![\w-])(?!\s+to\b)"
)
_COUNTRY_RE = re.compile(
    r"(?<![\w-])("
    + "|".join(sorted(map(re.escape, COUNTRIES), key=len, reverse=True))
    + r")(?![\w-])"
)
_REMOTE_RULES = (
    ("full", re.compile(r"full[\s-]?remote|fully[\s-]remote|100\s?%\s?(?:remote|teletravail|"
                        r"remoto|homeoffice)|remote[\s-]first|teletravail (?:complet|total|"
                        r"integral)|komplett remote|vollstandig remote|remoto al 100|"
                        r"totalmente remoto|work from anywhere|remote (?:position|role|job)")),
    ("none", re.compile(r"pas de teletravail|kein homeoffice|no remote|sin teletrabajo")),
    ("hybrid", re.compile(r"\bhybri\w*|\bhibrid\w*|remote[\s-]friendly|teletravail partiel|"
                          r"\d\s?(?:jours?|days?|tage?|dias?)\s+(?:\w+\s+){0,3}(?:teletravail|"
                          r"remote|homeoffice|home office|teletrabajo)|(?:teletravail|remote|"
                          r"homeoffice|teletrabajo)\s+(?:\w+\s+){0,3}\d\s?(?:jours?|days?|tage?|"
                          r"dias?)\b|teilweise remote|mobiles arbeiten|homeoffice|home office|"
                          r"teletravail|teletrabajo")),
    ("none", re.compile(r"\bon[\s-]?site\b|\bsur site\b|presentiel|\bvor ort\b|\bpresencial\b|"
                        r"\bin[\s-]office\b")),
    ("full", re.compile(r"\bremote\b|\bremoto\b")),
)  # fmt: skip
_AMOUNT = r"\d{1,3}(?:[  .,’']\d{3})+(?:[.,]\d{1,2})?(?!\d)|\d+(?:[.,]\d+)?"
_CURRENCY = r"€|\$|£|eur(?:os?)?\b|usd\b|gbp\b|chf\b|dollars?\b"


def _money(n: int) -> str:
    return (
        rf"(?:(?P<c{n}>{_CURRENCY})\s?)?(?P<a{n}>{_AMOUNT})\s?(?P<k{n}>k(?![a-z]))?\s?"
        rf"(?P<d{n}>{_CURRENCY})?"
    )


_SALARY_RE = re.compile(
    _money(1) + r"(?:\s*(?:-|–|—|to|a|bis|y|and|et|until)\s*" + _money(2) + ")?"
)
_SALARY_WORDS = re.compile(
    r"salary|salaire|remuneration|gehalt|vergutung|salario|sueldo|retribucion|compensation|"
    r"\bpay\b|package|\btjm\b|\bbrut|gross|brutto|\bbruto"
)
_UP_TO = re.compile(r"(?:up to|jusqu'a|bis zu|hasta)\s*$")
_FROM = re.compile(r"(?:from|starting at|a partir de|des|ab|desde)\s*$")
_PERIODS = (
    ("hour", re.compile(r"per hour|an hour|/\s?(?:h|hr|hour|heure|stunde|hora)\b|hourly|"
                        r"de l'heure|par heure|pro stunde|stundenlohn|por hora|taux horaire")),
    ("day", re.compile(r"per day|a day|/\s?(?:day|jour|j|tag|dia)\b|daily|par jour|\btjm\b|"
                       r"taux journalier|tagessatz|pro tag|al dia|por dia|day rate")),
    ("month", re.compile(r"per month|a month|/\s?(?:month|mois|monat|mes)\b|monthly|mensuel|"
                         r"par mois|pro monat|monatlich|al mes|mensual")),
    ("year", re.compile(r"per year|a year|/\s?(?:year|yr|an|ano|jahr)\b|per annum|p\.\s?a\.|"
                        r"annual|annuel|par an\b|pro jahr|jahrlich|jahresgehalt|al ano|anual")),
)  # fmt: skip
_CURRENCIES = {"€": "EUR", "eur": "EUR", "euro": "EUR", "euros": "EUR", "$": "USD",
               "usd": "USD", "dollar": "USD", "dollars": "USD", "£": "GBP", "gbp": "GBP",
               "chf": "CHF"}  # fmt: skip
_DEGREE_FIELD = re.compile(
    r"(?:degree|diploma|diplome|master(?:'s)?|bachelor(?:'s)?|licence|msc|bsc|mba|"
    r"bac\s*\+\s*\d|studium|abschluss|hochschulabschluss|grado|licenciatura|titulo|"
    r"ecole d'ingenieurs?|phd|doctorat|bts|dut)\s+(?:[^\W\d_]+\s+){0,2}?"
    r"(?:dans le domaine de|en el area de|im bereich|in der|in|en|of|de|der|d')\b\s*"
    r"(?P<f>[^,.;()\n]{3,60})"
)
_FIELD_END = re.compile(
    r"\s+(?:or|ou|oder|o|and related|or related|or equivalent|ou equivalent|"
    r"oder vergleichbar\w*|or similar|ou similaire|u otra)\b|\s*/"
)
_YOU_WILL = re.compile(
    r"\b(?:you(?:'ll|’ll| will)|vous (?:serez|allez|aurez|devrez)|tu (?:seras|vas|auras)|"
    r"sie werden|du wirst|seras|te encargaras de|tendras que)\s+(?P<rest>.+)"
)
_FILLERS = re.compile(
    r"^(?:be expected to|be responsible for|be in charge of|also|then|pour mission de|"
    r"pour missions de|en charge de|la charge de|responsable de)\s+",
    re.IGNORECASE,
)
_NEGATION = re.compile(r"^(?:not|never|no|pas|jamais|nicht|kein)\b", re.IGNORECASE)
_TEAM_WORD = re.compile(r"\b(?:teams?|equipes?|departments?|abteilung\w*|equipos?|squads?)\b")
_LIST_START = re.compile(r"\s*(?:,|&|(?:and|or|et|und|y)\b)")
_TEAM_NOT_NAMED = re.compile(
    r"(?:\b(?:d|de|du|en|in|a|an|the|our|your|with|avec|mit|im|con|del|l|la|le|el|un|une)|')\s*$"
)
_TEAM_BEFORE = re.compile(r"\b(?:teams?|equipes?|equipos?|abteilung)\s+(?:de |du |des |d')?$")


# Perks that name a skill word: "training budget" is a benefit, not Budgeting.
_PERK_RE = re.compile(
    r"\b(?:training|learning|education|development|conference|equipment|home[\s-]?office|"
    r"wellbeing|wellness|book|l&d|learning and development|personal)\s+budgets?\b|"
    r"\bbudgets?\s+(?:annuel\s+)?(?:de\s+|pour\s+(?:la\s+|les\s+)?)?(?:formations?|conferences?|"
    r"livres)\b|\bbudgets?\s+(?:for|of)\s+(?:training|learning|conferences?|books?|courses)\b|"
    r"\w*(?:weiterbildungs|fortbildungs|schulungs|bildungs|lern)budget\w*|"
    r"\bpresupuestos?\s+(?:anual\s+)?(?:de|para)\s+(?:la\s+)?formacion\b"
)
# Pages that are not (or no longer) a job offer, whatever job words they carry.
_EXPIRED_RE = re.compile(
    r"no longer (?:available|accepting applications|open|active|online)|"
    r"this (?:job|posting|position|offer|vacancy|job offer) (?:has )?"
    r"(?:expired|closed|been filled)|"
    r"\bjob (?:has )?expired\b|applications? (?:are |is )?(?:now )?closed|"
    r"n'est plus (?:disponible|en ligne|active|pourvue?)|offre (?:a )?expiree|"
    r"offre (?:est )?(?:cloturee|deja pourvue)|nicht mehr (?:verfugbar|aktiv|online|besetzbar)|"
    r"(?:stelle|anzeige|stellenanzeige) (?:ist )?(?:bereits )?(?:besetzt|abgelaufen)|"
    r"ya no (?:esta|se encuentra) disponible|oferta (?:ha )?(?:caducado|expirado|cerrada|"
    r"finalizada)|ya no acepta (?:candidaturas|solicitudes)"
)
_LOGIN_RE = re.compile(
    r"(?:sign|log)\s?in to (?:see|view|apply|continue|read)|join now to (?:see|apply|view)|"
    r"connectez-vous pour|identifiez-vous pour|melden sie sich an,? um|(?:einloggen|anmelden),? um|"
    r"inicia (?:la )?sesion para|registrate para (?:ver|postular)"
)
_NEWSLETTER_RE = re.compile(
    r"\bunsubscribe\b|view (?:it |this email )?in (?:your )?browser|se desabonner|"
    r"desinscri|newsletter abbestellen|\babmelden\b|darse de baja|cancelar (?:la )?suscripcion|"
    r"you (?:received|are receiving) this (?:email|newsletter)|vous recevez cet?t?e? "
    r"(?:e-?mail|newsletter)"
)
# A page listing search results: its sort control or its count of results on a line.
_RESULTS_RE = re.compile(
    r"\b(?:trier par|sort(?:ed)? by|sortieren nach|ordenar por)\b|"
    r"^\d[\d .,]{0,9} (?:offres|jobs|results|resultats|ergebnisse|stellenangebote|treffer|"
    r"ofertas|empleos|resultados)$",
    re.MULTILINE,
)
_CV_HEADING_RE = re.compile(
    r"^(?:work |professional )?(?:experience|education|employment history|career history|"
    r"experiences? professionnelles?|formations?|parcours|berufserfahrung|ausbildung|"
    r"werdegang|experiencia(?: profesional| laboral)?|formacion|educacion|estudios)\s*:?$"
)
_DATE_RANGE_RE = re.compile(
    r"\b(?:19|20)\d{2}\s*(?:-|–|—|to|a|bis)\s*(?:(?:19|20)\d{2}|present|now|current|"
    r"aujourd'hui|present|heute|actualidad|hoy)\b"
)
_EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")
_PHONE_RE = re.compile(r"\+?\d[\d ().-]{7,}\d")
_HIRING_RE = re.compile(
    r"\b(?:we are|we're|is|are) (?:currently )?(?:looking for|hiring|seeking|recruiting)\b|"
    r"\bjoin (?:our|the) team\b|\bapply (?:now|today|here|for this|by)\b|"
    r"nous (?:recherchons|recrutons|cherchons)|\brecrute\b|postuler|candidature|"
    r"wir suchen|bewirb|bewerben|bewerbung|buscamos|estamos buscando|incorporamos|"
    r"inscribete|candidatura|\bvacan"
)
_NOT_A_TITLE = re.compile(r"^(?:about|a propos|uber|sobre|our|notre|unser|nuestr)\b")


@dataclass(slots=True)
class _Block:
    kind: str  # "section" (a known heading), "heading" (a short title-like line), "para", "bullet"
    text: str
    section: str


def extract_job_offer(text: str) -> dict[str, Any]:
    """The job offer document (shared contract) for a job posting given as plain text.

    A posting for several roles keeps what they share (company, place, salary, benefits) at the
    top and each role's title, skills and tasks in `roles`. A page that is no job offer (a CV,
    a newsletter, a login wall, an expired posting, an "about us" page) gets no title."""
    header = _header(text)
    text = _clean(text)
    all_blocks = _blocks(text)
    headline, roles, role_blocks = _roles(all_blocks, header)
    blocks = [b for b in all_blocks if id(b) not in role_blocks]
    title = headline or _title(blocks, header)
    employer = _find_company(text, blocks, title, header)
    if title and employer and not headline:
        title = _tidy_title(title, employer)
    skills = _skills(blocks)
    language = detect_language(text)
    offer = {
        "title": title,
        "company": _expand_acronym(employer, text) if employer else None,
        "contract": _contract(blocks, language),
        "experience": _experience(blocks, title),
        "location": _location(blocks),
        "salary": _salary(blocks),
        "skills": skills,
        "education": _education(blocks),
        "languages": _languages(blocks),
        "responsibilities": _responsibilities(blocks),
        "benefits": _benefits(blocks),
        "language": language,
        "roles": roles,
    }
    if _not_an_offer(text, all_blocks, offer):
        offer["title"], offer["roles"] = None, []
    return offer


# A headline for several jobs: "Multiple Positions", "Plusieurs postes à pourvoir".
_ROLES_HEADLINE = re.compile(
    r"^(?:multiple|several|various|open|new|\d+)\s+(?:positions|roles|openings|vacancies|jobs)|"
    r"^(?:open positions|open roles|plusieurs postes|postes (?:ouverts|a pourvoir)|"
    r"mehrere stellen|offene stellen|varias (?:posiciones|vacantes|plazas)|vacantes)\b"
)
# What such a headline may start with: "NOW HIRING – Multiple Positions", "Wir wachsen! ...".
_HIRING_LEAD = re.compile(
    r"^(?:we(?:'re| are) hiring|now hiring|hiring|on recrute|nous recrutons|wir suchen|"
    r"buscamos|se busca)\b[\s!]*$"
)
_SHOUT = re.compile(r"^[^!?.]{1,40}!\s+")
_ROLE_AREA_END = frozenset({"benefits", "about", "process", "salary", "location", "contract"})
_MAX_ROLES = 12


def _same_role(a: str, b: str) -> bool:
    """ "Content & SEO Specialists" in the headline is the "Content & SEO Specialist" section."""
    a, b = (re.sub(r"s\b", "", _GENDER_RE.sub("", fold(x))).strip(" :#*-") for x in (a, b))
    return a == b


def _multi_headline(line: str) -> tuple[str, list[str]] | None:
    """(the headline, the roles it lists) when `line` announces several jobs: "Multiple
    Positions: A, B, C", "Wir wachsen! Mehrere Stellen zu besetzen – Acme GmbH, Bremen"."""
    line = _SHOUT.sub("", _strip_title(line))
    head, colon, rest = line.partition(":")
    if colon and rest.strip() and _ROLES_HEADLINE.match(fold(head.strip())):
        names = [n.strip(" .*") for n in re.split(r",|;|\s+[|/·]\s+", rest) if n.strip(" .*")]
        return (line, names) if len(names) >= 2 else None
    segments = _title_segments(line)
    while segments and _HIRING_LEAD.match(fold(segments[0]).strip()):
        segments = segments[1:]
    if not segments or not _ROLES_HEADLINE.match(fold(segments[0]).strip()):
        return None
    return _tidy_title(line[line.index(segments[0]) :]), []


def _is_role_start(blocks: list[_Block], i: int, listed: list[str], announced: bool) -> bool:
    block = blocks[i]
    if i == 0 or len(block.text.split()) > 12:
        return False
    name = _tidy_title(block.text)
    if listed:
        return block.kind == "heading" and any(_same_role(name, n) for n in listed)
    if block.kind != "heading" and not (
        # "1) Front Office Supervisor – £28,500" followed by its description.
        announced
        and block.kind == "bullet"
        and i + 1 < len(blocks)
        and blocks[i + 1].kind != "bullet"
        and len(name.split()) <= 6
    ):
        return False
    folded = fold(name)
    return (
        len(name.split()) <= 8
        and bool(_ROLE_RE.search(folded))
        and not _TEAM_WORD.search(folded)
        and not _NOT_A_TITLE.match(folded)
    )


def _roles(
    blocks: list[_Block], header: list[str]
) -> tuple[str | None, list[dict[str, Any]], set[int]]:
    """(the headline, the roles, ids of the blocks that belong to one role) of a posting for
    several roles; (None, [], set()) for a posting for one job."""
    headline: str | None = None
    listed: list[str] = []
    for line in header[:2]:
        if announced := _multi_headline(line):
            headline, listed = announced
            break
    starts = [i for i in range(len(blocks)) if _is_role_start(blocks, i, listed, bool(headline))]
    spans: list[tuple[int, int]] = []
    for n, start in enumerate(starts):
        end = starts[n + 1] if n + 1 < len(starts) else len(blocks)
        stop = next(
            (
                j
                for j in range(start + 1, end)
                if blocks[j].kind == "section" and blocks[j].section in _ROLE_AREA_END
            ),
            end,
        )
        spans.append((start, stop))
    if not listed:
        # Without a headline naming them, roles are headings each followed by their own list;
        # under a headline announcing several jobs, by their own description.
        least = 1 if headline else 2
        spans = [
            (s, e)
            for s, e in spans
            if sum(
                b.kind in ("bullet", "para") if headline else b.kind == "bullet"
                for b in blocks[s + 1 : e]
            )
            >= least
        ]
    if len(spans) < 2 and len(listed) < 2:
        return headline, [], set()
    roles: list[dict[str, Any]] = []
    owned: set[int] = set()
    for start, stop in spans[:_MAX_ROLES]:
        own = blocks[start + 1 : stop]
        owned |= {id(b) for b in blocks[start:stop]}
        tasks = [
            b.text.strip(" .;")
            for b in own
            if b.kind in ("bullet", "para")
            and b.section not in ("requirements", "nice")
            and b.text.strip()
        ]
        roles.append(
            {
                "title": _role_title(blocks[start].text),
                "skills": _skills(own),
                "responsibilities": tasks[:MAX_ITEMS],
            }
        )
    found = [r["title"] for r in roles]
    for name in listed:
        if not any(_same_role(name, title) for title in found):
            roles.append({"title": _role_title(name), "skills": _skills([]),
                          "responsibilities": []})  # fmt: skip
    if len(roles) < 2:
        return headline, [], set()
    return headline or ", ".join(r["title"] for r in roles), roles, owned


def _role_title(text: str) -> str:
    """ "CARPENTER (1st & 2nd fix) – £20–£23/hour" -> "Carpenter (1st & 2nd fix)"."""
    title = _tidy_title(text)
    words = title.split()
    long_words = [w for w in words if len(w) >= 4 and w.isalpha()]
    shouted = [w for w in long_words if w.isupper()]
    if shouted and len(shouted) * 2 >= len(long_words):
        words = [
            (w.capitalize() if n == 0 else w.lower()) if len(w) >= 4 and w.isupper() else w
            for n, w in enumerate(words)
        ]
    return " ".join(words)


def _not_an_offer(text: str, blocks: list[_Block], offer: dict[str, Any]) -> bool:
    folded = fold(text)
    sections = {b.section for b in blocks if b.kind != "section" and b.text}
    duties = len(offer["responsibilities"]) >= 2
    asks = bool(sections & {"requirements", "nice"})
    hiring = bool(_HIRING_RE.search(folded))
    if _EXPIRED_RE.search(folded):
        return True
    if _LOGIN_RE.search(folded) and not (duties and asks):
        return True
    if _NEWSLETTER_RE.search(folded) and not ("responsibilities" in sections and asks):
        return True
    if _RESULTS_RE.search(folded) and not (duties and asks):
        return True
    lines = [fold(line).strip(" #*_:") for line in text.split("\n")]
    cv_marks = (
        bool(_EMAIL_RE.search(text[:600]))
        + bool(_PHONE_RE.search(text[:600]))
        + (len(_DATE_RANGE_RE.findall(folded)) >= 2)
        + (sum(bool(_CV_HEADING_RE.match(line)) for line in lines) >= 2)
    )
    if cv_marks >= 3 and not hiring and "responsibilities" not in sections:
        return True
    if offer["roles"]:
        return False
    evidence = (
        duties
        + asks
        + hiring
        + bool(offer["salary"])
        + bool(offer["contract"])
        + ("benefits" in sections)
    )
    title = fold(offer["title"] or "")
    job_title = bool(_ROLE_RE.search(title)) and not _NOT_A_TITLE.match(title)
    return evidence == 0 or (evidence < 2 and not job_title)


def is_job_offer(offer: dict[str, Any]) -> bool:
    """A title, and responsibilities or skills or at least a company or city to anchor it;
    or a posting for several roles."""
    if offer.get("title") and len(offer.get("roles") or []) >= 2:
        return True
    skills = offer.get("skills") or {}
    has_skill = bool(skills.get("soft_skills")) or any(
        (skills.get(category) or {}).get(kind)
        for category in ("hard_skills", "tools", "methodologies")
        for kind in ("required", "nice_to_have")
    )
    anchored = bool(offer.get("company") or (offer.get("location") or {}).get("city"))
    return bool(offer.get("title")) and (
        bool(offer.get("responsibilities")) or has_skill or anchored
    )


def detect_language(text: str) -> str:
    counts = dict.fromkeys(LANGUAGE_STOPWORDS, 0)
    for word in re.findall(r"[^\W\d_]+", fold(text)):
        for language, words in LANGUAGE_STOPWORDS.items():
            if word in words:
                counts[language] += 1
    # Ties go to the first language listed, English.
    return max(counts, key=lambda language: counts[language])


def _clean(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ")
    text = text.replace("\u202f", " ").replace("**", "").replace("__", "")
    return re.sub(r"[ \t]+", " ", text)


def _heading(line: str) -> tuple[str | None, str]:
    """(section kind, text after the colon) when `line` is a known section heading."""
    stripped = line.strip().lstrip("#>*_ ").rstrip("*_ ")
    m = _HEADING_COLON.match(stripped)
    if m:
        candidate, rest = m.group("head"), m.group("rest").strip()
    elif len(stripped) <= 60 and not stripped.endswith((".", ",", ";")):
        candidate, rest = stripped, ""
    else:
        return None, ""
    key = fold(candidate).strip(" -–—*_#").rstrip(" ?!")
    for kind, keys in SECTION_HEADINGS.items():
        if key in keys:
            return kind, rest
    for kind, keys in SECTION_HEADINGS.items():
        if kind in EXACT_ONLY_KINDS:
            continue
        for known in keys:
            if (
                known not in EXACT_ONLY_KEYS
                and key.startswith(known + " ")
                and len(key.split()) <= len(known.split()) + 3
            ):
                return kind, rest
    return None, ""


def _blocks(text: str) -> list[_Block]:
    blocks: list[_Block] = []
    section, current, previous_line = "intro", None, ""
    for raw in text.split("\n"):
        line = raw.strip()
        if not line:
            current, previous_line = None, ""
            continue
        bullet = _BULLET_RE.match(line)
        kind, rest = (None, "") if bullet else _heading(line)
        if kind is not None:
            section = kind
            blocks.append(_Block("section", line, section))
            current = _Block("para", rest, section) if rest else None
            if current is not None:
                blocks.append(current)
        elif bullet:
            current = _Block("bullet", line[bullet.end() :].strip(), section)
            blocks.append(current)
        elif current is not None and (
            line[0].islower()
            or raw[:1].isspace()
            or (current.kind == "para" and not previous_line.endswith((".", "!", "?", ":")))
        ):
            # A wrapped line continues its paragraph or bullet.
            current.text += " " + line
        elif not previous_line and len(line) <= 80 and not line.endswith((".", ",", ";", ":")):
            blocks.append(_Block("heading", line, section))
            current = None
        else:
            current = _Block("para", line, section)
            blocks.append(current)
        previous_line = line
    return blocks


def _clauses(text: str) -> Iterator[tuple[int, int]]:
    start = 0
    for m in _CLAUSE_END.finditer(text):
        if m.start() > start:
            yield start, m.start()
        start = m.end()
    if start < len(text):
        yield start, len(text)


def _content(blocks: list[_Block], *, skip: frozenset[str] = NO_SKILL_SECTIONS) -> list[_Block]:
    return [b for b in blocks if b.kind != "section" and b.section not in skip and b.text]


def _requirements_first(blocks: list[_Block]) -> list[_Block]:
    """Content blocks, those of requirement sections first: "we have 10 years of experience"
    in the company's introduction is not what the offer asks."""
    content = _content(blocks)
    return sorted(content, key=lambda b: b.section not in ("requirements", "nice"))


def _is_nice(block: _Block, clause: str) -> bool:
    return block.section == "nice" or bool(_NICE_RE.search(fold(clause)))


def _names_a_team(folded: str, start: int, end: int) -> bool:
    """ "data science, and go-to-market teams" names departments, not skills."""
    if _TEAM_BEFORE.search(folded[max(0, start - 20) : start]):
        return True
    after = re.split(r"[.;:()\n]", folded[end : end + 80], maxsplit=1)[0]
    m = _TEAM_WORD.search(after)
    if m is None:
        return False
    between = after[: m.start()]
    # The skill must head a list that ends in "teams": "esprit d'equipe" or "avec l'equipe"
    # after a skill are other words, not a department name.
    if between.strip() and not _LIST_START.match(between):
        return False
    if _TEAM_NOT_NAMED.search(between):
        return False
    pieces = re.split(r",|&|\b(?:and|or|et|und|y)\b", between)
    return all(len(piece.split()) <= 3 for piece in pieces)


def _skills(blocks: list[_Block]) -> dict[str, Any]:
    found: dict[tuple[str, bool], dict[str, None]] = {}
    soft: dict[str, None] = {}
    content = _content(blocks)
    for block, matches in zip(content, find_skills_in([b.text for b in content]), strict=True):
        if not matches:
            continue
        folded = fold(block.text)
        spans = [(s, e, _is_nice(block, block.text[s:e])) for s, e in _clauses(block.text)]
        perks = [(m.start(), m.end()) for m in _PERK_RE.finditer(folded)]
        for match in matches:
            if _names_a_team(folded, match.start, match.end):
                continue
            if any(s < match.end and match.start < e for s, e in perks):
                continue
            if match.category == "soft_skills":
                soft[match.name] = None
                continue
            nice = next((n for s, e, n in spans if s <= match.start < e), block.section == "nice")
            found.setdefault((match.category, nice), {})[match.name] = None
    result: dict[str, Any] = {}
    for category in ("hard_skills", "tools", "methodologies"):
        required = list(found.get((category, False), {}))
        nice_to_have = [n for n in found.get((category, True), {}) if n not in required]
        result[category] = {"required": required, "nice_to_have": nice_to_have}
    result["soft_skills"] = list(soft)
    return result


def _strip_title(title: str) -> str:
    """The title as the posting states it, its gender marker ("H/F", "(m/w/d)") kept; a head
    count ("(x3)") and a leading bullet symbol ("▶", "🔸") dropped."""
    title = title.strip().lstrip("#>*_ ").rstrip("*_ ")
    title = _LEADING_SYMBOLS.sub("", title)
    title = _HEAD_COUNT.sub("", title)
    return re.sub(r"\s+", " ", title).strip(" -–—:|,")


def _title_segments(title: str) -> list[str]:
    return [s for s in _SEGMENT_SPLIT.split(title) if s.strip()]


def _tidy_title(title: str, company: str | None = None) -> str:
    """The posting's heading without what it adds about the job: its trailing contract, place,
    pay or employer ("Comptable H/F – CDI – Nantes"), a leading employer ("Acme - Engineer")."""
    title = _strip_title(title)
    segments = _title_segments(title)
    if len(segments) < 2:
        return title
    separators = _SEGMENT_SPLIT.findall(title)
    keep = len(segments)
    while keep > 1 and _is_title_extra(segments[keep - 1], company):
        keep -= 1
    start = 0
    rest_names_a_job = keep > 1 and bool(_ROLE_RE.search(fold(" ".join(segments[1:keep]))))
    if rest_names_a_job and (
        (company and fold(segments[0]).strip() == fold(company))
        or _is_office_prefix(segments[0], separators[0])
    ):
        start = 1
    parts = [segments[start]]
    for i in range(start + 1, keep):
        parts += [separators[i - 1], segments[i]]
    return "".join(parts).strip(" -–—:|,")


def _is_office_prefix(segment: str, separator: str) -> bool:
    """ "Cloud.gov - Engineer", "Data Platform – Analyst": a leading office, product or team
    that names no job, set off by a dash, before the job itself."""
    folded = fold(segment).strip()
    return (
        separator.strip() in ("-", "–", "—")
        and len(folded.split()) <= MAX_PREFIX_WORDS
        and not _ROLE_RE.search(folded)
        and not _CONTRACT_WORD.search(folded)
        and not any(level.search(folded) for _, level in _TITLE_LEVELS)
    )


def _is_title_extra(segment: str, company: str | None) -> bool:
    folded = fold(segment).strip()
    return bool(
        (_CONTRACT_WORD.match(folded) and len(folded.split()) <= MAX_EXTRA_WORDS)
        or _is_place_like(segment)
        or _PAY_RE.search(folded)
        or (company and folded == fold(company))
        or _names_employer(folded)
    )


def _names_employer(folded: str) -> bool:
    """ "Acme GmbH, Kassel", "Hôtel 4*": a legal form, or the kind of an organisation where no
    job is named."""
    return bool(_LEGAL_FORM.search(folded)) or bool(
        _ORG_WORD.search(folded) and not _ROLE_RE.search(folded)
    )


def _title(blocks: list[_Block], header: list[str]) -> str | None:
    heading = _header_title(header)
    if heading is not None and _ROLE_RE.search(fold(heading[1])):
        return _tidy_title(heading[1])
    labelled = next((b.text for b in blocks if b.section == "title" and b.kind == "para"), "")
    if labelled:
        return _tidy_title(labelled)
    from_intro = ""
    for block in blocks[:12]:
        if block.kind in ("para", "bullet", "heading"):
            m = _TITLE_INTRO.search(fold(block.text))
            if m and len(m.group("t").split()) <= 8:
                from_intro = _strip_title(block.text[m.start("t") : m.end("t")])
                break
    first = _tidy_title(heading[1]) if heading is not None else ""
    for candidate in (from_intro, first):
        if candidate and _ROLE_RE.search(fold(candidate)):
            return candidate
    return from_intro or first or None


def _is_debris(line: str) -> bool:
    """Navigation, breadcrumbs, cookie banners, buttons and rules pasted with a posting."""
    folded = fold(line)
    if _RULE_LINE.match(line) or _DEBRIS_WORDS.search(folded) or _CRUMB.search(line):
        return True
    if len(_NAV_GAP.findall(line)) >= 3:
        return True
    items = [item for item in line.split("|") if item.strip()]
    return (
        len(items) >= 3
        and all(len(item.split()) <= 4 for item in items)
        and not _ROLE_RE.search(folded)
    )


def _header(raw: str) -> list[str]:
    """The first lines of the posting without the page's debris, up to its first section."""
    lines: list[str] = []
    for line in raw.replace("\r", "\n").replace("\u00a0", " ").split("\n")[:MAX_HEADER_SCAN]:
        if not line.strip() or _is_debris(line):
            continue
        line = re.sub(r"\s+", " ", line.replace("**", "").replace("__", "")).strip(" #>")
        if _heading(line)[0] is not None:
            break
        lines.append(line)
        if len(lines) == MAX_HEADER_LINES:
            break
    return lines


def _header_title(header: list[str]) -> tuple[int, str] | None:
    """(index, line) of the posting's heading: its first line that reads as a job title, or
    its first line when none does; None when the posting starts with a sentence."""
    first: tuple[int, str] | None = None
    for i, line in enumerate(header[:3]):
        bare = _SHOUT.sub("", line)  # "Wir wachsen! Mehrere Stellen zu besetzen"
        if (
            len(line) > MAX_TITLE_CHARS
            or len(bare.split()) > MAX_TITLE_WORDS
            or bare.endswith((".", ":", "!"))
            or _SENTENCE_INSIDE.search(bare)
            or _TITLE_INTRO.search(fold(bare))
            or _heading(line)[0] is not None
        ):
            break
        if first is None:
            first = (i, line)
            if _multi_headline(line):
                return first
        if _ROLE_RE.search(fold(line)):
            return i, line
    return first


_PLACES = frozenset(fold(city) for city in CITIES) | frozenset(COUNTRIES)


def _is_place(name: str) -> bool:
    """ "Leeds", "Paris, France", "Remote (Europe)": where the job is, never who hires."""
    folded = fold(name).strip()
    if folded in _PLACES or re.fullmatch(r"(?:remote|hybrid|on[\s-]?site)\b.*", folded):
        return True
    parts = [p.strip(" ()") for p in re.split(r"[,/·|()-]", folded) if p.strip(" ()")]
    return bool(parts) and all(p in _PLACES or p in ("remote", "uk", "usa", "eu") for p in parts)


def _is_place_like(segment: str) -> bool:
    """ "Nantes (44)", "Edinburgh EH1", "Berlin or Remote (EU)", "49 - ANGERS": a segment that
    starts with a known place once postcodes and asides are set apart."""
    folded = re.sub(r"\([^)]*\)|\S*\d\S*", " ", fold(segment))
    first = re.split(r"[,/&]|\b(?:or|ou|oder|o|and|et|und|y)\b", folded, maxsplit=1)[0].strip()
    return bool(first) and (first in _PLACES or bool(_REMOTE_WORD.match(first)))


def _clean_company(raw: str, *, keep_article: bool = False) -> str | None:
    """The employer's name in `raw`, None when it is no name. An article the name starts with
    is kept when asked ("The Anchor & Vine" on its own line), else dropped ("join the Acme
    team")."""
    raw = _ASIDE.sub("", raw.replace("’", "'"))
    words = raw.split()
    article = words[0] if keep_article and words and fold(words[0]) in _ARTICLES else ""
    if article and words[0][:1].isupper():
        words = words[1:]
    else:
        article = ""
    while words and fold(words[0]) in _NOT_COMPANY:
        words.pop(0)
    while words and fold(words[-1]) in ({"de", "du", "des", "of", "and", "y", "&"} | _NOT_COMPANY):
        words.pop()
    name = " ".join(words).strip(" ,'-")
    # "DeporMax Retail S.A." keeps the dot of its legal form, "Acme." loses the full stop.
    if name.endswith(".") and "." not in name.rsplit(" ", 1)[-1][:-1]:
        name = name.rstrip(".")
    if not name or len(name) < 2 or name.isdigit() or _is_place(name):
        return None
    folded = fold(name)
    # "GS-15 Step 1 - $109,366", "£30k per annum": a pay line, never who hires.
    if _PAY_RE.search(folded) or _PAY_GRADE.search(folded):
        return None
    # "Restaurante", "Hotel": the kind of employer, not its name.
    if _ORG_WORD.fullmatch(folded):
        return None
    # "About the role", "join our team": a word of the posting, not who hires.
    if _NOT_NAME_WORD.search(folded) and not _ORG_WORD.search(folded):
        return None
    # "at Google Cloud" names a tool; "join Kubernetes" is not an employer either.
    if canonical_skill(name):
        return None
    return f"{article} {name}" if article else name


def _line_company(line: str) -> str | None:
    """The employer a header line names: "Acme GmbH – Berlin", "Castle Vale Academy, Bristol",
    "Recruiter: Haven Staffing (on behalf of client)"."""
    folded = fold(line)
    if (m := _COMPANY_LABEL.match(folded)) is not None:
        return _clean_company(line[m.end() :])
    if len(line) > MAX_TITLE_CHARS or _is_sentence(line):
        return None
    segments = _title_segments(line)
    first = _ASIDE.sub("", segments[0]).strip()
    rest = segments[1:]
    head, comma, tail = first.partition(", ")
    if comma and len(tail.split()) <= 3:
        first, rest = head, [tail, *rest]
    name = _clean_company(first, keep_article=True)
    if name is None or not name[:1].isupper():
        return None
    folded = fold(name)
    org = bool(_ORG_WORD.search(folded))
    if len(name.split()) > (MAX_ORG_WORDS if org else MAX_NAME_WORDS):
        return None
    if (
        _PAY_RE.search(folded)
        or _CONTRACT_WORD.search(folded)
        or (re.search(r"\d", name) and not org)
    ):
        return None
    placed = any(_is_place_like(s) or _CONTRACT_WORD.search(fold(s)) for s in rest)
    if _ROLE_RE.search(folded) and not org and not placed:
        return None
    return name


def _is_sentence(line: str) -> bool:
    """ "We design engines." ends a sentence; "DeporMax Retail S.A." ends a legal form."""
    if line.endswith(("!", "?")):
        return True
    return line.endswith(".") and "." not in line.rsplit(" ", 1)[-1][:-1]


def _header_employer(header: list[str]) -> str | None:
    """The employer the header names: the line under the heading, the line above it, or a
    segment of the heading itself ("Hiring – Acme GmbH, Bremen")."""
    heading = _header_title(header)
    if heading is None:
        return None
    i, line = heading
    for other in header[i + 1 : i + 3]:
        if name := _line_company(other):
            return name
        if not _COMPANY_LABEL.match(fold(other)):
            break
    if i > 0 and (name := _line_company(header[i - 1])) and _ORG_WORD.search(fold(name)):
        return name
    # "Plusieurs postes à pourvoir – Brasserie Le Comptoir (Dijon)": the heading names it.
    for above in header[: i + 1]:
        for segment in _title_segments(above)[1:]:
            if _names_employer(fold(segment)) and (name := _line_company(segment)):
                return name
    return None


def _company(text: str, blocks: list[_Block], title: str | None, header: list[str]) -> str | None:
    name = _find_company(text, blocks, title, header)
    return _expand_acronym(name, text) if name else None


def _find_company(
    text: str, blocks: list[_Block], title: str | None, header: list[str]
) -> str | None:
    labelled = next((b.text for b in blocks if b.section == "company" and b.kind == "para"), "")
    if labelled and (name := _clean_company(labelled)):
        return name
    if name := _header_employer(header):
        return name
    for block in blocks:
        if block.kind in ("section", "heading") and (m := _ABOUT_COMPANY.match(fold(block.text))):
            raw = block.text.strip().rstrip(":")[m.start("c") : m.end("c")]
            if fold(raw) not in ("us", "nous", "uns", "nosotros") and (name := _clean_company(raw)):
                return name
    for pattern in _COMPANY_PATTERNS:
        for block in _content(blocks, skip=frozenset()):
            for m in pattern.finditer(block.text):
                name = _clean_company(m.group("c"))
                if name and (not title or not _names_only(name, title)):
                    return name
    for block in blocks:
        if block.section == "about" and block.kind == "para":
            m = _ABOUT_SUBJECT.match(block.text)
            if m and (name := _clean_company(m.group("c"))):
                return name
            break
    return _header_company(text, title) or _heading_office(header)


def _heading_office(header: list[str]) -> str | None:
    """ "Login.gov - Account Manager": the office the heading puts before the job."""
    heading = _header_title(header)
    if heading is None:
        return None
    line = _strip_title(heading[1])
    segments, separators = _title_segments(line), _SEGMENT_SPLIT.findall(line)
    if (
        len(segments) < 2
        or not _is_office_prefix(segments[0], separators[0])
        or not _ROLE_RE.search(fold(" ".join(segments[1:])))
    ):
        return None
    return _clean_company(segments[0], keep_article=True)


def _names_only(name: str, title: str) -> bool:
    """ "Python" found in "Python Developer" is the job, not who hires; "Acme - Engineer" starts
    with its employer."""
    folded_name, folded_title = fold(name), fold(title)
    if folded_name not in folded_title:
        return False
    segments = _title_segments(title)
    return not (len(segments) > 1 and fold(segments[0]).strip() == folded_name)


def _expand_acronym(name: str, text: str) -> str:
    """ "TTS" when the posting also spells it out: "Technology Transformation Services"."""
    if not (2 <= len(name) <= 6 and name.isupper() and name.isalpha()):
        return name
    words = r"\s+".join(rf"{letter}[a-z]+" for letter in name)
    m = re.search(rf"\b{words}\b", text)
    return m.group(0) if m else name


def _header_company(text: str, title: str | None) -> str | None:
    """A short line under the title naming an organisation ("St Aidan's Community Hospital"),
    or a name the body repeats ("Brightloop" then "Brightloop is ...")."""
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    header = []
    for line in lines[:8]:
        if len(line) > 80 or _heading(line)[0] is not None:
            break
        header.append(line)
    body = "\n".join(lines[len(header) :])
    for line in header:
        text = line.strip(" #*_")
        if (
            len(text.split()) > 6
            or re.search(r"\d|[$€£]", text)
            or (title and fold(text) == fold(title))
            or not text[:1].isupper()
            or _ROLE_RE.search(fold(text))
        ):
            continue
        name = _clean_company(text)
        if name and (_ORG_WORD.search(fold(name)) or re.search(rf"\b{re.escape(name)}\b", body)):
            return name
    return None


def _contract(blocks: list[_Block], language: str) -> str | None:
    folded = fold(" ".join(b.text for b in blocks))
    for pattern, contract, languages in CONTRACT_PATTERNS:
        if language in languages and re.search(pattern, folded):
            return contract
    return None


def _number(raw: str) -> int | None:
    raw = raw.strip().lower()
    if raw in NUMBER_WORDS:
        return NUMBER_WORDS[raw]
    return int(raw) if raw.isdigit() else None


def _experience(blocks: list[_Block], title: str | None) -> dict[str, Any]:
    min_years = max_years = None
    for block in _requirements_first(blocks):
        for start, end in _clauses(block.text):
            clause = fold(block.text[start:end])
            if not _EXPERIENCE_CONTEXT.search(clause):
                continue
            for kind, pattern in _EXPERIENCE_PATTERNS:
                if m := pattern.search(clause):
                    min_years = _number(m.group(1))
                    max_years = _number(m.group(2)) if kind == "range" else None
                    break
            if min_years is not None:
                break
        if min_years is not None:
            break
    return {
        "min_years": min_years,
        "max_years": max_years,
        "level": _level(blocks, title, min_years),
    }


def _level(blocks: list[_Block], title: str | None, min_years: int | None) -> str | None:
    body = fold(" ".join(b.text for b in _content(blocks)))
    for text, rules in ((fold(title or ""), _TITLE_LEVELS), (body, _BODY_LEVELS)):
        for level, pattern in rules:
            if pattern.search(text):
                return level
    if min_years is None:
        return None
    return next((level for limit, level in YEARS_FOR_LEVEL if min_years < limit), "senior")


def _location(blocks: list[_Block]) -> dict[str, Any]:
    labelled = [b for b in blocks if b.section == "location" and b.kind != "section"]
    others = [b for b in blocks if b.section != "about" and b not in labelled]
    city = country = None
    for block in labelled + others:
        if m := _CITY_RE.search(block.text):
            city, country = m.group(1), CITIES[m.group(1)]
            break
    folded = fold(" ".join(b.text for b in blocks))
    if country is None and (m := _COUNTRY_RE.search(folded)):
        country = COUNTRIES[m.group(1)]
    remote = next((kind for kind, pattern in _REMOTE_RULES if pattern.search(folded)), None)
    return {"city": city, "country": country, "remote": remote}


def _amount(raw: str, thousands: bool) -> float:
    compact = re.sub(r"[  ’']", "", raw)
    if re.fullmatch(r"\d{1,3}(?:[.,]\d{3})+", compact):
        value = float(re.sub(r"[.,]", "", compact))
    else:
        value = float(compact.replace(",", "."))
    return value * 1000 if thousands else value


def _salary(blocks: list[_Block]) -> dict[str, Any] | None:
    for block in blocks:
        folded = fold(block.text)
        for m in _SALARY_RE.finditer(folded):
            currency = next((m.group(g) for g in ("c1", "d1", "c2", "d2") if m.group(g)), None)
            window = folded[max(0, m.start() - 60) : m.end() + 60]
            thousands = bool(m.group("k1") or m.group("k2"))
            if currency is None and not (_SALARY_WORDS.search(window) and thousands):
                continue
            # "45-55k€": the k written once applies to both ends of the range.
            first = _amount(m.group("a1"), bool(m.group("k1") or (m.group("a2") and m.group("k2"))))
            second = _amount(m.group("a2"), bool(m.group("k2"))) if m.group("a2") else None
            if first < 5 or (second is not None and second < first):
                continue
            low: float | None = first
            high: float | None = second if second is not None else first
            if second is None and _UP_TO.search(folded[max(0, m.start() - 20) : m.start()]):
                low = None
            elif second is None and _FROM.search(folded[max(0, m.start() - 20) : m.start()]):
                high = None
            after = (
                folded[m.end() : m.end() + 50] + " " + folded[max(0, m.start() - 40) : m.start()]
            )
            period = next((p for p, pattern in _PERIODS if pattern.search(after)), None)
            if period is None:
                top = high or low or 0
                period = "year" if top >= 10_000 else "month" if top >= 1_000 else "day"
            return {
                "min": None if low is None else round(low),
                "max": None if high is None else round(high),
                "currency": _CURRENCIES.get(currency.strip()) if currency else None,
                "period": period,
            }
    return None


def _education(blocks: list[_Block]) -> dict[str, Any]:
    best: tuple[bool, str, str | None] | None = None
    for block in _requirements_first(blocks):
        for start, end in _clauses(block.text):
            clause = block.text[start:end]
            level = degree_level(clause)
            if level is None:
                continue
            nice = _is_nice(block, clause)
            if best is None or (best[0] and not nice):
                best = (nice, level, _degree_field(clause))
            if not nice:
                break
        if best is not None and not best[0]:
            break
    if best is None:
        return {"level": None, "field": None}
    return {"level": best[1], "field": best[2]}


def _degree_field(clause: str) -> str | None:
    m = _DEGREE_FIELD.search(fold(clause))
    if m is None:
        return None
    field = clause[m.start("f") : m.end("f")]
    # "d'un BTS ou d'un DUT en comptabilite": the field belongs to the last degree named.
    if (inner := _degree_field(field)) is not None:
        return inner
    end = _FIELD_END.search(fold(field))
    field = (field[: end.start()] if end else field).strip(" -–:")
    return field or None


def _languages(blocks: list[_Block]) -> list[dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for block in _content(blocks):
        for start, end in _clauses(block.text):
            clause = block.text[start:end]
            names = find_languages(clause)
            if not names:
                continue
            levels = find_language_levels(clause)
            cue = block.section in ("requirements", "nice") or _LANGUAGE_CUE.search(fold(clause))
            requirement = "nice_to_have" if _is_nice(block, clause) else "required"
            for language, s, e in names:
                mine = [
                    level
                    for level in levels
                    if min(names, key=lambda n: _distance(n[1], n[2], level[2], level[3]))[0]
                    == language
                    and _distance(s, e, level[2], level[3]) <= 40
                ]
                # A CEFR code is the most precise level; otherwise the nearest level word.
                mine.sort(
                    key=lambda level: (
                        level[0][:1] not in "ABC" or len(level[0]) != 2,
                        _distance(s, e, level[2], level[3]),
                    )
                )
                if (not mine and not cue) or language in found:
                    continue
                found[language] = {
                    "language": language,
                    "level": mine[0][0] if mine else None,
                    "requirement": requirement,
                }
    return list(found.values())


def _distance(start: int, end: int, other_start: int, other_end: int) -> int:
    return max(other_start - end, start - other_end, 0)


def _items(text: str) -> list[str]:
    return [text[s:e].strip(" -–—•*.;:,") for s, e in _clauses(text) if len(text[s:e].strip()) > 3]


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def _responsibilities(blocks: list[_Block]) -> list[str]:
    items: dict[str, None] = {}
    skip = frozenset({"requirements", "nice"}) | NO_SKILL_SECTIONS
    for block in _content(blocks, skip=frozenset()):
        if block.section == "responsibilities":
            candidates = [block.text.strip(" .;")] if block.kind == "bullet" else _items(block.text)
            for item in candidates:
                items[_capitalised(item)] = None
        elif block.section not in skip:
            for start, end in _clauses(block.text):
                m = _YOU_WILL.search(fold(block.text[start:end]))
                if m is None:
                    continue
                rest = _FILLERS.sub("", block.text[start + m.start("rest") : end].strip(" .;"))
                if rest and not _NEGATION.match(rest):
                    items[_capitalised(rest)] = None
    return list(items)[:MAX_ITEMS]


def _benefits(blocks: list[_Block]) -> list[str]:
    items: dict[str, None] = {}
    for block in blocks:
        if block.section != "benefits" or block.kind == "section" or not block.text:
            continue
        for item in [block.text.strip(" .;")] if block.kind == "bullet" else _items(block.text):
            parts = [part.strip() for part in re.split(r",(?!\d)", item)]
            # "30 Tage Urlaub, Homeoffice, Weiterbildungsbudget" is a list, not one benefit.
            if len(parts) >= 3 and all(len(part.split()) <= 5 for part in parts):
                for part in parts:
                    if part:
                        items[_capitalised(re.sub(r"^(?:and|et|und|y)\s+", "", part))] = None
            else:
                items[_capitalised(item)] = None
    return list(items)[:MAX_ITEMS]
