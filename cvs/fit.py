"""Fit an export to one or two pages.

First the layout is tightened, step by step (`cvs.export.DENSITIES`: type, line height, spacing
and margins, each held at the readable limits), and the least dense step that fits is kept.
When even the densest step does not fit, the least relevant experience bullets are proposed
for removal, for the user to accept or reject one by one: nothing is left out of an export
unless the user accepted it, and the CV itself is never changed.

Relevance is read against an offer with the offline engine: how much a bullet speaks to the
offer as tailoring ranks lines (`ai.offline.tailor.line_relevance`), plus one point for each
requirement of the offline match score that quotes it as evidence. Without an offer, the
oldest job's bullets go first. Within one job the later bullets go first (a job's bullets
are written most important first), and each job keeps its most relevant bullet.

Page counts come from WeasyPrint's layout; Word lays its own pages out, so a DOCX gets the
same steps and removals without a page count.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache

from ai.offline.score import score_match
from ai.offline.tailor import line_relevance
from cvdoc.document import PRESENT, normalize_cv
from cvs.export import (
    BULLET_FIELDS,
    DENSITIES,
    ExportOptions,
    layout_pdf,
)
from joboffers.roles import cv_skills_and_titles, role_for_cv

CACHE_SECONDS = 15 * 60
# A requirement of the match score that quotes a bullet as its evidence.
EVIDENCE_POINTS = 1


@dataclass(frozen=True, slots=True)
class Bullet:
    """An experience bullet that may be left out of the export."""

    path: str  # experience[1].responsibilities[0]
    text: str
    entry: str  # the job it belongs to: "Data engineer · Banque Rhodanienne"
    relevance: int | None  # None when there is no offer to rank against

    @property
    def key(self) -> str:
        """The bullet's place and a digest of its words: a removal accepted on a proposal is
        refused once the CV changed there, instead of removing whatever moved into the place."""
        return f"{self.path}:{text_digest(self.text)}"


@dataclass(slots=True)
class FitResult:
    wanted: int  # pages asked for
    pages: int  # pages of the result, with the accepted removals, at `density`
    density: int  # the least dense step that fits, or the densest when nothing fits
    fits: bool
    # Bullets to remove for the CV to fit, least relevant first; empty when it fits, or when
    # even every candidate removed would not make it fit (`removals_cannot_fit`).
    proposal: list[Bullet] = field(default_factory=list)
    pages_with_proposal: int | None = None
    removals_cannot_fit: bool = False
    ranked_by_offer: bool = False
    renders: int = 0
    # The layout at `density` when this result was computed rather than read from the cache.
    document: Any = field(default=None, repr=False, compare=False)


def text_digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:10]


def bullets(cv: dict[str, Any], options: ExportOptions) -> list[Bullet]:
    """Every bullet of the experience the export shows, in document order, unranked."""
    data = normalize_cv(cv)
    if options.sections is not None and "experience" not in options.sections:
        return []
    wanted = options.item_indices("experience")
    found = []
    for i, job in enumerate(data["experience"]):
        if wanted is not None and i not in wanted:
            continue
        entry = " · ".join(part for part in (job["title"], job["company"]) if part)
        for kind in BULLET_FIELDS:
            for j, text in enumerate(job[kind]):
                found.append(Bullet(f"experience[{i}].{kind}[{j}]", text, entry, None))
    return found


def bullet_keys(cv: dict[str, Any]) -> dict[str, str]:
    """Every bullet's key and its path, for checking removals posted back."""
    return {b.key: b.path for b in bullets(cv, ExportOptions())}


def offer_for_cv(offer: dict[str, Any], cv: dict[str, Any]) -> dict[str, Any]:
    """The offer as the match score reads it for this CV (the role closest to it, if several)."""
    return role_for_cv(offer, *cv_skills_and_titles(cv))[0]


def drop_candidates(
    cv: dict[str, Any], options: ExportOptions, *, offer: dict[str, Any] | None
) -> list[Bullet]:
    """The bullets that may go, least relevant first; each job keeps its most relevant one."""
    shown = [b for b in bullets(cv, options) if b.path not in set(options.drop_bullets)]
    if offer:
        scores = line_relevance([b.text for b in shown], offer)
        quoted = _evidence_quotes(cv, offer)
        shown = [
            dataclasses.replace(b, relevance=score + _quoted_points(b.text, quoted))
            for b, score in zip(shown, scores, strict=True)
        ]
    data = normalize_cv(cv)
    position = {b.path: n for n, b in enumerate(shown)}

    def job(b: Bullet) -> int:
        return int(b.path.split("[", 2)[1].split("]")[0])

    def recency(b: Bullet) -> tuple[str, str]:
        item = data["experience"][job(b)]
        end = "9999" if item["end_date"] == PRESENT else item["end_date"] or item["start_date"]
        return end, item["start_date"]

    def keep_order(b: Bullet) -> tuple[int, int]:  # the most relevant, then the first
        return (-(b.relevance or 0), position[b.path])

    kept: dict[int, Bullet] = {}
    for b in shown:
        if job(b) not in kept or keep_order(b) < keep_order(kept[job(b)]):
            kept[job(b)] = b
    candidates = [b for b in shown if kept[job(b)] is not b]
    return sorted(candidates, key=lambda b: (b.relevance or 0, recency(b), -position[b.path]))


