"""Fill a development database with 90 days of believable activity for the staff dashboards.

Run after `manage.py setup --demo`. Everything it creates belongs to users whose e-mail ends
with DEMO_DOMAIN, so it refuses to run twice and never touches real accounts.

Money goes through billing.services only (welcome credits, pack purchases, feature charges
and their refunds, payment reversals), replayed in date order with their `when=` keyword, so
every balance is the sum of its ledger and no ledger row is ever changed afterwards. CVs come
from cvs.services.create_cv and events from telemetry's record_event; the rows that have no
service able to date them in the past (CVs, events, tasks, e-mail logs, feedback, alert
events, model calls and their daily totals) are created now and then given their past dates.
The ledger never is.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import partial
from typing import Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import models, transaction
from django.utils import timezone

from accounts.models import User
from accounts.onboarding import STEP_KEYS
from ai.models import CallStatus, OpenAIAlert, OpenAIAlertEvent, OpenAICall, OpenAIUsage
from billing import services as billing
from billing.models import (
    CreditPack,
    CreditTransaction,
    Feature,
    SubscriptionPlan,
    TransactionType,
)
from billing.services import PaymentRequired
from cvdoc.document import empty_cv
from cvs import services as cv_services
from cvs.models import CV, CreatedBy
from emails.models import EmailLog
from joboffers.models import JobOffer
from jobs.models import BackgroundTask, TaskStatus, TaskType
from staff.dashboards.ai_costs import base_model
from telemetry import events
from telemetry.events import record_event
from telemetry.models import FeatureUsage, Feedback, TelemetryEvent

DEMO_DOMAIN = "demo.fitmycv.example"
DAYS = 90
FIRST_NAMES = [
    "Camille", "Léa", "Hugo", "Lucas", "Chloé", "Manon", "Louis", "Emma", "Jules", "Inès",
    "Nathan", "Sarah", "Tom", "Julie", "Paul", "Alice", "Mehdi", "Nina", "Yanis", "Zoé",
]  # fmt: skip
LAST_NAMES = [
    "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy",
    "Moreau", "Simon", "Laurent", "Lefebvre", "Michel", "Garcia", "Roux", "Fournier", "Girard",
]  # fmt: skip
JOB_SITES = [
    ("www.welcometothejungle.com", 8, 0.04),
    ("fr.indeed.com", 7, 0.22),
    ("www.linkedin.com", 6, 0.35),
    ("www.apec.fr", 4, 0.05),
    ("www.hellowork.com", 3, 0.08),
    ("jobs.lever.co", 3, 0.02),
    ("careers.example-bank.com", 1, 0.6),
]
EXTRACTION_ERRORS = [
    "The site refused to show the offer (HTTP 403).",
    "The page needs JavaScript to show the offer; paste its text instead.",
    "We found no job offer in this text: no title, tasks or skills.",
    "The site took too long to answer (timeout after 15 s).",
]
TASK_ERRORS = {
    TaskType.GENERATE_CV: [
        "The AI service timed out after 3 tries.",
        "The CV of this task was deleted.",
    ],
    TaskType.IMPORT_PDF: ["This PDF has no text layer and the page images were unreadable."],
    TaskType.CALCULATE_MATCH_SCORE: ["The AI service returned an invalid answer."],
    TaskType.TRANSLATE_CV: ["The AI service timed out after 3 tries."],
}
COMMENTS = [
    (5, False, "The tailored CV is spot on, it kept all my real experience. Love it!"),
    (4, False, "Very useful. I would like more templates for the PDF export."),
    (5, False, "Got two interviews this week with CVs made here. Thanks!"),
    (3, False, "Good idea but the match score feels a bit harsh."),
    (4, False, "Nice and fast. The translation to English is excellent."),
    (2, False, "The import mixed up my two last jobs, I had to fix them by hand."),
    (None, True, "Export to DOCX fails when my CV has an emoji in the summary."),
    (None, True, "The offer from LinkedIn cannot be read, it says 403."),
    (1, True, "I was charged credits for a generation that failed."),
    (5, False, "Super outil, très simple à utiliser."),
    (4, False, "Would love a cover letter generator next."),
    (None, True, "The feedback button hides the Save button on my small laptop."),
]
# What each kind of CV costs, and the event it leaves.
CV_KINDS = {
    "": (Feature.CREATE_CV_MANUAL, events.CV_CREATED),
    CreatedBy.IMPORT_PDF: (Feature.IMPORT_PDF, events.CV_IMPORTED),
    CreatedBy.GENERATE_CV: (Feature.GPT_CV_GENERATION, events.CV_GENERATED),
    CreatedBy.TRANSLATE_CV: (Feature.TRANSLATE_CV, events.CV_TRANSLATED),
}
TASK_FEATURES: dict[str, str] = {
    TaskType.GENERATE_CV: Feature.GPT_CV_GENERATION,
    TaskType.IMPORT_PDF: Feature.IMPORT_PDF,
    TaskType.CALCULATE_MATCH_SCORE: Feature.MATCH_SCORE,
    TaskType.TRANSLATE_CV: Feature.TRANSLATE_CV,
}
REVERSALS = 3
AI_TIMEOUT = "The AI service timed out after 3 tries."
EMAIL_TEMPLATES = ["email_verification", "welcome", "password_reset", "credits_purchased"]
# One use of a feature is the calls the gateway makes for it, recorded under its step names
# (model, prompt and completion tokens); a dated snapshot shows under its model's name.
AI_USES = [
    [
        ("cv_adaptation_classify", "gpt-4.1-mini", 2400, 400),
        ("cv_adaptation_experience", "gpt-4.1-mini-2025-04-14", 2600, 900),
        ("cv_adaptation_skills", "gpt-4.1-mini", 2000, 700),
        ("cv_adaptation_summary", "gpt-4.1-mini", 3000, 300),
    ],
    [("match_score", "gpt-4.1-mini", 4200, 700)],
    [("extract_job_offer", "o4-mini", 3500, 900)],
    [("import_pdf", "gpt-4.1-mini", 6000, 2200)],
    [("translate_cv", "gpt-4.1-mini", 3800, 3400)],
    [("improve_cv", "gpt-4.1", 5200, 1900)],
]
FAILED_CALLS = 0.04  # share of calls that fail after the provider billed them
PRICES = {
    "gpt-4.1-mini": (Decimal("0.4"), Decimal("0.1"), Decimal("1.6")),
    "gpt-4.1": (Decimal("2"), Decimal("0.5"), Decimal("8")),
    "o4-mini": (Decimal("1.1"), Decimal("0.275"), Decimal("4.4")),
}


def _status(error: str) -> dict[str, str]:
    """An event's status fields for a use that failed with `error`, or worked ("")."""
    return {"status": "error", "error": error} if error else {}


