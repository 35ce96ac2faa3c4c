"""Cover letters without a language model, and the guard that checks a model's letter.

A letter is written from fixed phrases in the CV's language and from the CV's own words only:
the role and the company come from the offer as it names them; the jobs, titles, employers,
lines of work, skills and schools come from the CV, copied as the CV says them. So it cannot
state a fact the CV lacks. When the CV and the offer share too little for a sound letter
(`letter_plan` finds fewer than MIN_POINTS points of contact, or no job to cite), no letter is
written: `NotEnoughInCommon` says how much was found.

`invented_in_letter` is the guard applied to a letter a model wrote: numbers, URLs, e-mail
addresses, employers, schools, degrees and job titles it names must be the CV's or the offer's.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ai.offline.facts import (
    ROLE_SYNONYMS,
    SENIORITY_WORDS,
    TITLE_STOPWORDS,
    as_dict,
    as_list,
    as_text,
    is_current,
    skill_item_name,
    title_coverage,
    today_utc,
)
from ai.offline.score import score_match
from ai.offline.tailor import (
    MIN_JOB_RELEVANCE,
    _derived_years,
    _offer_profile,
    _relevance,
    _strings,
    offer_headline,
    unknown_literals,
)
from ai.offline.vocabulary import canonical_skill, fold, is_generic_skill, occupations

LANGUAGES = ("en", "fr", "de", "es")
# Matched skills plus relevant lines of work below which a letter would be padding.
MIN_POINTS = 3
MIN_POINTS_OFF_TARGET = 5
# A match score this low means another occupation: a letter would argue a fit that is not there.
MIN_SCORE = 35
MAX_LINES_FIRST_JOB = 3
MAX_LINES_OTHER_JOB = 2
MAX_SKILLS_NAMED = 5
MAX_LINE_CHARS = 180
ON_TARGET_COVERAGE = 0.5  # share of the offer title's words a job title has to be on target
SKILL_KINDS = ("hard_skill", "tool", "methodology", "soft_skill")

# The fixed words of a letter, by CV language. {role} and {company} are the offer's words;
# every other placeholder is filled with the CV's own words.
PHRASES: dict[str, dict[str, str]] = {
    "en": {
        "subject": "Application for the position of {role}",
        "greeting": "Dear Hiring Manager,",
        "open_company": "I am writing to apply for the {role} position at {company}.",
        "open_plain": "I am writing to apply for the {role} position you advertised.",
        "open_title": "As a {title}, I would like to bring my experience to your team.",
        "job_since": "In my role as {title} at {company} since {year}, my work covers what "
        "you are looking for: {lines}.",
        "job_current": "In my current role as {title} at {company}, my work covers what you "
        "are looking for: {lines}.",
        "job_past": "As {title} at {company}{period}, my work covered what you are looking "
        "for: {lines}.",
        "job_title_only": "My experience as {title} at {company}{period} is close to this role.",
        "job_skills": "There I used {skills}, which your offer asks for.",
        "other_job": "Before that, as {title} at {company}{period}, I was also in charge of: "
        "{lines}.",
        "other_title": "I also worked as {title} at {company}{period}.",
        "skills": "My CV also shows {skills}, which match your requirements.",
        "education": "My education: {degree}, {school}.",
        "close_company": "I would welcome the opportunity to discuss how my experience could "
        "support {company}. Thank you for your time and consideration.",
        "close_plain": "I would welcome the opportunity to discuss how my experience could "
        "support your team. Thank you for your time and consideration.",
        "sign_off": "Kind regards,",
        "and": "and",
    },
    "fr": {
        "subject": "Candidature au poste de {role}",
        "greeting": "Madame, Monsieur,",
        "open_company": "Je vous adresse ma candidature au poste de {role} chez {company}.",
        "open_plain": "Je vous adresse ma candidature au poste de {role} que vous proposez.",
        "open_title": "Mon parcours de {title} correspond à ce que vous recherchez.",
        "job_since": "Dans mon poste de {title} chez {company} depuis {year}, mon travail "
        "recouvre ce que vous recherchez : {lines}.",
        "job_current": "Dans mon poste actuel de {title} chez {company}, mon travail recouvre "
        "ce que vous recherchez : {lines}.",
        "job_past": "En tant que {title} chez {company}{period}, mon travail recouvrait ce que "
        "vous recherchez : {lines}.",
        "job_title_only": "Mon expérience de {title} chez {company}{period} est proche de ce "
        "poste.",
        "job_skills": "J'y ai mis en œuvre {skills}, que votre offre demande.",
        "other_job": "Auparavant, en tant que {title} chez {company}{period}, j'ai également "
        "assuré : {lines}.",
        "other_title": "J'ai aussi travaillé comme {title} chez {company}{period}.",
        "skills": "Mon CV fait aussi état de {skills}, en phase avec vos attentes.",
        "education": "Ma formation : {degree}, {school}.",
        "close_company": "Je me tiens à votre disposition pour un entretien afin de vous "
        "présenter ce que mon expérience peut apporter à {company}. Je vous remercie de "
        "l'attention portée à ma candidature.",
        "close_plain": "Je me tiens à votre disposition pour un entretien afin de vous "
        "présenter ce que mon expérience peut apporter à votre équipe. Je vous remercie de "
        "l'attention portée à ma candidature.",
        "sign_off": "Je vous prie d'agréer, Madame, Monsieur, mes salutations distinguées.",
        "and": "et",
    },
    "de": {
        "subject": "Bewerbung als {role}",
        "greeting": "Sehr geehrte Damen und Herren,",
        "open_company": "hiermit bewerbe ich mich um die Stelle als {role} bei {company}.",
        "open_plain": "hiermit bewerbe ich mich um die ausgeschriebene Stelle als {role}.",
        "open_title": "Als {title} möchte ich meine Erfahrung in Ihr Team einbringen.",
        "job_since": "In meiner Position als {title} bei {company} seit {year} umfasst meine "
        "Arbeit, was Sie suchen: {lines}.",
        "job_current": "In meiner aktuellen Position als {title} bei {company} umfasst meine "
        "Arbeit, was Sie suchen: {lines}.",
        "job_past": "Als {title} bei {company}{period} umfasste meine Arbeit, was Sie suchen: "
        "{lines}.",
        "job_title_only": "Meine Erfahrung als {title} bei {company}{period} liegt nah an "
        "dieser Stelle.",
        "job_skills": "Dabei setzte ich {skills} ein, wie es Ihre Anzeige verlangt.",
        "other_job": "Zuvor war ich als {title} bei {company}{period} außerdem zuständig für: "
        "{lines}.",
        "other_title": "Außerdem war ich als {title} bei {company}{period} tätig.",
        "skills": "Mein Lebenslauf zeigt außerdem {skills}, passend zu Ihren Anforderungen.",
        "education": "Meine Ausbildung: {degree}, {school}.",
        "close_company": "Gerne erläutere ich Ihnen in einem persönlichen Gespräch, was ich "
        "zu {company} beitragen kann. Vielen Dank für Ihre Zeit.",
        "close_plain": "Gerne erläutere ich Ihnen in einem persönlichen Gespräch, was ich zu "
        "Ihrem Team beitragen kann. Vielen Dank für Ihre Zeit.",
        "sign_off": "Mit freundlichen Grüßen",
        "and": "und",
    },
    "es": {
        "subject": "Candidatura al puesto de {role}",
        "greeting": "Estimado equipo de selección:",
        "open_company": "Me dirijo a ustedes para presentar mi candidatura al puesto de {role} "
        "en {company}.",
        "open_plain": "Me dirijo a ustedes para presentar mi candidatura al puesto de {role} "
        "que ofrecen.",
        "open_title": "Como {title}, deseo aportar mi experiencia a su equipo.",
        "job_since": "En mi puesto de {title} en {company} desde {year}, mi trabajo abarca lo "
        "que ustedes buscan: {lines}.",
        "job_current": "En mi puesto actual de {title} en {company}, mi trabajo abarca lo que "
        "ustedes buscan: {lines}.",
        "job_past": "Como {title} en {company}{period}, mi trabajo abarcaba lo que ustedes "
        "buscan: {lines}.",
        "job_title_only": "Mi experiencia como {title} en {company}{period} es cercana a este "
        "puesto.",
        "job_skills": "Allí utilicé {skills}, que su oferta solicita.",
        "other_job": "Anteriormente, como {title} en {company}{period}, también me encargué "
        "de: {lines}.",
        "other_title": "También trabajé como {title} en {company}{period}.",
        "skills": "Mi CV también refleja {skills}, en línea con sus requisitos.",
        "education": "Mi formación: {degree}, {school}.",
        "close_company": "Quedo a su disposición para una entrevista en la que explicarles lo "
        "que puedo aportar a {company}. Gracias por su tiempo y consideración.",
        "close_plain": "Quedo a su disposición para una entrevista en la que explicarles lo "
        "que puedo aportar a su equipo. Gracias por su tiempo y consideración.",
        "sign_off": "Atentamente,",
        "and": "y",
    },
}
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+(?=[A-ZÀ-ÖØ-Þ(\"“«¿¡0-9])|\n+")
_WORD = re.compile(r"[^\W\d_]+")
_NAME_WORD = r"[A-ZÀ-ÖØ-Þ][\w&'-]*(?:\.[^\W\d_]+)*\.?"
# How prose names an employer: a capitalised name after "at", "chez", "bei"...
_ORGANISATION = re.compile(
    rf"\b(?:at|for|chez|pour|bei|para|en)[ \t]+"
    rf"((?:{_NAME_WORD})(?:[ \t]+(?:&[ \t]+)?{_NAME_WORD})*)"
)
_SCHOOL_WORDS = (
    r"University|Université|Universität|Universidad|Universitat|Hochschule|Fachhochschule"
    r"|École|Ecole|Escuela|Institut|Institute|Instituto|College|School|Academy|Akademie"
    r"|Lycée|Gymnasium|Polytechnique|Politécnica"
)
_SCHOOL = re.compile(
    rf"(?:{_NAME_WORD}[ \t]+)*(?:{_SCHOOL_WORDS})\b"
    rf"(?:[ \t]+(?:(?:of|de|du|des|der|für|la|del)[ \t]+)?{_NAME_WORD})*"
)
# Degrees by the words that name them, in the four languages (folded).
_DEGREES = re.compile(
    r"\b(master|masters|mba|phd|ph\.d|doctorate|doctorat|doktor|doctorado|bachelor|licence"
    r"|licenciatura|grado|diplom|diploma|dipl|bts|dut|but|cap|bac|abitur|msc|bsc|ingeniero"
    r"|ingenieur|engineering degree|maestria|master's|bachelor's)\b"
)
# What introduces a job title in prose ("as a", "en tant que", "als", "como").
_ROLE_MARKER = re.compile(
    r"\b(?:as an?|as|en tant que|comme|als|como|poste de|puesto de)\s+"
    r"((?:[^\W\d_][\w'-]*)(?:[ \t]+[^\W\d_][\w'-]*){0,4})",
    re.IGNORECASE,
)
# Capitalised words a German or Spanish letter uses for "you": never an employer.
# Words that end a title after its marker ("as Backend Developer at Logistix").
_TITLE_ENDS = frozenset(
    {
        "at", "in", "for", "with", "since", "from", "on", "and", "who", "where", "chez", "pour",
        "depuis", "dans", "avec", "et", "bei", "seit", "fur", "im", "mit", "und", "en", "desde",
        "para", "con", "y", "durante", "wahrend", "pendant", "during",
    }
)  # fmt: skip
_COURTESY = frozenset(
    {"ihnen", "ihr", "ihre", "ihrem", "ihren", "ihrer", "sie", "usted", "ustedes"}
)
_COMPANY_SUFFIX = re.compile(
    r"\b(?:GmbH|AG|SE|KG|Inc|Ltd|LLC|PLC|SAS|SA|SARL|S\.L|S\.A|NHS|Trust|Group|Groupe|Grupo)\b"
)


class NotEnoughInCommon(ValueError):
    """The CV and the offer share too little for an honest letter; nothing was written."""

    def __init__(self, *, found: int, needed: int, score: int) -> None:
        super().__init__(f"only {found} points in common (needs {needed}), match score {score}")
        self.found, self.needed, self.score = found, needed, score


@dataclass(frozen=True, slots=True)
class CitedJob:
    index: int
    title: str
    company: str
    lines: tuple[str, ...]  # the CV's own lines, as written
    skills: tuple[str, ...]  # the CV's names of the offer's skills this job used
    on_target: bool = False  # the job's title is of the offer's occupation


@dataclass(frozen=True, slots=True)
class LetterPlan:
    """What a letter for this CV and offer may say: all of it quoted from one or the other."""

    language: str
    role: str
    company: str
    cv_title: str
    jobs: tuple[CitedJob, ...]
    skills: tuple[str, ...]  # the CV's names of the offer's skills, not yet cited with a job
    education: tuple[str, str] | None  # (degree words, school) when the offer asks a degree
    points: int
    score: int


@dataclass(slots=True)
class Letter:
    subject: str
    greeting: str
    paragraphs: list[str]
    sign_off: str
    cited: list[dict[str, str]] = field(default_factory=list)  # jobs as {title, company}

    def as_json(self) -> dict[str, Any]:
        return {
            "subject": self.subject,
            "greeting": self.greeting,
            "paragraphs": list(self.paragraphs),
            "sign_off": self.sign_off,
        }

    @property
    def text(self) -> str:
        return "\n\n".join([self.subject, self.greeting, *self.paragraphs, self.sign_off])


def letter_language(cv: Mapping[str, Any]) -> str:
    language = as_text(cv.get("language"))
    return language if language in LANGUAGES else "en"


def letter_plan(
    cv: Mapping[str, Any], offer: Mapping[str, Any], *, today: date | None = None
) -> LetterPlan:
    """The evidence a letter may use; NotEnoughInCommon when it is too thin for a letter."""
    today = today or today_utc()
    language = letter_language(cv)
    title = as_text(offer.get("title"))
    score = score_match(cv, offer, today=today)
    profile = _offer_profile(offer)
    skills_by_term: dict[str, str] = {}  # folded CV term -> the CV's wording
    quoted: dict[str, list[str]] = {}  # employer -> lines of its job the score matched
    for item in map(as_dict, as_list(score["evidence"])):
        if not item.get("met"):
            continue
        quotes = [as_dict(q) for q in as_list(item.get("cv_evidence"))]
        for quote in quotes:
            if quote.get("section") == "experience":
                quoted.setdefault(as_text(quote.get("source")), []).append(
                    as_text(quote.get("quote")).strip("…").strip()
                )
        if item.get("kind") in SKILL_KINDS:
            named = [as_text(q.get("quote")) for q in quotes if q.get("section") == "skills"]
            for term in named[:1]:
                skills_by_term.setdefault(fold(term), term)
    jobs = _cited_jobs(cv, profile, quoted, skills_by_term, offer_title=title)
    cited = " ".join(fold(part) for job in jobs for part in (*job.lines, *job.skills))
    other_skills = tuple(term for key, term in skills_by_term.items() if key not in cited)[
        :MAX_SKILLS_NAMED
    ]
    points = len(skills_by_term) + sum(len(job.lines) + job.on_target for job in jobs)
    # A CV whose jobs are of another occupation needs more in common to argue the move.
    needed = MIN_POINTS if any(job.on_target for job in jobs) else MIN_POINTS_OFF_TARGET
    if not jobs or points < needed or score["match_score"] < MIN_SCORE or not title:
        raise NotEnoughInCommon(found=points, needed=needed, score=score["match_score"])
    header = as_dict(cv.get("header"))
    return LetterPlan(
        language=language,
        role=offer_headline(title, [title]) or title,
        company=as_text(offer.get("company")),
        cv_title=as_text(header.get("current_title")),
        jobs=tuple(jobs),
        skills=other_skills,
        education=_education(cv, offer, score),
        points=points,
        score=score["match_score"],
    )


def _cited_jobs(
    cv: Mapping[str, Any],
    profile: Any,
    quoted: Mapping[str, list[str]],
    skills_by_term: Mapping[str, str],
    *,
    offer_title: str,
) -> list[CitedJob]:
    """Up to two jobs that show the offer's work, the most relevant first.

    A job's lines are those that speak to the offer (its skills and words) or that the match
    score quoted as evidence. A job whose title the score quoted, or that names the offer's
    occupation, is `on_target`: its first lines are about that work, and are cited when none
    matched."""
    wanted = occupations(offer_title)
    ranked: list[tuple[int, int, CitedJob]] = []
    for index, job in enumerate(as_list(cv.get("experience"))):
        job = as_dict(job)
        title, company = as_text(job.get("title")), as_text(job.get("company"))
        if not title or not company:
            continue
        quotes = [fold(q) for q in quoted.get(company, []) if q]
        on_target = fold(title) in quotes or bool(wanted and wanted & occupations(title))
        on_target = on_target or title_coverage(offer_title, title) >= ON_TARGET_COVERAGE
        all_lines = list(_job_lines(job))
        weights = {
            line: _relevance(line, profile)
            + 2 * any(q in fold(line) for q in quotes if q != fold(title))
            for line in all_lines
        }
        lines = sorted(
            (line for line in all_lines if weights[line] >= MIN_JOB_RELEVANCE),
            key=lambda line: -weights[line],
        )
        if on_target and not lines:
            lines = all_lines
        used = [
            skill_item_name(name)
            for name in as_list(job.get("skills_used"))
            if _is_asked(skill_item_name(name), skills_by_term)
        ]
        weight = sum(weights[line] for line in lines) + 3 * len(used) + 4 * on_target
        if weight == 0:
            continue
        cited = CitedJob(index, title, company, tuple(lines), tuple(dict.fromkeys(used)), on_target)
        ranked.append((-weight, index, cited))
    ranked.sort(key=lambda entry: entry[:2])
    jobs = [entry[2] for entry in ranked[:2]]
    limits = (MAX_LINES_FIRST_JOB, MAX_LINES_OTHER_JOB)
    return [
        CitedJob(job.index, job.title, job.company, job.lines[:limit], job.skills, job.on_target)
        for job, limit in zip(jobs, limits, strict=False)
    ]


def _is_asked(name: str, skills_by_term: Mapping[str, str]) -> bool:
    if fold(name) in skills_by_term:
        return True
    canonical = canonical_skill(name)
    return bool(canonical) and any(canonical == canonical_skill(t) for t in skills_by_term.values())


def _job_lines(job: Mapping[str, Any]) -> Iterator[str]:
    """The job's lines of work as the CV writes them: bullets, then the description's
    sentences; long ones are left out rather than cut."""
    lines = [as_text(line) for key in ("responsibilities", "deliverables")
             for line in as_list(job.get(key))]  # fmt: skip
    lines += _SENTENCE_END.split(as_text(job.get("description")))
    seen: set[str] = set()
    for line in lines:
        line = " ".join(line.split()).rstrip(".;:")
        if line and len(line) <= MAX_LINE_CHARS and fold(line) not in seen:
            seen.add(fold(line))
            yield line


def _education(
    cv: Mapping[str, Any], offer: Mapping[str, Any], score: Mapping[str, Any]
) -> tuple[str, str] | None:
    """The CV's degree and school when the offer asks for a degree the CV meets."""
    asked = [
        item for item in as_list(score.get("evidence")) if as_dict(item).get("kind") == "education"
    ]
    if not asked or not as_dict(asked[0]).get("met"):
        return None
    for school in as_list(cv.get("education")):
        school = as_dict(school)
        degree = ", ".join(
            part for part in (as_text(school.get("degree")), as_text(school.get("field_of_study")))
            if part
        )  # fmt: skip
        if degree and as_text(school.get("institution")):
            return degree, as_text(school["institution"])
    return None


