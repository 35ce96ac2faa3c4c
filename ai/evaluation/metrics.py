"""The measures of the evaluation: ranking (AUC, Spearman, nDCG), detection and field F1.

Pure functions on plain values. A measure that the data cannot define (no positive, a constant
series, an empty list) is None, never a made-up 0 or 1.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ai.offline.vocabulary import canonical_skill

NDCG_DEPTH = 10
_NOT_WORD = re.compile(r"[\W_]+")


def auc(positives: Sequence[float], negatives: Sequence[float]) -> float | None:
    """The probability that a positive scores above a negative (Mann-Whitney U / |P||N|);
    a tie counts one half."""
    if not positives or not negatives:
        return None
    wins = 0.0
    for p in positives:
        for n in negatives:
            wins += 1.0 if p > n else 0.5 if p == n else 0.0
    return wins / (len(positives) * len(negatives))


def average_ranks(values: Sequence[float]) -> list[float]:
    """1-based ranks; tied values share the mean of the ranks they span."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    ranks = [0.0] * len(values)
    start = 0
    while start < len(order):
        end = start
        while end + 1 < len(order) and values[order[end + 1]] == values[order[start]]:
            end += 1
        rank = (start + end) / 2 + 1
        for k in range(start, end + 1):
            ranks[order[k]] = rank
        start = end + 1
    return ranks


def spearman(x: Sequence[float], y: Sequence[float]) -> float | None:
    """Spearman's rho: the Pearson correlation of the average ranks."""
    if len(x) != len(y):
        raise ValueError("spearman needs two series of the same length")
    if len(x) < 2:
        return None
    rx, ry = average_ranks(x), average_ranks(y)
    mx, my = sum(rx) / len(rx), sum(ry) / len(ry)
    cov = sum((a - mx) * (b - my) for a, b in zip(rx, ry, strict=True))
    vx = sum((a - mx) ** 2 for a in rx)
    vy = sum((b - my) ** 2 for b in ry)
    if vx == 0 or vy == 0:
        return None
    return cov / math.sqrt(vx * vy)


def ndcg(scores: Sequence[float], grades: Sequence[int], k: int = NDCG_DEPTH) -> float | None:
    """nDCG@k of the order `scores` gives, with graded relevance (gain 2^grade - 1).

    Tied scores are ordered worst grade first: a tie must not flatter the ranking."""
    if len(scores) != len(grades):
        raise ValueError("ndcg needs one grade per score")
    ideal = _dcg(sorted(grades, reverse=True)[:k])
    if ideal == 0:
        return None
    ranked = sorted(zip(scores, grades, strict=True), key=lambda sg: (-sg[0], sg[1]))
    return _dcg([grade for _, grade in ranked[:k]]) / ideal


def _dcg(grades: Iterable[int]) -> float:
    return sum((2.0**grade - 1) / math.log2(i + 2) for i, grade in enumerate(grades))


@dataclass(frozen=True)
class Detection:
    """Counts of a yes/no detection against the labels."""

    true_positives: int = 0
    false_positives: int = 0
    false_negatives: int = 0

    @property
    def precision(self) -> float | None:
        return ratio(self.true_positives, self.true_positives + self.false_positives)

    @property
    def recall(self) -> float | None:
        return ratio(self.true_positives, self.true_positives + self.false_negatives)

    @property
    def f1(self) -> float | None:
        return harmonic(self.precision, self.recall)


def ratio(part: float, whole: float) -> float | None:
    return part / whole if whole else None


def harmonic(precision: float | None, recall: float | None) -> float | None:
    if precision is None or recall is None:
        return None
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def mean(values: Iterable[float | None]) -> float | None:
    known = [value for value in values if value is not None]
    return sum(known) / len(known) if known else None


def words(text: str | None) -> list[str]:
    """Lower-case words without accents or punctuation: "Infirmier·ère (H/F)" -> infirmier, ere,
    h, f."""
    if not text:
        return []
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return [word for word in _NOT_WORD.split(bare) if word]


def token_f1(predicted: str | None, expected: str | None) -> float:
    """F1 of the words two texts share (with multiplicity); 1 when both are empty."""
    got, want = Counter(words(predicted)), Counter(words(expected))
    if not got and not want:
        return 1.0
    common = sum((got & want).values())
    if not common:
        return 0.0
    precision, recall = common / sum(got.values()), common / sum(want.values())
    return 2 * precision * recall / (precision + recall)


def skill_key(name: str) -> str:
    """A skill's canonical name in the offline vocabulary, else its normalised words."""
    return canonical_skill(name) or " ".join(words(name))


def set_f1(predicted: Iterable[str], expected: Iterable[str]) -> float:
    """F1 of two sets; 1 when both are empty."""
    got, want = set(predicted) - {""}, set(expected) - {""}
    if not got and not want:
        return 1.0
    common = len(got & want)
    if not common:
        return 0.0
    precision, recall = common / len(got), common / len(want)
    return 2 * precision * recall / (precision + recall)


def skills_f1(predicted: Iterable[str], expected: Iterable[str]) -> float:
    """Set F1 of skills compared by canonical name ("k8s" and "Kubernetes" are one skill)."""
    return set_f1(map(skill_key, predicted), map(skill_key, expected))
