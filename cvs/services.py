"""Workflows of the CV workspace: CVs and their versions, and the AI features that run as
background jobs (the handlers the jobs engine calls, registered in cvs.apps)."""

from __future__ import annotations

import datetime
import hashlib
import logging
import time
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from accounts.models import User
from accounts.onboarding import record_step
from ai import gateway
from ai.errors import AIInvalidResponse
from billing.services import charge_feature, feature_cost, refund_task
from core.config import get_setting
from core.pdftext import check_pdf_upload, extract_pdf_text
from cvdoc.document import empty_cv, normalize_cv
from cvs.imports import (
    JSON_RESUME,
    REACTIVE_RESUME_V3,
    REACTIVE_RESUME_V4,
    RESUME_MATCHER,
    ImportResult,
    import_document,
)
from cvs.jsonresume import from_json_resume
from cvs.models import (
    CV,
    SCORE_DIGEST_KEY,
    CoverLetter,
    CoverLetterVersion,
    CreatedBy,
    CVVersion,
    DailyCVCount,
    LetterChangeType,
    RunStatus,
    SourceType,
    VersionChangeType,
    checked_letter_content,
    content_digest,
)
from cvs.ranking import RERANK_COUNT
from cvs.review import (
    ACCEPTED,
    ORPHANED,
    PENDING,
    REJECTED,
    UnknownPath,
    init_review,
    revert_change,
    revert_order,
    review_progress,
)
from joboffers.models import JobOffer
from joboffers.roles import cv_skills_and_titles, role_for_cv
from joboffers.services import add_offer, ensure_extracted, offer_snapshot, task_context
from jobs.models import BackgroundTask, TaskType, Upload
from jobs.services import TaskFailed, enqueue_task, save_result
from telemetry import events
from telemetry.events import record_event
from telemetry.models import DailyRollup
from telemetry.services import start_of

logger = logging.getLogger(__name__)


# --- The CV workspace ---------------------------------------------------------------------


def new_filename(user: User) -> str:
    """An opaque, time-ordered file name, unique for the user."""
    stamp = timezone.now().strftime("%Y%m%d%H%M%S%f")[:17]
    taken = set(
        CV.objects.filter(user=user, filename__startswith=stamp[:14]).values_list(
            "filename", flat=True
        )
    )
    candidate, n = f"{stamp}.json", int(stamp)
    while candidate in taken:
        n += 1
        candidate = f"{n}.json"
    return candidate


def create_cv(
    user: User,
    *,
    content: dict[str, Any],
    name: str = "",
    created_by: str = "",
    source_type: str = "",
    source_value: str = "",
    **fields: Any,
) -> CV:
    """Validate and store a new CV. Raises CvValidationError; nothing is saved then."""
    content = normalize_cv(content)
    with transaction.atomic():
        return CV.objects.create(
            user=user,
            filename=new_filename(user),
            name=(name or _default_name(content))[:200],
            content=content,
            language=content.get("language", "en"),
            created_by=created_by,
            source_type=source_type,
            source_value=source_value,
            **fields,
        )


def new_cv_section_order() -> list[str]:
    """The section order of a new CV whose source sets none (`cv_section_order`)."""
    return list(get_setting("cv_section_order"))


def _default_name(content: dict[str, Any]) -> str:
    header = content.get("header", {})
    title = header.get("current_title", "")
    return f"{header.get('full_name', '')} — {title}".strip(" —") or _("Untitled CV")


def create_blank_cv(
    user: User, *, full_name: str, current_title: str, email: str, language: str
) -> CV:
    """A CV typed in by hand, in the staff's default section order; raises PaymentRequired
    (nothing saved) when the `credits_create_cv_manual` price or the plan refuses it."""
    content = empty_cv(
        full_name=full_name, current_title=current_title, email=email, language=language
    )
    with transaction.atomic():
        cv = create_cv(user, content={**content, "section_order": new_cv_section_order()})
        charge_feature(user, "create_cv_manual", key=f"create_cv:{cv.pk}", cv=cv)
    record_step(user, "create_cv")
    record_event(events.CV_CREATED, user=user, metadata={"cv": cv.pk})
    return cv


def import_json_resume(user: User, *, document: dict[str, Any], filename: str) -> CV:
    """A new CV from a JSON Resume document (validated against the official schema)."""
    content = from_json_resume(document)
    if not _json_resume_order(document):
        content["section_order"] = new_cv_section_order()
    cv = create_cv(
        user,
        content=content,
        created_by=CreatedBy.IMPORT_JSON_RESUME,
        source_type=SourceType.JSON_RESUME,
        source_value=filename[:255],
    )
    record_step(user, "create_cv")
    record_event(events.CV_IMPORTED, user=user, metadata={"cv": cv.pk, "source": "json-resume"})
    return cv


