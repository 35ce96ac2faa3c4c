"""Job offers: adding one (link, PDF or pasted text), reading it, extracting its structure.

An offer is extracted once per (user, source) and reused by every CV tailored to it: the
normalised URL, or the SHA-256 of the PDF or the text, is the cache key.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import User
from accounts.onboarding import record_step
from ai import gateway
from ai.offline.extract import is_job_offer
from core.config import get_setting
from core.pdftext import check_pdf_upload, extract_pdf_text
from joboffers.fetch import fetch_url, normalize_url
from joboffers.htmltext import read_page
from joboffers.models import JobOffer, LinkHistory, OfferSourceType
from jobs.models import ACTIVE_STATUSES, BackgroundTask, TaskStatus, TaskType, Upload
from jobs.services import TaskFailed, enqueue_task

logger = logging.getLogger(__name__)

LINK_HISTORY_SIZE = 20
MIN_TEXT_CHARS = 200
MAX_TEXT_CHARS = 60_000
# Readings are free but each is a model call: each user gets so many per minute and per day.
READING_WINDOWS = (
    ("offer_reads_per_minute", timedelta(minutes=1)),
    ("offer_reads_per_day", timedelta(days=1)),
)


class ReadingLimitReached(Exception):
    """The user had as many offers read as the settings allow for now; nothing was added."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _get_or_create_offer(user: User, *, source_value: str, defaults: dict[str, Any]) -> JobOffer:
    try:
        with transaction.atomic():
            offer, _created = JobOffer.objects.get_or_create(
                user=user, source_value=source_value, defaults=defaults
            )
    except IntegrityError:
        # The same offer added twice at once: the other request created it.
        offer = JobOffer.objects.get(user=user, source_value=source_value)
    return offer


def remember_link(user: User, url: str) -> None:
    """Keep the user's most recent job links (the newest first), at most LINK_HISTORY_SIZE;
    none while staff have switched the link history off (`feature_history`)."""
    if not get_setting("feature_history"):
        return
    entry, created = LinkHistory.objects.get_or_create(user=user, url=url)
    if not created:
        LinkHistory.objects.filter(pk=entry.pk).update(created_at=timezone.now())
    stale = LinkHistory.objects.filter(user=user).order_by("-created_at")[LINK_HISTORY_SIZE:]
    LinkHistory.objects.filter(pk__in=list(stale.values_list("pk", flat=True))).delete()


def add_offer_from_url(user: User, url: str) -> JobOffer:
    """Raises joboffers.fetch.InvalidUrl for a URL we will never fetch."""
    normalized = normalize_url(url)
    offer = _get_or_create_offer(
        user,
        source_value=normalized,
        defaults={"source_type": OfferSourceType.URL, "source_name": urlsplit(normalized).hostname},
    )
    remember_link(user, normalized)
    return offer


def add_offer_from_text(user: User, text: str, *, page_url: str = "", title: str = "") -> JobOffer:
    """The offer of a pasted text, or of a text the bookmarklet sent from `page_url` (titled
    `title`); the same text twice is the same offer, whatever page it came from."""
    text = text.strip()[:MAX_TEXT_CHARS]
    digest = _sha256(text.encode())
    first_line = next((line.strip() for line in text.splitlines() if line.strip()), "")
    return _get_or_create_offer(
        user,
        source_value=f"text:{digest}",
        defaults={
            "source_type": OfferSourceType.TEXT,
            "source_name": (" ".join(title.split()) or first_line)[:120],
            "source_text": text,
            "content_hash": digest,
            "page_url": page_url,
        },
    )


def add_offer_from_pdf(user: User, *, data: bytes, name: str, content_type: str) -> JobOffer:
    """Raises core.pdftext.PdfRejected for a file that is not an acceptable PDF."""
    check_pdf_upload(
        data, max_bytes=get_setting("pdf_max_size_mb") * 1024 * 1024, content_type=content_type
    )
    digest = _sha256(data)
    offer = _get_or_create_offer(
        user,
        source_value=f"pdf:{digest}",
        defaults={"source_type": OfferSourceType.PDF, "source_name": name[:255]},
    )
    if not offer.source_text and not offer.extracted_at:
        Upload.objects.get_or_create(
            user=user,
            sha256=digest,
            defaults={
                "name": name[:255],
                "content_type": content_type,
                "size": len(data),
                "data": data,
            },
        )
    return offer


