"""PDF export speed: WeasyPrint in-process (warm) against headless Chromium printing the same HTML.

    .venv/bin/python bench/export_pdf.py [--cv FILE] [--runs 20] [--chromium-runs 5]
        [--memory-renders 50] [--quick] [--json FILE]

FILE is a CV JSON or a JSON Resume document (default: the 2-page rich_cv.json fixture).

Targets (bench/run.py): under 200 ms warm for a 2-page CV, at least 5 times faster than
Chromium printing the same HTML, measured in the same run, the two interleaved; Chromium is
timed as a fresh process per export (what shelling out to it would cost), only when
/usr/bin/chromium exists.
Memory: the process's resident size after each of --memory-renders renders (it must stop
growing once warm) and the peak of Python allocations during one render (tracemalloc).
Fit to one page (cvs.fit): a 2-page CV tightened to one page, and a CV too long for one page
at the densest readable layout (the bullets to remove proposed, then the accepted removals
fitted), each searched from scratch (no cache), per template.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import logging
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CV = ROOT / "cvs" / "tests" / "fixtures" / "rich_cv.json"
CHROMIUM = "/usr/bin/chromium"
QUICK_RUNS, QUICK_CHROMIUM_RUNS, QUICK_MEMORY_RENDERS = 5, 2, 30
# The resident size is read after this many renders as the warm baseline for growth.
MEMORY_WARM_RENDERS = 10


def percentile(samples: list[float], pct: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


def time_template(
    cv: dict, template: str, runs: int, chromium_runs: int
) -> tuple[list[float], list[float], int, list[float]]:
    """Wall-clock and CPU milliseconds per warm export (CPU time shows what a busy machine
    hides), the page count, and Chromium's wall-clock milliseconds printing the same HTML.

    The two are interleaved, a Chromium export after every few of ours, so both see the
    machine in the same state: on a shared machine a slow minute would otherwise fall on one
    side of the ratio only."""
    from pypdf import PdfReader

    from cvs.export import ExportOptions, render_pdf

    options = ExportOptions(template=template)
    pdf = render_pdf(cv, options)  # warm-up: imports, fonts, parsed stylesheets
    wall: list[float] = []
    cpu: list[float] = []
    chromium: list[float] = []
    with chromium_printer(cv, template) if chromium_runs else contextlib.nullcontext() as print_:
        if print_:
            print_()  # the first run fills the profile and disk caches
        for n in range(runs):
            start, start_cpu = time.perf_counter(), time.process_time()
            render_pdf(cv, options)
            wall.append((time.perf_counter() - start) * 1000)
            cpu.append((time.process_time() - start_cpu) * 1000)
            if print_ and len(chromium) < chromium_runs * (n + 1) // runs:
                chromium.append(print_())
    return wall, cpu, len(PdfReader(io.BytesIO(pdf)).pages), chromium


def time_fit(template: str, runs: int) -> list[dict[str, float]]:
    """Wall-clock ms of fit-to-one-page exports, layouts searched and the PDF written."""
    from django.core.cache.backends.dummy import DummyCache

    import cvs.fit
    from ai.offline import extract_job_offer
    from cvs.export import ExportOptions, write_pdf
    from cvs.tests.fitting_cvs import OFFER_TEXT, long_cv

    cvs.fit.cache = DummyCache("bench", {})  # every run searches: no result kept between runs
    offer = extract_job_offer(OFFER_TEXT)
    # Two pages as designed and one once tightened, in each template (as in the tests).
    two_pages = {"classic": (4, 5), "modern": (4, 5), "compact": (6, 5)}[template]
    cases = {
        "2 pages tightened to 1": long_cv(jobs=two_pages[0], bullets=two_pages[1]),
        "too long: removals proposed": long_cv(jobs=7, bullets=6),
    }
    rows = []
    for case, cv in cases.items():
        options = ExportOptions(template=template, fit_pages=1)
        samples, cpu, result = [], [], None
        for _ in range(runs + 1):  # the first run warms the denser steps' stylesheets
            start, start_cpu = time.perf_counter(), time.process_time()
            result = cvs.fit.fit_export(cv, options, offer=offer)
            write_pdf(result.document)
            samples.append((time.perf_counter() - start) * 1000)
            cpu.append((time.process_time() - start_cpu) * 1000)
        assert result is not None
        row = {"template": template, "case": case, "p50_ms": statistics.median(samples[1:])}
        row["cpu_p50_ms"] = statistics.median(cpu[1:])
        row |= {"renders": result.renders, "pages": result.pages, "step": result.density}
        row["proposed"] = len(result.proposal)
        rows.append(row)
        if result.proposal:  # then the accepted removals fitted, as the download does
            accepted = ExportOptions(
                template=template, fit_pages=1, drop_bullets=[b.path for b in result.proposal]
            )
            samples, cpu = [], []
            for _ in range(runs):
                start, start_cpu = time.perf_counter(), time.process_time()
                fitted = cvs.fit.fit_export(cv, accepted, offer=offer)
                write_pdf(fitted.document)
                samples.append((time.perf_counter() - start) * 1000)
                cpu.append((time.process_time() - start_cpu) * 1000)
            rows.append(
                {
                    "template": template,
                    "case": "accepted removals fitted",
                    "p50_ms": statistics.median(samples),
                    "cpu_p50_ms": statistics.median(cpu),
                    "renders": fitted.renders,
                    "pages": fitted.pages,
                    "step": fitted.density,
                    "proposed": 0,
                }
            )
    return rows


def resident_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def measure_memory(cv: dict, template: str, renders: int) -> dict[str, float]:
    """Resident size across many renders of the same CV, and one render's allocation peak."""
    from cvs.export import ExportOptions, render_pdf

    options = ExportOptions(template=template)
    resident = []
    for _ in range(renders):
        render_pdf(cv, options)
        resident.append(resident_mb())
    warm = resident[min(MEMORY_WARM_RENDERS, renders) - 1]
    tracemalloc.start()
    render_pdf(cv, options)
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return {
        "renders": renders,
        "rss_warm_mb": warm,
        "rss_last_mb": resident[-1],
        "rss_growth_mb": max(resident[MEMORY_WARM_RENDERS - 1 :]) - warm,
        "traced_peak_mb": peak,
    }


