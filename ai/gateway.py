"""The one entry point the product calls for anything AI.

Each feature is one function taking a keyword-only `ctx: AIContext`. The engine is read from
`settings.AI_ENGINE` at call time: "offline" delegates to the deterministic engine in
`ai.offline`; "openai" renders a prompt, masks the CV, calls `openai_api.complete_json`
with the model chosen in the Setting table, restores the masked details and then applies code
guards, because a prompt is a request and not a guarantee:

* employers, dates, locations, institutions, degrees and contact details always come from the
  source CV (they are not even part of most output schemas);
* any model text that `offline.tailor.invented_facts` flags (new employer, school, number, URL,
  e-mail...) is reverted to the source value and reported as a change removed by the guard;
* nothing is removed from the CV without a change that says so and why;
* the match score total is recomputed from the sub-scores with fixed weights.

Every call, offline ones included, is recorded by `ai.accounting.record_ai_call`.
"""

from __future__ import annotations

import copy
import json
import logging
import re
import threading
import time
import unicodedata
import uuid
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.crypto import salted_hmac
from pydantic import BaseModel

from ai import openai_api, prompting, scoring
from ai.accounting import OFFLINE_MODEL, record_ai_call, report_provider_incident
from ai.errors import (
    AICancelled,
    AIError,
    AIInvalidResponse,
    AINoJobOffer,
    AINotEnoughInCommon,
    AIRefused,
    AIUnavailableOffline,
    BilledUsage,
)
from ai.models import CallStatus
from ai.privacy import (
    Vault,
    iter_strings,
    link_key,
    mask_cv,
    mask_text,
    profile_site,
    untrusted_block,
)
from ai.schemas import (
    CoverLetterOut,
    ImproveCvOut,
    JobOfferOut,
    MatchScoreOut,
    TailorClassifyOut,
    TailorExperienceOut,
    TailorSkillsOut,
    TailorSummaryOut,
    schema_fingerprint,
    strict_schema,
)
from core.config import get_setting
from core.limits import MODEL_REQUEST_TIMEOUT
from cvdoc.document import MAX_TEXT_CHARS, CvValidationError, cv_json_schema, normalize_cv

logger = logging.getLogger(__name__)

Out = TypeVar("Out", bound=BaseModel)
T = TypeVar("T")
Change = dict[str, Any]

# Sequential model rounds of a tailoring (core.limits.TASK_SEQUENTIAL_CALLS counts them).
TAILOR_ROUNDS = 3
MAX_PARALLEL_CALLS = 6
MAX_OFFER_CHARS = 30_000
MAX_CV_TEXT_CHARS = 40_000
MAX_SUGGESTIONS = 3
SKILL_REMOVE_BELOW = 60
SKILL_RENAME_FROM = 70
LANGUAGE_NAMES = {"fr": "French", "en": "English", "de": "German", "es": "Spanish"}
NATIVE_LEVEL = re.compile(
    r"native|mother tongue|bilingu|\bc2\b|maternel|natif|native|muttersprach|nativ|materna",
    re.IGNORECASE,
)
# Names of the same spoken language across the four product languages.
LANGUAGE_ALIASES = (
    {"french", "français", "francais", "französisch", "francés", "frances"},
    {"english", "anglais", "englisch", "inglés", "ingles"},
    {"german", "allemand", "deutsch", "alemán", "aleman"},
    {"spanish", "espagnol", "spanisch", "español", "espanol", "castellano"},
    {"italian", "italien", "italienisch", "italiano"},
    {"portuguese", "portugais", "portugiesisch", "portugués", "portugues"},
)
EXAMPLE_DOMAINS = ("example.com", "example.org", "example.net")
# A capitalised name after "at", "chez", "bei"...: how prose names an employer or a school.
NAMED_ORGANISATION = re.compile(
    r"\b(?:at|for|chez|pour|bei|para|en)\s+((?:[A-Z][\w&'.-]*)(?:\s+[A-Z][\w&'.-]*)*)"
)
# Sites whose name tells the model what a link is without telling whose it is.
PUBLIC_SITES = {"doi.org": "DOI", "arxiv.org": "arXiv", "scholar.google.com": "Google Scholar"}
# Fields of an experience the tailoring may rewrite; every other one comes from the source.
TAILORABLE_EXPERIENCE_FIELDS = ("title", "description", "responsibilities", "deliverables")


@dataclass(frozen=True)
class AIContext:
    user_id: int | None
    task_id: uuid.UUID | None = None
    # Called between rounds and every 0.2 s during a request; True aborts with AICancelled.
    cancel_check: Callable[[], bool] | None = None
    ui_language: str = "en"


@dataclass(frozen=True)
class OfferExtraction:
    content: dict[str, Any]
    model: str
    tokens: int


@dataclass(frozen=True)
class TailorOutcome:
    cv: dict[str, Any]
    changes: list[Change]
    rounds: int  # sequential model rounds (0 offline)


# --- Features -------------------------------------------------------------------------------


def extract_job_offer(text: str, *, ctx: AIContext) -> OfferExtraction:
    """The structured job offer (JobOffer.content) from the posting's text."""
    if _engine() == "offline":
        from ai.offline import extract  # the offline engine loads its vocabularies on first use

        content = _offline("extract_job_offer", ctx, lambda: extract.extract_job_offer(text))
        _require_offer(content)
        return OfferExtraction(content=content, model=OFFLINE_MODEL, tokens=0)
    out, result = _ask(
        _prepare(
            "extract_job_offer",
            setting="model_extract_job_offer",
            prompt="extract_job_offer",
            variables={},
            user=untrusted_block("job_posting", text[:MAX_OFFER_CHARS]),
            output=JobOfferOut,
            temperature=0.1,
        ),
        JobOfferOut,
        ctx,
    )
    content = out.model_dump(mode="json")
    _require_offer(content)
    tokens = result.prompt_tokens + result.completion_tokens
    return OfferExtraction(content=content, model=result.model, tokens=tokens)


def score_match(cv: dict[str, Any], offer: dict[str, Any], *, ctx: AIContext) -> dict[str, Any]:
    """The match score JSON: match_score, score_breakdown, suggestions, missing/matching skills."""
    if _engine() == "offline":
        from ai.offline import score  # the offline engine loads its vocabularies on first use

        raw = _offline("match_score", ctx, lambda: score.score_match(cv, offer))
        return _finish_score(raw, cv, offer)
    masked, vault = mask_cv(cv)
    out, _ = _ask(
        _prepare(
            "match_score",
            setting="model_match_score",
            prompt="match_score",
            variables=_languages(cv, ctx),
            user=_cv_and_offer(masked, offer),
            output=MatchScoreOut,
            temperature=0.1,
        ),
        MatchScoreOut,
        ctx,
    )
    return _finish_score(vault.restore(out.model_dump(mode="json")), cv, offer)