def write_letter(
    cv: Mapping[str, Any], offer: Mapping[str, Any], *, today: date | None = None
) -> Letter:
    """A cover letter in the CV's language, from fixed phrases and the CV's own words."""
    plan = letter_plan(cv, offer, today=today)
    return letter_from_plan(plan, cv)


def letter_from_plan(plan: LetterPlan, cv: Mapping[str, Any]) -> Letter:
    words = PHRASES[plan.language]
    opening = [
        words["open_company" if plan.company else "open_plain"].format(
            role=plan.role, company=plan.company
        )
    ]
    if plan.cv_title:
        opening.append(words["open_title"].format(title=plan.cv_title))
    experience = [as_dict(job) for job in as_list(cv.get("experience"))]
    first, *others = plan.jobs
    body = [_first_job(first, experience[first.index], plan.language)]
    second: list[str] = []
    for job in others:
        period = _period(experience[job.index])
        if job.lines:
            lines = _join_lines(job.lines, plan.language)
            second.append(
                words["other_job"].format(
                    title=job.title, company=job.company, period=period, lines=lines
                )
            )
        else:
            second.append(
                words["other_title"].format(title=job.title, company=job.company, period=period)
            )
        if job.skills:
            second.append(words["job_skills"].format(skills=_listing(job.skills, plan.language)))
    if plan.skills:
        second.append(words["skills"].format(skills=_listing(plan.skills, plan.language)))
    if plan.education:
        degree, school = plan.education
        second.append(words["education"].format(degree=degree, school=school))
    closing = words["close_company" if plan.company else "close_plain"].format(company=plan.company)
    paragraphs = [" ".join(opening), " ".join(body)]
    if second:
        paragraphs.append(" ".join(second))
    paragraphs.append(closing)
    return Letter(
        subject=words["subject"].format(role=plan.role),
        greeting=words["greeting"],
        paragraphs=paragraphs,
        sign_off=words["sign_off"],
        cited=[{"title": job.title, "company": job.company} for job in plan.jobs],
    )


