"""Growth: the editor and the CV list as a user's CVs and a CV's versions pile up.

Seeds one user per size with 1, 50 and 500 CVs (the list) and one CV per size with 1, 100 and
1,000 versions (the editor), on a throwaway database, then measures each page in-process
through Django's test client: SQL queries, p50 server time with the caches warm and cold (the
cache emptied before each request). The sizes are measured in turns, round after round, so
that a change of the machine's load touches them all alike. Prints the slope in ms per 100
items (least squares over the sizes) and the query counts.

Target (issue #19): the same queries at every size, and flat time: over the range of sizes the
slope adds at most FLAT_GROWTH of the smallest size's p50, warm and cold. A list of 1 CV shows
one row and a list of 25 or more a page of 25, which takes longer to render whatever the
user keeps: the list's time is judged from a full page (25 CVs) to 500, its queries from 1.

"Warm" is a page viewed again (viewed once just before: its fragments are cached), "cold" a
page viewed after the cache was emptied (as after an edit).

    .venv/bin/python bench/growth.py [--rounds 40] [--quick] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

from _setup import ROOT, setup_django

setup_django()

from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from accounts.models import User  # noqa: E402
from core.fragments import forget_local_fragments  # noqa: E402
from cvs import services  # noqa: E402
from cvs.models import CV, CVVersion, VersionChangeType  # noqa: E402

RICH_CV = json.loads((ROOT / "cvs" / "tests" / "fixtures" / "rich_cv.json").read_text())
CV_SIZES = (1, 25, 50, 500)
# The list shows pages of 25 CVs: its time is compared from the first size with a full page.
LIST_FLAT_FROM = 25
VERSION_SIZES = (1, 100, 1000)
FLAT_GROWTH = 0.25
QUICK_ROUNDS = 20


def signed_in(email: str) -> tuple[User, Client]:
    user = User.objects.create_user(email, "bench-password-123")
    client = Client()
    client.force_login(user)
    return user, client


def seed_list(size: int) -> tuple[Client, str]:
    user, client = signed_in(f"list-{size}@example.org")
    services.create_cv(user, content=RICH_CV, name="CV 0")
    CV.objects.bulk_create(
        CV(user=user, filename=f"cv-{n}.json", name=f"CV {n}", content=RICH_CV)
        for n in range(1, size)
    )
    return client, "/cvs/"


def seed_editor(size: int) -> tuple[Client, str]:
    user, client = signed_in(f"editor-{size}@example.org")
    cv = services.create_cv(user, content=RICH_CV, name="Bench CV")
    CVVersion.objects.bulk_create(
        CVVersion(cv=cv, version=n, content=RICH_CV, change_type=VersionChangeType.OPTIMIZATION)
        for n in range(1, size + 1)
    )
    return client, f"/cvs/{cv.pk}/"


def queries(client: Client, url: str) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    return len(captured.captured_queries)


def timed(client: Client, url: str, *, cold: bool) -> float:
    if cold:
        cache.clear()
        forget_local_fragments()
    else:
        client.get(url)  # viewed just before: another page's cold view emptied the cache
    started = time.perf_counter()
    response = client.get(url)
    elapsed = (time.perf_counter() - started) * 1000
    assert response.status_code == 200, (url, response.status_code)
    return elapsed


def slope_per_100(sizes: tuple[int, ...], times: list[float]) -> float:
    """Least-squares slope of time over size, in ms per 100 items."""
    mean_size, mean_time = statistics.fmean(sizes), statistics.fmean(times)
    num = sum((s - mean_size) * (t - mean_time) for s, t in zip(sizes, times, strict=True))
    den = sum((s - mean_size) ** 2 for s in sizes)
    return num / den * 100


def measure(
    page: str, sizes: tuple[int, ...], seed, rounds: int, unit: str, flat_from: int = 0
) -> dict:  # type: ignore[no-untyped-def]
    targets = {size: seed(size) for size in sizes}
    counts = {size: queries(*targets[size]) for size in sizes}
    samples: dict[tuple[int, bool], list[float]] = {(s, c): [] for s in sizes for c in (0, 1)}
    for _ in range(rounds):
        for cold in (False, True):
            for size in sizes:
                samples[size, cold].append(timed(*targets[size], cold=cold))
    warm = [statistics.median(samples[size, False]) for size in sizes]
    cold_p50 = [statistics.median(samples[size, True]) for size in sizes]
    timed_sizes = tuple(size for size in sizes if size >= flat_from)
    first = sizes.index(timed_sizes[0])
    row = {
        "page": page,
        "unit": unit,
        "sizes": list(sizes),
        "timed_sizes": list(timed_sizes),
        "queries": [counts[size] for size in sizes],
        "warm_p50_ms": warm,
        "cold_p50_ms": cold_p50,
        "warm_slope_ms_per_100": slope_per_100(timed_sizes, warm[first:]),
        "cold_slope_ms_per_100": slope_per_100(timed_sizes, cold_p50[first:]),
    }
    row["constant_queries"] = len(set(row["queries"])) == 1
    span = (timed_sizes[-1] - timed_sizes[0]) / 100
    row["growth_warm"] = row["warm_slope_ms_per_100"] * span / warm[first]
    row["growth_cold"] = row["cold_slope_ms_per_100"] * span / cold_p50[first]
    row["flat"] = max(row["growth_warm"], row["growth_cold"]) <= FLAT_GROWTH
    row["met"] = row["constant_queries"] and row["flat"]
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_ROUNDS} rounds")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()
    rounds = QUICK_ROUNDS if args.quick else args.rounds
    rows = [
        measure("CV list", CV_SIZES, seed_list, rounds, "CVs", flat_from=LIST_FLAT_FROM),
        measure("editor", VERSION_SIZES, seed_editor, rounds, "versions"),
    ]
    for row in rows:
        print(f"{row['page']} at {', '.join(map(str, row['sizes']))} {row['unit']}:")
        print(f"  queries         {row['queries']}")
        print(f"  warm p50 ms     {', '.join(f'{t:.1f}' for t in row['warm_p50_ms'])}")
        print(f"  cold p50 ms     {', '.join(f'{t:.1f}' for t in row['cold_p50_ms'])}")
        print(
            f"  slope           warm {row['warm_slope_ms_per_100']:+.3f}, "
            f"cold {row['cold_slope_ms_per_100']:+.3f} ms per 100 {row['unit']}"
        )
        timed_range = f"{row['timed_sizes'][0]} to {row['timed_sizes'][-1]}"
        print(
            f"  over {timed_range}  warm {row['growth_warm']:+.0%}, cold {row['growth_cold']:+.0%}"
        )
        print(f"  target (constant queries, slope adds <= {FLAT_GROWTH:.0%} over the range): "
              f"{'met' if row['met'] else 'missed'}")  # fmt: skip
    if args.json:
        args.json.write_text(
            json.dumps({"rounds": rounds, "flat_growth": FLAT_GROWTH, "growth": rows}, indent=1)
        )


if __name__ == "__main__":
    main()
