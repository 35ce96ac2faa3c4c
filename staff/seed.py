"""The reference data every installation needs: settings, plans, credit packs, e-mail
templates, model prices and cost alerts.

Seeding creates what is missing and never overwrites a row staff may have edited, so it is
safe to run on every deploy (`manage.py seed`, also part of `manage.py setup`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.db import models, transaction

from accounts.models import User
from ai.models import AlertType, OpenAIAlert, OpenAIPricing
from billing.models import CreditPack, Feature, SubscriptionPlan, SubscriptionPlanFeatureLimit
from billing.services import grant_credits
from core.config import SETTINGS, format_value
from core.models import Setting
from cvs.models import CV
from cvs.services import import_json_resume
from emails.mail import file_sources
from emails.models import EmailTemplate, EmailTrigger, TriggerCategory

CREDIT_PACKS = [
    (15, Decimal("4.99")),
    (50, Decimal("14.99")),
    (100, Decimal("26.99")),
    (150, Decimal("35.99")),
]

AI_FEATURES = [
    Feature.MATCH_SCORE,
    Feature.TRANSLATE_CV,
    Feature.GPT_CV_GENERATION,
    Feature.OPTIMIZE_CV,
    Feature.GENERATE_FROM_JOB_TITLE,
    Feature.IMPORT_PDF,
    Feature.RERANK_OFFERS,
    Feature.COVER_LETTER,
]

# (tier, name, monthly, yearly, popular, {feature: (enabled, monthly limit)})
PLANS: list[tuple[int, str, Decimal, Decimal, bool, dict[str, tuple[bool, int]]]] = [
    (
        0,
        "Free",
        Decimal("0"),
        Decimal("0"),
        False,
        {
            Feature.CREATE_CV_MANUAL: (True, -1),
            Feature.EDIT_CV: (True, -1),
            Feature.EXPORT_CV: (True, 3),
            **dict.fromkeys(AI_FEATURES, (False, 0)),
        },
    ),
    (
        1,
        "Pro",
        Decimal("9.99"),
        Decimal("99.99"),
        True,
        {
            Feature.CREATE_CV_MANUAL: (True, -1),
            Feature.EDIT_CV: (True, -1),
            Feature.EXPORT_CV: (True, -1),
            **dict.fromkeys(AI_FEATURES, (True, 25)),
        },
    ),
    (
        2,
        "Premium",
        Decimal("19.99"),
        Decimal("199.99"),
        False,
        {
            Feature.CREATE_CV_MANUAL: (True, -1),
            Feature.EDIT_CV: (True, -1),
            Feature.EXPORT_CV: (True, -1),
            **dict.fromkeys(AI_FEATURES, (True, 60)),
        },
    ),
]

# model: (input, output, cached input) in USD per million tokens
OPENAI_PRICES = {
    "gpt-4.1": ("2.00", "8.00", "0.50"),
    "gpt-4.1-mini": ("0.40", "1.60", "0.10"),
    "gpt-4.1-nano": ("0.10", "0.40", "0.025"),
    "gpt-4o": ("2.50", "10.00", "1.25"),
    "gpt-4o-mini": ("0.15", "0.60", "0.075"),
    "gpt-5": ("1.25", "10.00", "0.125"),
    "gpt-5-mini": ("0.25", "2.00", "0.025"),
    "gpt-5-nano": ("0.05", "0.40", "0.005"),
    "o3": ("2.00", "8.00", "0.50"),
    "o4-mini": ("1.10", "4.40", "0.275"),
    "offline": ("0", "0", "0"),
}

ALERTS = [
    (AlertType.USER_DAILY, Decimal("5"), "One user above $5 in a day"),
    (AlertType.USER_MONTHLY, Decimal("50"), "One user above $50 in a month"),
    (AlertType.GLOBAL_DAILY, Decimal("100"), "All users above $100 in a day"),
    (AlertType.GLOBAL_MONTHLY, Decimal("1000"), "All users above $1000 in a month"),
]

# name: (label, category, variables)
EMAIL_TRIGGERS: dict[str, tuple[str, str, list[str]]] = {
    "email_verification": (
        "E-mail verification",
        TriggerCategory.AUTHENTICATION,
        ["user_name", "verification_url"],
    ),
    "password_reset": (
        "Password reset",
        TriggerCategory.AUTHENTICATION,
        ["user_name", "reset_url"],
    ),
    "email_change": (
        "E-mail change",
        TriggerCategory.AUTHENTICATION,
        ["user_name", "verification_url", "new_email"],
    ),
    "welcome": ("Welcome", TriggerCategory.ACCOUNT, ["user_name", "login_url", "welcome_credits"]),
    "credits_purchased": (
        "Credits purchased",
        TriggerCategory.PAYMENTS,
        ["user_name", "credits_amount", "total_price", "invoice_url"],
    ),
    "payment_failed": (
        "Payment failed",
        TriggerCategory.PAYMENTS,
        ["user_name", "billing_url"],
    ),
    "inactivity_warning": (
        "Inactivity warning",
        TriggerCategory.ACCOUNT,
        ["user_name", "login_url", "last_activity_date", "deletion_date"],
    ),
    "cost_alert": (
        "AI cost alert (staff)",
        TriggerCategory.STAFF,
        ["alert_name", "threshold", "value", "period", "dashboard_url"],
    ),
    "ai_provider_alert": (
        "AI provider problem (staff)",
        TriggerCategory.STAFF,
        ["problem", "detail", "period", "dashboard_url"],
    ),
}


@dataclass
class SeedReport:
    created: dict[str, int] = field(default_factory=dict)

    def add(self, what: str, created: bool) -> None:
        if created:
            self.created[what] = self.created.get(what, 0) + 1

    @property
    def total(self) -> int:
        return sum(self.created.values())


def _create_missing(
    report: SeedReport, model: type[models.Model], lookup: dict[str, Any], defaults: dict[str, Any]
) -> Any:
    obj, created = model.objects.get_or_create(**lookup, defaults=defaults)
    report.add(model._meta.verbose_name_plural, created)
    return obj


@transaction.atomic
def seed_all() -> SeedReport:
    report = SeedReport()
    for name, spec in SETTINGS.items():
        _create_missing(
            report,
            Setting,
            {"name": name},
            {
                "value": format_value(name, spec.default),
                "category": spec.category,
                "description": spec.description,
            },
        )
    for amount, price in CREDIT_PACKS:
        _create_missing(
            report,
            CreditPack,
            {"credit_amount": amount},
            {"name": f"{amount} credits", "price": price, "price_currency": "EUR"},
        )
    for tier, name, monthly, yearly, popular, limits in PLANS:
        discount = round((1 - yearly / (monthly * 12)) * 100, 2) if monthly else Decimal("0")
        plan = _create_missing(
            report,
            SubscriptionPlan,
            {"tier": tier},
            {
                "name": name,
                "price_monthly": monthly,
                "price_yearly": yearly,
                "yearly_discount_percent": discount,
                "is_popular": popular,
            },
        )
        for feature, (enabled, limit) in limits.items():
            _create_missing(
                report,
                SubscriptionPlanFeatureLimit,
                {"plan": plan, "feature_name": feature},
                {"is_enabled": enabled, "usage_limit": limit},
            )
    for model_name, (inp, out, cached) in OPENAI_PRICES.items():
        _create_missing(
            report,
            OpenAIPricing,
            {"model_name": model_name},
            {
                "input_price_per_mtok": Decimal(inp),
                "output_price_per_mtok": Decimal(out),
                "cache_price_per_mtok": Decimal(cached),
            },
        )
    for alert_type, threshold, label in ALERTS:
        _create_missing(
            report,
            OpenAIAlert,
            {"type": alert_type, "feature_name": ""},
            {"threshold": threshold, "name": label, "enabled": False},
        )
    for name, (label, category, variables) in EMAIL_TRIGGERS.items():
        trigger = _create_missing(
            report,
            EmailTrigger,
            {"name": name},
            {"label": label, "category": category, "variables": variables},
        )
        # The HTML is the body's content only: rendering puts it in the shared layout.
        subject, text, html = file_sources(name)
        _create_missing(
            report,
            EmailTemplate,
            {"name": name},
            {
                "trigger": trigger,
                "subject": subject.strip() or label,
                "html_content": html,
                "text_content": text,
                "variables": variables,
            },
        )
    return report


DEMO_PASSWORD = "fitmycv-demo-2026"
DEMO_CREDITS = 50
DEMO_RESUME = (
    Path(settings.BASE_DIR) / "cvs" / "tests" / "fixtures" / "jsonresume" / "sample.resume.json"
)
DEMO_ACCOUNTS = [
    ("demo@fitmycv.example", "Demo User", "USER"),
    ("admin@fitmycv.example", "Demo Admin", "ADMIN"),
]


@transaction.atomic
def seed_demo() -> list[str]:
    """Demo accounts for local development; refused when DEBUG is off."""
    if not settings.DEBUG:
        raise RuntimeError("Demo accounts are for development only (DEBUG is off).")

    lines = []
    for email, name, role in DEMO_ACCOUNTS:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(email, DEMO_PASSWORD, name=name, role=role)
            EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
        # Enough credits to try every AI feature, and a CV to start from (idempotent).
        grant_credits(
            user, DEMO_CREDITS, type="gift", key=f"demo-credits:{email}", reason="demo account"
        )
        if role == "USER" and not CV.objects.filter(user=user).exists():
            document = json.loads(DEMO_RESUME.read_text(encoding="utf-8"))
            import_json_resume(user, document=document, filename=DEMO_RESUME.name)
        lines.append(f"Demo {role.lower()}: {email} / {DEMO_PASSWORD}")
    return lines