def check_reading_allowance(user: User) -> None:
    """Raise ReadingLimitReached if the user had as many offers read as the settings allow,
    in the last minute or the last 24 hours.

    Locks the user's row until the caller's transaction ends, so two requests at once cannot
    both take the last reading: call it inside the transaction that queues the reading.
    """
    get_user_model().objects.select_for_update().filter(pk=user.pk).first()
    now = timezone.now()
    longest = max(window for _name, window in READING_WINDOWS)
    readings = BackgroundTask.objects.filter(
        user=user, type=TaskType.EXTRACT_JOB_OFFER, created_at__gte=now - longest
    ).aggregate(
        **{
            name: Count("pk", filter=Q(created_at__gte=now - window))
            for name, window in READING_WINDOWS
        }
    )
    if readings["offer_reads_per_minute"] >= get_setting("offer_reads_per_minute"):
        limit = get_setting("offer_reads_per_minute")
        raise ReadingLimitReached(
            ngettext(
                "You added %(n)d offer to read in the last minute, the most we read at once. "
                "Please wait a minute before adding another.",
                "You added %(n)d offers to read in the last minute, the most we read at once. "
                "Please wait a minute before adding another.",
                limit,
            )
            % {"n": limit}
        )
    if readings["offer_reads_per_day"] >= get_setting("offer_reads_per_day"):
        limit = get_setting("offer_reads_per_day")
        raise ReadingLimitReached(
            ngettext(
                "You added %(n)d offer to read in the last 24 hours, the most we read in a "
                "day. Please try again tomorrow.",
                "You added %(n)d offers to read in the last 24 hours, the most we read in a "
                "day. Please try again tomorrow.",
                limit,
            )
            % {"n": limit}
        )


def add_offer(
    user: User,
    *,
    url: str = "",
    text: str = "",
    pdf: tuple[bytes, str, str] | None = None,
    page_url: str = "",
    title: str = "",
    device_id: str = "",
) -> tuple[JobOffer, BackgroundTask | None]:
    """Add an offer from a link, pasted text or a PDF (data, name, content type) and queue its
    reading. A text may come with the page it was sent from (`page_url`, `title`: the
    bookmarklet). Nothing is added past the user's reading allowance (ReadingLimitReached); a
    link we will never fetch raises InvalidUrl, a file that is not an acceptable PDF
    PdfRejected."""
    with transaction.atomic():
        check_reading_allowance(user)
        if url:
            offer = add_offer_from_url(user, url)
        elif text:
            offer = add_offer_from_text(user, text, page_url=page_url, title=title)
        elif pdf is not None:
            data, name, content_type = pdf
            offer = add_offer_from_pdf(user, data=data, name=name, content_type=content_type)
        else:
            raise ValueError("An offer needs a link, a text or a PDF")
        return offer, start_extraction(offer, device_id=device_id)


def read_offer_again(offer: JobOffer) -> BackgroundTask | None:
    """Forget what was read of the offer and queue a new reading, within the user's reading
    allowance (ReadingLimitReached: the offer keeps what it had)."""
    with transaction.atomic():
        check_reading_allowance(offer.user)
        JobOffer.objects.filter(pk=offer.pk).update(extracted_at=None)
        offer.extracted_at = None
        return start_extraction(offer)


def start_extraction(offer: JobOffer, *, device_id: str = "") -> BackgroundTask | None:
    """Queue the reading of an offer, unless it is already extracted (the cache) or being read
    (the reading under way is returned). Raises ReadingLimitReached past the user's allowance."""
    if offer.extracted_at:
        return None
    with transaction.atomic():
        check_reading_allowance(offer.user)
        under_way = BackgroundTask.objects.filter(
            user=offer.user,
            type=TaskType.EXTRACT_JOB_OFFER,
            status__in=ACTIVE_STATUSES,
            payload__offer_id=offer.pk,
        ).first()
        if under_way is not None:
            return under_way
        return enqueue_task(
            offer.user,
            type=TaskType.EXTRACT_JOB_OFFER,
            title=_("Reading the offer %(name)s") % {"name": offer.source_name or offer.pk},
            payload={"offer_id": offer.pk},
            device_id=device_id,
        )


