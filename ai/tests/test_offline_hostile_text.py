"""Pasted offers and CV texts are untrusted: no input may make the offline readers take
quadratic time. Each of these took from seconds to minutes before the patterns were bounded
(a long run of digits, of capitalised words, of one repeated word); each now reads in well
under a second. The timeout only catches a hang; speed itself is measured by bench/."""

from __future__ import annotations

import pytest

from ai.offline import cv_parser, extract, tailor

LIMIT = 60_000  # the longest offer text the app accepts (joboffers.services.MAX_TEXT_CHARS)
HOSTILE_TEXTS = {
    "a run of one letter": "x" * LIMIT,
    "a run of digits": "1" * LIMIT,
    "one word repeated": "Python " * (LIMIT // 7),
    "capitalised words": "Ab " * (LIMIT // 3),
    "dotted words": "a." * (LIMIT // 2),
    "at signs": "a@" * (LIMIT // 2),
    "date ranges": "2020 - " * (LIMIT // 7),
    "short lines": "x\n" * (LIMIT // 2),
}


@pytest.mark.timeout(20)
@pytest.mark.parametrize("name", HOSTILE_TEXTS)
def test_reading_a_hostile_offer_or_cv_text_ends(name: str) -> None:
    text = HOSTILE_TEXTS[name]

    offer = extract.extract_job_offer(text)
    try:
        cv_parser.parse_cv_text(text)
    except cv_parser.CvParseError as exc:  # the clean answer to a text that is no CV
        assert exc.args

    assert isinstance(offer, dict)


@pytest.mark.timeout(20)
def test_the_fact_guard_reads_a_megabyte_answer() -> None:
    source = {"summary": {"description": "Backend engineer, jane@example.org"}}
    answer = {"summary": {"description": "x" * 1_000_000 + " jane@example.org"}}

    assert tailor.invented_facts(source, answer) == []
