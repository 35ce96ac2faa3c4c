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
    r"(?:(?:new|talented|motivated|experienced|passionate|skilled|motive\(?e?\)?|"
    r"passionne\(?e?\)?|engagierte[nr]?|motivierte[nr]?|motivad[oa](?:/a)?)\s+)*"
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
    r"disenador|contable|asistente|becari|programador"
)
_CAP_WORD = r"[A-ZÀ-ÖØ-Þ0-9][\w&'’.\-]*"
# A name starts at the start of a word and has eight words at most: unbounded, a long run of
# capitalised words or digits (a pasted table) made every start scan to the end of the text,
# quadratic time that held a worker for minutes.
_CAP_NAME = rf"(?<![\w&'’.\-]){_CAP_WORD}(?:\s+(?:{_CAP_WORD}|&|de|du|des|of|and|y)){{0,7}}"
# "X is a ... company": the noun keeps "Python is a plus" from naming an employer.
_COMPANY_NOUN = (
    r"(?:[\w-]+\s+){0,3}?\w*(?:company|agency|startup|start-up|scale-up|scaleup|firm|leader|"
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


@dataclass(slots=True)
class _Block:
    kind: str  # "section" (a known heading), "heading" (a short title-like line), "para", "bullet"
    text: str
    section: str


def extract_job_offer(text: str) -> dict[str, Any]:
    """The job offer document (shared contract) for a job posting given as plain text."""
    text = _clean(text)
    blocks = _blocks(text)
    title = _title(blocks)
    skills = _skills(blocks)
    language = detect_language(text)
    return {
        "title": title,
        "company": _company(blocks, title),
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
    }


def is_job_offer(offer: dict[str, Any]) -> bool:
    """A title, and responsibilities or skills or at least a company or city to anchor it."""
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
        for match in matches:
            if _names_a_team(folded, match.start, match.end):
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
    title = _GENDER_RE.sub("", title.strip().lstrip("#>*_ ").rstrip("*_ "))
    return re.sub(r"\s+", " ", title).strip(" -–—:|,")


def _title(blocks: list[_Block]) -> str | None:
    labelled = next((b.text for b in blocks if b.section == "title" and b.kind != "section"), "")
    if labelled:
        return _strip_title(labelled)
    from_intro = ""
    for block in blocks[:12]:
        if block.kind in ("para", "bullet", "heading"):
            m = _TITLE_INTRO.search(fold(block.text))
            if m and len(m.group("t").split()) <= 8:
                from_intro = _strip_title(block.text[m.start("t") : m.end("t")])
                break
    heading = next(
        (_strip_title(b.text) for b in blocks[:4] if b.kind == "heading" and b.section == "intro"),
        "",
    )
    for candidate in (from_intro, heading):
        if candidate and _ROLE_RE.search(fold(candidate)):
            return candidate
    return from_intro or heading or None


def _clean_company(raw: str) -> str | None:
    words = raw.replace("’", "'").split()
    while words and fold(words[0]) in _NOT_COMPANY:
        words.pop(0)
    while words and fold(words[-1]) in ({"de", "du", "des", "of", "and", "y", "&"} | _NOT_COMPANY):
        words.pop()
    name = " ".join(words).strip(" .,'-")
    if not name or len(name) < 2 or name.isdigit() or name in CITIES:
        return None
    # "at Google Cloud" names a tool; "join Kubernetes" is not an employer either.
    return None if canonical_skill(name) else name


def _company(blocks: list[_Block], title: str | None) -> str | None:
    labelled = next((b.text for b in blocks if b.section == "company" and b.kind == "para"), "")
    if labelled and (name := _clean_company(labelled)):
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
                if name and (not title or fold(name) not in fold(title)):
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