def rank_offers(
    cv: dict[str, Any], offers: list[dict[str, Any]], *, ctx: AIContext
) -> list[dict[str, Any]]:
    """Each offer's match score by the offline engine, whatever the configured engine: the
    free ranking of a user's offers (`rerank_offers` is the model's). One recorded call.

    Each result is `score_match`'s, with `strengths` and `gaps` (ai.offline.score)."""
    from ai.offline import score  # the offline engine loads its vocabularies on first use

    def run() -> list[dict[str, Any]]:
        return [_finish_score(score.score_match(cv, offer), cv, offer) for offer in offers]

    return _offline("rank_offers", ctx, run)


def read_offers_offline(texts: list[str], *, ctx: AIContext) -> list[dict[str, Any] | None]:
    """Each text read as a job offer by the offline engine, whatever the configured engine
    (free, instant); None for a text that holds no job offer. One recorded call."""
    from ai.offline import extract  # the offline engine loads its vocabularies on first use

    def run() -> list[dict[str, Any] | None]:
        read = [extract.extract_job_offer(text) for text in texts]
        return [content if extract.is_job_offer(content) else None for content in read]

    return _offline("extract_job_offer", ctx, run)


def rerank_offers(
    cv: dict[str, Any], offers: list[dict[str, Any]], *, ctx: AIContext
) -> list[dict[str, Any]]:
    """Each offer's match score by the language model, all in one parallel round.

    The offline engine has no better ranking than its own (`rank_offers`): it raises
    AIUnavailableOffline, and the product never offers (nor charges) this without a provider.
    """
    if _engine() == "offline":
        raise AIUnavailableOffline("re-ranking with a model needs an AI provider")
    masked, vault = mask_cv(cv)
    calls = [
        _prepare(
            "rerank_offers",
            setting="model_match_score",
            prompt="match_score",
            variables=_languages(cv, ctx),
            user=_cv_and_offer(masked, offer),
            output=MatchScoreOut,
            temperature=0.1,
        )
        for offer in offers
    ]
    results = _ask_parallel(calls, ctx) if calls else []
    return [
        _finish_score(
            vault.restore(MatchScoreOut.model_validate(result.data).model_dump(mode="json")),
            cv,
            offer,
        )
        for result, offer in zip(results, offers, strict=True)
    ]


def tailor_cv(
    cv: dict[str, Any],
    offer: dict[str, Any],
    *,
    ctx: AIContext,
    on_round: Callable[[str, int], None] | None = None,
) -> TailorOutcome:
    """The CV adapted to the offer, and the reviewable list of changes.

    Three sequential model rounds: classification; every section batch in parallel; summary.
    `on_round(name, number)` is called as each round starts (for progress reporting); the
    offline engine makes no model round and never calls it.
    """
    if _engine() == "offline":
        from ai.offline import tailor  # the offline engine loads its vocabularies on first use

        tailored = _offline("cv_adaptation", ctx, lambda: tailor.tailor_cv(cv, offer))
        return TailorOutcome(cv=tailored.cv, changes=list(tailored.changes), rounds=0)

    source = copy.deepcopy(cv)
    masked, vault = mask_cv(source)
    variables = _languages(source, ctx)
    offer_block = untrusted_block("job_offer", _offer_text(offer))
    experiences = source.get("experience") or []

    _start_round(on_round, ctx, "classify", 1)
    listing = [
        {"index": i, **_pick(job, "title", "company", "start_date", "end_date", "description")}
        for i, job in enumerate(masked.get("experience") or [])
    ]
    classified, _ = _ask(
        _prepare(
            "cv_adaptation_classify",
            setting="model_cv_classify",
            prompt="tailor_classify",
            variables=variables,
            user=f"Experiences:\n{_json(listing)}\n\nJob offer:\n{offer_block}",
            output=TailorClassifyOut,
        ),
        TailorClassifyOut,
        ctx,
    )
    decisions = _valid_decisions(classified, len(experiences))

    _start_round(on_round, ctx, "sections", 2)
    kept = [i for i in range(len(experiences)) if decisions[i][0] == "keep"]
    calls = [
        _prepare(
            "cv_adaptation_experience",
            setting="model_cv_batch_experience",
            prompt="tailor_experience",
            variables=variables,
            user=f"Experience:\n{_json(_experience_input(masked['experience'][i], decisions[i]))}"
            f"\n\nJob offer:\n{offer_block}",
            output=TailorExperienceOut,
        )
        for i in kept
    ]
    calls.append(
        _prepare(
            "cv_adaptation_skills",
            setting="model_cv_batch_skills",
            prompt="tailor_skills",
            variables=variables,
            user=f"CV skills:\n{_json(masked.get('skills') or {})}\n\n"
            f"Job offer:\n{untrusted_block('offer_skills', _json(offer.get('skills') or {}))}",
            output=TailorSkillsOut,
        )
    )
    results = _ask_parallel(calls, ctx)

    changes: list[Change] = []
    result = copy.deepcopy(source)
    for i, completion in zip(kept, results, strict=False):  # the skills answer comes last
        out = TailorExperienceOut.model_validate(completion.data)
        result["experience"][i], item_changes = _tailor_experience(source, i, out, vault)
        changes += item_changes
    skills_out = TailorSkillsOut.model_validate(results[-1].data)
    result["skills"], skill_changes = _tailor_skills(source, skills_out, offer, vault)
    changes += skill_changes
    result, changes = _apply_decisions(source, result, decisions, changes)
    result, evidence_changes = _headline_and_evidenced_skills(source, result, offer)
    changes += evidence_changes

    _start_round(on_round, ctx, "summary", 3)
    summary_out, _ = _ask(
        _prepare(
            "cv_adaptation_summary",
            setting="model_cv_batch_summary",
            prompt="tailor_summary",
            variables=variables,
            user=f"Adapted CV:\n{_json(_without_header(vault.mask(result)))}\n\n"
            f"Job offer:\n{offer_block}",
            output=TailorSummaryOut,
        ),
        TailorSummaryOut,
        ctx,
    )
    result, summary_changes = _tailor_summary(source, result, summary_out, vault)
    changes += summary_changes
    return TailorOutcome(
        cv=_finish_cv(source, result, changes), changes=changes, rounds=TAILOR_ROUNDS
    )


def improve_cv(
    cv: dict[str, Any],
    offer: dict[str, Any],
    *,
    suggestions: list[dict[str, Any]],
    user_context: str,
    add_skills: list[dict[str, Any]],
    ctx: AIContext,
) -> TailorOutcome:
    """The CV improved along the selected score suggestions, with the skills the user added."""
    if _engine() == "offline":
        improve = _offline_function("improve", "improve_cv")
        result = _offline(
            "improve_cv",
            ctx,
            lambda: improve(
                cv, offer, suggestions=suggestions, user_context=user_context, add_skills=add_skills
            ),
        )
        return TailorOutcome(cv=result.cv, changes=list(result.changes), rounds=0)

    source = copy.deepcopy(cv)
    masked, vault = mask_cv(source)
    notes = vault.mask(user_context.strip())
    user = (
        f"CV:\n{_json(masked)}\n\nJob offer:\n{untrusted_block('job_offer', _offer_text(offer))}"
        f"\n\nSelected suggestions:\n{untrusted_block('suggestions', _json(suggestions))}"
    )
    if notes:
        user += f"\n\nCandidate's notes:\n{untrusted_block('candidate_notes', notes)}"
    out, _ = _ask(
        _prepare(
            "improve_cv",
            setting="model_improve_cv",
            prompt="improve_cv",
            variables=_languages(source, ctx),
            user=user,
            output=ImproveCvOut,
        ),
        ImproveCvOut,
        ctx,
    )
    # Facts the candidate wrote in the notes are theirs: the guard must accept them.
    known = copy.deepcopy(source)
    if user_context.strip():
        known.setdefault("extras", []).append({"name": "notes", "summary": user_context.strip()})
    result, changes = _improve(source, known, out, vault)
    result, skill_changes = _add_skills(result, add_skills)
    changes += skill_changes
    return TailorOutcome(cv=_finish_cv(source, result, changes), changes=changes, rounds=1)


