"""The evaluation's table, its thresholds and its JSON file."""

from __future__ import annotations

import json
import operator
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ai.evaluation.runner import Evaluation

# What `make eval` (manage.py evaluate --check) requires of the offline engine on the full set.
# "section.figure": (comparison, target).
THRESHOLDS: dict[str, tuple[str, float]] = {
    "score.auc": (">=", 0.9),
    "score.spearman": (">=", 0.7),
    "offers.recall": (">=", 1.0),
    "offers.precision": (">=", 0.95),
    "offers.title_f1": (">=", 0.85),
    "offers.company_f1": (">=", 0.85),
    "tailoring.facts_kept": (">=", 1.0),
    "tailoring.facts_invented": ("<=", 0),
    "translation.names_unchanged": (">=", 1.0),
    "translation.numbers_unchanged": (">=", 1.0),
    "letters.facts_invented": ("<=", 0),
}
_COMPARE: dict[str, Callable[[float, float], bool]] = {">=": operator.ge, "<=": operator.le}
# Figures shown as a percentage; the others are counts or correlations.
_SHARES = {
    "recall", "precision", "non_offers_rejected", "facts_kept", "skills_shown",
    "entries_touched", "in_target_language", "names_unchanged", "numbers_unchanged",
    "fits_written", "misfits_declined",
}  # fmt: skip


@dataclass(frozen=True)
class Verdict:
    metric: str
    comparison: str
    target: float
    value: float | None
    met: bool


def verdicts(
    evaluation: Evaluation, thresholds: dict[str, tuple[str, float]] | None = None
) -> list[Verdict]:
    """Each threshold of a section that ran; a figure the data could not give is missed."""
    found = []
    for metric, (comparison, target) in (thresholds or THRESHOLDS).items():
        section, figure = metric.split(".", 1)
        if section not in evaluation.sections:
            continue
        value = evaluation.sections[section].get(figure)
        met = value is not None and _COMPARE[comparison](value, target)
        found.append(Verdict(metric, comparison, target, value, met))
    return found


def table(evaluation: Evaluation, checked: list[Verdict]) -> str:
    lines = [f"Evaluation with the {evaluation.engine} engine"]
    for section, figures in evaluation.sections.items():
        lines.append(f"\n{section} ({figures.get('seconds', 0):.1f} s)")
        for name, value in figures.items():
            if name in ("details", "seconds"):
                continue
            lines.append(f"  {name:28} {_format(name, value)}")
    if checked:
        lines.append("\nthresholds")
        for verdict in checked:
            value = _format(verdict.metric.split(".", 1)[1], verdict.value)
            state = "met" if verdict.met else "MISSED"
            lines.append(
                f"  {verdict.metric:28} {value:>8} {verdict.comparison} "
                f"{_format(verdict.metric.split('.', 1)[1], verdict.target)}  {state}"
            )
    lines.append(f"\nwall time {evaluation.seconds:.1f} s")
    return "\n".join(lines)


def _format(name: str, value: Any) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, dict):
        return ", ".join(f"{k} {_format(name, v)}" for k, v in value.items())
    if isinstance(value, float):
        return f"{value * 100:.1f} %" if name in _SHARES else f"{value:.3f}"
    return str(value)


def write_json(
    evaluation: Evaluation, checked: list[Verdict], path: Path, *, data: Path
) -> dict[str, Any]:
    document = {
        "engine": evaluation.engine,
        "finished": datetime.now(UTC).isoformat(timespec="seconds"),
        "data": str(data),
        "wall_seconds": round(evaluation.seconds, 2),
        "prompt_versions": evaluation.prompts,
        "models": evaluation.models,
        "thresholds": [
            {
                "metric": v.metric,
                "comparison": v.comparison,
                "target": v.target,
                "value": v.value,
                "met": v.met,
            }
            for v in checked
        ],
        "sections": evaluation.sections,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return document
