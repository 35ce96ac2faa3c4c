"""Accounting of AI model calls: one OpenAICall row per call, daily aggregates, cost alerts."""

from __future__ import annotations

import datetime
import functools
import logging
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Case, CharField, Count, F, Max, Q, QuerySet, Sum, Value, When
from django.db.models.functions import TruncDate
from django.utils import timezone

from ai.errors import ProviderIncident
from ai.models import (
    AlertType,
    CallScope,
    CallStatus,
    DailyCallCount,
    DailyLastCalls,
    LastCallSeen,
    OpenAIAlert,
    OpenAIAlertEvent,
    OpenAICall,
    OpenAIPricing,
    OpenAIUsage,
    ProviderIncidentEvent,
    UserCallTotal,
)
from telemetry.models import DailyRollup
from telemetry.services import start_of

logger = logging.getLogger(__name__)

OFFLINE_MODEL = "offline"
# Prices per million tokens (input, cached input, output) for a model missing from the
# pricing table: deliberately on the high side, so an unknown model never looks free.
FALLBACK_PRICES = (Decimal("1"), Decimal("1"), Decimal("4"))
PER_MILLION = Decimal(1_000_000)
COST_PLACES = Decimal("0.000001")
# The feature a user pays for (billing's name), by each name the gateway records calls under:
# a tailoring is four calls, one per step, and costs staff see per tailoring.
PRODUCT_FEATURES = {
    "cv_adaptation": "gpt_cv_generation",  # the offline engine tailors in one step
    "cv_adaptation_classify": "gpt_cv_generation",
    "cv_adaptation_experience": "gpt_cv_generation",
    "cv_adaptation_skills": "gpt_cv_generation",
    "cv_adaptation_summary": "gpt_cv_generation",
    "create_template_cv": "gpt_cv_generation",  # the example CV for an offer is paid as one
    "improve_cv": "optimize_cv",
    "match_score": "match_score",
    "translate_cv": "translate_cv",
    "import_pdf": "import_pdf",
    "generate_from_job_title": "generate_from_job_title",
    "cover_letter": "cover_letter",
    "extract_job_offer": "extract_job_offer",  # reading an offer: free for users, still spent
    "rank_offers": "rank_offers",  # the offline ranking of a user's offers: free, no model
    "rerank_offers": "rerank_offers",  # the top ten re-scored by the model, paid as one
}
# What staff read about each provider failure that stops the AI features.
INCIDENT_TITLES = {
    ProviderIncident.AUTH: "The AI provider refused the API key, or it is missing",
    ProviderIncident.QUOTA: "The AI provider's quota is exhausted",
    ProviderIncident.SERVER_ERRORS: "The AI provider answers every attempt with a server error",
}


@dataclass(frozen=True)
class StaffAlert:
    """What staff are told: a cost alert crossed (kind "cost") or a provider incident."""

    kind: str
    title: str
    period: str
    detail: str = ""
    value: Decimal | None = None
    threshold: Decimal | None = None


StaffNotifier = Callable[[StaffAlert], None]
# Who tells staff: registered from AppConfig.ready by an app that may send e-mails.
STAFF_NOTIFIERS: list[StaffNotifier] = []


def on_staff_alert(notifier: StaffNotifier) -> StaffNotifier:
    """Register a way to reach staff (the staff app sends e-mails this way)."""
    if notifier not in STAFF_NOTIFIERS:
        STAFF_NOTIFIERS.append(notifier)
    return notifier


def product_feature(step: str) -> str:
    """The feature a user pays for that a recorded call belongs to (itself if unknown)."""
    return PRODUCT_FEATURES.get(step, step)


def product_of_step() -> Case:
    """The feature a user pays for, computed by the database from a row's recorded step."""
    whens = [When(feature_name=step, then=Value(paid)) for step, paid in PRODUCT_FEATURES.items()]
    return Case(*whens, default="feature_name", output_field=CharField())


def known_features() -> list[str]:
    """Every feature name a cost alert may watch: the paid features, then each recorded step."""
    paid = sorted(set(PRODUCT_FEATURES.values()))
    return [*paid, *sorted(set(PRODUCT_FEATURES) - set(paid))]


def feature_steps(name: str) -> list[str]:
    """The recorded names a feature's cost is the sum of: its steps, or the step itself."""
    return sorted({name, *(step for step, paid in PRODUCT_FEATURES.items() if paid == name)})


def price_call(
    model: str, *, prompt_tokens: int, cached_tokens: int, completion_tokens: int
) -> Decimal:
    """USD cost of one call, priced from the active pricing table."""
    if model == OFFLINE_MODEL:
        return Decimal(0)
    pricing = pricing_for(model, OpenAIPricing.objects.filter(is_active=True))
    cost = price_tokens(
        pricing,
        prompt_tokens=prompt_tokens,
        cached_tokens=cached_tokens,
        completion_tokens=completion_tokens,
    )
    return cost.quantize(COST_PLACES)