def translate_cv(cv: dict[str, Any], target_language: str, *, ctx: AIContext) -> dict[str, Any]:
    """The CV translated into `target_language` (fr, en, de or es), facts unchanged."""
    if _engine() == "offline":
        translate = _offline_function("translate", "translate_cv")
        translated: dict[str, Any] = _offline(
            "translate_cv", ctx, lambda: translate(cv, target_language)
        )
        return translated
    if target_language not in LANGUAGE_NAMES:
        raise AIError(f"unsupported target language {target_language!r}")
    source = copy.deepcopy(cv)
    masked, vault = mask_cv(source)
    schema = cv_json_schema()
    result = _ask_schema(
        _prepare(
            "translate_cv",
            setting="model_translate_cv",
            prompt="translate_cv",
            variables={
                "target_language": LANGUAGE_NAMES[target_language],
                "target_code": target_language,
            },
            user=f"CV:\n{_json(masked)}",
            output=schema,
            schema_name="cv",
        ),
        ctx,
    )
    translated = _keep_structure(source, vault.restore(result.data))
    translated["language"] = target_language
    translated = _revert_invented_leaves(source, translated)
    return _normalized(translated)


def translation_plan(cv: dict[str, Any], target_language: str) -> dict[str, Any] | None:
    """What the translation will leave in the source language, told before the user pays.

    None with a language model (it translates everything); with the offline engine, the
    plan of `offline.translate.translation_plan` as JSON: coverage, translated and kept
    segment counts by kind (heading, date, title, skill, degree, language, sentence, bullet).
    """
    if _engine() != "offline":
        return None
    from ai.offline import translate  # the offline engine loads its vocabularies on first use

    return translate.translation_plan(cv, target_language).as_dict()


def structure_cv(
    text: str, *, ctx: AIContext, links: tuple[str, ...] | list[str] = ()
) -> dict[str, Any]:
    """A CV document from the text of an imported CV (PDF import); `links` are the link
    targets found in the PDF (an icon's address is often not in its text)."""
    if _engine() == "offline":
        parse = _offline_function("cv_parser", "parse_cv_text")
        try:
            return _normalized(_offline("import_pdf", ctx, lambda: parse(text, links=links)))
        except ValueError as exc:  # CvParseError: nothing CV-like, with a message for the user
            raise AIError(str(exc), user_message=str(exc)) from None
    masked, vault = mask_text(text[:MAX_CV_TEXT_CHARS], links=links)
    user = untrusted_block("cv_text", masked)
    targets = [_link_target(url, vault) for url in links if not _is_mailto(url)]
    if targets:
        user += "\n\nLink targets in the file:\n" + "\n".join(f"- {t}" for t in targets)
    result = _ask_schema(
        _prepare(
            "import_pdf",
            setting="model_import_pdf",
            prompt="import_cv",
            variables={},
            user=user,
            output=cv_json_schema(),
            schema_name="cv",
            temperature=0.0,
        ),
        ctx,
    )
    imported = vault.restore(result.data)
    known = [*vault.values_of("LINK"), *links]
    return _normalized(_keep_pdf_links(_known_links_only(imported, known), links))


def example_cv(
    *,
    job_title: str | None = None,
    offer: dict[str, Any] | None = None,
    language: str,
    ctx: AIContext,
) -> dict[str, Any]:
    """A clearly fictional CV for a job title or a job offer (a starting template)."""
    if (job_title is None) == (offer is None):
        raise ValueError("give exactly one of job_title or offer")
    if _engine() == "offline":
        example = _offline_function("examples", "example_cv")
        template: dict[str, Any] = _offline(
            "create_template_cv",
            ctx,
            lambda: example(job_title=job_title, offer=offer, language=language),
        )
        return template
    if language not in LANGUAGE_NAMES:
        raise AIError(f"unsupported language {language!r}")
    if offer is not None:
        feature, setting, source = "create_template_cv", "model_cv_generation", "a job offer"
        user = f"Job offer:\n{untrusted_block('job_offer', _offer_text(offer))}"
    else:
        feature, setting, source = (
            "generate_from_job_title",
            "model_generate_from_job_title",
            "a job title",
        )
        user = f"Job title:\n{untrusted_block('job_title', (job_title or '')[:200])}"
    result = _ask_schema(
        _prepare(
            feature,
            setting=setting,
            prompt="example_cv",
            variables={
                "source": source,
                "output_language": LANGUAGE_NAMES[language],
                "output_code": language,
            },
            user=user,
            output=cv_json_schema(),
            schema_name="cv",
            temperature=0.7,
        ),
        ctx,
    )
    data = dict(result.data)
    data["language"] = language
    return _normalized(_fictional(data))


# --- Model calls ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Call:
    feature: str
    model: str
    messages: list[dict[str, Any]]
    schema: dict[str, Any]
    schema_name: str
    temperature: float | None
    metadata: dict[str, Any]


def _engine() -> str:
    return settings.AI_ENGINE


def _prepare(
    feature: str,
    *,
    setting: str,
    prompt: str,
    variables: dict[str, str],
    user: str,
    output: type[BaseModel] | dict[str, Any],
    schema_name: str | None = None,
    temperature: float | None = None,
) -> _Call:
    """Everything a call needs, resolved in the caller's thread (settings may hit the DB)."""
    rendered = prompting.render(prompt, variables)
    if isinstance(output, dict):
        schema, name = output, schema_name or feature
    else:
        schema, name = strict_schema(output), schema_name or output.__name__
    return _Call(
        feature=feature,
        model=get_setting(setting),
        messages=[
            {"role": "system", "content": rendered.text},
            {"role": "user", "content": user},
        ],
        schema=schema,
        schema_name=name,
        temperature=temperature,
        metadata={**rendered.metadata(), "schema": name, "schema_sha": schema_fingerprint(schema)},
    )


def _complete(
    call: _Call, ctx: AIContext, cancel_check: Callable[[], bool] | None
) -> openai_api.CompletionResult:
    return openai_api.complete_json(
        model=call.model,
        messages=call.messages,
        schema=call.schema,
        schema_name=call.schema_name,
        timeout=_request_timeout(),
        cancel_check=cancel_check,
        structured_mode=getattr(settings, "OPENAI_STRUCTURED_MODE", "json_schema"),
        temperature=call.temperature,
        safety_identifier=_safety_identifier(ctx.user_id),
    )