def _first_job(job: CitedJob, entry: Mapping[str, Any], language: str) -> str:
    words = PHRASES[language]
    year = as_text(entry.get("start_date"))[:4]
    if job.lines:
        lines = _join_lines(job.lines, language)
        if is_current(entry) and year.isdigit():
            text = words["job_since"].format(
                title=job.title, company=job.company, year=year, lines=lines
            )
        elif is_current(entry):
            text = words["job_current"].format(title=job.title, company=job.company, lines=lines)
        else:
            text = words["job_past"].format(
                title=job.title, company=job.company, period=_period(entry), lines=lines
            )
    else:
        text = words["job_title_only"].format(
            title=job.title, company=job.company, period=_period(entry)
        )
    if job.skills:
        text += " " + words["job_skills"].format(skills=_listing(job.skills, language))
    return text


def _period(job: Mapping[str, Any]) -> str:
    """ " (2016–2021)" from the CV's own dates, or nothing when they are not both years."""
    start = as_text(job.get("start_date"))[:4]
    end = as_text(job.get("end_date"))[:4]
    if start.isdigit() and end.isdigit():
        return f" ({start})" if start == end else f" ({start}–{end})"
    return ""


def _join_lines(lines: Iterable[str], language: str) -> str:
    # French sets a space before the semicolon.
    return (" ; " if language == "fr" else "; ").join(
        _lower_first(line, language) for line in lines
    )


