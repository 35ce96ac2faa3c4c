"""Wall time and sequential model rounds of each AI pipeline against a model that takes 1 s.

Runs the real gateway, SDK and accounting against the fake OpenAI-compatible server (which
answers every request after a fixed delay) and an in-memory database, so the numbers measure
our orchestration: with a 1 s model, wall time ~= sequential rounds x 1 s plus overhead.

    .venv/bin/python bench/ai_rounds.py [--delay 1.0] [--json FILE]

There is no --quick: the figures are the rounds at 1 s each, so a shorter delay would change them.
"""

from __future__ import annotations

import argparse
import copy
import json
import logging
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fitmycv.settings")
# A throwaway database: the benchmark must not write call rows into the developer's one.
os.environ["DATABASE_URL"] = "sqlite://:memory:"

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402

from ai import gateway  # noqa: E402
from ai.gateway import AIContext  # noqa: E402
from ai.models import OpenAICall  # noqa: E402
from ai.tests.fakes import (  # noqa: E402
    SAMPLE_CV,
    SAMPLE_OFFER,
    FakeOpenAIServer,
    auto_answer,
    chat_completion,
)
from cvdoc.document import normalize_cv  # noqa: E402

POSTING = "Python Backend Engineer at Cargo Cloud, Lyon. Build Python APIs on PostgreSQL."


def respond(request: dict[str, Any]) -> dict[str, Any]:
    """Schema-valid answers; the offer and CV schemas get realistic content."""
    name = request["response_format"]["json_schema"]["name"]
    if name == "JobOfferOut":
        return chat_completion(json.dumps(SAMPLE_OFFER), model=request["model"])
    if name == "cv":
        return chat_completion(json.dumps(normalize_cv(SAMPLE_CV)), model=request["model"])
    return auto_answer(request)


def measure(
    label: str, server: FakeOpenAIServer, run: Callable[[], int | None]
) -> tuple[str, float, int, int]:
    before = len(server.chat_requests())
    started = time.monotonic()
    rounds = run()
    elapsed = time.monotonic() - started
    return label, elapsed, rounds or 0, len(server.chat_requests()) - before


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--delay", type=float, default=1.0, help="model latency in seconds")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    logging.getLogger("httpx2").setLevel(logging.WARNING)  # one INFO line per request
    cv = normalize_cv(copy.deepcopy(SAMPLE_CV))
    ctx = AIContext(user_id=None)
    with FakeOpenAIServer(auto_delay=args.delay, responder=respond) as server:
        settings.AI_ENGINE = "openai"
        settings.OPENAI_BASE_URL = server.url
        settings.OPENAI_API_KEY = "sk-bench-fake"

        def tailor_cached() -> int:
            return gateway.tailor_cv(cv, SAMPLE_OFFER, ctx=ctx).rounds

        def tailor_uncached() -> int:
            offer = gateway.extract_job_offer(POSTING, ctx=ctx)  # one more round, before
            return 1 + gateway.tailor_cv(cv, offer.content, ctx=ctx).rounds

        def one_round(run: Callable[[], Any]) -> Callable[[], int]:
            return lambda: (run(), 1)[1]

        results = [
            measure("tailor_cv, offer cached", server, tailor_cached),
            measure("tailor_cv, offer extracted first", server, tailor_uncached),
            measure(
                "score_match",
                server,
                one_round(lambda: gateway.score_match(cv, SAMPLE_OFFER, ctx=ctx)),
            ),
            measure(
                "improve_cv",
                server,
                one_round(
                    lambda: gateway.improve_cv(
                        cv, SAMPLE_OFFER, suggestions=[], user_context="", add_skills=[], ctx=ctx
                    )
                ),
            ),
            measure(
                "translate_cv", server, one_round(lambda: gateway.translate_cv(cv, "fr", ctx=ctx))
            ),
            measure(
                "structure_cv (PDF import)",
                server,
                one_round(lambda: gateway.structure_cv("Jeanne Dupuis\nBackend", ctx=ctx)),
            ),
            measure(
                "example_cv (job title)",
                server,
                one_round(lambda: gateway.example_cv(job_title="Baker", language="en", ctx=ctx)),
            ),
        ]
    print(f"Model latency {args.delay:.1f} s per request\n")
    print(f"{'pipeline':34} {'wall time':>10} {'rounds':>7} {'model calls':>12}")
    for label, elapsed, rounds, calls in results:
        print(f"{label:34} {elapsed:>9.2f}s {rounds:>7} {calls:>12}")
    recorded = OpenAICall.objects.count()
    print(f"\n{recorded} calls recorded in telemetry")
    if args.json:
        rows = [
            {"pipeline": label, "wall_s": elapsed, "rounds": rounds, "model_calls": calls}
            for label, elapsed, rounds, calls in results
        ]
        figures = {"delay_s": args.delay, "pipelines": rows, "calls_recorded": recorded}
        args.json.write_text(json.dumps(figures, indent=1))


if __name__ == "__main__":
    main()