def _request_timeout() -> float:
    """Seconds one request may take: the setting, never more than the limits allow."""
    configured = getattr(settings, "OPENAI_TIMEOUT_SECONDS", MODEL_REQUEST_TIMEOUT)
    return float(min(configured, MODEL_REQUEST_TIMEOUT))


def _record(call: _Call, result: openai_api.CompletionResult, ctx: AIContext) -> None:
    _store(call, result, ctx, metadata={"structured_mode": result.structured_mode})


def _record_failure(call: _Call, error: BaseException, ctx: AIContext) -> None:
    """A call that raised is recorded too, with the tokens the provider billed before it did;
    a failure that stops the AI features for everyone alerts staff."""
    usage = error.usage if isinstance(error, AIError) else None
    _store(
        call,
        usage or BilledUsage(model=call.model),
        ctx,
        status=_failure_status(error),
        metadata={"error": str(error)[:500]},
    )
    if isinstance(error, AIError) and error.incident:
        report_provider_incident(error.incident, detail=f"{call.feature}: {error}")


def _store(
    call: _Call,
    billed: openai_api.CompletionResult | BilledUsage,
    ctx: AIContext,
    *,
    metadata: dict[str, Any],
    status: str = CallStatus.OK,
) -> None:
    """One OpenAICall row for `call`, with what the provider billed for it."""
    record_ai_call(
        ctx.user_id,
        task_id=ctx.task_id,
        feature=call.feature,
        model=billed.model,
        prompt_tokens=billed.prompt_tokens,
        cached_tokens=billed.cached_tokens,
        completion_tokens=billed.completion_tokens,
        duration_ms=billed.duration_ms,
        status=status,
        metadata={**call.metadata, "attempts": billed.attempts, **metadata},
    )


def _failure_status(error: BaseException) -> str:
    if isinstance(error, AICancelled):
        return CallStatus.CANCELLED
    if isinstance(error, AIRefused):
        return CallStatus.REFUSED
    if isinstance(error, AIInvalidResponse):
        return CallStatus.INVALID
    return CallStatus.FAILED


def _ask_schema(call: _Call, ctx: AIContext) -> openai_api.CompletionResult:
    _check_cancel(ctx)
    try:
        result = _complete(call, ctx, ctx.cancel_check)
    except Exception as exc:
        _record_failure(call, exc, ctx)
        raise
    _record(call, result, ctx)
    return result


def _ask(call: _Call, output: type[Out], ctx: AIContext) -> tuple[Out, Any]:
    result = _ask_schema(call, ctx)
    return output.model_validate(result.data), result


def _ask_parallel(calls: list[_Call], ctx: AIContext) -> list[openai_api.CompletionResult]:
    """Run `calls` at once; record every answered call, then raise the first failure."""
    _check_cancel(ctx)
    # Workers never run ctx.cancel_check themselves: it may query the database, and worker
    # threads must not open connections. This thread polls it and raises the `stop` flag.
    stop = threading.Event()
    results: dict[int, openai_api.CompletionResult] = {}
    errors: list[BaseException] = []
    failed: dict[int, BaseException] = {}
    with ThreadPoolExecutor(
        max_workers=min(MAX_PARALLEL_CALLS, len(calls)), thread_name_prefix="ai-call"
    ) as pool:
        pending: dict[Future[Any], int] = {
            pool.submit(_complete, call, ctx, stop.is_set): i for i, call in enumerate(calls)
        }
        try:
            while pending:
                done, _ = wait(
                    pending, timeout=openai_api.CANCEL_POLL_SECONDS, return_when=FIRST_COMPLETED
                )
                for future in done:
                    index = pending.pop(future)
                    try:
                        results[index] = future.result()
                    except BaseException as exc:  # collected; re-raised below
                        errors.append(exc)
                        failed[index] = exc
                        stop.set()  # one failed batch fails the round: stop the others
                if not stop.is_set() and ctx.cancel_check is not None and ctx.cancel_check():
                    errors.append(AICancelled("cancelled during a parallel round"))
                    stop.set()
        except BaseException:
            stop.set()  # e.g. the cancel check itself failed: do not wait for slow calls
            raise
    for index in sorted(results):
        _record(calls[index], results[index], ctx)
    for index in sorted(failed):  # the calls stopped by the failure are billed too
        _record_failure(calls[index], failed[index], ctx)
    if errors:
        # The first real failure, not the cancellations it caused in the other workers.
        raise next((e for e in errors if not isinstance(e, AICancelled)), errors[0])
    return [results[i] for i in range(len(calls))]


def _offline(feature: str, ctx: AIContext, run: Callable[[], T]) -> T:
    _check_cancel(ctx)
    started = time.monotonic()
    status: str = CallStatus.OK
    metadata = {"engine": "offline"}
    try:
        return run()
    except Exception as exc:
        status, metadata = _failure_status(exc), {**metadata, "error": str(exc)[:500]}
        raise
    finally:
        record_ai_call(
            ctx.user_id,
            task_id=ctx.task_id,
            feature=feature,
            model=OFFLINE_MODEL,
            prompt_tokens=0,
            cached_tokens=0,
            completion_tokens=0,
            duration_ms=int((time.monotonic() - started) * 1000),
            metadata=metadata,
            status=status,
        )


def _offline_function(module: str, name: str) -> Callable[..., Any]:
    """`ai.offline.<module>.<name>`, or AIUnavailableOffline if the engine lacks it."""
    try:
        imported = __import__(f"ai.offline.{module}", fromlist=[name])
        function: Callable[..., Any] = getattr(imported, name)
    except (ImportError, AttributeError):
        raise AIUnavailableOffline(f"{name} is not available offline") from None
    return function


def _check_cancel(ctx: AIContext) -> None:
    if ctx.cancel_check is not None and ctx.cancel_check():
        raise AICancelled("cancelled")


def _start_round(
    on_round: Callable[[str, int], None] | None, ctx: AIContext, name: str, number: int
) -> None:
    _check_cancel(ctx)
    if on_round is not None:
        on_round(name, number)


def _safety_identifier(user_id: int | None) -> str | None:
    # A stable pseudonym lets the provider's abuse monitoring tell users apart without
    # receiving an e-mail address or our database ids.
    if user_id is None:
        return None
    return salted_hmac("ai.safety_identifier", str(user_id)).hexdigest()[:32]


# --- Inputs ---------------------------------------------------------------------------------


