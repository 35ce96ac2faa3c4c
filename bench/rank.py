"""Ranking one CV against 50 offers (issue #20): the free offline ranking, target < 1 s.

Runs the ranking page in-process through Django's test client, on a throwaway database: the
two-page CV against 50 saved offers (the job fixtures, read by the offline extractor, each
under its own title). Prints the page's server time (p50, p95), the ranking alone, the page
with 20 offers pasted besides, the bare yardstick page (bench/yardstick.py) timed in the same
run and the ratio of the two, so that the figure says what the ranking costs on whatever
machine runs it, and the load average.

    .venv/bin/python bench/rank.py [--runs 20] [--quick] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import time
from collections.abc import Callable
from pathlib import Path

from _setup import ROOT, percentiles, setup_django

setup_django()

from django.db import connection  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import User  # noqa: E402
from ai.offline import extract_job_offer  # noqa: E402
from cvs import services  # noqa: E402
from cvs.ranking import rank  # noqa: E402
from joboffers.models import JobOffer  # noqa: E402

RICH_CV = json.loads((ROOT / "cvs" / "tests" / "fixtures" / "rich_cv.json").read_text())
JOBS = sorted(p for p in (ROOT / "ai/tests/fixtures/jobs").glob("*.txt") if "LICENSE" not in p.name)
OFFERS = 50
PASTED = 20
TARGET_MS = 1000.0
QUICK_RUNS = 5


def timed(run: Callable[[], object], runs: int) -> tuple[float, float]:
    run()  # warm the vocabularies, templates and caches
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        run()
        samples.append((time.perf_counter() - started) * 1000)
    return percentiles(samples)


def get(client: Client, url: str) -> Callable[[], object]:
    def run() -> object:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        return response

    return run


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_RUNS} runs per figure")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()
    runs = QUICK_RUNS if args.quick else args.runs

    user = User.objects.create_user("bench@example.org", "bench-password-123")
    from allauth.account.models import EmailAddress

    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    cv = services.create_cv(user, content=RICH_CV, name="Bench CV")
    texts = [path.read_text() for path in JOBS]
    contents = [extract_job_offer(text) for text in texts]
    now = timezone.now()
    JobOffer.objects.bulk_create(
        JobOffer(
            user=user,
            source_type="text",
            source_value=f"text:bench-{n}",
            source_name=f"Offer {n}",
            content={**contents[n % len(contents)], "company": f"Company {n}"},
            extracted_at=now,
        )
        for n in range(OFFERS)
    )
    client = Client()
    client.force_login(user)
    url = f"/cvs/{cv.pk}/rank/"
    paste = "\n---\n".join(f"{texts[n % len(texts)]}\nRef {n}" for n in range(PASTED))

    def post_paste() -> object:
        response = client.post(url, {"offers_text": paste})
        assert response.status_code == 200, response.status_code
        return response

    ranked = rank(cv)
    assert len(ranked.rows) == OFFERS, len(ranked.rows)
    rank_p50, rank_p95 = timed(lambda: rank(cv), runs)
    page_p50, page_p95 = timed(get(client, url), runs)
    paste_p50, paste_p95 = timed(post_paste, runs)
    with override_settings(ROOT_URLCONF="yardstick"):
        stick_p50, _stick_p95 = timed(get(client, "/bench/yardstick/"), runs)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    load = os.getloadavg()
    figures = {
        "offers": OFFERS,
        "pasted": PASTED,
        "runs": runs,
        "rank_p50_ms": rank_p50,
        "rank_p95_ms": rank_p95,
        "page_p50_ms": page_p50,
        "page_p95_ms": page_p95,
        "paste_p50_ms": paste_p50,
        "paste_p95_ms": paste_p95,
        "yardstick_p50_ms": stick_p50,
        "ratio": page_p50 / stick_p50 if stick_p50 else 0.0,
        "queries": len(queries.captured_queries),
        "target_ms": TARGET_MS,
        "loadavg": load[0],
    }
    print(
        f"ranking page, {OFFERS} offers: p50 {page_p50:.0f} ms, p95 {page_p95:.0f} ms "
        f"(target < {TARGET_MS:.0f} ms), {figures['queries']} queries; the ranking alone p50 "
        f"{rank_p50:.0f} ms; with {PASTED} offers pasted p50 {paste_p50:.0f} ms"
    )
    print(
        f"yardstick page p50 {stick_p50:.1f} ms: the ranking page costs {figures['ratio']:.0f} "
        f"yardstick pages"
    )
    print(f"load average: {' '.join(f'{n:.1f}' for n in load)} on {os.cpu_count()} CPUs")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
