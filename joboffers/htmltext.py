"""Reading a fetched web page safely: the HTML parsers run in a sandboxed child process.

lxml and trafilatura can spend minutes on a small hostile page (tens of thousands of
attributes), so they never run in the web or Celery process: `read_page` starts a child
(isolated Python, empty environment) that caps its own address space, CPU time and file writes
before it imports `joboffers.pages` (and with it lxml and trafilatura), and the parent kills it
after a wall-clock timeout. Pages larger than the fetcher's limit are refused before any
parsing. Every failure becomes a `PageUnreadable` with a message fit for the user; the worker
that asked goes on with its next task. Modelled on `core.pdftext`.

Only the standard library (and `core.errors`, which is standard library only) is imported at
module level, so nothing else runs in the child before its limits are set.
"""

from __future__ import annotations

import json
import logging
import math
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from core.errors import UserFacingError

if TYPE_CHECKING:
    from joboffers.pages import PageContent

# The fetcher never hands over more than this (joboffers.fetch.MAX_BYTES).
MAX_HTML_BYTES = 2 * 1024 * 1024
TIMEOUT_SECONDS = 8.0
MEMORY_MB = 1024
TOO_COMPLEX = "This page is too complex to read: paste the offer's text instead."
PAGE_STATUSES = frozenset({"ok", "login_required", "expired", "no_content"})
PROJECT_ROOT = Path(__file__).resolve().parents[1]

logger = logging.getLogger(__name__)


class PageUnreadable(UserFacingError):
    """The page could not be read within the sandbox's limits; `code` is for logs."""

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.code = code


def read_page(
    body: bytes,
    *,
    url: str,
    encoding: str | None = None,
    timeout: float | None = None,
    memory_mb: int = MEMORY_MB,
    max_bytes: int = MAX_HTML_BYTES,
) -> PageContent:
    """`joboffers.pages.extract_page` of `body`, run in a sandboxed child process.

    Raises PageUnreadable when the page is too large, too slow or too big in memory to read.
    """
    from joboffers.pages import PageContent  # the parent builds the result, never parses

    timeout = TIMEOUT_SECONDS if timeout is None else timeout
    if len(body) > max_bytes:
        logger.info("Page refused before parsing: %d bytes", len(body))
        raise PageUnreadable(_too_complex(), code="too_large")
    header = json.dumps({"url": url, "encoding": encoding}).encode() + b"\n"
    command = [
        sys.executable, "-I", "-c",
        "import sys; sys.path.insert(0, sys.argv[1]); "
        "from joboffers.htmltext import _worker_main; sys.exit(_worker_main(sys.argv[2:]))",
        str(PROJECT_ROOT), str(memory_mb), str(max(1, math.ceil(timeout))),
    ]  # fmt: skip
    try:
        # An empty environment keeps the server's secrets out of the process that parses
        # untrusted markup; -I ignores PYTHON* variables, the user site and the working dir.
        done = subprocess.run(
            command,
            input=header + body,
            capture_output=True,
            timeout=timeout,
            env={"LC_ALL": "C.UTF-8"},
            start_new_session=True,
            check=False,
        )
    except subprocess.TimeoutExpired:
        # subprocess.run has already killed and reaped the child.
        logger.warning("Page text extraction timed out after %.1f s (%s)", timeout, url)
        raise PageUnreadable(_too_complex(), code="timeout") from None
    result = _decode_result(done)
    if "error" in result:
        logger.info("Page rejected: %s (%s) %s", result["error"], result.get("detail", ""), url)
        raise PageUnreadable(_too_complex(), code=str(result["error"]))
    return PageContent(
        title=result["title"],
        text=result["text"],
        job_posting=result["job_posting"],
        status=result["status"],
    )


def _too_complex() -> str:
    # Django is never imported in the child, where the limits come before anything else.
    from django.utils.translation import gettext as _

    return _("This page is too complex to read: paste the offer's text instead.")


def _decode_result(done: subprocess.CompletedProcess[bytes]) -> dict[str, Any]:
    if done.returncode < 0:
        # Killed by a signal: SIGXCPU/SIGKILL from the CPU limit, SIGSEGV from the allocator
        # running into the address-space cap.
        logger.warning("Page worker killed by signal %d", -done.returncode)
        return {"error": "timeout" if -done.returncode in (9, 24) else "too_complex"}
    try:
        result = json.loads(done.stdout)
    except ValueError:
        result = None
    if not isinstance(result, dict) or not (
        "error" in result
        or (
            isinstance(result.get("title"), str)
            and isinstance(result.get("text"), str)
            and isinstance(result.get("job_posting"), dict | None)
            and result.get("status") in PAGE_STATUSES
        )
    ):
        logger.warning(
            "Page worker failed (exit %d): %s",
            done.returncode,
            done.stderr[-2000:].decode(errors="replace"),
        )
        return {"error": "too_complex" if b"MemoryError" in done.stderr else "malformed"}
    return result


# ---------------------------------------------------------------------------------------------
# The child process. Only the standard library is imported above this line, so the limits are
# in place before lxml and trafilatura (and whatever they import) run.


def _limit_resources(memory_mb: int, cpu_seconds: int) -> None:
    # In the sandboxed child only.
    import resource

    memory = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _read(header: dict[str, Any], body: bytes) -> dict[str, Any]:
    # In the sandboxed child, after its limits are set: the parsers never run without them.
    from joboffers.pages import extract_page

    try:
        page = extract_page(body, url=str(header.get("url") or ""), encoding=header.get("encoding"))
    except (MemoryError, RecursionError) as exc:
        return {"error": "too_complex", "detail": type(exc).__name__}
    except Exception as exc:  # any parser failure is an unreadable page to the user
        return {"error": "malformed", "detail": f"{type(exc).__name__}: {exc}"[:300]}
    return {
        "title": page.title,
        "text": page.text,
        "job_posting": page.job_posting,
        "status": page.status,
    }


def _worker_main(argv: list[str]) -> int:
    memory_mb, cpu_seconds = (int(arg) for arg in argv)
    _limit_resources(memory_mb, cpu_seconds)
    logging.disable(logging.CRITICAL)  # trafilatura's warnings about odd pages are not errors
    # In the sandboxed child only.
    import warnings

    warnings.simplefilter("ignore")
    header_line, _, body = sys.stdin.buffer.read().partition(b"\n")
    try:
        result = _read(json.loads(header_line), body)
    except MemoryError:
        result = {"error": "too_complex", "detail": "MemoryError"}
    sys.stdout.write(json.dumps(result))
    return 0