@contextlib.contextmanager
def chromium_printer(cv: dict, template: str) -> Iterator[Callable[[], float]]:
    """A function that prints the CV's export HTML to PDF with a fresh headless Chromium
    process (what shelling out to it would cost) and returns the milliseconds it took."""
    from cvs.export import ExportOptions, render_html

    html = render_html(cv, ExportOptions(template=template))  # links static/cv as file://
    with tempfile.TemporaryDirectory() as tmp:
        page, out = Path(tmp) / "cv.html", Path(tmp) / "cv.pdf"
        page.write_text(html, encoding="utf-8")
        command = [
            CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
            f"--user-data-dir={tmp}/profile", f"--print-to-pdf={out}", page.as_uri(),
        ]  # fmt: skip

        def print_pdf() -> float:
            start = time.perf_counter()
            subprocess.run(command, capture_output=True, check=True, timeout=120)
            return (time.perf_counter() - start) * 1000

        yield print_pdf


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cv", type=Path, default=DEFAULT_CV)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--chromium-runs", type=int, default=5)
    parser.add_argument("--memory-renders", type=int, default=50)
    parser.add_argument("--quick", action="store_true", help="fewer runs of each")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()
    if args.quick:
        args.runs, args.chromium_runs = QUICK_RUNS, QUICK_CHROMIUM_RUNS
        args.memory_renders = QUICK_MEMORY_RENDERS
    args.memory_renders = max(args.memory_renders, MEMORY_WARM_RENDERS)

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fitmycv.settings")
    import django

    django.setup()
    logging.getLogger("weasyprint").setLevel(logging.WARNING)
    from cvs.export import TEMPLATES
    from cvs.management.commands.export_cv import read_cv

    cv = read_cv(args.cv, language=None)  # our CV JSON or a JSON Resume document
    has_chromium = shutil.which(CHROMIUM) is not None
    print(f"CV: {args.cv.name}; {args.runs} warm WeasyPrint runs per template")
    print(f"load average: {' '.join(f'{n:.1f}' for n in os.getloadavg())} on {os.cpu_count()} CPUs")
    rows = []
    for template in TEMPLATES:
        chromium_runs = args.chromium_runs if has_chromium else 0
        samples, cpu, pages, chromium = time_template(cv, template, args.runs, chromium_runs)
        p50, p95 = statistics.median(samples), percentile(samples, 95)
        row = {"template": template, "pages": pages, "p50_ms": p50, "p95_ms": p95}
        row["cpu_p50_ms"] = statistics.median(cpu)
        line = (
            f"{template:8} {pages} pages  weasyprint p50 {p50:4.0f} ms  p95 {p95:4.0f} ms"
            f"  (cpu p50 {row['cpu_p50_ms']:4.0f} ms)"
        )
        if chromium:
            row["chromium_p50_ms"] = statistics.median(chromium)
            line += (
                f"  | chromium p50 {row['chromium_p50_ms']:5.0f} ms"
                f"  ratio {row['chromium_p50_ms'] / p50:4.1f}x"
            )
        rows.append(row)
        print(line, flush=True)
    memory = []
    for template in TEMPLATES:
        used = {"template": template, **measure_memory(cv, template, args.memory_renders)}
        memory.append(used)
        print(
            f"{template:8} memory: resident {used['rss_warm_mb']:.1f} MB after "
            f"{MEMORY_WARM_RENDERS} renders, {used['rss_last_mb']:.1f} MB after "
            f"{used['renders']} (growth {used['rss_growth_mb']:+.1f} MB); "
            f"one render's Python allocations peak at {used['traced_peak_mb']:.1f} MB",
            flush=True,
        )
    fits = []
    for template in TEMPLATES:
        for row in time_fit(template, max(3, args.runs // 4)):
            fits.append(row)
            print(
                f"{template:8} fit to 1 page, {row['case']}: p50 {row['p50_ms']:4.0f} ms "
                f"(cpu {row['cpu_p50_ms']:4.0f} ms), "
                f"{row['renders']} layouts, step {row['step']}, {row['pages']} page(s)"
                + (f", {row['proposed']} bullets proposed" if row["proposed"] else ""),
                flush=True,
            )
    if not has_chromium:
        print(f"{CHROMIUM} not found: no Chromium comparison")
    if args.json:
        figures = {"cv": args.cv.name, "runs": args.runs, "chromium_runs": args.chromium_runs}
        figures |= {"templates": rows, "memory": memory, "fit": fits}
        args.json.write_text(json.dumps(figures, indent=1))


if __name__ == "__main__":
    main()