def _lower_first(line: str, language: str) -> str:
    """A CV line inside a sentence: "Built REST APIs" as "built REST APIs". German nouns,
    acronyms and names ("Python", "SAP") keep their capital."""
    if language == "de":
        return line
    match = _WORD.match(line)
    first = match.group(0) if match else ""
    plain = len(first) > 1 and first[0].isupper() and first[1:] == first[1:].lower()
    if not plain or (canonical_skill(first) and not is_generic_skill(first)):
        return line
    return line[0].lower() + line[1:]


def _listing(items: Iterable[str], language: str) -> str:
    names = list(dict.fromkeys(items))
    if len(names) < 2:
        return "".join(names)
    return f"{', '.join(names[:-1])} {PHRASES[language]['and']} {names[-1]}"


# --- The guard for a model's letter ------------------------------------------------------------


def invented_in_letter(
    text: str, cv: Mapping[str, Any], offer: Mapping[str, Any], *, today: date | None = None
) -> list[str]:
    """Facts of `text` found in neither the CV nor the offer, as "kind: value" strings."""
    today = today or today_utc()
    known_text = "\n".join([*_strings(cv), *_strings(offer)])
    known = fold(known_text)
    found = unknown_literals(text, known_text, _derived_years(cv, today))
    german = letter_language(cv) == "de"
    parts = sentences(text)
    for match in (m for part in parts for m in _ORGANISATION.finditer(part)):
        name = _strip_courtesy(match.group(1)).rstrip(".")
        if not name or fold(name) in known:
            continue
        # German capitalises every noun ("bei Kunden"): one word is a name only if it looks it.
        if german and " " not in name and not _COMPANY_SUFFIX.search(name):
            continue
        found.add(f"employer: {name}")
    for match in (m for part in parts for m in _SCHOOL.finditer(part)):
        name = match.group(0).strip().rstrip(".")
        if len(name.split()) > 1 and fold(name) not in known:
            found.add(f"school: {name}")
    known_degrees = {m.group(1) for m in _DEGREES.finditer(known)}
    found |= {
        f"degree: {m.group(1)}"
        for m in _DEGREES.finditer(fold(text))
        if m.group(1) not in known_degrees
    }
    for part in parts:
        found |= _invented_titles(part, cv, offer)
    return sorted(found)


