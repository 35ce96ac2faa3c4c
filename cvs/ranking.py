"""Ranking a CV against many offers before paying for anything.

The user's saved offers (the newest MAX_SAVED_OFFERS) and offers pasted in bulk are scored by
the offline engine, free and at once, whatever AI engine is configured; each row keeps its
strongest matches (with the CV's line that shows them) and its biggest gaps. Pasted offers are
read by the offline extractor and stored nowhere: the user saves or tailors to the ones they
choose (cvs.services.tailor_to_ranked_offers). With an AI provider, the ten best saved offers
may be scored again by the model (a paid task, cvs.services.start_reranking), whose scores
order those ten at the head of the ranking.

Pasted offers are separated by a line of three dashes or more (`---`): blank lines cannot
separate them, since a single offer has paragraphs.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ai import gateway
from cvs.models import CV, content_digest
from joboffers.models import JobOffer
from joboffers.roles import cv_skills_and_titles, role_for_cv
from joboffers.services import MAX_TEXT_CHARS, MIN_TEXT_CHARS, mark_read_states
from jobs.models import BackgroundTask, TaskStatus, TaskType

SEPARATOR = re.compile(r"^[ \t]*-{3,}[ \t]*$", re.MULTILINE)
MAX_PASTED_OFFERS = 20
MAX_PASTED_CHARS = 20_000  # one offer; a long posting is under 10,000
# The whole paste: every offer at its longest, and their separators.
MAX_PASTE_CHARS = MAX_PASTED_OFFERS * (MAX_PASTED_CHARS + 10)
MAX_SAVED_OFFERS = 100
RERANK_COUNT = 10
SAVED, PASTED = "offer", "pasted"


class PasteRejected(Exception):
    """The pasted text cannot be ranked as it is (too many offers, one too long)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class PastedOffer:
    number: int  # its place in the paste, from 1
    text: str
    # The digest add_offer_from_text keys a pasted offer by ("text:<digest>"): a pasted offer
    # already saved is recognised, and a choice names the text it was made on.
    digest: str

    @property
    def key(self) -> str:
        return f"{PASTED}-{self.digest}"

    @property
    def first_line(self) -> str:
        return next((line.strip() for line in self.text.splitlines() if line.strip()), "")[:120]


def split_pasted(raw: str) -> list[PastedOffer]:
    """The offers of a bulk paste, one per block between `---` lines; raises PasteRejected
    past MAX_PASTED_OFFERS offers or MAX_PASTED_CHARS characters in one."""
    blocks = [block.strip() for block in SEPARATOR.split(raw.replace("\r\n", "\n"))]
    blocks = [block for block in blocks if block]
    if len(blocks) > MAX_PASTED_OFFERS:
        raise PasteRejected(
            ngettext(
                "You pasted %(n)d offers: at most %(max)d offer is ranked at once.",
                "You pasted %(n)d offers: at most %(max)d offers are ranked at once.",
                MAX_PASTED_OFFERS,
            )
            % {"n": len(blocks), "max": MAX_PASTED_OFFERS}
        )
    for number, block in enumerate(blocks, start=1):
        if len(block) > MAX_PASTED_CHARS:
            raise PasteRejected(
                _(
                    "Offer %(number)d is %(n)s characters long, more than the %(max)s an offer "
                    "may have. Did you forget a line of dashes (---) between two offers?"
                )
                % {"number": number, "n": len(block), "max": MAX_PASTED_CHARS}
            )
    return [
        PastedOffer(number, block, hashlib.sha256(block[:MAX_TEXT_CHARS].encode()).hexdigest())
        for number, block in enumerate(blocks, start=1)
    ]


@dataclass
class Row:
    """One offer of the ranking: scored (`score`), or not, and why (`problem`)."""

    key: str
    title: str
    company: str = ""
    offer: JobOffer | None = None
    pasted: PastedOffer | None = None
    content: dict[str, Any] = field(default_factory=dict)
    score: int | None = None
    strengths: list[dict[str, Any]] = field(default_factory=list)
    gaps: list[dict[str, Any]] = field(default_factory=list)
    problem: str = ""
    model_score: int | None = None
    model_matching: list[str] = field(default_factory=list)
    model_missing: list[str] = field(default_factory=list)


@dataclass
class Ranking:
    rows: list[Row]  # scored, best first
    unranked: list[Row]  # the offers that could not be scored, with why
    not_shown: int = 0  # saved offers past MAX_SAVED_OFFERS
    reranked_at: Any = None  # when the model's scores shown were made
    rerank_stale: bool = False  # the CV changed since the model's scores

    @property
    def pasted_rows(self) -> list[Row]:
        return [row for row in self.rows if row.pasted is not None]

    def top_saved(self, count: int = RERANK_COUNT) -> list[int]:
        """The ids of the best-ranked saved offers by the offline score (what a re-rank takes)."""
        ordered = sorted(
            (row for row in self.rows if row.offer is not None),
            key=lambda row: -(row.score or 0),
        )
        return [row.offer.pk for row in ordered[:count] if row.offer is not None]