def price_tokens(
    pricing: OpenAIPricing | None, *, prompt_tokens: int, cached_tokens: int, completion_tokens: int
) -> Decimal:
    """USD cost, unrounded: (prompt - cached) x input + cached x cache + completion x output, per
    MTok. Without a pricing row, FALLBACK_PRICES apply."""
    if pricing is None:
        input_price, cache_price, output_price = FALLBACK_PRICES
    else:
        input_price = pricing.input_price_per_mtok
        cache_price = pricing.cache_price_per_mtok
        output_price = pricing.output_price_per_mtok
    cached = min(cached_tokens, prompt_tokens)
    return (
        (prompt_tokens - cached) * input_price
        + cached * cache_price
        + completion_tokens * output_price
    ) / PER_MILLION


def pricing_for(model: str, rows: Iterable[OpenAIPricing]) -> OpenAIPricing | None:
    """The pricing row of a model, or None if the table has neither it nor its family."""
    rows = list(rows)
    exact = next((row for row in rows if row.model_name == model), None)
    if exact is not None:
        return exact
    # Dated snapshots ("gpt-4.1-mini-2025-04-14") are priced like their family name.
    family = [row for row in rows if model.startswith(f"{row.model_name}-")]
    return max(family, key=lambda row: len(row.model_name), default=None)


def record_ai_call(
    user_id: int | None,
    *,
    task_id: uuid.UUID | None,
    feature: str,
    model: str,
    prompt_tokens: int,
    cached_tokens: int,
    completion_tokens: int,
    duration_ms: int,
    metadata: dict[str, Any] | None = None,
    status: str = CallStatus.OK,
) -> OpenAICall:
    """Store one call, add it to the user's daily aggregate, then check the cost alerts.

    Calls that failed are recorded too (with `status`): the provider bills their tokens."""
    cached_tokens = min(cached_tokens, prompt_tokens)
    cost = price_call(
        model,
        prompt_tokens=prompt_tokens,
        cached_tokens=cached_tokens,
        completion_tokens=completion_tokens,
    )
    today = timezone.now().date()  # UTC: aggregates and alert periods are UTC days
    with transaction.atomic():
        call = OpenAICall.objects.create(
            user_id=user_id,
            task_id=task_id,
            feature_name=feature,
            model=model,
            prompt_tokens=prompt_tokens,
            cached_tokens=cached_tokens,
            completion_tokens=completion_tokens,
            total_tokens=prompt_tokens + completion_tokens,
            estimated_cost=cost,
            duration_ms=duration_ms,
            status=status,
            metadata=metadata or {},
        )
        # OpenAIUsage rows belong to a user; calls without one are only in OpenAICall.
        if user_id is not None:
            _add_to_daily_usage(call, day=today)
    check_cost_alerts(user_id, feature=feature, day=today)
    return call


def _add_to_daily_usage(call: OpenAICall, *, day: datetime.date) -> None:
    key = {"user_id": call.user_id, "feature_name": call.feature_name, "model": call.model}
    amounts: dict[str, int | Decimal] = {
        "prompt_tokens": call.prompt_tokens,
        "cached_tokens": call.cached_tokens,
        "completion_tokens": call.completion_tokens,
        "total_tokens": call.total_tokens,
        "estimated_cost": call.estimated_cost,
        "calls_count": 1,
    }
    # Increments are computed by the database (F expressions), never read-modify-write in
    # Python, so concurrent calls cannot overwrite each other's tokens.
    increments = {name: F(name) + value for name, value in amounts.items()}
    rows = OpenAIUsage.objects.filter(**key, date=day)
    if rows.update(**increments, updated_at=timezone.now()):
        return
    try:
        with transaction.atomic():  # a savepoint: a lost race must not break the outer block
            OpenAIUsage.objects.create(**key, date=day, **amounts)
    except IntegrityError:
        # Another call created today's row between our UPDATE and INSERT: add to it.
        rows.update(**increments, updated_at=timezone.now())