def mark_read_states(offers: Iterable[JobOffer]) -> list[JobOffer]:
    """Tell each offer not read yet how its last reading went (`read_state`, `read_error`).

    One query for the whole list: an offer whose last reading failed is "failed" until it is
    read, so lists can mark it and tailoring can refuse it.
    """
    offers = list(offers)
    unread = {offer.pk: offer for offer in offers if offer.extracted_at is None}
    if not unread:
        return offers
    readings = (
        BackgroundTask.objects.filter(
            type=TaskType.EXTRACT_JOB_OFFER,
            user_id__in={offer.user_id for offer in unread.values()},
            payload__offer_id__in=list(unread),
        )
        .order_by("created_at")
        .values_list("payload__offer_id", "status", "error")
    )
    for offer_id, status, error in readings:  # oldest first: the last reading wins
        offer = unread.get(int(offer_id))
        if offer is None:
            continue
        if status == TaskStatus.FAILED:
            offer.read_state, offer.read_error = "failed", error
        elif status in ACTIVE_STATUSES:
            offer.read_state, offer.read_error = "reading", ""
        else:
            offer.read_state, offer.read_error = "", ""
    return offers


def read_state(offer: JobOffer) -> JobOffer:
    """`mark_read_states` for one offer."""
    mark_read_states([offer])
    return offer


def _read_source_text(offer: JobOffer) -> str:
    """The offer's text: fetched from its URL, read from its PDF, or as pasted."""
    if offer.source_text:
        return offer.source_text
    if offer.source_type == OfferSourceType.URL:
        page = fetch_url(offer.source_value)
        if page.content_type == "application/pdf":
            return extract_pdf_text(page.body, max_pages=get_setting("pdf_max_pages")).text
        content = read_page(page.body, url=page.final_url, encoding=page.encoding)
        if content.status == "login_required":
            raise TaskFailed(
                _("This page asks for a login, so we cannot read it. Paste the offer text instead.")
            )
        if content.status == "expired":
            raise TaskFailed(_("This offer seems to be no longer available."))
        if content.status == "no_content":
            raise TaskFailed(_("We found no job offer on this page. Paste the offer text instead."))
        offer.source_name = (content.title or offer.source_name)[:255]
        return content.text
    if offer.source_type == OfferSourceType.PDF:
        digest = offer.source_value.removeprefix("pdf:")
        upload = Upload.objects.filter(user=offer.user, sha256=digest).first()
        if upload is None:
            raise TaskFailed(_("The PDF of this offer is no longer available. Add it again."))
        text = extract_pdf_text(bytes(upload.data), max_pages=get_setting("pdf_max_pages")).text
        upload.delete()
        return text
    return ""


def ensure_extracted(offer: JobOffer, *, task: BackgroundTask) -> JobOffer:
    """Extract the offer if it is not yet (one model round); a cached offer costs nothing."""
    if offer.extracted_at:
        return offer
    text = _read_source_text(offer).strip()
    if len(text) < MIN_TEXT_CHARS:
        raise TaskFailed(
            _("This offer is too short to read (%(n)s characters). Paste the full text.")
            % {"n": len(text)}
        )
    extraction = gateway.extract_job_offer(text[:MAX_TEXT_CHARS], ctx=task_context(task))
    if not is_job_offer(extraction.content):
        raise TaskFailed(_("We found no job offer in this text: no title, tasks or skills."))
    offer.source_text = text[:MAX_TEXT_CHARS]
    offer.content_hash = offer.content_hash or _sha256(offer.source_text.encode())
    offer.content = extraction.content
    offer.extraction_model = extraction.model
    offer.tokens_used = extraction.tokens
    offer.extracted_at = timezone.now()
    offer.save()
    record_step(offer.user, "add_offer")
    return offer


def task_context(task: BackgroundTask) -> gateway.AIContext:
    lang = getattr(task.user, "language", "") or "en"
    return gateway.AIContext(
        user_id=task.user_id, task_id=task.pk, cancel_check=task.is_cancelled, ui_language=lang
    )


def offer_snapshot(offer: JobOffer) -> dict[str, Any]:
    """What a generated CV keeps of its offer, so scoring still works if the offer is deleted."""
    return {
        "source_type": offer.source_type,
        "source_value": offer.source_value,
        "source_name": offer.source_name,
        "extracted_at": offer.extracted_at.isoformat() if offer.extracted_at else None,
        "content": offer.content,
    }


def run_extraction(task: BackgroundTask) -> dict[str, Any]:
    offer = JobOffer.objects.get(pk=task.payload["offer_id"], user=task.user)
    task.report_progress(10, _("Reading the offer"))
    offer = ensure_extracted(offer, task=task)
    return {
        "offer_id": offer.pk,
        "title": offer.title,
        "message": _("Offer read: %(title)s") % {"title": offer.title or offer.source_name},
    }
