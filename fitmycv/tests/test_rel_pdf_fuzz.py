"""Mutated CV PDFs through the sandboxed reader: a clean rejection or text, never a crash or hang.

Each case flips, inserts or cuts bytes of one of the real CV fixtures with a seeded generator,
so a failing case id reproduces exactly.
"""

from __future__ import annotations

import random
import time
from pathlib import Path

import pytest

from core.pdftext import PdfRejected, PdfText, extract_pdf_text

pytestmark = pytest.mark.slow

PDFS = Path(__file__).resolve().parents[2] / "cvs" / "tests" / "fixtures" / "pdfs"
SEEDS = sorted(PDFS.glob("*.pdf"))
CASES = 50
TIMEOUT = 8.0
# The child is killed at TIMEOUT; allow for starting and reaping it.
WALL_LIMIT = TIMEOUT + 3


def mutate(data: bytes, rng: random.Random) -> bytes:
    buffer = bytearray(data)
    kind = rng.choice(("flip", "flip", "flip", "cut", "splice"))
    if kind == "flip":
        for _ in range(rng.randint(1, 64)):
            buffer[rng.randrange(len(buffer))] = rng.randrange(256)
    elif kind == "cut":
        del buffer[rng.randrange(len(buffer) // 2, len(buffer)) :]
    else:
        # A chunk of the file copied elsewhere: duplicated objects, broken offsets.
        start = rng.randrange(len(buffer))
        chunk = buffer[start : start + rng.randint(16, 4096)]
        at = rng.randrange(len(buffer))
        buffer[at:at] = chunk
    return bytes(buffer)


@pytest.mark.parametrize("case", range(CASES))
def test_a_mutated_pdf_is_read_or_rejected_cleanly(case: int) -> None:
    rng = random.Random(f"fitmycv-pdf-fuzz-{case}")
    data = mutate(SEEDS[case % len(SEEDS)].read_bytes(), rng)

    started = time.monotonic()
    try:
        result = extract_pdf_text(data, timeout=TIMEOUT)
    except PdfRejected as exc:
        assert exc.message and exc.code
    else:
        assert isinstance(result, PdfText)
        assert result.pages >= 1 and isinstance(result.text, str)
    assert time.monotonic() - started < WALL_LIMIT