def check_cost_alerts(
    user_id: int | None, *, feature: str, day: datetime.date
) -> list[OpenAIAlertEvent]:
    """Fire every enabled alert whose threshold is crossed for this day or month, once.

    "Once" holds across processes: the (alert, period_key) unique constraint lets exactly one
    concurrent caller create the event, and only that caller notifies staff.
    """
    fired: list[OpenAIAlertEvent] = []
    for alert in OpenAIAlert.objects.filter(enabled=True):
        scope = _alert_scope(alert, user_id=user_id, feature=feature, day=day)
        if scope is None:
            continue
        period_key, usage_filter = scope
        if OpenAIAlertEvent.objects.filter(alert=alert, period_key=period_key).exists():
            continue
        spent = OpenAICall.objects.filter(usage_filter).aggregate(total=Sum("estimated_cost"))
        value = spent["total"] or Decimal(0)
        if value < alert.threshold:
            continue
        user_scoped = alert.type in (AlertType.USER_DAILY, AlertType.USER_MONTHLY)
        try:
            with transaction.atomic():
                event = OpenAIAlertEvent.objects.create(
                    alert=alert,
                    user_id=user_id if user_scoped else None,
                    period_key=period_key,
                    value=value,
                )
        except IntegrityError:
            continue  # a concurrent call fired it first
        transaction.on_commit(functools.partial(notify_staff_cost_alert, event))
        fired.append(event)
    return fired


def _alert_scope(
    alert: OpenAIAlert, *, user_id: int | None, feature: str, day: datetime.date
) -> tuple[str, Q] | None:
    """The period key and the calls an alert sums, or None if the call is out of scope.

    Calls, not the daily aggregates: calls without a user (commands) and failed calls cost too.
    """
    day_start = datetime.datetime.combine(day, datetime.time.min, tzinfo=datetime.UTC)
    today = Q(created_at__gte=day_start, created_at__lt=day_start + datetime.timedelta(days=1))
    month = Q(
        created_at__gte=day_start.replace(day=1),
        created_at__lt=day_start + datetime.timedelta(days=1),
    )
    if alert.type == AlertType.USER_DAILY:
        if user_id is None:
            return None
        return f"user:{user_id}:{day.isoformat()}", Q(user_id=user_id) & today
    if alert.type == AlertType.USER_MONTHLY:
        if user_id is None:
            return None
        return f"user:{user_id}:{day:%Y-%m}", Q(user_id=user_id) & month
    if alert.type == AlertType.GLOBAL_DAILY:
        return f"global:{day.isoformat()}", today
    if alert.type == AlertType.GLOBAL_MONTHLY:
        return f"global:{day:%Y-%m}", month
    if alert.type == AlertType.FEATURE_DAILY:
        # A paid feature's alert watches all its steps; a step's alert, that step only.
        if alert.feature_name not in (feature, product_feature(feature)):
            return None
        steps = Q(feature_name__in=feature_steps(alert.feature_name))
        return f"feature:{alert.feature_name}:{day.isoformat()}", steps & today
    return None


def notify_staff_cost_alert(event: OpenAIAlertEvent) -> None:
    """Tell staff that a cost alert fired: a warning in the logs and every registered notifier
    (the staff app e-mails each staff member)."""
    logger.warning(
        "OpenAI cost alert %r crossed: %s USD (threshold %s USD) for %s",
        event.alert.name,
        event.value,
        event.alert.threshold,
        event.period_key,
    )
    notify_staff(
        StaffAlert(
            kind="cost",
            title=event.alert.name,
            period=_period_label(event.period_key),
            value=event.value,
            threshold=event.alert.threshold,
        )
    )


def _period_label(period_key: str) -> str:
    # "user:12:2026-03-01" -> "2026-03-01 (user 12)"; "global:2026-03" -> "2026-03"
    scope, _, rest = period_key.partition(":")
    if scope in ("user", "feature"):
        who, _, when = rest.rpartition(":")
        return f"{when} ({scope} {who})"
    return rest or period_key


def report_provider_incident(kind: str, *, detail: str) -> ProviderIncidentEvent | None:
    """A provider failure stopped the AI features: log it at ERROR and alert staff, once per
    kind and UTC hour across processes (the unique constraint elects one caller)."""
    logger.error("AI provider failure (%s): %s", kind, detail)
    period_key = timezone.now().strftime("%Y-%m-%dT%H")
    try:
        with transaction.atomic():
            event = ProviderIncidentEvent.objects.create(
                kind=kind, period_key=period_key, detail=detail[:2000]
            )
    except IntegrityError:
        return None  # staff were already told this hour
    transaction.on_commit(functools.partial(notify_staff_provider_incident, event))
    return event


def notify_staff_provider_incident(event: ProviderIncidentEvent) -> None:
    title = INCIDENT_TITLES.get(event.kind, event.kind)
    notify_staff(
        StaffAlert(
            kind=event.kind,
            title=title,
            period=f"{event.period_key.replace('T', ' ')}:00 UTC",
            detail=event.detail,
        )
    )


def notify_staff(alert: StaffAlert) -> None:
    """Hand an alert to every registered notifier; one that fails never stops the others."""
    for notifier in STAFF_NOTIFIERS:
        try:
            notifier(alert)
        except Exception:
            logger.exception("Could not notify staff of %s alert %r", alert.kind, alert.title)


