from __future__ import annotations

import functools
import io
import time
import zlib
from pathlib import Path

import pytest
from pypdf import PdfWriter
from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject, StreamObject

from core.pdftext import (
    MAX_UPLOAD_BYTES,
    PdfHasNoText,
    PdfRejected,
    check_pdf_upload,
    extract_pdf_text,
)

PDFS = Path(__file__).parent / "fixtures" / "pdfs"
THEMES = ("Classic", "Moderncv", "Sb2nov")
# Every rejection must come back well within the 20 s budget; these files are all small.
QUICK_SECONDS = 5


def _theme(name: str) -> bytes:
    return (PDFS / f"John_Doe_{name}Theme_CV.pdf").read_bytes()


def _font_resources(writer: PdfWriter) -> DictionaryObject:
    font = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/Type1"),
            NameObject("/BaseFont"): NameObject("/Helvetica"),
        }
    )
    return DictionaryObject(
        {NameObject("/Font"): DictionaryObject({NameObject("/F1"): writer._add_object(font)})}
    )


def _written(writer: PdfWriter) -> bytes:
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _text_pdf(lines: list[str], *, pages: int = 1, password: str | None = None) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        page = writer.add_blank_page(612, 792)
        shown = " ".join(f"({line}) '" for line in lines)
        content = DecodedStreamObject()
        content.set_data(f"BT /F1 11 Tf 72 720 Td 14 TL {shown} ET".encode("latin-1"))
        page[NameObject("/Contents")] = writer._add_object(content)
        page[NameObject("/Resources")] = _font_resources(writer)
    if password is not None:
        writer.encrypt(user_password=password, owner_password="owner-secret", algorithm="AES-128")
    return _written(writer)


