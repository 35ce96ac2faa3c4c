"""Reading the text of an uploaded CV PDF safely.

PDF parsers keep shipping fixes for decompression bombs, loops and crashes, so pypdf never runs
in the web or Celery process: `extract_pdf_text` starts this file as a child process (isolated
Python, empty environment) that caps its own address space, CPU time and file writes before it
imports pypdf, and the parent kills it after a wall-clock timeout. Every failure becomes a
`PdfRejected` with a message fit for the user; the parent never sees a parser exception.

pypdf's plain extraction mode is used: it gives one line per visual line and keeps each entry's
title, place and dates on lines of their own, which is what the CV parser reads best ("layout"
mode pads columns with spaces and interleaves right-aligned dates with bullet points).
"""

from __future__ import annotations

import io
import json
import logging
import math
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_PAGES = 10
TIMEOUT_SECONDS = 20.0
MEMORY_MB = 512
MAX_TEXT_CHARS = 100_000
MAX_LINKS = 50
MAX_LINK_CHARS = 500
# Fewer letters and digits than this over the whole file means there is no usable text layer.
MIN_TEXT_CHARS = 20
MAGIC = b"%PDF-"
# Readers accept the header a little after the start; we only skip whitespace and a BOM.
MAGIC_WINDOW = 1024
LEADING_BYTES_ALLOWED = b" \t\r\n\x0c\x00"
UTF8_BOM = b"\xef\xbb\xbf"
PDF_CONTENT_TYPES = frozenset(
    {"application/pdf", "application/x-pdf", "application/acrobat", "application/octet-stream",
     "binary/octet-stream", "application/force-download"}
)  # fmt: skip
# Tighter than pypdf's defaults (75 MB per stream): a CV page needs far less than this.
PYPDF_LIMITS: dict[str, Any] = {
    "maximum_declared_stream_length": 30_000_000,
    "array_based_stream_maximum_output_length": 30_000_000,
    "jbig2_maximum_output_length": 30_000_000,
    "lzw_maximum_output_length": 30_000_000,
    "run_length_maximum_output_length": 30_000_000,
    "zlib_maximum_output_length": 30_000_000,
    "brotli_maximum_output_length": 30_000_000,
    "image_maximum_buffer_size": 30_000_000,
    "stream_decoding_work_maximum_length": 100_000_000,
    "jbig2dec_binary": None,  # never start another program from the sandbox
    "disable_legacy_handling": True,
}
MESSAGES = {
    "empty": "The file is empty.",
    "not_pdf": "This file is not a PDF. Upload a .pdf file, or paste the text of your CV.",
    "too_large": "This file is {size}; the limit is {limit}.",
    "encrypted": (
        "This PDF is protected by a password. Save or print it as a new PDF without a "
        "password, or paste the text of your CV."
    ),
    "malformed": (
        "This PDF could not be read; it may be damaged or incomplete. Export it again from "
        "your editor, or paste the text of your CV."
    ),
    "too_many_pages": "This PDF has {pages} pages; the limit is {limit}.",
    "too_complex": (
        "This PDF is too complex to read safely (it holds far more data than a CV needs). "
        "Export it again from your editor, or paste the text of your CV."
    ),
    "timeout": (
        "Reading this PDF took too long (over {seconds} seconds). Export it again from your "
        "editor, or paste the text of your CV."
    ),
    "no_text": (
        "This PDF has no selectable text: it looks like a scan or an image. Upload a PDF "
        "whose text you can select, or paste the text of your CV."
    ),
}

logger = logging.getLogger(__name__)

_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
_LINK_SCHEMES = ("http://", "https://", "mailto:")


class PdfRejected(Exception):
    """The PDF cannot be imported; `message` is written for the user, `code` for logs."""

    def __init__(self, message: str, *, code: str = "rejected") -> None:
        super().__init__(message)
        self.message = message
        self.code = code