def _json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def _pick(data: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {key: data.get(key) for key in keys if data.get(key) not in (None, "", [])}


def _languages(cv: dict[str, Any], ctx: AIContext) -> dict[str, str]:
    return {
        "output_language": LANGUAGE_NAMES.get(cv.get("language") or "en", "English"),
        "ui_language": LANGUAGE_NAMES.get(ctx.ui_language[:2], "English"),
    }


def _offer_text(offer: dict[str, Any]) -> str:
    keys = (
        "title", "company", "contract", "experience", "location", "skills", "education",
        "languages", "responsibilities", "benefits", "language",
    )  # fmt: skip
    return _json({key: offer[key] for key in keys if offer.get(key)})[:MAX_OFFER_CHARS]


def _cv_and_offer(masked_cv: dict[str, Any], offer: dict[str, Any]) -> str:
    return (
        f"CV:\n{_json(masked_cv)}\n\nJob offer:\n{untrusted_block('job_offer', _offer_text(offer))}"
    )


def _without_header(cv: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in cv.items() if key not in ("header", "section_order")}


def _experience_input(job: dict[str, Any], decision: tuple[str, str]) -> dict[str, Any]:
    # Dates and location are withheld: the model cannot change what it never sees.
    fields = _pick(
        job, "title", "company", "description", "responsibilities", "deliverables", "skills_used"
    )
    return {**fields, "why_kept": decision[1]}


# --- Outputs and guards ---------------------------------------------------------------------


def _require_offer(content: dict[str, Any]) -> None:
    # One validity rule for both engines: a title plus duties, skills or a company/place.
    from ai.offline.extract import is_job_offer

    if not is_job_offer(content):
        raise AINoJobOffer("no job offer found in the text")


def weighted_total(breakdown: dict[str, Any]) -> int:
    """The match score: 35/30/20/15 over the criteria the offer asks for (see ai.scoring)."""
    return scoring.weighted_total(breakdown)


def _finish_score(raw: dict[str, Any], cv: dict[str, Any], offer: dict[str, Any]) -> dict[str, Any]:
    # Criteria the offer does not state are "not asked" whatever the engine answered.
    breakdown = scoring.finish_breakdown(raw.get("score_breakdown") or {}, offer, cv)
    language_gap = bool(scoring.language_gaps(cv, offer))
    native = _native_language_names(cv)
    suggestions = [
        s
        for s in raw.get("suggestions") or []
        if not (native and _words(f"{s.get('title', '')} {s.get('suggestion', '')}") & native)
    ]
    return {
        **raw,
        # the model's own total is never trusted
        "match_score": scoring.weighted_total(breakdown, language_gap=language_gap),
        "score_breakdown": breakdown,
        "suggestions": suggestions[:MAX_SUGGESTIONS],
        "missing_skills": [s for s in raw.get("missing_skills") or [] if not _words(s) & native],
        "matching_skills": list(raw.get("matching_skills") or []),
    }


def _words(text: str) -> set[str]:
    return set(re.findall(r"\w+", text.casefold()))


def _native_language_names(cv: dict[str, Any]) -> set[str]:
    names: set[str] = set()
    for language in cv.get("languages") or []:
        if NATIVE_LEVEL.search(str(language.get("level") or "")):
            name = str(language.get("name") or "").casefold().strip()
            names.add(name)
            for group in LANGUAGE_ALIASES:
                if name in group:
                    names |= group
    return names


def _valid_decisions(out: TailorClassifyOut, count: int) -> list[tuple[str, str]]:
    """One (action, reason) per experience; bad or missing indices mean "keep"."""
    decisions = [("keep", "") for _ in range(count)]
    seen: set[int] = set()
    for decision in out.experiences:
        if 0 <= decision.index < count and decision.index not in seen:
            seen.add(decision.index)
            decisions[decision.index] = (decision.action, decision.reason)
    if count and all(action != "keep" for action, _ in decisions):
        # A CV with no experience left is never what the candidate wants: keep them all.
        decisions = [("keep", reason) for _, reason in decisions]
    return decisions


def _change(
    section: str,
    path: str,
    change_type: str,
    before: Any,
    after: Any,
    reason: str,
    **extra: Any,
) -> Change:
    return {
        "section": section,
        "path": path,
        "change_type": change_type,
        "before": before,
        "after": after,
        "reason": reason,
        **extra,
    }


def _clean_lines(values: Iterable[str]) -> list[str]:
    return [line.strip() for line in values if line and line.strip()]


def _tailor_experience(
    source: dict[str, Any], index: int, out: TailorExperienceOut, vault: Vault
) -> tuple[dict[str, Any], list[Change]]:
    original = source["experience"][index]
    # Start from the source: company, dates, location and client can only be the source's.
    job = copy.deepcopy(original)
    proposed: dict[str, tuple[Any, str]] = {}
    for field in TAILORABLE_EXPERIENCE_FIELDS + ("skills_used",):
        change = getattr(out, field)
        if change is None:
            continue
        value = vault.restore(change.value)
        value = _clean_lines(value) if isinstance(value, list) else value.strip()
        if field == "skills_used":
            # Reorder or trim only: a skill the experience did not list cannot appear.
            known = {s.casefold() for s in original.get("skills_used") or []}
            value = [s for s in value if s.casefold() in known]
        if value and value != original.get(field):
            proposed[field] = (value, vault.restore(change.reason))
    job.update({field: value for field, (value, _) in proposed.items()})
    changes = [
        _change("experience", f"experience[{index}].{field}", "modified", original.get(field),
                value, reason)
        for field, (value, reason) in proposed.items()
    ]  # fmt: skip
    return _guard_item(source, "experience", index, job, changes)


def _guard_item(
    source: dict[str, Any], section: str, index: int, item: dict[str, Any], changes: list[Change]
) -> tuple[dict[str, Any], list[Change]]:
    """Revert the fields of one rewritten item that bring facts the source CV lacks."""
    if not changes:
        return item, changes
    probe = copy.deepcopy(source)
    probe[section][index] = item
    invented = _invented(source, probe)
    if not invented:
        return item, changes
    guarded: list[Change] = []
    attributed = [c for c in changes if _mentions(c["after"], invented)] or changes
    for change in changes:
        if change in attributed:
            field = change["path"].rsplit(".", 1)[-1]
            item[field] = copy.deepcopy(change["before"])
            guarded.append(_guard_change(change, invented))
        else:
            guarded.append(change)
    return item, guarded


def _guard_change(change: Change, invented: list[str]) -> Change:
    facts = ", ".join(sorted(set(invented))[:5])
    return {
        **change,
        "change_type": "removed_by_guard",
        "after": change["before"],
        "proposed": change["after"],
        "reason": f"Not applied: the suggestion mentioned facts that are not in your CV ({facts}).",
    }


def _invented(
    source: dict[str, Any], candidate: dict[str, Any], *, prose_names: bool = True
) -> list[str]:
    """Facts of `candidate` missing from `source`, as "kind: value" strings."""
    from ai.offline import tailor  # the offline engine loads its vocabularies on first use

    found = set(tailor.invented_facts(source, candidate))
    if not prose_names:
        return sorted(found)
    # invented_facts reads employers from the structured fields only; a model writes them in
    # prose ("at Google", "chez Airbus"), so named organisations in the text are checked too.
    known = " ".join(iter_strings(source)).casefold()
    for text in iter_strings(candidate):
        for match in NAMED_ORGANISATION.finditer(text):
            if match.group(1).casefold() not in known:
                found.add(f"employer: {match.group(1)}")
    return sorted(found)


def _mentions(value: Any, facts: list[str]) -> bool:
    text = " ".join(iter_strings(value)).casefold()
    return any(fact.split(": ", 1)[-1].casefold() in text for fact in facts if fact)


def _tailor_skills(
    source: dict[str, Any], out: TailorSkillsOut, offer: dict[str, Any], vault: Vault
) -> tuple[dict[str, Any], list[Change]]:
    skills = copy.deepcopy(source.get("skills") or {})
    offer_terms = {term.casefold(): term for term in _offer_skill_terms(offer)}
    matches = {(m.category, m.cv_skill.casefold()): m for m in out.matches}
    changes: list[Change] = []
    for category in ("hard_skills", "tools", "soft_skills", "methodologies"):
        kept: list[Any] = []
        names_kept: set[str] = set()
        for position, item in enumerate(skills.get(category) or []):
            name = item["name"] if isinstance(item, dict) else item
            path = f"skills.{category}[{position}]"
            match = matches.get((category, name.casefold()))
            new_name, reason = name, ""
            # A skill the model did not score is kept: silence is not a reason to delete.
            if match is not None:
                score, reason = max(0, min(100, match.score)), vault.restore(match.reason)
                if score < SKILL_REMOVE_BELOW:
                    changes.append(_change("skills", path, "removed", name, None, reason))
                    continue
                offer_name = offer_terms.get((match.offer_skill or "").casefold())
                # Renamed only to a term the offer really uses, never to a model invention.
                if score >= SKILL_RENAME_FROM and offer_name:
                    new_name = offer_name
            if new_name.casefold() in names_kept:
                changes.append(
                    _change("skills", path, "removed", name, None, f"Same skill as {new_name}.")
                )
                continue
            if new_name != name:  # paths of kept items point into the tailored list
                changes.append(_change("skills", f"skills.{category}[{len(kept)}]", "modified",
                                       name, new_name, reason))  # fmt: skip
            names_kept.add(new_name.casefold())
            kept.append({**item, "name": new_name} if isinstance(item, dict) else new_name)
        skills[category] = kept
    return skills, changes


def _headline_and_evidenced_skills(
    source: dict[str, Any], result: dict[str, Any], offer: dict[str, Any]
) -> tuple[dict[str, Any], list[Change]]:
    """The offline engine's headline and skill additions, which need no model round: the
    offer's title when the CV shows the role, and the offer's skills the CV shows elsewhere.
    Guarded like every model change, though they quote only the CV."""
    from ai.offline import tailor  # the offline engine loads its vocabularies on first use

    added = tailor.tailor_headline_and_skills(source, result, offer)
    if not added.changes:
        return result, []
    invented = sorted(set(_invented(source, added.cv)) - set(_invented(source, result)))
    if invented:
        return result, [_guard_change(change, invented) for change in added.changes]
    return added.cv, list(added.changes)


def _offer_skill_terms(offer: dict[str, Any]) -> list[str]:
    skills = offer.get("skills") or {}
    terms: list[str] = []
    for group in skills.values():
        if isinstance(group, dict):
            terms += list(group.get("required") or []) + list(group.get("nice_to_have") or [])
        elif isinstance(group, list):
            terms += group
    return [str(term) for term in terms if term]


def _apply_decisions(
    source: dict[str, Any],
    result: dict[str, Any],
    decisions: list[tuple[str, str]],
    field_changes: list[Change],
) -> tuple[dict[str, Any], list[Change]]:
    """Drop or move the experiences the classification chose, each as a reviewable change.

    Paths follow the offline engine's rule: they point into the tailored CV, except for
    removals, whose path is the item's place in the source CV.
    """
    kept: list[dict[str, Any]] = []
    moved: list[dict[str, Any]] = []
    changes: list[Change] = []
    new_index: dict[int, int] = {}
    projects = list(result.get("projects") or [])
    for index, (job, (action, reason)) in enumerate(
        zip(result["experience"], decisions, strict=True)
    ):
        original = source["experience"][index]
        if action == "remove":
            changes.append(
                _change("experience", f"experience[{index}]", "removed", original, None, reason)
            )
        elif action == "move_to_projects":
            project = _experience_as_project(original)
            changes.append(_change("projects", f"projects[{len(projects) + len(moved)}]",
                                   "move_to_projects", original, project, reason))  # fmt: skip
            moved.append(project)
        else:
            new_index[index] = len(kept)
            kept.append(job)
    for change in field_changes:
        match = re.match(r"experience\[(\d+)\]", change["path"])
        if match and int(match.group(1)) in new_index:
            position = new_index[int(match.group(1))]
            change["path"] = f"experience[{position}]{change['path'][match.end() :]}"
        changes.append(change)
    return {**result, "experience": kept, "projects": [*projects, *moved]}, changes


def _experience_as_project(job: dict[str, Any]) -> dict[str, Any]:
    """The experience as a project, losing none of what it said.

    A project has no company nor bullet points: the company names the project (the job title
    becomes the role) and the bullets follow the description as lines of the summary.
    """
    title, company = job.get("title") or "", job.get("company") or ""
    if company and job.get("department_or_client"):
        company = f"{company} · {job['department_or_client']}"
    bullets = [*(job.get("responsibilities") or []), *(job.get("deliverables") or [])]
    lines = [job.get("description") or "", *(f"• {bullet}" for bullet in bullets)]
    summary = "\n".join(line for line in lines if line)
    while len(summary) > MAX_TEXT_CHARS and "\n" in summary:
        summary = summary.rsplit("\n", 1)[0]  # the document refuses longer text
    return {
        "name": company or title,
        "role": title if company else "",
        "start_date": job.get("start_date") or "",
        "end_date": job.get("end_date") or "",
        "summary": summary[:MAX_TEXT_CHARS],
        "tech_stack": list(job.get("skills_used") or []),
        "url": None,
        "url_label": None,
    }


def _tailor_summary(
    source: dict[str, Any], result: dict[str, Any], out: TailorSummaryOut, vault: Vault
) -> tuple[dict[str, Any], list[Change]]:
    before = (source.get("summary") or {}).get("description") or ""
    after = vault.restore(out.description).strip()
    if not after or after == before:
        return result, []
    change = _change("summary", "summary.description", "modified", before, after,
                     vault.restore(out.reason))  # fmt: skip
    probe = {**copy.deepcopy(result), "summary": {"description": after}}
    invented = _invented(source, probe)
    if invented:
        return result, [_guard_change(change, invented)]
    return {**result, "summary": {**(result.get("summary") or {}), "description": after}}, [change]


def _improve(
    source: dict[str, Any], known: dict[str, Any], out: ImproveCvOut, vault: Vault
) -> tuple[dict[str, Any], list[Change]]:
    result = copy.deepcopy(source)
    changes: list[Change] = []
    experiences = result.get("experience") or []
    done: set[int] = set()
    for improvement in out.experiences:
        index = improvement.index
        if not 0 <= index < len(experiences) or index in done:
            continue
        done.add(index)
        original = source["experience"][index]
        job = copy.deepcopy(original)
        item_changes: list[Change] = []
        for field in ("description", "responsibilities", "deliverables"):
            change = getattr(improvement, field)
            if change is None:
                continue
            value = vault.restore(change.value)
            value = _clean_lines(value) if isinstance(value, list) else value.strip()
            if value and value != original.get(field):
                job[field] = value
                item_changes.append(
                    _change("experience", f"experience[{index}].{field}", "modified",
                            original.get(field), value, vault.restore(change.reason))
                )  # fmt: skip
        probe_source = {**known, "experience": source["experience"]}
        job, item_changes = _guard_item(probe_source, "experience", index, job, item_changes)
        experiences[index] = job
        changes += item_changes
    for project in out.new_projects:
        new = vault.restore(
            {"name": project.name.strip(), "role": project.role.strip(),
             "summary": project.summary.strip(), "tech_stack": _clean_lines(project.tech_stack),
             "start_date": "", "end_date": "", "url": None, "url_label": None}
        )  # fmt: skip
        if not new["name"]:
            continue
        position = len(result.get("projects") or [])
        change = _change("projects", f"projects[{position}]", "added", None, new,
                         vault.restore(project.reason))  # fmt: skip
        invented = _invented(known, {**known, "projects": [*(known.get("projects") or []), new]})
        if invented:
            changes.append(_guard_change(change, invented))
            continue
        result.setdefault("projects", []).append(new)
        changes.append(change)
    if out.summary is not None:
        summary_out = TailorSummaryOut(description=out.summary.value, reason=out.summary.reason)
        result, summary_changes = _tailor_summary(known, result, summary_out, vault)
        changes += summary_changes
    return result, changes


def _add_skills(
    cv: dict[str, Any], add_skills: list[dict[str, Any]]
) -> tuple[dict[str, Any], list[Change]]:
    """Skills the candidate chose to add, with the level they chose (no model involved)."""
    result = copy.deepcopy(cv)
    skills = result.setdefault("skills", {})
    changes: list[Change] = []
    for wanted in add_skills:
        name = str(wanted.get("name") or wanted.get("skill") or "").strip()
        category = wanted.get("category") or "hard_skills"
        if not name or category not in ("hard_skills", "tools", "soft_skills", "methodologies"):
            continue
        entries = skills.setdefault(category, [])
        existing = {(e["name"] if isinstance(e, dict) else e).casefold() for e in entries}
        if name.casefold() in existing:
            continue
        level = wanted.get("proficiency", wanted.get("level"))
        entry: Any = name if category in ("soft_skills", "methodologies") else {
            "name": name, "proficiency": level
        }  # fmt: skip
        changes.append(_change("skills", f"skills.{category}[{len(entries)}]", "added", None,
                               name, "Added at your request."))  # fmt: skip
        entries.append(entry)
    return result, changes


def _finish_cv(
    source: dict[str, Any], result: dict[str, Any], changes: list[Change]
) -> dict[str, Any]:
    """Final checks shared by tailoring and improvement, then normalisation."""
    # Identity and contact details are never the model's to change.
    result["header"] = {**(result.get("header") or {}), **_pick(source["header"], "full_name")}
    result["header"]["contact"] = copy.deepcopy((source.get("header") or {}).get("contact") or {})
    for section in ("education", "languages", "extras"):
        if section in source:
            result[section] = copy.deepcopy(source[section])
    _restore_unreported_removals(source, result, changes)
    return _normalized(result)


def _restore_unreported_removals(
    source: dict[str, Any], result: dict[str, Any], changes: list[Change]
) -> None:
    """Put back any source experience, project or skill that vanished without a change."""
    reported = {_identity(c["before"]) for c in changes if c["change_type"] != "modified"}
    for section in ("experience", "projects"):
        present = {_identity(item) for item in result.get(section) or []}
        for item in source.get(section) or []:
            key = _identity(item)
            if key not in present and key not in reported:
                logger.warning("restored a %s item dropped without a change", section)
                result.setdefault(section, []).append(copy.deepcopy(item))
    # Skill changes (renames included) carry the skill's name as `before`.
    reported_skills = {str(c["before"]).casefold() for c in changes if c["section"] == "skills"}
    for category, items in (source.get("skills") or {}).items():
        kept = (result.get("skills") or {}).get(category) or []
        present = {_skill_name(item).casefold() for item in kept}
        for item in items:
            key = _skill_name(item).casefold()
            if key not in present and key not in reported_skills:
                logger.warning("restored a skill dropped without a change")
                result["skills"].setdefault(category, []).append(copy.deepcopy(item))


def _skill_name(item: Any) -> str:
    return str(item.get("name") or "") if isinstance(item, dict) else str(item or "")


def _identity(item: Any) -> str:
    # Only fields the model cannot rewrite: a retitled experience is still the same one.
    if isinstance(item, dict):
        parts = (item.get("company") or item.get("name"), item.get("start_date"))
        return "|".join(str(p or "").casefold() for p in parts)
    return str(item or "").casefold()


def _keep_structure(source: dict[str, Any], translated: dict[str, Any]) -> dict[str, Any]:
    """A translation with the source's shape: no item lost, immutable fields from the source."""
    result = copy.deepcopy(source)
    header = translated.get("header") or {}
    if header.get("current_title"):
        result["header"]["current_title"] = header["current_title"]
    if (translated.get("summary") or {}).get("description"):
        result["summary"] = {"description": translated["summary"]["description"]}
    immutable = {
        "experience": ("company", "start_date", "end_date", "location", "department_or_client"),
        "education": ("institution", "start_date", "end_date", "location"),
        "projects": ("start_date", "end_date", "url"),
        "languages": (),
        "extras": (),
    }
    for section, fixed in immutable.items():
        new_items = translated.get(section) or []
        for index, item in enumerate(result.get(section) or []):
            # Items are matched by position; a missing one stays untranslated, never dropped.
            if index < len(new_items) and isinstance(new_items[index], dict):
                merged = {**item, **new_items[index]}
                merged.update({key: item[key] for key in fixed if key in item})
                result[section][index] = merged
    skills = translated.get("skills") or {}
    for category, items in (result.get("skills") or {}).items():
        new_items = skills.get(category) or []
        for index, item in enumerate(items):
            if index >= len(new_items):
                continue
            new = new_items[index]
            if isinstance(item, dict) and isinstance(new, dict) and new.get("name"):
                items[index] = {**item, "name": new["name"]}  # the level stays the source's
            elif isinstance(item, str) and isinstance(new, str) and new:
                items[index] = new
    return result


def _revert_invented_leaves(source: dict[str, Any], result: dict[str, Any]) -> dict[str, Any]:
    """Put back the source text of any string leaf that carries a fact the source lacks."""
    # Translated prose names new things ("Máster en Informática"): only hard facts count here.
    invented = _invented(source, result, prose_names=False)
    if not invented:
        return result

    def walk(src: Any, new: Any) -> Any:
        if isinstance(new, dict) and isinstance(src, dict):
            return {key: walk(src.get(key), value) for key, value in new.items()}
        if isinstance(new, list) and isinstance(src, list):
            return [walk(src[i] if i < len(src) else None, v) for i, v in enumerate(new)]
        if isinstance(new, str) and isinstance(src, str) and _mentions(new, invented):
            return src
        return new

    logger.info("translation guard reverted texts with facts absent from the source")
    reverted: dict[str, Any] = walk(source, result)
    return reverted


def _fictional(cv: dict[str, Any]) -> dict[str, Any]:
    """Make sure an example CV cannot reach or point to a real person."""
    header = cv.setdefault("header", {})
    contact = header.setdefault("contact", {})
    name = unicodedata.normalize("NFKD", header.get("full_name") or "candidate").casefold()
    local = re.sub(r"[^a-z0-9.]+", ".", name.encode("ascii", "ignore").decode())
    contact["email"] = f"{local.strip('.') or 'candidate'}@example.com"
    contact["phone"] = ""
    contact["links"] = [
        link for link in contact.get("links") or [] if _is_example_url(link.get("url") or "")
    ]
    for project in cv.get("projects") or []:
        if project.get("url") and not _is_example_url(project["url"]):
            project["url"] = None
            project["url_label"] = None
    return cv


def _is_mailto(url: str) -> bool:
    return url.lower().startswith("mailto:")


def _link_target(url: str, vault: Vault) -> str:
    """A file's link target as the model sees it: a placeholder, and the site when well known."""
    token = vault.placeholder("LINK", url)
    profile = profile_site(url)
    site = profile[0] if profile else PUBLIC_SITES.get(link_key(url).split("/")[0])
    return f"{token} ({site})" if site else token


def _known_links_only(cv: dict[str, Any], known: Iterable[str]) -> dict[str, Any]:
    """Drop link URLs the model wrote that are neither in the CV's text nor in the file."""
    keys = {link_key(url) for url in known}
    contact = (cv.get("header") or {}).get("contact") or {}
    if isinstance(contact.get("links"), list):
        contact["links"] = [
            link
            for link in contact["links"]
            if not isinstance(link, dict) or link_key(str(link.get("url") or "")) in keys
        ]
    for project in cv.get("projects") or []:
        url = str(project.get("url") or "") if isinstance(project, dict) else ""
        if url and link_key(url) not in keys:
            project["url"] = None
            project["url_label"] = None
    return cv


def _keep_pdf_links(cv: dict[str, Any], links: Iterable[str]) -> dict[str, Any]:
    """Put the file's link annotations back where the offline import puts them.

    A `mailto:` gives the e-mail when the CV has none; a target the CV shows without its scheme
    replaces it (the file's is complete); a profile on a well-known site is added to the
    contact links when missing. Any other target is left to the model (a paper's DOI...).
    """
    header = cv.setdefault("header", {})
    contact = header.get("contact")
    if not isinstance(contact, dict):
        contact = header["contact"] = {}
    contact_links = contact.get("links")
    if not isinstance(contact_links, list):
        contact_links = contact["links"] = []
    for url in links:
        if _is_mailto(url):
            address = url[len("mailto:") :].split("?")[0]
            if not contact.get("email") and re.fullmatch(r"[^@\s]+@[^@\s]+\.\w+", address):
                contact["email"] = address
            continue
        key = link_key(url)
        same = [
            item
            for item in [*contact_links, *(cv.get("projects") or [])]
            if isinstance(item, dict) and item.get("url") and link_key(str(item["url"])) == key
        ]
        for item in same:
            item["url"] = url
        profile = profile_site(url)
        if not same and profile is not None:
            contact_links.append({"label": profile[0], "url": url})
    seen: set[str] = set()
    for link in list(contact_links):  # a link the text and the file both gave, kept once
        key = link_key(str(link.get("url") or "")) if isinstance(link, dict) else ""
        if key and key in seen:
            contact_links.remove(link)
        seen.add(key)
    return cv


def _is_example_url(url: str) -> bool:
    host = (urlsplit(url if "//" in url else f"//{url}").hostname or "").casefold()
    return any(host == domain or host.endswith(f".{domain}") for domain in EXAMPLE_DOMAINS)


def _normalized(cv: dict[str, Any]) -> dict[str, Any]:
    try:
        return normalize_cv(cv)
    except CvValidationError as exc:
        raise AIInvalidResponse(f"the resulting CV is invalid: {exc}") from None


# --- Cover letters --------------------------------------------------------------------------


@dataclass(frozen=True)
class LetterOutcome:
    letter: dict[str, Any]  # subject, greeting, paragraphs, sign_off
    removed: list[str]  # facts the guard found in the model's letter ("kind: value")
    replaced: bool  # the model's letter was unusable once cleaned: the offline one instead
    engine: str  # "offline" or the model


def write_cover_letter(
    cv: dict[str, Any], offer: dict[str, Any], *, ctx: AIContext
) -> LetterOutcome:
    """A cover letter for `offer` in the CV's language, from the CV's facts only.

    Both engines first check that the CV and the offer share enough for a sound letter
    (`offline.letter.letter_plan`); when they do not, AINotEnoughInCommon is raised before any
    model call. A model's letter then goes through the guard: each sentence naming a fact that
    neither the CV nor the offer states is dropped and reported; a letter left without its
    opening, a body or its closing is replaced by the offline letter.
    """
    from ai.offline import letter  # the offline engine loads its vocabularies on first use

    try:
        plan = letter.letter_plan(cv, offer)
    except letter.NotEnoughInCommon as exc:
        raise AINotEnoughInCommon(str(exc), found=exc.found, needed=exc.needed) from None
    if _engine() == "offline":
        written = _offline("cover_letter", ctx, lambda: letter.letter_from_plan(plan, cv))
        return LetterOutcome(written.as_json(), removed=[], replaced=False, engine=OFFLINE_MODEL)
    masked, vault = mask_cv(copy.deepcopy(cv))
    call = _prepare(
        "cover_letter",
        setting="model_cover_letter",
        prompt="cover_letter",
        variables={"output_language": LANGUAGE_NAMES.get(plan.language, "English")},
        user=_cv_and_offer(masked, offer),
        output=CoverLetterOut,
        temperature=0.4,
    )
    out, _ = _ask(call, CoverLetterOut, ctx)
    answer = vault.restore(out.model_dump(mode="json"))
    removed: list[str] = []
    paragraphs: list[str] = []
    for paragraph in answer["paragraphs"]:
        kept = []
        for sentence in letter.sentences(str(paragraph)):
            facts = letter.invented_in_letter(sentence, cv, offer)
            removed += facts
            if not facts:
                kept.append(sentence)
        if kept:
            paragraphs.append(" ".join(kept))
    head = [str(answer[key]).strip() for key in ("subject", "greeting", "sign_off")]
    head_facts = [fact for text in head for fact in letter.invented_in_letter(text, cv, offer)]
    if head_facts or len(paragraphs) < 3 or not all(head[:2]):
        # Too little left to be the letter the model meant: the one from the CV's evidence.
        fallback = letter.letter_from_plan(plan, cv).as_json()
        return LetterOutcome(
            fallback, removed=sorted({*removed, *head_facts}), replaced=True, engine=call.model
        )
    subject, greeting, sign_off = head
    written_letter = {
        "subject": subject,
        "greeting": greeting,
        "paragraphs": paragraphs,
        "sign_off": sign_off,
    }
    return LetterOutcome(
        written_letter, removed=sorted(set(removed)), replaced=False, engine=call.model
    )
