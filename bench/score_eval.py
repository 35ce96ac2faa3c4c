"""How well the offline match score tells fit from misfit, on the evaluation set.

Reads eval/cvs/*.json, eval/offers/*.txt and eval/pairs.json (graded 0-3) and prints the AUC of
grade >= 2 against grade <= 1, the Spearman correlation of score and grade, and the scoring
time. Offers are read with the offline extractor, as in the product.

    .venv/bin/python bench/score_eval.py [--cvs DIR] [--offers DIR] [--pairs FILE] [--list]
        [--scorer OLD_SCORE_PY]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import statistics
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TODAY = date(2025, 6, 1)


def ranks(values: list[float]) -> list[float]:
    order = sorted(range(len(values)), key=lambda i: values[i])
    out = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        for k in range(i, j + 1):
            out[order[k]] = (i + j) / 2 + 1
        i = j + 1
    return out


def spearman(xs: list[float], ys: list[float]) -> float:
    rx, ry = ranks(xs), ranks(ys)
    mx, my = statistics.fmean(rx), statistics.fmean(ry)
    cov = sum((a - mx) * (b - my) for a, b in zip(rx, ry, strict=True))
    var = (sum((a - mx) ** 2 for a in rx) * sum((b - my) ** 2 for b in ry)) ** 0.5
    return cov / var if var else 0.0


def auc(positives: list[float], negatives: list[float]) -> float:
    if not positives or not negatives:
        return float("nan")
    wins = sum((p > n) + 0.5 * (p == n) for p in positives for n in negatives)
    return wins / (len(positives) * len(negatives))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cvs", type=Path, default=ROOT / "eval" / "cvs")
    parser.add_argument("--offers", type=Path, default=ROOT / "eval" / "offers")
    parser.add_argument("--pairs", type=Path, default=ROOT / "eval" / "pairs.json")
    parser.add_argument("--list", action="store_true", help="print every pair")
    parser.add_argument("--scorer", type=Path, help="another version of ai/offline/score.py")
    args = parser.parse_args()

    from ai.offline.extract import extract_job_offer
    from ai.offline.score import score_match

    if args.scorer:
        spec = importlib.util.spec_from_file_location("other_score", args.scorer)
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module
        spec.loader.exec_module(module)
        score_match = module.score_match

    pairs: list[dict[str, Any]] = json.loads(args.pairs.read_text(encoding="utf-8"))
    offers: dict[str, dict[str, Any]] = {}
    rows, times = [], []
    for pair in pairs:
        cv_file = args.cvs / f"{pair['cv']}.json"
        offer_file = args.offers / f"{pair['offer']}.txt"
        if not cv_file.exists() or not offer_file.exists():
            continue
        cv = json.loads(cv_file.read_text(encoding="utf-8"))
        if pair["offer"] not in offers:
            offers[pair["offer"]] = extract_job_offer(offer_file.read_text(encoding="utf-8"))
        started = time.perf_counter()
        result = score_match(cv, offers[pair["offer"]], today=TODAY)
        times.append((time.perf_counter() - started) * 1000)
        rows.append((pair, result))
    if not rows:
        print("no pair with both files yet")
        return
    scores = [float(r["match_score"]) for _, r in rows]
    grades = [float(p["grade"]) for p, _ in rows]
    good = [s for s, g in zip(scores, grades, strict=True) if g >= 2]
    bad = [s for s, g in zip(scores, grades, strict=True) if g <= 1]
    if args.list:
        for pair, result in sorted(rows, key=lambda row: (row[0]["grade"], row[1]["match_score"])):
            print(f"{pair['grade']} {result['match_score']:3d} {pair['cv']:40} {pair['offer']:40}"
                  f" {result['score_breakdown']}")  # fmt: skip
    print(f"pairs {len(rows)} (fit {len(good)}, misfit {len(bad)})")
    print(f"AUC grade>=2 vs <=1: {auc(good, bad):.3f}")
    print(f"Spearman score~grade: {spearman(scores, grades):.3f}")
    p95 = statistics.quantiles(times, n=20)[-1] if len(times) > 1 else times[0]
    print(f"score time p50 {statistics.median(times):.2f} ms, p95 {p95:.2f} ms,"
          f" max {max(times):.2f} ms")  # fmt: skip


if __name__ == "__main__":
    main()