class PdfHasNoText(PdfRejected):
    """The PDF has no text layer (a scan): the caller may fall back to vision or pasted text."""

    def __init__(self, message: str = MESSAGES["no_text"]) -> None:
        super().__init__(message, code="no_text")


@dataclass(frozen=True, slots=True)
class PdfText:
    text: str
    pages: int
    links: tuple[str, ...] = ()  # link targets from the PDF's annotations, in page order


def _size(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB".replace(".0 MB", " MB")
    return f"{math.ceil(size / 1024)} KB"


def check_pdf_upload(data: bytes, *, max_bytes: int, content_type: str | None) -> None:
    """Cheap checks before any parsing: not empty, not too large, and really a PDF."""
    if not data:
        raise PdfRejected(MESSAGES["empty"], code="empty")
    if len(data) > max_bytes:
        message = MESSAGES["too_large"].format(size=_size(len(data)), limit=_size(max_bytes))
        raise PdfRejected(message, code="too_large")
    kind = (content_type or "").split(";")[0].strip().lower()
    if kind and kind not in PDF_CONTENT_TYPES:
        raise PdfRejected(MESSAGES["not_pdf"], code="not_pdf")
    head = data[:MAGIC_WINDOW]
    if head.startswith(UTF8_BOM):
        head = head[len(UTF8_BOM) :]
    if not head.lstrip(LEADING_BYTES_ALLOWED).startswith(MAGIC):
        raise PdfRejected(MESSAGES["not_pdf"], code="not_pdf")


def extract_pdf_text(
    data: bytes,
    *,
    max_pages: int = MAX_PAGES,
    timeout: float = TIMEOUT_SECONDS,
    memory_mb: int = MEMORY_MB,
) -> PdfText:
    """The text of the PDF in `data`, read in a sandboxed child process.

    Raises PdfRejected (encrypted, damaged, too many pages, too complex, too slow) or
    PdfHasNoText (no text layer).
    """
    command = [
        sys.executable, "-I", str(Path(__file__).resolve()),
        str(max_pages), str(memory_mb), str(max(1, math.ceil(timeout))),
    ]  # fmt: skip
    try:
        # An empty environment keeps the server's secrets out of the process that parses
        # untrusted bytes; -I ignores PYTHON* variables, the user site and the working dir.
        done = subprocess.run(
            command,
            input=data,
            capture_output=True,
            timeout=timeout,
            env={"LC_ALL": "C.UTF-8"},
            start_new_session=True,
            check=False,
        )
    except subprocess.TimeoutExpired:
        # subprocess.run has already killed and reaped the child.
        logger.warning("PDF text extraction timed out after %.1f s", timeout)
        raise PdfRejected(_timeout_message(timeout), code="timeout") from None
    result = _decode_result(done)
    if "error" in result:
        raise _rejection(result, max_pages=max_pages, timeout=timeout)
    return PdfText(result["text"], result["pages"], tuple(result["links"]))


def _timeout_message(timeout: float) -> str:
    return MESSAGES["timeout"].format(seconds=f"{timeout:g}")


def _decode_result(done: subprocess.CompletedProcess[bytes]) -> dict[str, Any]:
    if done.returncode < 0:
        # Killed by a signal: SIGXCPU/SIGKILL from the CPU limit, SIGSEGV from the allocator
        # running into the address-space cap.
        logger.warning("PDF worker killed by signal %d", -done.returncode)
        return {"error": "timeout" if -done.returncode in (9, 24) else "too_complex"}
    try:
        result = json.loads(done.stdout)
    except ValueError:
        result = None
    if not isinstance(result, dict) or not (
        "error" in result
        or (
            isinstance(result.get("text"), str)
            and isinstance(result.get("pages"), int)
            and isinstance(result.get("links"), list)
        )
    ):
        logger.warning(
            "PDF worker failed (exit %d): %s",
            done.returncode,
            done.stderr[-2000:].decode(errors="replace"),
        )
        return {"error": "too_complex" if b"MemoryError" in done.stderr else "malformed"}
    return result


def _rejection(result: dict[str, Any], *, max_pages: int, timeout: float) -> PdfRejected:
    code = result["error"]
    if code == "no_text":
        return PdfHasNoText()
    if code == "too_many_pages":
        message = MESSAGES[code].format(pages=result.get("pages", "?"), limit=max_pages)
    elif code == "timeout":
        message = _timeout_message(timeout)
    else:
        code = code if code in ("encrypted", "too_complex") else "malformed"
        message = MESSAGES[code]
    logger.info("PDF rejected: %s (%s)", code, result.get("detail", ""))
    return PdfRejected(message, code=code)


# ---------------------------------------------------------------------------------------------
# The child process. Only the standard library is imported above this line, so the limits are
# in place before pypdf (and whatever it imports) runs.


def _limit_resources(memory_mb: int, cpu_seconds: int) -> None:
    import resource  # in the sandboxed child only

    memory = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _read_pdf(data: bytes, max_pages: int) -> dict[str, Any]:
    # In the sandboxed child, after its limits are set: pypdf never runs without them.
    import pypdf
    from pypdf.errors import LimitReachedError

    with pypdf.apply_configuration(**PYPDF_LIMITS):
        try:
            reader = pypdf.PdfReader(io.BytesIO(data), strict=False)
            # An owner password only restricts printing or copying; an empty user password
            # opens the file, as every viewer does.
            if reader.is_encrypted and not _opens_without_password(reader):
                return {"error": "encrypted"}
            pages = len(reader.pages)
            if pages > max_pages:
                return {"error": "too_many_pages", "pages": pages}
            if pages == 0:
                return {"error": "malformed", "detail": "no pages"}
            texts = [page.extract_text() or "" for page in reader.pages]
            links = _links(reader)
        except (LimitReachedError, MemoryError, RecursionError) as exc:
            return {"error": "too_complex", "detail": type(exc).__name__}
        except Exception as exc:  # any parser failure is a damaged file to the user
            return {"error": "malformed", "detail": f"{type(exc).__name__}: {exc}"[:300]}
    text = _CONTROL_CHARS.sub("", "\n".join(texts))[:MAX_TEXT_CHARS]
    if sum(char.isalnum() for char in text) < MIN_TEXT_CHARS:
        return {"error": "no_text", "pages": pages}
    return {"text": text, "pages": pages, "links": links}


def _opens_without_password(reader: Any) -> bool:
    try:
        return bool(reader.decrypt(""))
    except Exception:
        return False


def _links(reader: Any) -> list[str]:
    links: list[str] = []
    for page in reader.pages:
        try:
            annotations = page.get("/Annots") or []
            annotations = (
                annotations.get_object() if hasattr(annotations, "get_object") else annotations
            )
            for annotation in annotations:
                action = annotation.get_object().get("/A")
                uri = action.get_object().get("/URI") if action is not None else None
                if isinstance(uri, str):
                    uri = _CONTROL_CHARS.sub("", uri).strip()
                    if uri.lower().startswith(_LINK_SCHEMES) and len(uri) <= MAX_LINK_CHARS:
                        links.append(uri)
        except Exception:  # a broken annotation costs its link, not the import
            continue
    return list(dict.fromkeys(links))[:MAX_LINKS]


def _worker_main(argv: list[str]) -> int:
    max_pages, memory_mb, cpu_seconds = (int(arg) for arg in argv)
    _limit_resources(memory_mb, cpu_seconds)
    logging.disable(logging.CRITICAL)  # pypdf's warnings about odd files are not errors here
    import warnings  # in the sandboxed child only

    warnings.simplefilter("ignore")
    data = sys.stdin.buffer.read()
    try:
        result = _read_pdf(data, max_pages)
    except MemoryError:
        result = {"error": "too_complex", "detail": "MemoryError"}
    sys.stdout.write(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(_worker_main(sys.argv[1:]))
