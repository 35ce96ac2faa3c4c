"""Fill a development database with 90 days of believable activity for the staff dashboards.

Run after `manage.py setup --demo`. Everything it creates belongs to users whose e-mail ends
with DEMO_DOMAIN, so it refuses to run twice and never touches real accounts.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import models, transaction
from django.utils import timezone

from accounts.models import User
from accounts.onboarding import STEP_KEYS
from ai.models import OpenAIAlert, OpenAIAlertEvent, OpenAIUsage
from billing.models import (
    CreditBalance,
    CreditPack,
    CreditTransaction,
    Subscription,
    SubscriptionPlan,
    TransactionType,
)
from cvs.models import CV, CreatedBy
from emails.models import EmailLog
from joboffers.models import JobOffer
from jobs.models import BackgroundTask, TaskStatus, TaskType
from telemetry import events
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
EMAIL_TEMPLATES = ["email_verification", "welcome", "password_reset", "credits_purchased"]
AI_FEATURES = [
    ("gpt_cv_generation", "gpt-4.1-mini", 9000, 2600),
    ("match_score", "gpt-4.1-mini", 4200, 700),
    ("extract_job_offer", "o4-mini", 3500, 900),
    ("import_pdf", "gpt-4.1-mini", 6000, 2200),
    ("translate_cv", "gpt-4.1-mini", 3800, 3400),
    ("optimize_cv", "gpt-4.1", 5200, 1900),
]
PRICES = {
    "gpt-4.1-mini": (Decimal("0.4"), Decimal("0.1"), Decimal("1.6")),
    "gpt-4.1": (Decimal("2"), Decimal("0.5"), Decimal("8")),
    "o4-mini": (Decimal("1.1"), Decimal("0.275"), Decimal("4.4")),
}


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
        with transaction.atomic():
            users = self._users(options["users"])
            self._activity(users)
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

    def _stamp(self, rows: list[models.Model], field: str, times: list[datetime]) -> None:
        """Give bulk-created rows their past creation dates (auto_now_add set them to now).

        A plain QuerySet: the ledger's own manager refuses updates, and backdating rows this
        command has just made up is the one exception (development data only)."""
        for row, moment in zip(rows, times, strict=True):
            setattr(row, field, moment)
        if rows:
            models.QuerySet(type(rows[0])).bulk_update(rows, [field], batch_size=500)

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

    def _activity(self, users: list[User]) -> None:
        packs = list(CreditPack.objects.filter(is_active=True).order_by("credit_amount"))
        plans = list(SubscriptionPlan.objects.filter(price_monthly__gt=0).order_by("tier"))
        event_rows: list[TelemetryEvent] = []
        event_times: list[datetime] = []
        cv_times: list[datetime] = []
        cv_rows: list[CV] = []
        task_rows: list[BackgroundTask] = []
        task_times: list[datetime] = []
        ledger: list[CreditTransaction] = []
        ledger_times: list[datetime] = []
        mails: list[EmailLog] = []
        mail_times: list[datetime] = []
        usage: dict[tuple[int, str], list[Any]] = {}

        def event(user: User, type: str, at: datetime, **fields: Any) -> None:
            fields.setdefault("status", "success")
            if type in events.EVENT_FEATURES and self.rng.random() < 0.03:
                fields.update(status="error", error="The AI service timed out after 3 tries.")
            event_rows.append(
                TelemetryEvent(user=user, type=type, category=events.category_for(type), **fields)
            )
            event_times.append(at)
            feature = events.EVENT_FEATURES.get(type)
            if feature and fields["status"] == "success":
                entry = usage.setdefault((user.pk, feature), [0, 0, at])
                entry[0] += 1
                entry[1] += fields.get("duration_ms") or 0
                entry[2] = max(entry[2], at)

        def mail(user: User, template: str, at: datetime) -> None:
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
            mails.append(
                EmailLog(
                    template_name=template,
                    recipient_email=user.email,
                    recipient_user=user,
                    subject=template.replace("_", " ").capitalize(),
                    status=status,
                    error="550 5.1.1 Mailbox does not exist" if status == "bounced" else "",
                    provider="resend",
                )
            )
            mail_times.append(at)

        offer_number = 0
        for user in users:
            joined = user.created_at
            event(user, events.USER_REGISTERED, joined, metadata={"provider": "email"})
            mail(user, "email_verification", joined)
            mail(user, "welcome", joined + timedelta(minutes=3))
            ledger.append(
                CreditTransaction(
                    user=user,
                    amount=15,
                    type=TransactionType.GIFT,
                    key=f"demo:welcome:{user.pk}",
                    metadata={"source": "welcome_bonus"},
                )
            )
            ledger_times.append(joined)
            engagement = self.rng.random()
            for _ in range(int(1 + engagement * 12)):
                event(user, events.USER_LOGIN, self._when(joined), metadata={"provider": "email"})
            for number in range(int(engagement * 5) + 1):
                at = self._when(joined)
                kind = self.rng.choices(
                    ["", CreatedBy.IMPORT_PDF, CreatedBy.GENERATE_CV, CreatedBy.TRANSLATE_CV],
                    [2, 3, 6, 1],
                )[0]
                cv_rows.append(
                    CV(
                        user=user,
                        filename=f"cv-{number}.json",
                        name=f"CV {number + 1}",
                        created_by=kind,
                        content={"header": {"full_name": user.name, "current_title": "Analyst"}},
                    )
                )
                cv_times.append(at)
                type_for = {
                    "": events.CV_CREATED,
                    CreatedBy.IMPORT_PDF: events.CV_IMPORTED,
                    CreatedBy.GENERATE_CV: events.CV_GENERATED,
                    CreatedBy.TRANSLATE_CV: events.CV_TRANSLATED,
                }
                event(user, type_for[kind], at, duration_ms=self.rng.randint(900, 45000))
                if self.rng.random() < 0.6:
                    event(user, events.CV_EXPORTED, at + timedelta(minutes=5), duration_ms=1800)
                if self.rng.random() < 0.45:
                    event(
                        user,
                        events.MATCH_SCORE_CALCULATED,
                        at + timedelta(minutes=2),
                        duration_ms=self.rng.randint(3000, 12000),
                    )
                if self.rng.random() < 0.15:
                    event(user, events.CV_IMPROVED, at + timedelta(minutes=9), duration_ms=21000)
            # Job offers: read or failed, per site reliability.
            for _ in range(int(engagement * 4)):
                site, _weight, failure = self.rng.choices(JOB_SITES, [s[1] for s in JOB_SITES])[0]
                at = self._when(joined)
                offer_number += 1
                failed = self.rng.random() < failure
                offer = JobOffer.objects.create(
                    user=user,
                    source_type="url",
                    source_value=f"https://{site}/jobs/{offer_number}-data-analyst",
                    source_name=site,
                    content={} if failed else {"title": "Data analyst", "company": "Acme"},
                    extracted_at=None if failed else at + timedelta(seconds=20),
                )
                task_type = self.rng.choice([TaskType.EXTRACT_JOB_OFFER, TaskType.GENERATE_CV])
                task_rows.append(
                    BackgroundTask(
                        user=user,
                        type=task_type,
                        title=f"Reading {site}",
                        status=TaskStatus.FAILED if failed else TaskStatus.COMPLETED,
                        payload={"offer_id": offer.pk},
                        error=self.rng.choice(EXTRACTION_ERRORS) if failed else "",
                        progress=5 if failed else 100,
                        step="Reading the offer" if failed else "",
                        finished_at=at + timedelta(seconds=30),
                    )
                )
                task_times.append(at)
                if failed:
                    event(user, events.TASK_FAILED, at, status="error", error=task_rows[-1].error)
            for task_type, messages in TASK_ERRORS.items():
                if self.rng.random() < 0.05 + engagement * 0.08:
                    at = self._when(joined)
                    task_rows.append(
                        BackgroundTask(
                            user=user,
                            type=task_type,
                            title=str(task_type.label),
                            status=TaskStatus.FAILED,
                            error=self.rng.choice(messages),
                            progress=60,
                            step="Tailoring the CV",
                            finished_at=at + timedelta(seconds=40),
                        )
                    )
                    task_times.append(at)
                    event(user, events.TASK_FAILED, at, status="error", error=messages[0])
            # Purchases: the engaged users buy packs; a few subscribe.
            if packs and engagement > 0.55:
                for number in range(1 + int(engagement > 0.85)):
                    pack = self.rng.choices(packs, [5, 4, 2, 1][: len(packs)])[0]
                    at = self._when(joined)
                    ledger.append(
                        CreditTransaction(
                            user=user,
                            amount=pack.credit_amount,
                            type=TransactionType.PURCHASE,
                            key=f"demo:purchase:{user.pk}:{number}",
                            metadata={
                                "pack_id": str(pack.pk),
                                "amount_paid": int(pack.price * 100),
                                "currency": "eur",
                            },
                        )
                    )
                    ledger_times.append(at)
                    event(user, events.PURCHASE, at, metadata={"pack": pack.credit_amount})
                    mail(user, "credits_purchased", at)
            if plans and engagement > 0.9:
                Subscription.objects.create(
                    user=user,
                    plan=self.rng.choice(plans),
                    billing_period=self.rng.choice(["monthly", "monthly", "yearly"]),
                    current_period_start=self.now - timedelta(days=5),
                    current_period_end=self.now + timedelta(days=25),
                )
            if self.rng.random() < 0.08:
                mail(user, "password_reset", self._when(joined))
            balance = 15 + sum(
                row.amount for row in ledger if row.user_id == user.pk and row.amount > 0
            )
            CreditBalance.objects.create(user=user, balance=self.rng.randint(0, balance))

        cvs = CV.objects.bulk_create(cv_rows, batch_size=500)
        self._stamp(cvs, "created_at", cv_times)
        saved_events = TelemetryEvent.objects.bulk_create(event_rows, batch_size=500)
        self._stamp(saved_events, "timestamp", event_times)
        tasks = BackgroundTask.objects.bulk_create(task_rows, batch_size=500)
        self._stamp(tasks, "created_at", task_times)
        rows = CreditTransaction.objects.bulk_create(ledger, batch_size=500)
        self._stamp(rows, "created_at", ledger_times)
        logs = EmailLog.objects.bulk_create(mails, batch_size=500)
        self._stamp(logs, "created_at", mail_times)
        FeatureUsage.objects.bulk_create(
            [
                FeatureUsage(
                    user_id=user_id,
                    feature_name=feature,
                    usage_count=count,
                    total_duration_ms=duration,
                    last_used_at=last,
                )
                for (user_id, feature), (count, duration, last) in usage.items()
            ]
        )
        self._refunds(rows)
        self._feedback(users, cvs)
        self._ai_usage(users)

    def _refunds(self, ledger: list[CreditTransaction]) -> None:
        purchases = [row for row in ledger if row.type == TransactionType.PURCHASE]
        for number, purchase in enumerate(self.rng.sample(purchases, min(3, len(purchases)))):
            kind = TransactionType.CHARGEBACK if number == 0 else TransactionType.PAYMENT_REFUND
            row = CreditTransaction.objects.create(
                user_id=purchase.user_id,
                amount=-purchase.amount,
                type=kind,
                key=f"demo:reversal:{purchase.pk}",
                related_transaction=purchase,
                metadata={"payment_intent": f"pi_demo_{purchase.pk}"},
            )
            self._stamp([row], "created_at", [purchase.created_at + timedelta(days=3)])

    def _feedback(self, users: list[User], cvs: list[CV]) -> None:
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
                    current_cv=next((cv for cv in cvs if cv.user_id == user.pk), None),
                    page_url=self.rng.choice(["/cvs/", "/offers/", "/account/", "/cvs/12/"]),
                    user_agent="Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0",
                    status=status if index % 5 else "new",
                )
            )
            times.append(at)
        saved = Feedback.objects.bulk_create(rows)
        self._stamp(saved, "created_at", times)

    def _ai_usage(self, users: list[User]) -> None:
        rows = []
        for user in users:
            for day in range((self.now - user.created_at).days + 1):
                if self.rng.random() > 0.18:
                    continue
                date = (self.now - timedelta(days=day)).date()
                for feature, model, prompt, completion in self.rng.sample(AI_FEATURES, 2):
                    calls = self.rng.randint(1, 4)
                    prompt_tokens = calls * int(prompt * self.rng.uniform(0.7, 1.3))
                    cached = int(prompt_tokens * self.rng.uniform(0.1, 0.5))
                    completion_tokens = calls * int(completion * self.rng.uniform(0.7, 1.3))
                    input_price, cache_price, output_price = PRICES[model]
                    cost = (
                        (prompt_tokens - cached) * input_price
                        + cached * cache_price
                        + completion_tokens * output_price
                    ) / Decimal(1_000_000)
                    rows.append(
                        OpenAIUsage(
                            user=user,
                            feature_name=feature,
                            model=model,
                            date=date,
                            prompt_tokens=prompt_tokens,
                            cached_tokens=cached,
                            completion_tokens=completion_tokens,
                            total_tokens=prompt_tokens + completion_tokens,
                            estimated_cost=cost.quantize(Decimal("0.000001")),
                            calls_count=calls,
                        )
                    )
        OpenAIUsage.objects.bulk_create(rows, batch_size=500, ignore_conflicts=True)

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
            self._stamp([row], "created_at", [self.now - timedelta(days=number * 6 + 1)])