@functools.cache
def _flate_bomb_pdf(inflated_bytes: int = 100_000_000) -> bytes:
    """One page whose content stream is ~100 KB of Flate data inflating to 100 MB of spaces."""
    writer = PdfWriter()
    page = writer.add_blank_page(612, 792)
    packer = zlib.compressobj(9)
    chunk = b" " * 1_000_000
    packed = b"".join(packer.compress(chunk) for _ in range(inflated_bytes // len(chunk)))
    stream = StreamObject()
    stream._data = packed + packer.flush()
    stream[NameObject("/Filter")] = NameObject("/FlateDecode")
    page[NameObject("/Contents")] = writer._add_object(stream)
    # A font makes pypdf decode the content stream; a page without one is skipped unread.
    page[NameObject("/Resources")] = _font_resources(writer)
    return _written(writer)


def _rejected(data: bytes, **limits: float) -> PdfRejected:
    started = time.monotonic()
    with pytest.raises(PdfRejected) as caught:
        extract_pdf_text(data, **limits)
    assert time.monotonic() - started < QUICK_SECONDS
    return caught.value


@pytest.mark.parametrize("theme", THEMES)
def test_it_reads_the_name_employers_and_schools_of_real_cvs(theme: str) -> None:
    pdf = extract_pdf_text(_theme(theme))

    assert pdf.pages in (2, 3)
    for fact in (
        "John Doe",
        "john.doe@email.com",
        "Nexus AI",
        "NVIDIA Research",
        "Google DeepMind",
        "Apple ML Research",
        "Microsoft Research",
        "Princeton University",
        "Boğaziçi University",
        "Sept 2018 – May 2023",
    ):
        assert fact in pdf.text


def test_it_reads_the_link_targets_of_the_file() -> None:
    pdf = extract_pdf_text(_theme("Classic"))

    # The Classic theme shows only "rendercv" beside the icons; the targets are in the links.
    assert "https://linkedin.com/in/rendercv" in pdf.links
    assert "https://github.com/rendercv" in pdf.links
    assert "mailto:john.doe@email.com" in pdf.links


def test_it_accepts_a_real_pdf_upload() -> None:
    check_pdf_upload(_theme("Classic"), max_bytes=MAX_UPLOAD_BYTES, content_type="application/pdf")


def test_it_accepts_leading_whitespace_and_a_bom_before_the_header() -> None:
    data = b"\xef\xbb\xbf\r\n  " + _theme("Classic")

    check_pdf_upload(data, max_bytes=MAX_UPLOAD_BYTES, content_type=None)


def test_it_rejects_an_oversized_file() -> None:
    data = b"%PDF-1.7\n" + b"0" * (MAX_UPLOAD_BYTES + 1)

    with pytest.raises(PdfRejected) as caught:
        check_pdf_upload(data, max_bytes=MAX_UPLOAD_BYTES, content_type="application/pdf")

    assert caught.value.message == "This file is 10 MB; the limit is 10 MB."
    assert caught.value.code == "too_large"


def test_it_names_both_sizes_when_too_large() -> None:
    with pytest.raises(PdfRejected) as caught:
        check_pdf_upload(b"%PDF-" + b"0" * 3_000_000, max_bytes=2 * 1024 * 1024, content_type=None)

    assert caught.value.message == "This file is 2.9 MB; the limit is 2 MB."


@pytest.mark.parametrize(
    ("data", "content_type"),
    [
        (b"<html><body>%PDF-1.7</body></html>", "application/pdf"),
        (b"PK\x03\x04 a docx file", None),
        (b"junk before the header %PDF-1.7\n", None),
        (b"%PDF-1.7\n", "text/html"),
        (b"%PDF-1.7\n", "image/png"),
    ],
)
def test_it_rejects_what_is_not_a_pdf(data: bytes, content_type: str | None) -> None:
    with pytest.raises(PdfRejected) as caught:
        check_pdf_upload(data, max_bytes=MAX_UPLOAD_BYTES, content_type=content_type)

    assert caught.value.code == "not_pdf"
    assert "not a PDF" in caught.value.message


def test_it_rejects_an_empty_file() -> None:
    with pytest.raises(PdfRejected) as caught:
        check_pdf_upload(b"", max_bytes=MAX_UPLOAD_BYTES, content_type="application/pdf")

    assert caught.value.message == "The file is empty."


@pytest.mark.parametrize(
    "data",
    [
        _theme("Classic")[:3000],
        _theme("Classic")[:40_000],
        b"%PDF-1.7\n" + bytes(range(256)) * 40,
        b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n%%EOF",
    ],
    ids=["truncated-head", "truncated-half", "garbage", "no-pages"],
)
def test_it_rejects_a_damaged_pdf_with_a_clear_message(data: bytes) -> None:
    error = _rejected(data)

    assert error.code == "malformed"
    assert error.message.startswith("This PDF could not be read; it may be damaged")


def test_it_rejects_a_password_protected_pdf() -> None:
    error = _rejected(_text_pdf(["Jane Roe", "Data engineer at Example Corp"], password="secret"))

    assert error.code == "encrypted"
    assert "protected by a password" in error.message


def test_it_reads_a_pdf_that_only_has_an_owner_password() -> None:
    data = _text_pdf(["Jane Roe", "Data engineer at Example Corp"], password="")

    pdf = extract_pdf_text(data)

    assert "Data engineer at Example Corp" in pdf.text


def test_it_rejects_a_pdf_over_the_page_limit() -> None:
    error = _rejected(_text_pdf(["Jane Roe, page after page of experience"], pages=11))

    assert error.code == "too_many_pages"
    assert error.message == "This PDF has 11 pages; the limit is 10."


def test_it_rejects_a_flate_bomb_within_the_limits() -> None:
    error = _rejected(_flate_bomb_pdf())

    assert error.code == "too_complex"
    assert "too complex to read safely" in error.message


def test_it_survives_a_child_that_runs_out_of_memory() -> None:
    error = _rejected(_theme("Classic"), memory_mb=30)

    assert error.code == "too_complex"


def test_it_kills_a_child_that_runs_past_the_timeout() -> None:
    error = _rejected(_theme("Classic"), timeout=0.05)

    assert error.code == "timeout"
    assert "took too long" in error.message


def test_it_tells_the_user_when_there_is_no_text_layer() -> None:
    with pytest.raises(PdfHasNoText) as caught:
        extract_pdf_text(_text_pdf([], pages=2))

    assert "no selectable text" in caught.value.message
    assert "paste the text of your CV" in caught.value.message


def test_a_scanned_pdf_is_also_a_rejection_for_callers_that_do_not_care() -> None:
    with pytest.raises(PdfRejected):
        extract_pdf_text(_text_pdf([]))


def test_it_keeps_working_after_a_hostile_file() -> None:
    _rejected(_flate_bomb_pdf())

    pdf = extract_pdf_text(_theme("Sb2nov"))

    assert "John Doe" in pdf.text


# --- Structurally hostile files (plan check E3) ------------------------------------------------

TEXT_PAGE = b"BT /F1 11 Tf 72 720 Td (Jane Hostile, Senior Backend Engineer in Lyon) Tj ET"


def _raw_pdf(objects: list[bytes], *, trailer_extra: bytes = b"", prev_loop: bool = False) -> bytes:
    """A PDF written by hand from numbered objects (1 is the catalog), with a correct xref
    table; `prev_loop` points the trailer's /Prev at its own xref section."""
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    prev = b" /Prev %d" % xref if prev_loop else b""
    out += b"trailer\n<< /Size %d /Root 1 0 R%s%s >>\n" % (len(objects) + 1, prev, trailer_extra)
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def _one_page(*, catalog_extra: bytes = b"", page_extra: bytes = b"", more: tuple = ()) -> list:
    return [
        b"<< /Type /Catalog /Pages 2 0 R" + catalog_extra + b" >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >>" + page_extra + b" >>",
        b"<< /Length %d >>\nstream\n" % len(TEXT_PAGE) + TEXT_PAGE + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        *more,
    ]


HOSTILE_STRUCTURES = {
    # 10 000 nested arrays in the page's annotations.
    "deeply nested arrays": _raw_pdf(
        _one_page(page_extra=b" /Annots " + b"[" * 10_000 + b"]" * 10_000)
    ),
    # An outline item whose /Next and /First are itself.
    "cyclic outline": _raw_pdf(
        _one_page(
            catalog_extra=b" /Outlines 6 0 R",
            more=(
                b"<< /Type /Outlines /First 7 0 R /Last 7 0 R /Count 1 >>",
                b"<< /Title (Loop) /Parent 6 0 R /First 7 0 R /Next 7 0 R /Dest [3 0 R /Fit] >>",
            ),
        )
    ),
    # An xref section whose /Prev is itself.
    "cyclic xref /Prev": _raw_pdf(_one_page(), prev_loop=True),
    # A page tree whose Kids include the tree itself.
    "cyclic page tree": _raw_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R 2 0 R] /Count 2 >>",
            *_one_page()[2:],
        ]
    ),
}


@pytest.mark.parametrize("name", HOSTILE_STRUCTURES)
def test_a_structurally_hostile_pdf_ends_cleanly_and_quickly(name: str) -> None:
    started = time.monotonic()
    try:
        result = extract_pdf_text(HOSTILE_STRUCTURES[name])
    except PdfRejected as exc:  # the clean failure: a message for the user, nothing else
        assert exc.message
    else:  # or its text, when the reader can walk around the trap
        assert "Senior Backend Engineer" in result.text
    assert time.monotonic() - started < QUICK_SECONDS
    # The reader is still healthy for the next file.
    assert "John Doe" in extract_pdf_text(_theme("Classic")).text
