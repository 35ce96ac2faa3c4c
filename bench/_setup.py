"""Shared start-up for the benchmarks: Django on a throwaway in-memory database."""

from __future__ import annotations

import os
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fitmycv.settings")
    # Benchmarks must not write into the developer's database.
    os.environ["DATABASE_URL"] = "sqlite://:memory:"
    os.environ.setdefault("AI_ENGINE", "offline")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def percentiles(samples_ms: list[float]) -> tuple[float, float]:
    ordered = sorted(samples_ms)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    return statistics.median(ordered), p95