CALL_ROLLUP = "calls"
ROLLUP_BATCH = 2_000


def call_sums(*, rolled: bool) -> dict[str, Count | Sum]:
    """What calls add up to (their number, tokens and cost), under the names the roll-up and
    the dashboards read: summed from the raw calls, or from the daily counts (`rolled`),
    whose columns have the calls' names."""
    return {
        "calls": Sum("calls") if rolled else Count("id"),
        "prompt": Sum("prompt_tokens"),
        "cached": Sum("cached_tokens"),
        "completion": Sum("completion_tokens"),
        "tokens": Sum("total_tokens"),
        "cost": Sum("estimated_cost"),
    }


def refresh_daily_call_counts(*, today: datetime.date | None = None) -> datetime.date:
    """Rebuild the daily call counts and the latest calls seen of every day before today;
    returns the last day rolled.

    Like the events' roll-ups (telemetry.services), the tables are rebuilt whole in one
    transaction: readers see the old rows or the new ones, and removed calls leave them."""
    today = today or timezone.localdate()
    through = today - datetime.timedelta(days=1)
    past = OpenAICall.objects.filter(created_at__lt=start_of(today))
    grouped = (
        past.annotate(day=TruncDate("created_at"))
        .values("day", "feature_name", "model", "status")
        .annotate(**call_sums(rolled=False))
        .order_by()
    )
    counts = [
        DailyCallCount(
            day=row["day"],
            feature_name=row["feature_name"],
            model=row["model"],
            status=row["status"],
            calls=row["calls"],
            prompt_tokens=row["prompt"] or 0,
            cached_tokens=row["cached"] or 0,
            completion_tokens=row["completion"] or 0,
            total_tokens=row["tokens"] or 0,
            estimated_cost=row["cost"] or Decimal(0),
        )
        for row in grouped.iterator(chunk_size=ROLLUP_BATCH)
    ]
    with transaction.atomic():
        DailyCallCount.objects.all().delete()
        DailyCallCount.objects.bulk_create(counts, batch_size=ROLLUP_BATCH)
        LastCallSeen.objects.all().delete()
        # One row per user (task) and step: too many to pass through Python, copied inside
        # the database.
        with connection.cursor() as cursor:
            for sql, params in _last_calls_sql(past):
                cursor.execute(sql, params)
        UserCallTotal.objects.all().delete()
        totals_sql, totals_params = (
            past.values("user")
            .annotate(calls=Count("id"), tokens=Sum("total_tokens"), cost=Sum("estimated_cost"))
            .order_by()
            .query.sql_with_params()
        )
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {UserCallTotal._meta.db_table} "
                f"(user_id, calls, total_tokens, estimated_cost) {totals_sql}",
                totals_params,
            )
        DailyLastCalls.objects.all().delete()
        DailyLastCalls.objects.bulk_create(
            [
                DailyLastCalls(**row)
                for row in LastCallSeen.objects.annotate(day=TruncDate("last_at"))
                .values("day", "scope", "feature_name")
                .annotate(users=Count("user"), tasks=Count("task"))
                .order_by()
            ],
            batch_size=ROLLUP_BATCH,
        )
    with connection.cursor() as cursor:
        # Rewritten tables need fresh planner statistics (see the events' roll-ups).
        for model in (DailyCallCount, LastCallSeen, DailyLastCalls, UserCallTotal):
            cursor.execute(f"ANALYZE {model._meta.db_table}")
    DailyRollup.objects.update_or_create(
        name=CALL_ROLLUP, defaults={"through": through, "refreshed_at": timezone.now()}
    )
    return through


def _last_calls_sql(past: QuerySet[OpenAICall]) -> list[tuple[str, tuple[Any, ...]]]:
    """INSERT ... SELECT statements filling LastCallSeen for users and tasks, per step, per
    paid feature and (users) for any call."""
    table = LastCallSeen._meta.db_table
    statements = []
    for owner in ("user", "task"):
        calls = past.filter(**{f"{owner}__isnull": False})
        scopes: list[tuple[str, QuerySet[Any]]] = [
            (CallScope.STEP, calls.values(owner, name=F("feature_name"))),
            (CallScope.FEATURE, calls.values(owner, name=product_of_step())),
        ]
        if owner == "user":
            scopes.append((CallScope.ANY, calls.values(owner, name=Value(""))))
        for scope, rows in scopes:
            select = rows.annotate(last=Max("created_at"), scope=Value(str(scope))).order_by()
            sql, params = select.query.sql_with_params()
            statements.append(
                (
                    f"INSERT INTO {table} ({owner}_id, feature_name, last_at, scope) {sql}",
                    params,
                )
            )
    return statements