def review_rows(
    cv: dict[str, Any],
    options: ExportOptions,
    result: FitResult,
    *,
    offer: dict[str, Any] | None,
) -> list[tuple[Bullet, bool]]:
    """The bullets on review, each with whether the user accepted to leave it out: those
    accepted and those proposed, in one ranking (least relevant first), so that a row stays
    where it was as the user accepts or rejects the others."""
    offer = offer_for_cv(offer, cv) if offer else None
    accepted = set(options.drop_bullets)
    proposed = {b.path for b in result.proposal}
    ranked = drop_candidates(cv, dataclasses.replace(options, drop_bullets=[]), offer=offer)
    rows = [(b, b.path in accepted) for b in ranked if b.path in accepted | proposed]
    listed = {b.path for b, _ in rows}
    rows += [(b, True) for b in bullets(cv, options) if b.path in accepted - listed]
    return rows


def _evidence_quotes(cv: dict[str, Any], offer: dict[str, Any]) -> list[str]:
    quotes = []
    for requirement in score_match(cv, offer)["evidence"]:
        for quote in requirement.get("cv_evidence") or []:
            core = str(quote.get("quote", "")).strip().strip("…").strip()
            if core:
                quotes.append(core)
    return quotes


def _quoted_points(text: str, quotes: list[str]) -> int:
    return EVIDENCE_POINTS * sum(1 for quote in quotes if quote in text)


def fit_export(
    cv: dict[str, Any], options: ExportOptions, *, offer: dict[str, Any] | None = None
) -> FitResult:
    """The least dense step at which the export fits `options.fit_pages`, with the removals
    the user accepted (`options.drop_bullets`); when even the densest does not fit, the
    smallest set of least relevant bullets whose removal makes it fit, as a proposal.

    A step is laid out once; steps are searched by bisection (each is denser than the one
    before), so a fit takes 1 to 4 layouts and a proposal about log2(bullets) more.
    """
    wanted = options.fit_pages
    if wanted is None:
        raise ValueError("fit_export needs options.fit_pages")
    offer = offer_for_cv(offer, cv) if offer else None
    key = _cache_key(cv, options, offer)
    cached = cache.get(key)
    if cached is not None:
        return FitResult(
            **{**cached, "proposal": [Bullet(**b) for b in cached["proposal"]], "renders": 0}
        )
    result = _search(cv, options, offer, wanted)
    stored = dataclasses.asdict(dataclasses.replace(result, document=None))
    del stored["document"]
    cache.set(key, stored, CACHE_SECONDS)
    return result


def _search(
    cv: dict[str, Any], options: ExportOptions, offer: dict[str, Any] | None, wanted: int
) -> FitResult:
    renders = 0

    def layout(step: int, drops: list[str]) -> tuple[int, Any]:
        nonlocal renders
        renders += 1
        document = layout_pdf(
            cv, dataclasses.replace(options, density=step, drop_bullets=sorted(set(drops)))
        )
        return len(document.pages), document

    drops = list(options.drop_bullets)
    pages, document = layout(0, drops)
    if pages <= wanted:
        return FitResult(wanted, pages, 0, True, renders=renders, document=document)
    densest = len(DENSITIES) - 1
    pages, document = layout(densest, drops)
    if pages <= wanted:
        # Bisect for the least dense step that fits: `lo` does not fit, `hi` does.
        lo, hi = 0, densest
        while hi - lo > 1:
            mid = (lo + hi) // 2
            mid_pages, mid_document = layout(mid, drops)
            if mid_pages <= wanted:
                hi, pages, document = mid, mid_pages, mid_document
            else:
                lo = mid
        return FitResult(wanted, pages, hi, True, renders=renders, document=document)

    result = FitResult(wanted, pages, densest, False, ranked_by_offer=bool(offer))
    candidates = drop_candidates(cv, options, offer=offer)
    if candidates:
        all_pages, _ = layout(densest, drops + [b.path for b in candidates])
        if all_pages > wanted:
            result.removals_cannot_fit = True
        else:
            # The fewest removals that fit: `lo` candidates do not, `hi` do.
            lo, hi, best = 0, len(candidates), all_pages
            while hi - lo > 1:
                mid = (lo + hi) // 2
                mid_pages, _ = layout(densest, drops + [b.path for b in candidates[:mid]])
                if mid_pages <= wanted:
                    hi, best = mid, mid_pages
                else:
                    lo = mid
            result.proposal, result.pages_with_proposal = candidates[:hi], best
    else:
        result.removals_cannot_fit = True
    result.renders, result.document = renders, document
    return result


def _cache_key(cv: dict[str, Any], options: ExportOptions, offer: dict[str, Any] | None) -> str:
    settings = {**options.to_dict(), "density": None}
    text = json.dumps([cv, settings, offer], sort_keys=True, ensure_ascii=False, default=str)
    return "export-fit:" + hashlib.sha256(text.encode()).hexdigest()