# The source and creator recorded for a CV imported from each format.
IMPORT_ORIGINS = {
    JSON_RESUME: (SourceType.JSON_RESUME, CreatedBy.IMPORT_JSON_RESUME),
    REACTIVE_RESUME_V4: (SourceType.REACTIVE_RESUME, CreatedBy.IMPORT_REACTIVE_RESUME),
    REACTIVE_RESUME_V3: (SourceType.REACTIVE_RESUME, CreatedBy.IMPORT_REACTIVE_RESUME),
    RESUME_MATCHER: (SourceType.RESUME_MATCHER, CreatedBy.IMPORT_RESUME_MATCHER),
}


def import_json_file(
    user: User, *, document: dict[str, Any], filename: str
) -> tuple[CV, ImportResult]:
    """A new CV from another tool's JSON export (JSON Resume, Reactive Resume v3/v4 or
    Resume-Matcher, recognised by its shape). Raises UnknownFormat or CvValidationError;
    nothing is saved then. The result tells what was kept in Additional information."""
    result = import_document(document)
    content = result.cv
    if not result.ordered:
        content["section_order"] = new_cv_section_order()
    source_type, created_by = IMPORT_ORIGINS[result.source]
    cv = create_cv(
        user,
        content=content,
        created_by=created_by,
        source_type=source_type,
        source_value=filename[:255],
    )
    record_step(user, "create_cv")
    record_event(events.CV_IMPORTED, user=user, metadata={"cv": cv.pk, "source": result.source})
    return cv, result


def _json_resume_order(document: dict[str, Any]) -> Any:
    """The section order a JSON Resume written by us carries (meta.fitmycv.sectionOrder)."""
    meta = document.get("meta")
    ours = meta.get("fitmycv") if isinstance(meta, dict) else None
    return ours.get("sectionOrder") if isinstance(ours, dict) else None


def duplicate_cv(cv: CV) -> CV:
    copy = create_cv(
        cv.user,
        content=cv.content,
        name=_("Copy of %(name)s") % {"name": cv.name or cv.filename},
        created_by=cv.created_by,
        source_type=cv.source_type,
        source_value=cv.source_value,
        job_offer=cv.job_offer,
        job_offer_snapshot=cv.job_offer_snapshot,
    )
    return copy


def rename_cv(cv: CV, *, name: str) -> None:
    cv.name = name.strip()[:200]
    cv.save(update_fields=["name", "updated_at"])


def save_cv_content(cv: CV, content: dict[str, Any]) -> None:
    """A manual edit: overwrite the content (validated first); makes no version."""
    content = normalize_cv(content)
    cv.content = content
    cv.language = content.get("language", cv.language)
    cv.save(update_fields=["content", "language", "updated_at"])


def save_version(cv: CV, *, changelog: str, change_type: str) -> CVVersion:
    """Keep the current content as a version, then rotate to the `cv_max_versions` newest."""
    with transaction.atomic():
        cv = CV.objects.select_for_update().get(pk=cv.pk)
        version = CVVersion.objects.create(
            cv=cv,
            version=cv.content_version,
            content=cv.content,
            changelog=changelog[:255],
            change_type=change_type,
            match_score=cv.match_score,
            score_breakdown=cv.score_breakdown,
            improvement_suggestions=cv.improvement_suggestions,
            missing_skills=cv.missing_skills,
            matching_skills=cv.matching_skills,
        )
        CV.objects.filter(pk=cv.pk).update(content_version=cv.content_version + 1)
        keep = get_setting("cv_max_versions")
        # Version 0 is the source a tailored CV was made from: kept for diffs, never rotated.
        stale = list(
            cv.versions.filter(version__gt=0)
            .order_by("-version")
            .values_list("pk", flat=True)[keep:]
        )
        CVVersion.objects.filter(pk__in=stale).delete()
    return version


def restore_version(cv: CV, version: CVVersion) -> CV:
    """Bring back an old version; the content it replaces is kept as a version first."""
    with transaction.atomic():
        save_version(
            cv,
            changelog=_("Before restoring version %(n)s") % {"n": version.version},
            change_type=VersionChangeType.RESTORE,
        )
        cv.refresh_from_db()
        cv.content = version.content
        cv.language = version.content.get("language", cv.language)
        cv.match_score = version.match_score
        cv.score_breakdown = version.score_breakdown
        cv.improvement_suggestions = version.improvement_suggestions
        cv.missing_skills = version.missing_skills
        cv.matching_skills = version.matching_skills
        # Versions keep no evidence: the quotes of the replaced content must not stay on show.
        cv.score_evidence = None
        cv.score_before = None
        cv.pending_changes = None
        cv.pending_source_version = None
        cv.save()
    return cv