def _strip_courtesy(name: str) -> str:
    """The name without the courtesy words around it ("Ihnen") nor a following "I"."""
    words = name.split()
    while words and fold(words[0]) in _COURTESY:
        words.pop(0)
    if "I" in words:
        words = words[: words.index("I")]
    return " ".join(words)


def _invented_titles(text: str, cv: Mapping[str, Any], offer: Mapping[str, Any]) -> set[str]:
    """Job titles the letter claims ("as a senior engineer") whose words no CV title, nor the
    offer's title, has."""
    titles = [as_text(as_dict(cv.get("header")).get("current_title")), as_text(offer.get("title"))]
    titles += [as_text(as_dict(job).get("title")) for job in as_list(cv.get("experience"))]
    titles += [as_text(as_dict(p).get("role")) for p in as_list(cv.get("projects"))]
    titles += [as_text(as_dict(r).get("title")) for r in as_list(offer.get("roles"))]
    known = {w for title in titles for w in _WORD.findall(fold(title))}
    role_words = set(ROLE_SYNONYMS) | (SENIORITY_WORDS - {"i", "ii", "iii", "iv", "level", "mid"})
    found: set[str] = set()
    for match in _ROLE_MARKER.finditer(text):
        kept: list[str] = []
        for word in match.group(1).split():
            if fold(word) in _TITLE_ENDS:
                break
            kept.append(word)
        phrase = " ".join(kept)
        words = [w for w in _WORD.findall(fold(phrase)) if w not in TITLE_STOPWORDS]
        claims_a_title = bool(set(words) & role_words) or bool(occupations(phrase))
        if claims_a_title and set(words) - known:
            found.add(f"title: {phrase}")
    return found


def sentences(paragraph: str) -> list[str]:
    return [s for s in _SENTENCE_END.split(paragraph.strip()) if s]
