"""The offline cover letter: sound letters in the CV's language, from the CV's words only."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from ai.offline import extract, letter
from ai.offline.letter import PHRASES, NotEnoughInCommon, invented_in_letter, write_letter
from ai.offline.tailor import offer_headline
from ai.offline.vocabulary import fold

EVAL = Path(__file__).resolve().parents[2] / "eval"
# A CV and an offer of the same occupation, one pair per language (eval/pairs.json, grade 3).
PAIRS = {
    "en": ("en-nurse-leeds-01", "en-staff-nurse-leeds-01"),
    "fr": ("fr-comptable-01", "fr-comptable-nantes-01"),
    "de": ("de-vertriebsmitarbeiter-01", "de-vertriebsmitarbeiter-koeln-01"),
    "es": ("es-contable-01", "es-contable-barcelona-01"),
}
WORD = re.compile(r"[^\W\d_]+")
NUMBER = re.compile(r"\d+")


def load(cv_id: str, offer_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
    cv = json.loads((EVAL / "cvs" / f"{cv_id}.json").read_text())
    text = (EVAL / "offers" / f"{offer_id}.txt").read_text()
    return cv, extract.extract_job_offer(text)


def strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)


def words(texts: Iterator[str] | list[str]) -> set[str]:
    return {fold(w) for text in texts for w in WORD.findall(text)}


def phrase_words(language: str) -> set[str]:
    """The fixed words of the letter phrases, placeholders left out."""
    texts = [re.sub(r"\{\w+\}", " ", text) for text in PHRASES[language].values()]
    return words(texts)


@pytest.mark.parametrize("language", sorted(PAIRS))
def test_it_writes_a_sound_letter_in_the_cvs_language(language: str) -> None:
    cv, offer = load(*PAIRS[language])
    assert cv["language"] == language

    written = write_letter(cv, offer)

    opening, *body, closing = written.paragraphs
    assert written.greeting == PHRASES[language]["greeting"]
    assert written.sign_off == PHRASES[language]["sign_off"]
    assert offer["company"] in opening  # the role and the company, from the offer
    assert offer_headline(offer["title"], [offer["title"]]) in opening
    assert len(body) == 2
    jobs = {(job["title"], job["company"]) for job in cv["experience"]}
    assert written.cited and all((c["title"], c["company"]) in jobs for c in written.cited)
    first = written.cited[0]
    assert first["title"] in body[0] and first["company"] in body[0]
    assert offer["company"] in closing


@pytest.mark.parametrize("language", sorted(PAIRS))
def test_every_word_and_number_comes_from_the_cv_the_offer_or_the_phrases(language: str) -> None:
    cv, offer = load(*PAIRS[language])

    text = write_letter(cv, offer).text

    # No employer, school, title or any other word that neither the CV, the offer nor the
    # letter's fixed phrases contain; no number that the CV or the offer does not state.
    allowed = words(strings(cv)) | words(strings(offer)) | phrase_words(language)
    assert words([text]) - allowed == set()
    numbers = {n for s in [*strings(cv), *strings(offer)] for n in NUMBER.findall(s)}
    assert set(NUMBER.findall(text)) - numbers == set()
    employers = {job["company"] for job in cv["experience"]} | {offer["company"]}
    schools = {school["institution"] for school in cv["education"]}
    assert invented_in_letter(text, cv, offer) == []
    named = [name for name in employers | schools if name in text]
    assert named, "the letter names real employers"


def test_the_checks_above_would_see_an_invented_employer_and_figure() -> None:
    cv, offer = load(*PAIRS["en"])
    text = write_letter(cv, offer).text + " I led 40 nurses at St Mary's Hospital."

    allowed = words(strings(cv)) | words(strings(offer)) | phrase_words("en")
    assert {"mary", "hospital"} & (words([text]) - allowed)
    assert "number: 40" in invented_in_letter(text, cv, offer)


def test_it_refuses_a_letter_when_the_cv_shows_too_little_of_the_offer() -> None:
    cv, _ = load(*PAIRS["en"])  # a nurse
    _, offer = load(*PAIRS["fr"])  # an accounting job

    with pytest.raises(NotEnoughInCommon) as refused:
        write_letter(cv, offer)

    assert refused.value.found < refused.value.needed or refused.value.score < letter.MIN_SCORE


@pytest.mark.parametrize(
    ("sentence", "fact"),
    [
        ("I built payment systems at Google Cloud.", "employer: Google Cloud"),
        ("I studied at the University of Oxford.", "school: University of Oxford"),
        ("I cut costs by 45% in two years.", "number: 45"),
        ("As a Head of Nursing, I ran the ward.", "title: Head of Nursing"),
        ("I hold a PhD in pharmacology.", "degree: phd"),
        ("See https://evil.example.org for my work.", "url: https://evil.example.org"),
    ],
)
def test_the_guard_finds_each_kind_of_invented_fact(sentence: str, fact: str) -> None:
    cv, offer = load(*PAIRS["en"])

    assert fact in invented_in_letter(sentence, cv, offer)


def test_the_guard_accepts_the_cvs_and_the_offers_own_facts() -> None:
    cv, offer = load(*PAIRS["en"])
    text = (
        "As Senior Staff Nurse (Band 6) at Leeds Teaching Hospitals NHS Trust since 2021, I "
        "lead shifts of 6 nurses and 4 healthcare assistants. I apply for the Staff Nurse role "
        "at Leeds Teaching Hospitals NHS Trust."
    )

    assert invented_in_letter(text, cv, offer) == []


def test_german_nouns_after_bei_are_not_taken_for_employers() -> None:
    cv, offer = load(*PAIRS["de"])
    text = "Ich unterstütze bei Kundenprojekten. Gerne stelle ich mich bei Ihnen vor."

    assert invented_in_letter(text, cv, offer) == []
    assert invented_in_letter("Ich arbeitete bei Siemens Energy.", cv, offer) == [
        "employer: Siemens Energy"
    ]