def run_test_task(task: BackgroundTask) -> dict[str, Any]:
    """A task that only sleeps and reports progress; operators use it to check the queue."""
    steps = int(task.payload.get("steps", 3))
    pause = float(task.payload.get("sleep", 0.5))
    fail_at = task.payload.get("fail_at")
    for step in range(1, steps + 1):
        if fail_at == step:
            raise TaskFailed(f"Test task failed at step {step}, as asked.")
        time.sleep(pause)
        task.report_progress(step * 100 // steps, f"Step {step} of {steps}")
    return {"steps": steps}


# --- AI features ---------------------------------------------------------------------------
#
# Each feature is a background task. Its start function creates the task row and charges the
# user in one transaction (so a refused charge leaves nothing behind, and a failed enqueue
# charges nothing); its handler does the work in the worker. Failure, cancel and sweep refund
# through settle_stopped_task.


def _start_paid_task(
    user: User,
    *,
    type: str,
    feature: str,
    title: str,
    payload: dict[str, Any],
    cv: CV | None = None,
    device_id: str = "",
) -> BackgroundTask:

    with transaction.atomic():
        task = enqueue_task(
            user,
            type=type,
            title=title,
            payload=payload,
            cv=cv,
            device_id=device_id,
            feature_name=feature,
        )
        # Records what was taken on the task, so a failure refunds exactly that.
        charge_feature(user, feature, key=f"task:{task.pk}", task=task, cv=cv)
    return task


def start_tailoring(
    user: User, *, base_cv: CV, offers: list[Any], device_id: str = ""
) -> list[BackgroundTask]:
    """One paid task per offer; if any charge is refused, none is queued or charged."""
    with transaction.atomic():
        return [
            _start_paid_task(
                user,
                type=TaskType.GENERATE_CV,
                feature="gpt_cv_generation",
                title=_("Tailoring %(cv)s to %(offer)s") % {"cv": base_cv, "offer": offer},
                payload={"base_cv_id": base_cv.pk, "offer_id": offer.pk},
                cv=base_cv,
                device_id=device_id,
            )
            for offer in offers
        ]


def start_scoring(cv: CV, *, device_id: str = "") -> BackgroundTask:
    with transaction.atomic():
        task = _start_paid_task(
            cv.user,
            type=TaskType.CALCULATE_MATCH_SCORE,
            feature="match_score",
            title=_("Match score of %(cv)s") % {"cv": cv},
            payload={},
            cv=cv,
            device_id=device_id,
        )
        CV.objects.filter(pk=cv.pk).update(match_score_status=RunStatus.IN_PROGRESS)
    return task


def start_improvement(
    cv: CV,
    *,
    suggestions: list[int],
    user_context: str,
    add_skills: list[dict[str, Any]],
    device_id: str = "",
) -> BackgroundTask:
    with transaction.atomic():
        task = _start_paid_task(
            cv.user,
            type=TaskType.IMPROVE_CV,
            feature="optimize_cv",
            title=_("Improving %(cv)s") % {"cv": cv},
            payload={
                "suggestions": suggestions,
                "user_context": user_context[:500],
                "add_skills": add_skills,
            },
            cv=cv,
            device_id=device_id,
        )
        CV.objects.filter(pk=cv.pk).update(optimise_status=RunStatus.IN_PROGRESS)
    return task


def save_pasted_offers(user: User, *, texts: list[str]) -> list[JobOffer]:
    """Save offers pasted on the ranking page (each queued for its reading), all or none:
    past the user's reading allowance (ReadingLimitReached) nothing is saved."""
    with transaction.atomic():
        return [add_offer(user, text=text)[0] for text in texts]


def tailor_to_ranked_offers(
    user: User,
    *,
    base_cv: CV,
    offers: list[JobOffer],
    pasted: list[str],
    device_id: str = "",
) -> list[BackgroundTask]:
    """The tailoring of the offers chosen on the ranking page: the pasted ones are saved
    first, then one paid task per offer (start_tailoring). A refused charge or reading saves
    and charges nothing."""
    with transaction.atomic():
        chosen = offers + save_pasted_offers(user, texts=pasted)
        return start_tailoring(user, base_cv=base_cv, offers=chosen, device_id=device_id)


def start_reranking(cv: CV, *, offer_ids: list[int], device_id: str = "") -> BackgroundTask:
    """The model's scores of the best-ranked saved offers (at most RERANK_COUNT), paid once
    for all; refunded if the task fails (the jobs engine's stop hooks)."""
    return _start_paid_task(
        cv.user,
        type=TaskType.RERANK_OFFERS,
        feature="rerank_offers",
        title=_("Re-ranking your best offers for %(cv)s") % {"cv": cv},
        payload={"offer_ids": offer_ids[:RERANK_COUNT]},
        cv=cv,
        device_id=device_id,
    )


def run_reranking(task: BackgroundTask) -> dict[str, Any]:
    cv = _locked_cv(task)
    ids = task.payload.get("offer_ids") or []
    found = JobOffer.objects.filter(pk__in=ids, user=cv.user, extracted_at__isnull=False)
    by_id = {offer.pk: offer for offer in found}
    offers = [by_id[pk] for pk in ids if pk in by_id]
    if not offers:
        raise TaskFailed(_("The offers to re-rank were deleted. You were not charged."))
    task.report_progress(10, _("Scoring your best offers with the AI model"))
    skills, titles = cv_skills_and_titles(cv.content)
    contents = [role_for_cv(offer.content, skills, titles)[0] for offer in offers]
    scores = gateway.rerank_offers(cv.content, contents, ctx=_ctx(task))
    ranked = sorted(zip(offers, scores, strict=True), key=lambda pair: -pair[1]["match_score"])
    result = {
        "digest": content_digest(cv.content),
        "scores": [
            {
                "offer_id": offer.pk,
                "score": score["match_score"],
                "matching_skills": score["matching_skills"][:3],
                "missing_skills": score["missing_skills"][:3],
            }
            for offer, score in ranked
        ],
        "message": ngettext(
            "%(n)d offer re-ranked by the AI model.",
            "%(n)d offers re-ranked by the AI model.",
            len(offers),
        )
        % {"n": len(offers)},
    }
    return save_result(task, lambda: result)


LANGUAGE_NAMES = {
    "en": gettext_lazy("English"),
    "fr": gettext_lazy("French"),
    "de": gettext_lazy("German"),
    "es": gettext_lazy("Spanish"),
}


def translation_plan(cv: CV, target: str) -> dict[str, Any] | None:
    """What translating `cv` into `target` leaves in the source language, before paying.

    None when an AI provider translates everything; else the offline plan
    (ai.gateway.translation_plan) with its `cost`, `percent` and `message` (plan_before) added.
    """
    plan = gateway.translation_plan(cv.content, target)
    if plan is None:
        return None
    return {
        **plan,
        "cost": feature_cost("translate_cv"),
        "percent": round(plan["coverage"] * 100),
        "message": plan_before(plan),
    }


def plan_before(plan: dict[str, Any]) -> str:
    """The plan told before the user confirms."""
    text = _("Offline translation: %(done)s will be translated.") % {
        "done": _plan_parts(plan["translated"], done=True) or _("nothing")
    }
    kept = _plan_parts(plan["kept"], summary=plan["summary_kept"])
    if kept:
        text += " " + _("These parts stay in %(language)s: %(kept)s.") % {
            "language": LANGUAGE_NAMES.get(plan["source"], plan["source"]),
            "kept": kept,
        }
    return text + " " + _("Configure an AI provider for a full translation.")


def plan_after(plan: dict[str, Any]) -> str:
    """What an offline translation left in the source language, told on the new CV."""
    kept = _plan_parts(plan["kept"], summary=plan["summary_kept"])
    if not kept:
        return _("Translated offline: every part of this CV is in the new language.")
    return _(
        "Translated offline: these parts stayed in %(language)s: %(kept)s. Translate them "
        "in the editor, or configure an AI provider for a full translation."
    ) % {"language": LANGUAGE_NAMES.get(plan["source"], plan["source"]), "kept": kept}


def _plan_parts(counts: dict[str, int], *, done: bool = False, summary: bool = False) -> str:
    """ "headings, dates and 23 skill names", "your summary and 14 bullet points"..."""
    parts: list[str] = []
    if done and counts.get("heading"):
        parts.append(_("headings"))
    if done and counts.get("date"):
        parts.append(_("dates"))
    if not done and summary:
        parts.append(_("your summary"))
    sentences = counts.get("sentence", 0) - (1 if summary and not done else 0)
    n = counts.get("title", 0)
    if n:
        parts.append(ngettext("%(n)d job title", "%(n)d job titles", n) % {"n": n})
    n = counts.get("degree", 0)
    if n:
        parts.append(ngettext("%(n)d degree or field", "%(n)d degrees and fields", n) % {"n": n})
    n = counts.get("language", 0)
    if n:
        parts.append(
            ngettext("%(n)d language or level", "%(n)d languages and levels", n) % {"n": n}
        )
    n = counts.get("skill", 0)
    if n:
        parts.append(ngettext("%(n)d skill name", "%(n)d skill names", n) % {"n": n})
    if not done:
        if counts.get("heading"):
            n = counts["heading"]
            parts.append(ngettext("%(n)d section name", "%(n)d section names", n) % {"n": n})
        if sentences > 0:
            parts.append(
                ngettext("%(n)d description", "%(n)d descriptions", sentences) % {"n": sentences}
            )
        if counts.get("bullet"):
            n = counts["bullet"]
            parts.append(ngettext("%(n)d bullet point", "%(n)d bullet points", n) % {"n": n})
    if len(parts) < 2:
        return "".join(parts)
    return _("%(items)s and %(last)s") % {"items": ", ".join(parts[:-1]), "last": parts[-1]}


def start_translation(cv: CV, *, target: str, device_id: str = "") -> BackgroundTask:
    return _start_paid_task(
        cv.user,
        type=TaskType.TRANSLATE_CV,
        feature="translate_cv",
        title=_("Translating %(cv)s") % {"cv": cv},
        payload={"target": target},
        cv=cv,
        device_id=device_id,
    )


def start_pdf_import(
    user: User, *, data: bytes, name: str, content_type: str, device_id: str = ""
) -> BackgroundTask:
    """Raises PdfRejected for a file that is not an acceptable PDF (nothing charged)."""

    check_pdf_upload(
        data, max_bytes=get_setting("pdf_max_size_mb") * 1024 * 1024, content_type=content_type
    )
    with transaction.atomic():
        upload = Upload.objects.create(
            user=user,
            name=name[:255],
            content_type=content_type,
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            data=data,
        )
        return _start_paid_task(
            user,
            type=TaskType.IMPORT_PDF,
            feature="import_pdf",
            title=_("Importing %(name)s") % {"name": name},
            payload={"upload_id": upload.pk},
            device_id=device_id,
        )


def start_example_cv(
    user: User,
    *,
    job_title: str = "",
    offer: Any = None,
    language: str = "en",
    device_id: str = "",
) -> BackgroundTask:
    if offer is not None:
        return _start_paid_task(
            user,
            type=TaskType.CREATE_TEMPLATE_CV,
            feature="gpt_cv_generation",
            title=_("Example CV for %(offer)s") % {"offer": offer},
            payload={"offer_id": offer.pk},
            device_id=device_id,
        )
    return _start_paid_task(
        user,
        type=TaskType.GENERATE_FROM_JOB_TITLE,
        feature="generate_from_job_title",
        title=_("Example CV for %(title)s") % {"title": job_title},
        payload={"job_title": job_title[:120], "language": language},
        device_id=device_id,
    )


def _offer_content(cv: CV) -> dict[str, Any] | None:
    if cv.job_offer_id and cv.job_offer.content:
        return cv.job_offer.content
    return (cv.job_offer_snapshot or {}).get("content") or None


def _ctx(task: BackgroundTask) -> Any:

    return task_context(task)


def _locked_cv(task: BackgroundTask) -> CV:
    if task.cv_id is None:
        raise TaskFailed(_("The CV of this task was deleted."))
    return CV.objects.select_related("job_offer").get(pk=task.cv_id, user_id=task.user_id)


def run_tailoring(task: BackgroundTask) -> dict[str, Any]:

    base = CV.objects.filter(pk=task.payload["base_cv_id"], user_id=task.user_id).first()
    offer = JobOffer.objects.filter(pk=task.payload["offer_id"], user_id=task.user_id).first()
    if base is None or offer is None:
        raise TaskFailed(_("The CV or the offer of this task was deleted."))
    task.report_progress(5, _("Reading the offer"))
    offer = ensure_extracted(offer, task=task)
    BackgroundTask.objects.filter(pk=task.pk).update(
        title=_("Tailored CV for %(offer)s") % {"offer": offer}
    )
    task.report_progress(25, _("Tailoring the CV"))

    def on_round(phase: str, number: int) -> None:
        task.report_progress(min(90, 25 + 20 * number), phase)

    # A posting for several roles: the role the user picked, or the one closest to the CV.
    content, role, _picked = role_for_cv(offer.content, *cv_skills_and_titles(base.content))
    outcome = gateway.tailor_cv(base.content, content, ctx=_ctx(task), on_round=on_round)
    task.report_progress(95, _("Saving"))
    source_type = {"url": SourceType.LINK, "pdf": SourceType.PDF}.get(
        offer.source_type, SourceType.TEXT
    )

    def save() -> dict[str, Any]:
        cv = create_cv(
            task.user,
            content=outcome.cv,
            name=f"{role or offer.title or offer.source_name} — {offer.company}".strip(" —")[:200],
            created_by=CreatedBy.GENERATE_CV,
            source_type=source_type,
            source_value=offer.source_value if offer.source_type == "url" else offer.source_name,
            job_offer=offer,
            job_offer_snapshot={**offer_snapshot(offer), "content": content},
            pending_changes=init_review(outcome.changes),
            pending_source_version=0,
            created_with_credit=task.credits_debited > 0,
            credit_used_at=timezone.now() if task.credits_debited else None,
        )
        CVVersion.objects.create(
            cv=cv,
            version=0,
            content=base.content,
            changelog=_("Source CV: %(name)s") % {"name": base},
            change_type=VersionChangeType.IMPORT,
        )
        return {
            "cv_id": cv.pk,
            "changes": len(outcome.changes),
            "rounds": outcome.rounds,
            "message": _("Tailored CV ready: %(n)s change(s) to review.")
            % {"n": len(outcome.changes)},
        }

    result = save_result(task, save)
    record_step(task.user, "generate_cv")
    return result


def run_scoring(task: BackgroundTask) -> dict[str, Any]:
    cv = _locked_cv(task)
    offer = _offer_content(cv)
    if not offer:
        raise TaskFailed(_("This CV has no job offer to be scored against."))
    # The role the CV was tailored to, unless the user picked one since.
    tailored_to = ((cv.job_offer_snapshot or {}).get("content") or {}).get("selected_role")
    if tailored_to and not offer.get("selected_role"):
        offer = {**offer, "selected_role": tailored_to}
    offer, _role, _picked = role_for_cv(offer, *cv_skills_and_titles(cv.content))
    task.report_progress(20, _("Comparing the CV with the offer"))
    score = gateway.score_match(cv.content, offer, ctx=_ctx(task))

    def save() -> dict[str, Any]:
        _store_score(cv, score)
        return {
            "cv_id": cv.pk,
            "score": score["match_score"],
            "message": _("Match score: %(score)s/100.") % {"score": score["match_score"]},
        }

    result = save_result(task, save)
    record_step(task.user, "match_score")
    return result


def _store_score(cv: CV, score: dict[str, Any], *, score_before: int | None = None) -> None:
    """Keep the score with the digest of the content it was computed on (`cv.content`)."""
    breakdown = {**score["score_breakdown"], SCORE_DIGEST_KEY: content_digest(cv.content)}
    CV.objects.filter(pk=cv.pk).update(
        match_score=score["match_score"],
        score_before=score_before,
        score_breakdown=breakdown,
        improvement_suggestions=score["suggestions"],
        missing_skills=score["missing_skills"],
        matching_skills=score["matching_skills"],
        score_evidence=score.get("evidence", []),
        match_score_updated_at=timezone.now(),
        match_score_status=RunStatus.IDLE,
    )


def run_improvement(task: BackgroundTask) -> dict[str, Any]:

    cv = _locked_cv(task)
    offer = _offer_content(cv)
    if not offer:
        raise TaskFailed(_("This CV has no job offer to improve it for."))
    chosen = [
        s
        for i, s in enumerate(cv.improvement_suggestions or [])
        if i in set(task.payload.get("suggestions", []))
    ]
    task.report_progress(20, _("Applying your choices"))
    outcome = gateway.improve_cv(
        cv.content,
        offer,
        suggestions=chosen,
        user_context=task.payload.get("user_context", ""),
        add_skills=task.payload.get("add_skills", []),
        ctx=_ctx(task),
    )
    if not outcome.changes:
        # Nothing to improve: the CV stays as it is and the user is not charged.
        def unchanged() -> dict[str, Any]:
            refund_task(task)
            CV.objects.filter(pk=cv.pk).update(optimise_status=RunStatus.IDLE)
            return {
                "cv_id": cv.pk,
                "no_changes": True,
                "message": _("Nothing to improve with these choices; you were not charged."),
            }

        return save_result(task, unchanged)
    task.report_progress(70, _("Checking the new score"))
    score = gateway.score_match(outcome.cv, offer, ctx=_ctx(task))

    def save() -> dict[str, Any]:
        version = save_version(cv, changelog=_("Before AI improvement"), change_type="optimization")
        cv.refresh_from_db()
        save_cv_content(cv, outcome.cv)
        CV.objects.filter(pk=cv.pk).update(
            pending_changes=init_review(outcome.changes),
            pending_source_version=version.version,
            optimise_status=RunStatus.IDLE,
            optimise_updated_at=timezone.now(),
        )
        _store_score(cv, score, score_before=cv.match_score)
        return {
            "cv_id": cv.pk,
            "score_before": cv.match_score,
            "score_after": score["match_score"],
            "changes": len(outcome.changes),
            "message": _("Improved: score %(before)s → %(after)s.")
            % {
                "before": cv.match_score if cv.match_score is not None else "—",
                "after": score["match_score"],
            },
        }

    return save_result(task, save)


def run_translation(task: BackgroundTask) -> dict[str, Any]:
    source = _locked_cv(task)
    target = task.payload["target"]
    task.report_progress(20, _("Translating"))
    plan = gateway.translation_plan(source.content, target)
    content = gateway.translate_cv(source.content, target, ctx=_ctx(task))
    content["language"] = target

    def save() -> dict[str, Any]:
        cv = create_cv(
            task.user,
            content=content,
            name=f"{source} ({target.upper()})"[:200],
            created_by=CreatedBy.TRANSLATE_CV,
            original_created_by=source.created_by,
            is_translated=True,
            untranslated=plan,
            source_type=source.source_type,
            source_value=source.source_value,
            job_offer=source.job_offer,
            job_offer_snapshot=source.job_offer_snapshot,
        )
        message = _("Translation ready.")
        if plan is not None:
            message += " " + plan_after(plan)
        return {"cv_id": cv.pk, "message": message}

    return save_result(task, save)


def run_pdf_import(task: BackgroundTask) -> dict[str, Any]:

    upload = Upload.objects.filter(pk=task.payload["upload_id"], user_id=task.user_id).first()
    if upload is None:
        raise TaskFailed(_("The uploaded file is no longer available. Upload it again."))
    data, name = bytes(upload.data), upload.name
    # Read once, kept by nobody: a task never runs twice, so a rejected file must not linger.
    upload.delete()
    task.report_progress(10, _("Reading the PDF"))
    pdf = extract_pdf_text(data, max_pages=get_setting("pdf_max_pages"))
    task.report_progress(40, _("Structuring your CV"))
    content = gateway.structure_cv(pdf.text, ctx=_ctx(task), links=pdf.links)
    task.report_progress(90, _("Saving"))

    def save() -> dict[str, Any]:
        cv = create_cv(
            task.user,
            content=content,
            created_by=CreatedBy.IMPORT_PDF,
            source_type=SourceType.PDF,
            source_value=name,
        )
        return {"cv_id": cv.pk, "message": _("Your CV was imported. Check it over.")}

    result = save_result(task, save)
    record_step(task.user, "create_cv")
    return result


def run_template_cv(task: BackgroundTask) -> dict[str, Any]:

    offer = JobOffer.objects.filter(pk=task.payload["offer_id"], user_id=task.user_id).first()
    if offer is None:
        raise TaskFailed(_("The offer of this task was deleted."))
    offer = ensure_extracted(offer, task=task)
    task.report_progress(50, _("Writing an example CV"))
    language = offer.content.get("language") or "en"
    content = gateway.example_cv(offer=offer.content, language=language, ctx=_ctx(task))
    content["section_order"] = new_cv_section_order()

    def save() -> dict[str, Any]:
        cv = create_cv(
            task.user,
            content=content,
            name=_("Example CV — %(offer)s") % {"offer": offer},
            created_by=CreatedBy.CREATE_TEMPLATE,
            source_type={"url": SourceType.LINK, "pdf": SourceType.PDF}.get(
                offer.source_type, SourceType.TEXT
            ),
            source_value=offer.source_name,
            job_offer=offer,
            job_offer_snapshot=offer_snapshot(offer),
        )
        return {"cv_id": cv.pk, "message": _("Example CV ready.")}

    return save_result(task, save)


def run_cv_from_job_title(task: BackgroundTask) -> dict[str, Any]:
    title = task.payload["job_title"]
    task.report_progress(20, _("Writing an example CV"))
    try:
        content = gateway.example_cv(
            job_title=title, language=task.payload.get("language", "en"), ctx=_ctx(task)
        )
    except ValueError as exc:
        raise TaskFailed(str(exc)) from None
    content["section_order"] = new_cv_section_order()

    def save() -> dict[str, Any]:
        cv = create_cv(
            task.user,
            content=content,
            name=_("Example CV — %(title)s") % {"title": title},
            created_by=CreatedBy.GENERATE_FROM_JOB_TITLE,
            source_type=SourceType.JOB_TITLE,
            source_value=title,
        )
        return {"cv_id": cv.pk, "message": _("Example CV ready.")}

    return save_result(task, save)


# --- Cover letters ------------------------------------------------------------------------
#
# A letter belongs to its CV and keeps its own versions: each edit and each restore saves the
# text it replaces (CoverLetterVersion), rotated like the CV's to the `cv_max_versions` newest.
# The letter also records the CV version it was written from, so its page can tell when the CV
# has changed since.


def start_cover_letter(cv: CV, *, offer: JobOffer, device_id: str = "") -> BackgroundTask:
    return _start_paid_task(
        cv.user,
        type=TaskType.WRITE_COVER_LETTER,
        feature="cover_letter",
        title=_("Cover letter for %(offer)s") % {"offer": offer},
        payload={"offer_id": offer.pk},
        cv=cv,
        device_id=device_id,
    )


def run_cover_letter(task: BackgroundTask) -> dict[str, Any]:
    cv = _locked_cv(task)
    offer = JobOffer.objects.filter(pk=task.payload["offer_id"], user_id=cv.user_id).first()
    if offer is None:
        raise TaskFailed(_("The offer of this task was deleted."))
    task.report_progress(10, _("Reading the offer"))
    offer = ensure_extracted(offer, task=task)
    content, role, _picked = role_for_cv(offer.content, *cv_skills_and_titles(cv.content))
    task.report_progress(40, _("Writing the letter"))
    outcome = gateway.write_cover_letter(cv.content, content, ctx=_ctx(task))
    try:
        letter_content = checked_letter_content(outcome.letter)
    except ValidationError as exc:
        raise AIInvalidResponse(f"the letter is not valid: {exc}") from None
    task.report_progress(90, _("Saving"))

    def save() -> dict[str, Any]:
        letter = CoverLetter.objects.create(
            cv=cv,
            job_offer=offer,
            role=(role or content.get("title") or str(offer))[:255],
            company=str(content.get("company") or "")[:255],
            language=cv.content.get("language", cv.language),
            content=letter_content,
            cv_version=cv.content_version,
            engine=outcome.engine[:100],
            guard_notes={"removed": outcome.removed, "replaced": outcome.replaced}
            if outcome.removed or outcome.replaced
            else {},
            task=task,
        )
        return {"cv_id": cv.pk, "letter_id": letter.pk, "message": _letter_message(outcome)}

    return save_result(task, save)


def _letter_message(outcome: gateway.LetterOutcome) -> str:
    if outcome.replaced:
        return _(
            "Cover letter ready. The AI's letter named facts your CV does not state, so this "
            "one was written from your CV's evidence instead."
        )
    if outcome.removed:
        return _(
            "Cover letter ready. Sentences naming facts your CV does not state were removed: "
            "%(facts)s."
        ) % {"facts": ", ".join(outcome.removed)[:120]}
    return _("Cover letter ready.")


def save_letter(letter: CoverLetter, *, content: dict[str, Any]) -> CoverLetter:
    """An edit: the text it replaces is kept as a version (an unchanged text makes none)."""
    with transaction.atomic():
        letter = CoverLetter.objects.select_for_update().get(pk=letter.pk)
        if content == letter.content:
            return letter
        _keep_letter_version(letter, LetterChangeType.EDIT, _("Before your edit"))
        letter.content = content
        letter.save(update_fields=["content", "version", "updated_at"])
    return letter


def restore_letter_version(letter: CoverLetter, version: CoverLetterVersion) -> CoverLetter:
    """Bring back an old text; the one it replaces is kept as a version first."""
    with transaction.atomic():
        letter = CoverLetter.objects.select_for_update().get(pk=letter.pk)
        changelog = _("Before restoring version %(n)s") % {"n": version.version}
        _keep_letter_version(letter, LetterChangeType.RESTORE, changelog)
        letter.content = version.content
        letter.save(update_fields=["content", "version", "updated_at"])
    return letter


def _keep_letter_version(letter: CoverLetter, change_type: str, changelog: str) -> None:
    """Save the letter's current text as its version and number the next one (locked row)."""
    CoverLetterVersion.objects.create(
        letter=letter,
        version=letter.version,
        content=letter.content,
        change_type=change_type,
        changelog=changelog[:255],
    )
    letter.version += 1
    keep = get_setting("cv_max_versions")
    stale = list(letter.versions.order_by("-version").values_list("pk", flat=True)[keep:])
    CoverLetterVersion.objects.filter(pk__in=stale).delete()


# --- Review mode ---------------------------------------------------------------------------


def review_changes(cv: CV, *, change_ids: list[str], action: str) -> dict[str, int]:
    """Accept or reject some pending changes; rejecting reverts just those changes."""
    if action not in ("accept", "reject"):
        raise ValueError("action must be accept or reject")
    with transaction.atomic():
        cv = CV.objects.select_for_update().get(pk=cv.pk)
        changes = [dict(c) for c in cv.pending_changes or []]
        content = cv.content
        wanted = set(change_ids)
        chosen = [c for c in changes if c["id"] in wanted and c["status"] == PENDING]
        for change in revert_order(chosen) if action == "reject" else chosen:
            if action == "accept":
                change["status"] = ACCEPTED
                continue
            try:
                content = revert_change(content, change)
            except UnknownPath:
                change["status"] = ORPHANED
            else:
                change["status"] = REJECTED
        cv.content = normalize_cv(content)
        progress = review_progress(changes)
        cv.pending_changes = changes if progress["pending"] else None
        if not progress["pending"]:
            cv.pending_source_version = None
        cv.save(
            update_fields=["content", "pending_changes", "pending_source_version", "updated_at"]
        )
        if chosen:
            record_step(cv.user, "review_changes")
    return progress


def reset_status_flags(task: BackgroundTask) -> None:
    """A stopped task's CV is no longer being scored or improved (a jobs stop hook)."""
    if task.cv_id is None:
        return
    CV.objects.filter(pk=task.cv_id, match_score_status=RunStatus.IN_PROGRESS).update(
        match_score_status=RunStatus.IDLE
    )
    CV.objects.filter(pk=task.cv_id, optimise_status=RunStatus.IN_PROGRESS).update(
        optimise_status=RunStatus.IDLE
    )


# The background jobs of the CV workspace, by task type (registered in cvs.apps).
TASK_HANDLERS = {
    TaskType.TEST: run_test_task,
    TaskType.GENERATE_CV: run_tailoring,
    TaskType.CALCULATE_MATCH_SCORE: run_scoring,
    TaskType.IMPROVE_CV: run_improvement,
    TaskType.TRANSLATE_CV: run_translation,
    TaskType.IMPORT_PDF: run_pdf_import,
    TaskType.CREATE_TEMPLATE_CV: run_template_cv,
    TaskType.GENERATE_FROM_JOB_TITLE: run_cv_from_job_title,
    TaskType.RERANK_OFFERS: run_reranking,
    TaskType.WRITE_COVER_LETTER: run_cover_letter,
}


# --- Roll-ups for the staff dashboards ----------------------------------------------------

CV_ROLLUP = "cvs"


def refresh_daily_cv_counts(*, today: datetime.date | None = None) -> datetime.date:
    """Rebuild the daily counts of CVs created on every day before today; returns the last day
    rolled. Rebuilt whole in one transaction, like the events' roll-ups (telemetry.services)."""
    today = today or timezone.localdate()
    through = today - datetime.timedelta(days=1)
    rows = [
        DailyCVCount(**row)
        for row in CV.objects.filter(created_at__lt=start_of(today))
        .annotate(day=TruncDate("created_at"))
        .values("day", "created_by")
        .annotate(cvs=Count("id"))
        .order_by()
    ]
    with transaction.atomic():
        DailyCVCount.objects.all().delete()
        DailyCVCount.objects.bulk_create(rows, batch_size=2_000)
        DailyRollup.objects.update_or_create(
            name=CV_ROLLUP, defaults={"through": through, "refreshed_at": timezone.now()}
        )
    return through