def saved_offers(cv: CV) -> tuple[list[JobOffer], int]:
    """The user's newest MAX_SAVED_OFFERS offers, their reading states marked, and how many
    more there are."""
    offers = list(
        JobOffer.objects.owned_by(cv.user)
        .defer("source_text")
        .order_by("-created_at", "-pk")[: MAX_SAVED_OFFERS + 1]
    )
    more = 0
    if len(offers) > MAX_SAVED_OFFERS:
        more = JobOffer.objects.owned_by(cv.user).count() - MAX_SAVED_OFFERS
        offers = offers[:MAX_SAVED_OFFERS]
    return mark_read_states(offers), more


def _unread_reason(offer: JobOffer) -> str:
    if offer.read_state == "reading":
        return _("Still being read: this page ranks it once it is read.")
    if offer.read_failed:
        return _("It could not be read: %(reason)s") % {"reason": offer.read_error}
    return _("It has not been read yet.")


def _pasted_rows(
    pasted: Sequence[PastedOffer], saved: dict[str, JobOffer], *, ctx: gateway.AIContext
) -> list[Row]:
    seen: dict[str, int] = {}
    rows = []
    for item in pasted:
        row = Row(key=item.key, title=item.first_line, pasted=item)
        twin = saved.get(f"text:{item.digest}")
        if twin is not None:
            row.problem = _("Already among your saved offers, ranked as “%(offer)s”.") % {
                "offer": twin
            }
        elif item.digest in seen:
            row.problem = _("The same text as pasted offer %(n)d.") % {"n": seen[item.digest]}
        elif len(item.text) < MIN_TEXT_CHARS:
            row.problem = _(
                "Too short to be an offer (%(n)d characters, %(min)d at least): paste the "
                "whole offer."
            ) % {"n": len(item.text), "min": MIN_TEXT_CHARS}
        seen.setdefault(item.digest, item.number)
        rows.append(row)
    readable = [row for row in rows if not row.problem]
    texts = [row.pasted.text for row in readable if row.pasted is not None]
    contents = gateway.read_offers_offline(texts, ctx=ctx) if texts else []
    for row, content in zip(readable, contents, strict=True):
        if content is None:
            row.problem = _("No job offer found in this text: no title, tasks or skills.")
        else:
            row.content = content
            row.title = str(content.get("title") or row.title)
            row.company = str(content.get("company") or "")
    return rows


def rank(cv: CV, *, pasted: Sequence[PastedOffer] = ()) -> Ranking:
    """The CV's ranking against its user's saved offers and the `pasted` ones."""
    offers, more = saved_offers(cv)
    rows = []
    for offer in offers:
        row = Row(key=f"{SAVED}-{offer.pk}", title=str(offer), company=offer.company, offer=offer)
        if offer.extracted_at is None or not offer.content:
            row.problem = _unread_reason(offer)
        else:
            row.content = offer.content
        rows.append(row)
    ctx = gateway.AIContext(user_id=cv.user_id)
    if pasted:
        rows += _pasted_rows(pasted, {offer.source_value: offer for offer in offers}, ctx=ctx)
    scorable = [row for row in rows if not row.problem]
    skills, titles = cv_skills_and_titles(cv.content)
    # A posting for several roles is scored for the role the user picked, else the closest.
    contents = [role_for_cv(row.content, skills, titles)[0] for row in scorable]
    results = gateway.rank_offers(cv.content, contents, ctx=ctx) if contents else []
    for row, result in zip(scorable, results, strict=True):
        row.score = int(result["match_score"])
        row.strengths = list(result.get("strengths") or [])
        row.gaps = list(result.get("gaps") or [])
    ranking = Ranking(
        rows=[row for row in rows if row.score is not None],
        unranked=[row for row in rows if row.score is None],
        not_shown=more,
    )
    _apply_rerank(cv, ranking)
    # Stable sorts: equal scores keep the newest saved offers first, then the pasted order.
    ranking.rows.sort(key=lambda row: -(row.score or 0))
    ranking.rows.sort(key=lambda row: (row.model_score is None, -(row.model_score or 0)))
    return ranking


def latest_rerank(cv: CV) -> BackgroundTask | None:
    """The CV's last re-ranking by the model, finished or under way."""
    return (
        BackgroundTask.objects.filter(cv=cv, type=TaskType.RERANK_OFFERS)
        .order_by("-created_at")
        .first()
    )


def _apply_rerank(cv: CV, ranking: Ranking) -> None:
    """The model's scores of the last completed re-ranking, on the CV as it is now."""
    task = (
        BackgroundTask.objects.filter(
            cv=cv, type=TaskType.RERANK_OFFERS, status=TaskStatus.COMPLETED
        )
        .order_by("-created_at")
        .only("result", "finished_at")
        .first()
    )
    if task is None or not task.result:
        return
    if task.result.get("digest") != content_digest(cv.content):
        ranking.rerank_stale = True
        return
    scores = {item["offer_id"]: item for item in task.result.get("scores") or []}
    for row in ranking.rows:
        item = scores.get(row.offer.pk) if row.offer is not None else None
        if item is not None:
            row.model_score = int(item["score"])
            row.model_matching = list(item.get("matching_skills") or [])
            row.model_missing = list(item.get("missing_skills") or [])
    ranking.reranked_at = task.finished_at


def unreadable(pasted: Sequence[PastedOffer], *, user_id: int) -> list[str]:
    """The first lines of the pasted offers that cannot be read (too short, no offer found)."""
    rows = _pasted_rows(pasted, {}, ctx=gateway.AIContext(user_id=user_id)) if pasted else []
    return [row.pasted.first_line for row in rows if row.problem and row.pasted is not None]