class Command(BaseCommand):
    help = "Create 90 days of demo activity (users, CVs, events, costs, revenue) for dashboards."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--users", type=int, default=140)
        parser.add_argument("--seed", type=int, default=7)

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError("Demo activity is for development only (DEBUG is off).")
        if User.objects.filter(email__endswith=f"@{DEMO_DOMAIN}").exists():
            raise CommandError("The demo activity is already there.")
        self.rng = random.Random(options["seed"])
        self.now = timezone.now()
        # When each recorded event happened, in the order they were recorded.
        self.event_times: list[datetime] = []
        self.last_use: dict[tuple[int, str], datetime] = {}
        self.dated: dict[type[models.Model], tuple[str, list[tuple[int, datetime]]]] = {
            CV: ("created_at", []),
            BackgroundTask: ("created_at", []),
        }
        self.mails: list[tuple[EmailLog, datetime]] = []
        self.keys = 0
        self.packs = list(CreditPack.objects.filter(is_active=True).order_by("credit_amount"))
        self.plans = list(SubscriptionPlan.objects.filter(price_monthly__gt=0).order_by("tier"))
        with transaction.atomic():
            users = self._users(options["users"])
            for user in users:
                self._replay(self._plan(user))
            self._reversals(users)
            self._date_rows(users)
            self._feedback(users)
            self._ai_usage(users)
            self._alerts(users)
        self.stdout.write(self.style.SUCCESS(f"Demo activity created for {len(users)} users."))

    # --- helpers -----------------------------------------------------------------------------

    def _when(self, start: datetime, *, end: datetime | None = None) -> datetime:
        end = end or self.now
        span = max((end - start).total_seconds(), 60)
        moment = start + timedelta(seconds=self.rng.uniform(0, span))
        # Office hours are busier: pull the time of day towards 9:00-19:00.
        hour = self.rng.choice([9, 10, 11, 14, 15, 16, 17, 18, 20, 22])
        return min(moment.replace(hour=hour, minute=self.rng.randint(0, 59)), self.now)

    def _stamp(
        self, model: type[models.Model], field: str, rows: list[tuple[int, datetime]]
    ) -> None:
        """Give rows this command just made their past dates (auto_now_add set them to now).

        A plain QuerySet, so a model's own manager cannot object; never the ledger, whose
        rows are dated when recorded (record_transaction's `when`)."""
        if model is CreditTransaction:
            raise ValueError("Ledger rows are dated when they are recorded")
        objs = [model(pk=pk, **{field: moment}) for pk, moment in rows]
        models.QuerySet(model).bulk_update(objs, [field], batch_size=500)

    def _key(self, user: User) -> str:
        self.keys += 1
        return f"demo:{user.pk}:{self.keys}"

    def _event(self, user: User, type: str, at: datetime, **fields: Any) -> None:
        record_event(type, user=user, **fields)
        self.event_times.append(at)
        feature = events.EVENT_FEATURES.get(type)
        if feature and fields.get("status", "success") == "success":
            last = self.last_use.get((user.pk, feature))
            self.last_use[(user.pk, feature)] = max(last, at) if last else at

    def _mail(self, user: User, template: str, at: datetime) -> None:
        roll = self.rng.random()
        status = (
            "bounced"
            if roll < 0.03
            else "failed"
            if roll < 0.05
            else "delivered"
            if roll < 0.8
            else "sent"
        )
        log = EmailLog(
            template_name=template,
            recipient_email=user.email,
            recipient_user=user,
            subject=template.replace("_", " ").capitalize(),
            status=status,
            error="550 5.1.1 Mailbox does not exist" if status == "bounced" else "",
            provider="resend",
        )
        self.mails.append((log, at))

    def _charge(self, user: User, feature: str, at: datetime, **links: Any) -> str | None:
        """Take the price of one use as the product does: None when the user cannot pay,
        else the use's error ("" when it worked).

        A few uses fail (an AI timeout): their charge is given back, as the task engine
        does, and their event is an error."""
        key = self._key(user)
        try:
            billing.charge_feature(user, feature, key=key, when=at, **links)
        except PaymentRequired:
            return None
        if self.rng.random() < 0.03:
            billing.refund_charge(user, key=key, when=at + timedelta(minutes=1))
            return AI_TIMEOUT
        return ""

    # --- users and what they do --------------------------------------------------------------

    def _users(self, count: int) -> list[User]:
        users = []
        for index in range(count):
            # Growth: more sign-ups in recent weeks than at the start of the period.
            days_ago = int(DAYS * (1 - self.rng.random() ** 0.7))
            joined = self.now - timedelta(days=days_ago, hours=self.rng.randint(0, 12))
            first, last = self.rng.choice(FIRST_NAMES), self.rng.choice(LAST_NAMES)
            email = f"{first.lower()}.{last.lower()}{index}@{DEMO_DOMAIN}"
            email = email.replace("é", "e").replace("è", "e").replace("ï", "i")
            user = User.objects.create_user(
                email,
                None,
                name=f"{first} {last}",
                created_at=joined,
                is_active=self.rng.random() > 0.02,
                onboarding_state=self._onboarding(joined),
            )
            user.last_login = self._when(joined)
            user.save(update_fields=["last_login"])
            EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
            # What the sign-up hook grants (accounts.services.on_user_signed_up), dated.
            billing.grant_welcome_credits(user, when=joined)
            self._event(user, events.USER_REGISTERED, joined, metadata={"provider": "email"})
            self._mail(user, "email_verification", joined)
            self._mail(user, "welcome", joined + timedelta(minutes=3))
            users.append(user)
        return users

    def _onboarding(self, joined: datetime) -> dict[str, Any]:
        roll = self.rng.random()
        started = joined + timedelta(minutes=2)
        state: dict[str, Any] = {
            "current_step": 0,
            "completed_steps": [],
            "has_completed": False,
            "is_skipped": False,
            "timestamps": {},
        }
        if roll < 0.12:
            return state
        state["timestamps"]["started_at"] = started.isoformat()
        if roll < 0.27:
            state["is_skipped"] = True
            state["timestamps"]["skipped_at"] = (started + timedelta(minutes=1)).isoformat()
            return state
        done = len(STEP_KEYS) if roll > 0.62 else self.rng.randint(1, len(STEP_KEYS) - 1)
        state["completed_steps"] = STEP_KEYS[:done]
        if done == len(STEP_KEYS):
            state["has_completed"] = True
            minutes = self.rng.randint(6, 90)
            state["timestamps"]["completed_at"] = (started + timedelta(minutes=minutes)).isoformat()
            state["current_step"] = len(STEP_KEYS) - 1
        else:
            state["current_step"] = done
        return state

    def _plan(self, user: User) -> list[tuple[datetime, Callable[[datetime], None]]]:
        """What the user does over the period: (when, action) pairs, replayed in date order
        so each charge meets the balance the user had at that moment."""
        joined = user.created_at
        engagement = self.rng.random()
        plan: list[tuple[datetime, Callable[[datetime], None]]] = []

        def login(at: datetime) -> None:
            self._event(user, events.USER_LOGIN, at, metadata={"provider": "email"})

        for _ in range(int(1 + engagement * 12)):
            plan.append((self._when(joined), login))
        kinds = list(CV_KINDS)
        for number in range(int(engagement * 5) + 1):
            kind = self.rng.choices(kinds, [2, 3, 6, 1])[0]
            plan.append((self._when(joined), partial(self._make_cv, user, kind, number)))
        # Job offers: read or failed, per site reliability (reading an offer is free).
        for _ in range(int(engagement * 4)):
            site, _weight, failure = self.rng.choices(JOB_SITES, [s[1] for s in JOB_SITES])[0]
            failed = self.rng.random() < failure
            plan.append((self._when(joined), partial(self._read_offer, user, site, failed)))
        for task_type, messages in TASK_ERRORS.items():
            if self.rng.random() < 0.05 + engagement * 0.08:
                error = self.rng.choice(messages)
                action = partial(self._failed_task, user, task_type, error)
                plan.append((self._when(joined), action))
        # Purchases: the engaged users buy packs; a few subscribe.
        packs = self.packs
        if packs and engagement > 0.55:
            for _ in range(1 + int(engagement > 0.85)):
                pack = self.rng.choices(packs, [5, 4, 2, 1][: len(packs)])[0]
                plan.append((self._when(joined), partial(self._buy, user, pack)))
        if self.plans and engagement > 0.9:
            subscribe = partial(self._subscribe, user, self.rng.choice(self.plans))
            plan.append((self.now, subscribe))
        if self.rng.random() < 0.08:
            when = self._when(joined)
            plan.append((when, lambda at: self._mail(user, "password_reset", at)))
        return plan

    def _replay(self, plan: list[tuple[datetime, Callable[[datetime], None]]]) -> None:
        for at, action in sorted(plan, key=lambda step: step[0]):
            action(at)

    def _use(
        self, user: User, feature: str, type: str, at: datetime, cv: CV, **fields: Any
    ) -> None:
        """One paid use of a CV's feature, and its event, if the user can pay for it."""
        error = self._charge(user, feature, at, cv=cv)
        if error is not None:
            self._event(user, type, at, **fields, **_status(error))

    def _make_cv(self, user: User, kind: str, number: int, at: datetime) -> None:
        feature, event_type = CV_KINDS[kind]
        error = self._charge(user, feature, at)
        if error is None:
            return
        duration = self.rng.randint(900, 45000)
        if error:
            self._event(user, event_type, at, duration_ms=duration, **_status(error))
            return
        cv = cv_services.create_cv(
            user,
            content=empty_cv(full_name=user.name, current_title="Analyst"),
            name=f"CV {number + 1}",
            created_by=kind,
        )
        self.dated[CV][1].append((cv.pk, at))
        self._event(user, event_type, at, duration_ms=duration)
        if self.rng.random() < 0.45:
            score_at = at + timedelta(minutes=2)
            duration = self.rng.randint(3000, 12000)
            scored = events.MATCH_SCORE_CALCULATED
            self._use(user, Feature.MATCH_SCORE, scored, score_at, cv, duration_ms=duration)
        if self.rng.random() < 0.6:
            export_at = at + timedelta(minutes=5)
            self._use(user, Feature.EXPORT_CV, events.CV_EXPORTED, export_at, cv, duration_ms=1800)
        if self.rng.random() < 0.15:
            improve_at = at + timedelta(minutes=9)
            self._use(
                user, Feature.OPTIMIZE_CV, events.CV_IMPROVED, improve_at, cv, duration_ms=21000
            )

    def _read_offer(self, user: User, site: str, failed: bool, at: datetime) -> None:
        offer = JobOffer.objects.create(
            user=user,
            source_type="url",
            source_value=f"https://{site}/jobs/{self._key(user)}-data-analyst",
            source_name=site,
            content={} if failed else {"title": "Data analyst", "company": "Acme"},
            extracted_at=None if failed else at + timedelta(seconds=20),
        )
        error = self.rng.choice(EXTRACTION_ERRORS) if failed else ""
        task = BackgroundTask.objects.create(
            user=user,
            type=TaskType.EXTRACT_JOB_OFFER,
            title=f"Reading {site}",
            status=TaskStatus.FAILED if failed else TaskStatus.COMPLETED,
            payload={"offer_id": offer.pk},
            error=error,
            progress=5 if failed else 100,
            step="Reading the offer" if failed else "",
            finished_at=at + timedelta(seconds=30),
        )
        self.dated[BackgroundTask][1].append((task.pk, at))
        if failed:
            self._event(user, events.TASK_FAILED, at, status="error", error=error)

    def _failed_task(self, user: User, task_type: str, error: str, at: datetime) -> None:
        """A paid task that failed: charged when queued, given back when it stopped."""
        key = f"task:{self._key(user)}"
        try:
            with transaction.atomic():
                task = BackgroundTask.objects.create(
                    user=user,
                    type=task_type,
                    title=str(TaskType(task_type).label),
                    status=TaskStatus.FAILED,
                    error=error,
                    progress=60,
                    step="Tailoring the CV",
                    finished_at=at + timedelta(seconds=40),
                )
                billing.charge_feature(user, TASK_FEATURES[task_type], key=key, task=task, when=at)
        except PaymentRequired:
            return  # never queued: the user had no credits left
        billing.refund_charge(user, key=key, when=at + timedelta(seconds=40))
        self.dated[BackgroundTask][1].append((task.pk, at))
        self._event(user, events.TASK_FAILED, at, status="error", error=error)

    def _buy(self, user: User, pack: CreditPack, at: datetime) -> None:
        payment_ref = f"pi_{self._key(user).replace(':', '_')}"
        paid = {"currency": "eur", "metadata": {"credits": pack.credit_amount, "pack_id": pack.pk}}
        _row, created = billing.grant_purchase(
            user, paid, payment_ref=payment_ref, amount_paid=int(pack.price * 100), when=at
        )
        if created:
            self.event_times.append(at)  # the PURCHASE event grant_purchase recorded
        self._mail(user, "credits_purchased", at)

    def _subscribe(self, user: User, plan: SubscriptionPlan, at: datetime) -> None:
        billing.apply_plan_change(user, plan)

    def _reversals(self, users: list[User]) -> None:
        """A few refunded or disputed payments, as the Stripe webhooks record them: a row
        that takes the credits back (the balance may go below zero, then it is disputed)."""
        purchases = list(
            CreditTransaction.objects.filter(
                user__in=users, type=TransactionType.PURCHASE
            ).order_by("pk")
        )
        for number, purchase in enumerate(
            self.rng.sample(purchases, min(REVERSALS, len(purchases)))
        ):
            intent = purchase.stripe_payment_intent_id
            kind = TransactionType.CHARGEBACK if number == 0 else TransactionType.PAYMENT_REFUND
            reason = f"dispute:dp_demo_{number}" if number == 0 else "refund:full"
            billing.record_transaction(
                purchase.user_id,
                amount=-purchase.amount,
                type=kind,
                key=f"reversal:{intent}:{reason}",
                allow_negative=True,
                related_transaction=purchase,
                metadata={"payment_intent": intent},
                when=min(purchase.created_at + timedelta(days=3), self.now),
            )

    def _date_rows(self, users: list[User]) -> None:
        for model, (field, rows) in self.dated.items():
            self._stamp(model, field, rows)
        saved = TelemetryEvent.objects.filter(user__in=users).order_by("pk")
        pks = list(saved.values_list("pk", flat=True))
        self._stamp(TelemetryEvent, "timestamp", list(zip(pks, self.event_times, strict=True)))
        logs = EmailLog.objects.bulk_create([log for log, _at in self.mails], batch_size=500)
        self._stamp(
            EmailLog,
            "created_at",
            [(log.pk, at) for log, (_l, at) in zip(logs, self.mails, strict=True)],
        )
        usages = FeatureUsage.objects.filter(user__in=users)
        for usage in usages:
            usage.last_used_at = self.last_use[(usage.user_id, usage.feature_name)]
        FeatureUsage.objects.bulk_update(usages, ["last_used_at"], batch_size=500)

    def _feedback(self, users: list[User]) -> None:
        first_cv = dict(
            CV.objects.filter(user__in=users).order_by("-pk").values_list("user_id", "pk")
        )
        rows, times = [], []
        for index in range(46):
            user = self.rng.choice(users)
            rating, bug, comment = self.rng.choice(COMMENTS)
            at = self._when(user.created_at)
            age = (self.now - at).days
            status = "resolved" if age > 30 else "reviewed" if age > 10 else "new"
            rows.append(
                Feedback(
                    user=user,
                    rating=rating,
                    comment=comment,
                    is_bug_report=bug,
                    current_cv_id=first_cv.get(user.pk),
                    page_url=self.rng.choice(["/cvs/", "/offers/", "/account/", "/cvs/12/"]),
                    user_agent="Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0",
                    status=status if index % 5 else "new",
                )
            )
            times.append(at)
        saved = Feedback.objects.bulk_create(rows)
        self._stamp(
            Feedback, "created_at", [(row.pk, at) for row, at in zip(saved, times, strict=True)]
        )

    def _ai_usage(self, users: list[User]) -> None:
        """Model calls of users' tasks and of commands (no user), some failed, with the daily
        per-user totals the accounting keeps beside them."""
        calls: list[OpenAICall] = []
        times: list[datetime] = []
        owners: list[User | None] = [*users, None]
        for owner in owners:
            # Commands (no owner) ran on some of the last 90 days.
            days = (self.now - owner.created_at).days + 1 if owner else 90
            for day in range(days):
                if self.rng.random() > (0.18 if owner else 0.5):
                    continue
                uses = self.rng.sample(AI_USES, 2) if owner else [AI_USES[2]]
                for use in uses:
                    at = self.now - timedelta(days=day, minutes=self.rng.randint(0, 600))
                    for feature, model, prompt, completion in use:
                        calls.append(self._ai_call(owner, feature, model, prompt, completion))
                        times.append(at)
        saved = OpenAICall.objects.bulk_create(calls, batch_size=500)
        self._stamp(
            OpenAICall, "created_at", [(c.pk, at) for c, at in zip(saved, times, strict=True)]
        )
        daily: dict[tuple[int, str, str, date], OpenAIUsage] = {}
        for call, at in zip(saved, times, strict=True):
            if call.user_id is None:
                continue  # the daily totals are per user; the calls keep the rest
            key = (call.user_id, call.feature_name, call.model, at.date())
            usage = daily.setdefault(
                key,
                OpenAIUsage(user_id=call.user_id, feature_name=call.feature_name,
                            model=call.model, date=at.date()),
            )  # fmt: skip
            usage.prompt_tokens += call.prompt_tokens
            usage.cached_tokens += call.cached_tokens
            usage.completion_tokens += call.completion_tokens
            usage.total_tokens += call.total_tokens
            usage.estimated_cost += call.estimated_cost
            usage.calls_count += 1
        OpenAIUsage.objects.bulk_create(daily.values(), batch_size=500, ignore_conflicts=True)

    def _ai_call(
        self, user: User | None, feature: str, model: str, prompt: int, completion: int
    ) -> OpenAICall:
        prompt_tokens = int(prompt * self.rng.uniform(0.7, 1.3))
        cached = int(prompt_tokens * self.rng.uniform(0.1, 0.5))
        completion_tokens = int(completion * self.rng.uniform(0.7, 1.3))
        input_price, cache_price, output_price = PRICES[base_model(model)]
        cost = (
            (prompt_tokens - cached) * input_price
            + cached * cache_price
            + completion_tokens * output_price
        ) / Decimal(1_000_000)
        failed = self.rng.random() < FAILED_CALLS
        return OpenAICall(
            user=user,
            feature_name=feature,
            model=model,
            prompt_tokens=prompt_tokens,
            cached_tokens=cached,
            completion_tokens=completion_tokens,
            total_tokens=prompt_tokens + completion_tokens,
            estimated_cost=cost.quantize(Decimal("0.000001")),
            duration_ms=self.rng.randint(800, 20_000),
            status=CallStatus.INVALID if failed else CallStatus.OK,
        )

    def _alerts(self, users: list[User]) -> None:
        alert = OpenAIAlert.objects.filter(type="user_daily").first()
        if alert is None:
            return
        OpenAIAlert.objects.filter(pk=alert.pk).update(enabled=True)
        for number, user in enumerate(self.rng.sample(users, 3)):
            day = (self.now - timedelta(days=number * 6 + 1)).date()
            row = OpenAIAlertEvent.objects.create(
                alert=alert,
                user=user,
                period_key=f"{user.pk}:{day.isoformat()}",
                value=alert.threshold + Decimal("0.37") * (number + 1),
            )
            self._stamp(
                OpenAIAlertEvent,
                "created_at",
                [(row.pk, self.now - timedelta(days=number * 6 + 1))],
            )
