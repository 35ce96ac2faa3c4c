"""Server time and SQL query count of the main pages (editor, CV list, task panel).

Runs the real views in-process through Django's test client, on a throwaway database, with a
two-page CV. Prints one line per page: p50 and p95 milliseconds over the runs, and queries.

    .venv/bin/python bench/pages.py [--runs 60]
"""

from __future__ import annotations

import argparse
import json
import time

from _setup import ROOT, percentiles, setup_django

setup_django()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from accounts.models import User  # noqa: E402
from cvs import services  # noqa: E402
from cvs.models import BackgroundTask  # noqa: E402

RICH_CV = json.loads((ROOT / "cvs" / "tests" / "fixtures" / "rich_cv.json").read_text())


def measure(client: Client, url: str, runs: int) -> tuple[float, float, int]:
    client.get(url)  # warm templates and caches
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    p50, p95 = percentiles(samples)
    return p50, p95, len(queries.captured_queries)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=60)
    args = parser.parse_args()
    user = User.objects.create_user("bench@example.org", "bench-password-123")
    from allauth.account.models import EmailAddress

    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    cv = services.create_cv(user, content=RICH_CV, name="Bench CV")
    for n in range(30):
        services.create_cv(user, content=RICH_CV, name=f"CV {n}")
    for n in range(10):
        services.save_version(cv, changelog=f"v{n}", change_type="optimization")
    for _ in range(20):
        BackgroundTask.objects.create(user=user, type="test", title="t", status="completed")
    client = Client()
    client.force_login(user)
    pages = {
        "editor (2-page CV, 5 versions)": f"/cvs/{cv.pk}/",
        "CV list (31 CVs)": "/cvs/",
        "task panel": "/cvs/tasks/panel/",
        "export page with preview": f"/cvs/{cv.pk}/export/",
    }
    print(f"{'page':38} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8}")
    for label, url in pages.items():
        p50, p95, queries = measure(client, url, args.runs)
        print(f"{label:38} {p50:8.1f} {p95:8.1f} {queries:8d}")


if __name__ == "__main__":
    main()
