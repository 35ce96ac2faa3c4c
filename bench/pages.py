"""Server time and SQL query count of the main pages (editor, CV list, task panel).

Runs the real views in-process through Django's test client, on a throwaway database, with a
two-page CV. Prints one line per page: p50 and p95 milliseconds over the runs, the p50 of a
first view (the cache emptied before each request, as after an edit: the fragment cache of
the editor's document and of the list rows is cold), and queries.

    .venv/bin/python bench/pages.py [--runs 60] [--quick] [--json FILE]

Query counts are also taken with one CV and no versions or tasks, before the data is added:
both columns must be equal (constant whatever the number of CVs and versions).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from _setup import ROOT, percentiles, setup_django

setup_django()

from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from accounts.models import User  # noqa: E402
from cvs import services  # noqa: E402
from jobs.models import BackgroundTask  # noqa: E402

RICH_CV = json.loads((ROOT / "cvs" / "tests" / "fixtures" / "rich_cv.json").read_text())
QUICK_RUNS = 15


def count_queries(client: Client, url: str) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    return len(queries.captured_queries)


def timed_get(client: Client, url: str) -> float:
    started = time.perf_counter()
    response = client.get(url)
    elapsed = (time.perf_counter() - started) * 1000
    assert response.status_code == 200, (url, response.status_code)
    return elapsed


def measure(client: Client, url: str, runs: int) -> tuple[float, float, float, int]:
    client.get(url)  # warm templates and caches
    samples = [timed_get(client, url) for _ in range(runs)]
    cold = []
    for _ in range(runs):
        cache.clear()
        cold.append(timed_get(client, url))
    p50, p95 = percentiles(samples)
    return p50, p95, percentiles(cold)[0], count_queries(client, url)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=60)
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_RUNS} runs per page")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()
    runs = QUICK_RUNS if args.quick else args.runs
    user = User.objects.create_user("bench@example.org", "bench-password-123")
    from allauth.account.models import EmailAddress

    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    cv = services.create_cv(user, content=RICH_CV, name="Bench CV")
    client = Client()
    client.force_login(user)
    pages = {
        "editor (2-page CV, 5 versions)": f"/cvs/{cv.pk}/",
        "CV list (31 CVs)": "/cvs/",
        "task panel (20 tasks)": "/cvs/tasks/panel/",
        "export page with preview": f"/cvs/{cv.pk}/export/",
    }
    few_queries = {label: count_queries(client, url) for label, url in pages.items()}
    for n in range(30):
        services.create_cv(user, content=RICH_CV, name=f"CV {n}")
    for n in range(10):
        services.save_version(cv, changelog=f"v{n}", change_type="optimization")
    for _ in range(20):
        BackgroundTask.objects.create(user=user, type="test", title="t", status="completed")
    rows = []
    print(
        f"{'page':38} {'p50 ms':>8} {'p95 ms':>8} {'cold p50':>9} {'queries':>8} {'with 1 CV':>10}"
    )
    for label, url in pages.items():
        p50, p95, cold, queries = measure(client, url, runs)
        print(f"{label:38} {p50:8.1f} {p95:8.1f} {cold:9.1f} {queries:8d} {few_queries[label]:10d}")
        rows.append(
            {
                "page": label,
                "url": url,
                "p50_ms": p50,
                "p95_ms": p95,
                "cold_p50_ms": cold,
                "queries": queries,
                "queries_one_cv": few_queries[label],
            }
        )
    if args.json:
        args.json.write_text(json.dumps({"runs": runs, "pages": rows}, indent=1))


if __name__ == "__main__":
    main()
