"""Offline "improve": apply what the user gave, and nothing else.

Without a language model nothing is rewritten. The CV changes only by:
- the skills the user chose to add (`add_skills`), each in the category the vocabulary (or
  else the offer) gives it, with the level the user chose, clamped to 0..5;
- the user's own note (`user_context`, at most 500 characters), added word for word as a
  responsibility of the experience it talks about (shared skills, words or the employer's
  name), or as an "Additional information" extra when it matches none.

Selected suggestions are only quoted in the reasons: a suggestion such as "Show the required
skills" is applied through the skills the user picked. No change at all returns the very same
CV object and no change, so the caller can skip the charge.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple

from ai.offline import vocabulary
from ai.offline.vocabulary import fold
from cvdoc.document import clean_line, normalize_cv, parse_proficiency

MAX_CONTEXT_CHARS = 500
MAX_SKILL_CHARS = 100
SKILL_CATEGORIES = ("hard_skills", "tools", "soft_skills", "methodologies")
# How strongly a note must point at an experience before it lands there.
MIN_MATCH = 2
SKILL_WEIGHT = 2
EMPLOYER_WEIGHT = 5
MIN_WORD_CHARS = 4
STOPWORDS = frozenset(
    {
        "with", "from", "that", "this", "have", "were", "which", "their", "about", "into",
        "also", "more", "than", "when", "where", "years", "year", "work", "worked", "working",
        "dans", "avec", "pour", "chez", "plus", "mais", "sont", "nous", "vous", "leur", "cette",
        "tout", "tous", "aussi", "mein", "meine", "eine", "einen", "einem", "einer", "nicht",
        "auch", "oder", "sind", "wurde", "habe", "haben", "bei", "fuer", "para", "como", "pero",
        "esta", "este", "sobre", "entre", "tambien", "desde", "hasta", "donde", "cuando",
    }
)  # fmt: skip
EXTRA_NAME = {
    "en": "Additional information",
    "fr": "Informations complémentaires",
    "de": "Weitere Angaben",
    "es": "Información adicional",
}
REASONS = {
    "en": {
        "skill": "Added at your request.",
        "skill_for": "Added at your request, for the suggestion “{title}”.",
        "note": "Your note, added to this experience (it mentions {matched}).",
        "extra": "Your note, added as additional information (it matches no experience).",
    },
    "fr": {
        "skill": "Ajoutée à votre demande.",
        "skill_for": "Ajoutée à votre demande, pour la suggestion « {title} ».",
        "note": "Votre note, ajoutée à cette expérience (elle mentionne {matched}).",
        "extra": "Votre note, ajoutée en informations complémentaires (aucune expérience "
        "ne correspond).",
    },
    "de": {
        "skill": "Auf Ihren Wunsch hinzugefügt.",
        "skill_for": "Auf Ihren Wunsch hinzugefügt, zum Vorschlag „{title}“.",
        "note": "Ihre Notiz, zu dieser Erfahrung hinzugefügt (sie nennt {matched}).",
        "extra": "Ihre Notiz, als weitere Angabe hinzugefügt (sie passt zu keiner Erfahrung).",
    },
    "es": {
        "skill": "Añadida a petición suya.",
        "skill_for": "Añadida a petición suya, para la sugerencia «{title}».",
        "note": "Su nota, añadida a esta experiencia (menciona {matched}).",
        "extra": "Su nota, añadida como información adicional (no corresponde a ninguna "
        "experiencia).",
    },
}

_WORDS = re.compile(r"[^\W\d_]+")


class ImproveResult(NamedTuple):
    cv: dict[str, Any]
    changes: list[dict[str, Any]]


def improve_cv(
    cv: dict[str, Any],
    offer: dict[str, Any],
    *,
    suggestions: list[dict[str, Any]],
    user_context: str,
    add_skills: list[dict[str, Any]],
) -> ImproveResult:
    """The CV with the user's skills and note added, and the list of changes made.

    Raises ValueError when the note is longer than MAX_CONTEXT_CHARS.
    """
    note = " ".join((user_context or "").split())
    if len(note) > MAX_CONTEXT_CHARS:
        raise ValueError(f"the note is too long ({len(note)} characters, at most 500)")
    result = copy.deepcopy(normalize_cv(cv))
    language = result["language"] if result["language"] in REASONS else "en"
    reasons = REASONS[language]
    changes: list[dict[str, Any]] = []
    for wanted in add_skills:
        change = _add_skill(result, wanted, offer, suggestions, reasons)
        if change is not None:
            changes.append(change)
    if note:
        change = _add_note(result, note, reasons, language)
        if change is not None:
            changes.append(change)
    if not changes:
        return ImproveResult(cv, [])
    return ImproveResult(normalize_cv(result), changes)


def _change(
    section: str, path: str, change_type: str, before: Any, after: Any, reason: str
) -> dict[str, Any]:
    return {
        "section": section,
        "path": path,
        "change_type": change_type,
        "before": before,
        "after": after,
        "reason": reason,
    }


def _skill_key(name: str) -> str:
    return fold(vocabulary.canonical_skill(name) or name).strip()


def _present_skills(cv: Mapping[str, Any]) -> set[str]:
    return {
        _skill_key(item if isinstance(item, str) else item["name"])
        for category in SKILL_CATEGORIES
        for item in cv["skills"][category]
    }


def _category(name: str, wanted: Mapping[str, Any], offer: Mapping[str, Any]) -> str:
    given = wanted.get("category")
    if given in SKILL_CATEGORIES:
        return str(given)
    known = vocabulary.skill_category(name)
    if known in SKILL_CATEGORIES:
        return known
    # A skill the vocabulary does not know goes where the offer lists it.
    key = fold(name)
    listed_skills = offer.get("skills")
    skills: Mapping[str, Any] = listed_skills if isinstance(listed_skills, Mapping) else {}
    for category in SKILL_CATEGORIES:
        listed = skills.get(category)
        names = _offer_names(listed)
        if key in {fold(n) for n in names}:
            return category
    return "hard_skills"


def _offer_names(listed: Any) -> list[str]:
    if isinstance(listed, Mapping):
        return [str(n) for part in listed.values() if isinstance(part, list) for n in part]
    if isinstance(listed, list):
        return [str(n) for n in listed]
    return []


def _level(wanted: Mapping[str, Any]) -> int | None:
    raw = wanted.get("level", wanted.get("proficiency"))
    try:
        return parse_proficiency(raw)  # clamps numbers to 0..5
    except ValueError:
        return None


def _add_skill(
    cv: dict[str, Any],
    wanted: Mapping[str, Any],
    offer: Mapping[str, Any],
    suggestions: Iterable[Mapping[str, Any]],
    reasons: Mapping[str, str],
) -> dict[str, Any] | None:
    if not isinstance(wanted, Mapping):
        return None
    name = clean_line(str(wanted.get("skill") or wanted.get("name") or ""))[:MAX_SKILL_CHARS]
    if not name or _skill_key(name) in _present_skills(cv):
        return None
    category = _category(name, wanted, offer)
    entries = cv["skills"][category]
    path = f"skills.{category}[{len(entries)}]"
    if category in ("soft_skills", "methodologies"):
        entries.append(name)
        after: Any = name
    else:
        after = {"name": name, "proficiency": _level(wanted)}
        entries.append(after)
    title = _suggestion_naming(name, suggestions)
    reason = reasons["skill_for"].format(title=title) if title else reasons["skill"]
    return _change("skills", path, "added", None, copy.deepcopy(after), reason)


def _suggestion_naming(name: str, suggestions: Iterable[Mapping[str, Any]]) -> str:
    key = fold(name)
    for suggestion in suggestions:
        if not isinstance(suggestion, Mapping):
            continue
        text = fold(f"{suggestion.get('title', '')} {suggestion.get('suggestion', '')}")
        if re.search(rf"(?<!\w){re.escape(key)}(?!\w)", text):
            return str(suggestion.get("title") or "").strip()
    return ""


def _content_words(text: str) -> set[str]:
    return {
        word
        for word in _WORDS.findall(fold(text))
        if len(word) >= MIN_WORD_CHARS and word not in STOPWORDS
    }


def _job_text(job: Mapping[str, Any]) -> str:
    parts = [job["title"], job["description"], *job["responsibilities"], *job["deliverables"]]
    return "\n".join([*parts, *job["skills_used"]])


def _match(note: str, job: Mapping[str, Any]) -> tuple[int, list[str]]:
    """How strongly the note speaks of this experience, and what it shares with it."""
    matched: list[str] = []
    score = 0
    folded_note = fold(note)
    for name in (job["company"], job["department_or_client"]):
        if name and re.search(rf"(?<!\w){re.escape(fold(name))}(?!\w)", folded_note):
            score += EMPLOYER_WEIGHT
            matched.append(name)
    note_skills = {m.name: m.text for m in vocabulary.find_skills(note)}
    job_skills = {m.name for m in vocabulary.find_skills(_job_text(job))}
    job_skills |= {vocabulary.canonical_skill(s) or s for s in job["skills_used"]}
    shared = [written for canonical, written in note_skills.items() if canonical in job_skills]
    score += SKILL_WEIGHT * len(shared)
    matched += shared
    skill_words = {w for written in shared for w in _content_words(written)}
    words = sorted((_content_words(note) & _content_words(_job_text(job))) - skill_words)
    score += len(words)
    matched += words
    return score, matched


def _add_note(
    cv: dict[str, Any], note: str, reasons: Mapping[str, str], language: str
) -> dict[str, Any] | None:
    best, best_score, best_matched = None, 0, []
    for index, job in enumerate(cv["experience"]):
        score, matched = _match(note, job)
        # Experiences come most recent first: on a tie the recent one wins.
        if score > best_score:
            best, best_score, best_matched = index, score, matched
    if best is not None and best_score >= MIN_MATCH:
        job = cv["experience"][best]
        if fold(note) in {fold(line) for line in job["responsibilities"]}:
            return None
        path = f"experience[{best}].responsibilities[{len(job['responsibilities'])}]"
        job["responsibilities"].append(note)
        reason = reasons["note"].format(matched=", ".join(best_matched[:3]))
        return _change("experience", path, "added", None, note, reason)
    name = EXTRA_NAME[language]
    for index, extra in enumerate(cv["extras"]):
        if extra["name"] != name:
            continue
        if fold(note) in {fold(line) for line in extra["summary"].split("\n")}:
            return None
        before = extra["summary"]
        extra["summary"] = f"{before}\n{note}" if before else note
        return _change(
            "extras", f"extras[{index}].summary", "modified", before, extra["summary"],
            reasons["extra"],
        )  # fmt: skip
    cv["extras"].append({"name": name, "summary": note})
    added = {"name": name, "summary": note}
    return _change(
        "extras", f"extras[{len(cv['extras']) - 1}]", "added", None, added, reasons["extra"]
    )
