from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import connections, models
from django.db.models import F, Q
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Feature(models.TextChoices):
    """The paid (or countable) features; `credits_<value>` is each one's cost setting (manual
    edits are always free and have none)."""

    CREATE_CV_MANUAL = "create_cv_manual", _("Create a blank CV")
    EDIT_CV = "edit_cv", _("Manual edit")
    EXPORT_CV = "export_cv", _("Export")
    MATCH_SCORE = "match_score", _("Match score")
    TRANSLATE_CV = "translate_cv", _("Translation")
    GPT_CV_GENERATION = "gpt_cv_generation", _("Tailored CV")
    OPTIMIZE_CV = "optimize_cv", _("Improve from suggestions")
    GENERATE_FROM_JOB_TITLE = "generate_from_job_title", _("CV from a job title")
    IMPORT_PDF = "import_pdf", _("PDF import")
    RERANK_OFFERS = "rerank_offers", _("Offers re-ranked by the AI model")
    COVER_LETTER = "cover_letter", _("Cover letter")


class BillingPeriod(models.TextChoices):
    MONTHLY = "monthly", _("Monthly")
    YEARLY = "yearly", _("Yearly")


class SubscriptionPlan(models.Model):
    name = models.CharField(max_length=100)
    tier = models.PositiveSmallIntegerField(unique=True)
    description = models.TextField(blank=True)
    price_monthly = models.DecimalField(max_digits=10, decimal_places=2, default=0)
    price_yearly = models.DecimalField(max_digits=10, decimal_places=2, default=0)
    price_currency = models.CharField(max_length=3, default="EUR")
    yearly_discount_percent = models.DecimalField(max_digits=5, decimal_places=2, default=0)
    is_popular = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)
    max_cvs = models.IntegerField(default=-1, help_text="-1 = unlimited")
    stripe_product_id = models.CharField(max_length=255, unique=True, null=True, blank=True)
    stripe_price_id_monthly = models.CharField(max_length=255, unique=True, null=True, blank=True)
    stripe_price_id_yearly = models.CharField(max_length=255, unique=True, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["tier"]
        constraints = [
            models.CheckConstraint(
                condition=Q(price_monthly__gte=0) & Q(price_yearly__gte=0),
                name="plan_prices_not_negative",
                violation_error_message=_("A plan's monthly and yearly prices cannot be negative."),
            )
        ]

    def __str__(self) -> str:
        return self.name


class SubscriptionPlanFeatureLimit(models.Model):
    plan = models.ForeignKey(SubscriptionPlan, on_delete=models.CASCADE, related_name="limits")
    feature_name = models.CharField(max_length=40, choices=Feature.choices)
    is_enabled = models.BooleanField(default=True)
    usage_limit = models.IntegerField(default=-1, help_text="Uses per period; -1 = unlimited")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "feature_name"], name="planlimit_unique_plan_feature"
            ),
            models.CheckConstraint(
                condition=Q(usage_limit__gte=-1),
                name="planlimit_limit_gte_-1",
                violation_error_message=_(
                    "The usage limit is a number of uses per period, or -1 for unlimited."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan}: {self.feature_name}"


class SubscriptionStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    TRIALING = "trialing", _("Trialing")
    PAST_DUE = "past_due", _("Past due")
    CANCELED = "canceled", _("Canceled")
    INCOMPLETE = "incomplete", _("Incomplete")
    UNPAID = "unpaid", _("Unpaid")


class Subscription(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="subscription"
    )
    plan = models.ForeignKey(
        SubscriptionPlan, on_delete=models.PROTECT, related_name="subscriptions"
    )
    status = models.CharField(
        max_length=12, choices=SubscriptionStatus.choices, default=SubscriptionStatus.ACTIVE
    )
    billing_period = models.CharField(
        max_length=10, choices=BillingPeriod.choices, default=BillingPeriod.MONTHLY
    )
    stripe_subscription_id = models.CharField(max_length=255, unique=True, null=True, blank=True)
    stripe_price_id = models.CharField(max_length=255, blank=True)
    current_period_start = models.DateTimeField()
    current_period_end = models.DateTimeField()
    cancel_at_period_end = models.BooleanField(default=False)
    canceled_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["status"])]

    def __str__(self) -> str:
        return f"{self.user} on {self.plan}"


class CreditBalanceQuerySet(models.QuerySet["CreditBalance"]):
    """The top bar of every signed-in page shows the balance: it is read either as columns of
    the page's own query (summary_columns) or alone (summary_for), in plain SQL both ways,
    because building and compiling the same query through the ORM cost a page more than
    running it."""

    def _summary_sql(self, *fields: str) -> str:
        meta = self.model._meta
        quote = connections[self.db].ops.quote_name
        column = {field.name: quote(field.column) for field in meta.concrete_fields}
        selected = ", ".join(column[name] for name in fields)
        return f"SELECT {selected} FROM {quote(meta.db_table)} WHERE {column['user']} = %s"

    def summary_for(self, user_id: int) -> tuple[int, bool]:
        """(balance, disputed) of one user, (0, False) before their first credit."""
        sql = self._summary_sql("balance", "disputed")
        with connections[self.db].cursor() as cursor:
            cursor.execute(sql, [user_id])
            row = cursor.fetchone()
        return (int(row[0]), bool(row[1])) if row else (0, False)

    def summary_columns(self, user_id: int) -> dict[str, RawSQL]:
        """Annotations that bring one user's balance and dispute flag along with the rows of
        another query (each computed once per query, not per row): a page saves the round
        trip. Read them back with billing.context_processors.CreditSummary.from_row."""
        return {
            "credit_summary_balance": RawSQL(
                f"({self._summary_sql('balance')})", [user_id], output_field=models.IntegerField()
            ),
            "credit_summary_disputed": RawSQL(
                f"({self._summary_sql('disputed')})", [user_id], output_field=models.BooleanField()
            ),
        }


class CreditBalance(models.Model):
    """The cached sum of a user's ledger; changed only in the transaction that adds a row."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="credit_balance"
    )
    balance = models.IntegerField(default=0)
    total_purchased = models.PositiveIntegerField(default=0)
    total_used = models.PositiveIntegerField(default=0)
    total_refunded = models.PositiveIntegerField(default=0)
    total_gifted = models.PositiveIntegerField(default=0)
    balance_after_last_purchase = models.PositiveIntegerField(default=0)
    # A dispute (chargeback) may take the balance below zero; paid features stay blocked then.
    disputed = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CreditBalanceQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(balance__gte=0) | Q(disputed=True),
                name="balance_not_negative_unless_disputed",
                violation_error_message=_(
                    "A credit balance cannot go below zero unless a payment of it is disputed."
                ),
            )
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.balance}"


class TransactionType(models.TextChoices):
    PURCHASE = "purchase", _("Purchase")
    GIFT = "gift", _("Gift")
    USAGE = "usage", _("Usage")
    REFUND = "refund", _("Refund")
    CHARGEBACK = "chargeback", _("Chargeback")
    ADMIN_GRANT = "admin_grant", _("Granted by staff")
    PROMO = "promo", _("Promo code")
    REFERRAL = "referral", _("Referral reward")
    PAYMENT_REFUND = "payment_refund", _("Payment refunded")


class LedgerIsAppendOnly(Exception):
    """A ledger row was about to be changed or deleted: money moves by adding rows."""


# The only columns written after a ledger row is created: the refund marker, and the invoice
# attached to a purchase once Stripe says it is paid. Links to a task, CV or row that is
# deleted are cleared by the database cascade (SET_NULL), which updates through here too.
LEDGER_MARKERS = frozenset({"refunded", "stripe_invoice_id"})
DETACHABLE_LINKS = frozenset({"task", "cv", "related_transaction"})
# On PostgreSQL a trigger (migration 0003) enforces the same rules, and refuses every DELETE
# unless this transaction-local setting names the row's user: account erasure sets it.
LEDGER_ERASURE_SETTING = "fitmycv.ledger_erasure"


class CreditTransactionQuerySet(models.QuerySet["CreditTransaction"]):
    def update(self, **kwargs: Any) -> int:
        for name, value in kwargs.items():
            if name not in LEDGER_MARKERS and not (name in DETACHABLE_LINKS and value is None):
                raise LedgerIsAppendOnly(f"Ledger rows cannot be updated ({name})")
        return super().update(**kwargs)

    def delete(self) -> tuple[int, dict[str, int]]:
        raise LedgerIsAppendOnly("Ledger rows cannot be deleted; add a reversing row")


class CreditTransaction(models.Model):
    """One ledger entry. Rows are never updated in place except the `refunded` marker and
    the Stripe invoice id attached to a purchase once the invoice is paid; the manager and the
    model refuse anything else (LedgerIsAppendOnly), and so does a PostgreSQL trigger for raw
    SQL. Erasing an account still removes its rows (the user's cascade does not go through
    the manager; see billing.services.allow_ledger_erasure).

    `key` makes every money movement idempotent: a debit for a task, the refund of that debit,
    a Stripe payment grant... each has one key, so a retry can never apply it twice.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="credit_transactions"
    )
    amount = models.IntegerField()
    type = models.CharField(max_length=20, choices=TransactionType.choices)
    key = models.CharField(max_length=255, unique=True)
    feature_name = models.CharField(max_length=40, choices=Feature.choices, blank=True)
    task = models.ForeignKey(
        "jobs.BackgroundTask",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="credit_transactions",
    )
    cv = models.ForeignKey(
        "cvs.CV",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="credit_transactions",
    )
    stripe_payment_intent_id = models.CharField(max_length=255, unique=True, null=True, blank=True)
    stripe_checkout_session_id = models.CharField(max_length=255, blank=True)
    stripe_invoice_id = models.CharField(max_length=255, blank=True)
    refunded = models.BooleanField(default=False)
    related_transaction = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    metadata = models.JSONField(default=dict, blank=True)
    # Set once at insert (billing.services.record_transaction; demo data may date it back).
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = CreditTransactionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "-created_at"]), models.Index(fields=["type"])]

    def __str__(self) -> str:
        return f"{self.type} {self.amount:+d} for {self.user_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            fields = set(kwargs.get("update_fields") or ())
            if not fields or not fields <= LEDGER_MARKERS:
                raise LedgerIsAppendOnly("Ledger rows cannot be changed; add a reversing row")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise LedgerIsAppendOnly("Ledger rows cannot be deleted; add a reversing row")


class CreditPack(models.Model):
    name = models.CharField(max_length=100)
    description = models.TextField(blank=True)
    credit_amount = models.PositiveIntegerField(unique=True)
    price = models.DecimalField(max_digits=10, decimal_places=2)
    price_currency = models.CharField(max_length=3, default="EUR")
    is_active = models.BooleanField(default=True)
    stripe_price_id = models.CharField(max_length=255, unique=True, null=True, blank=True)
    stripe_product_id = models.CharField(max_length=255, unique=True, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["credit_amount"]
        constraints = [
            models.CheckConstraint(
                condition=Q(credit_amount__gt=0),
                name="pack_credits_positive",
                violation_error_message=_("A credit pack must give at least one credit."),
            ),
            models.CheckConstraint(
                condition=Q(price__gte=0),
                name="pack_price_not_negative",
                violation_error_message=_("A credit pack's price cannot be negative."),
            ),
        ]
        indexes = [models.Index(fields=["is_active"])]

    def __str__(self) -> str:
        return self.name


class FeatureUsageCounter(models.Model):
    """Uses of a feature in the current plan period (subscription mode)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="feature_counters"
    )
    feature_name = models.CharField(max_length=40, choices=Feature.choices)
    count = models.PositiveIntegerField(default=0)
    period_start = models.DateTimeField()
    period_end = models.DateTimeField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "feature_name"], name="counter_unique_user_feature"
            ),
            models.CheckConstraint(
                condition=Q(period_end__gt=F("period_start")),
                name="counter_period_order",
                violation_error_message=_("A usage period must end after it starts."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.feature_name}: {self.count}"


class QuotaCharge(models.Model):
    """One use of a plan quota (subscription mode), so a failed task gives it back once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="quota_charges"
    )
    feature_name = models.CharField(max_length=40, choices=Feature.choices)
    key = models.CharField(max_length=255, unique=True)
    period_start = models.DateTimeField()
    task = models.ForeignKey(
        "jobs.BackgroundTask",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="quota_charges",
    )
    released = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.user_id} {self.feature_name} ({self.period_start:%Y-%m-%d})"


class SignupFingerprint(models.Model):
    """A keyed hash of each account's normalised e-mail address.

    Kept (with `user` set to null) when the account is deleted, so signing up again with the
    same address, a +tag or Gmail dots earns no second welcome bonus. The address itself is
    not kept.
    """

    email_hash = models.CharField(max_length=64, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="signup_fingerprints",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.email_hash[:12]}… ({self.user_id or 'deleted'})"


class StripeWebhookLog(models.Model):
    """Every Stripe event received; the unique event id makes processing idempotent."""

    event_id = models.CharField(max_length=255, unique=True)
    event_type = models.CharField(max_length=100)
    payload = models.JSONField()
    processed = models.BooleanField(default=False)
    processed_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["event_type"]), models.Index(fields=["processed"])]

    def __str__(self) -> str:
        return f"{self.event_type} {self.event_id}"


class ReferralStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    REWARDED = "rewarded", _("Rewarded")


class Referral(models.Model):
    referrer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="referrals"
    )
    referred = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="referred_by_referral"
    )
    status = models.CharField(
        max_length=10, choices=ReferralStatus.choices, default=ReferralStatus.PENDING
    )
    rewarded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~Q(referrer=F("referred")),
                name="referral_not_self",
                violation_error_message=_("A user cannot refer themselves."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.referrer_id} -> {self.referred_id}"


class PromoKind(models.TextChoices):
    CREDITS = "credits", _("Free credits")
    PERCENT = "percent", _("Percentage off")


class PromoCode(models.Model):
    code = models.CharField(max_length=50, unique=True)
    kind = models.CharField(max_length=10, choices=PromoKind.choices)
    credits = models.PositiveIntegerField(default=0)
    percent_off = models.PositiveSmallIntegerField(default=0)
    valid_from = models.DateTimeField(null=True, blank=True)
    valid_until = models.DateTimeField(null=True, blank=True)
    max_uses = models.PositiveIntegerField(null=True, blank=True, help_text="Empty = unlimited")
    uses_count = models.PositiveIntegerField(default=0)
    is_active = models.BooleanField(default=True)
    stripe_promotion_code_id = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind=PromoKind.CREDITS) & Q(credits__gt=0))
                | (Q(kind=PromoKind.PERCENT) & Q(percent_off__gte=1) & Q(percent_off__lte=100)),
                name="promo_value_matches_kind",
                violation_error_message=_(
                    "A credits code gives at least one credit; a percentage code takes off "
                    "between 1 and 100 percent."
                ),
            ),
            models.CheckConstraint(
                condition=Q(max_uses__isnull=True) | Q(uses_count__lte=F("max_uses")),
                name="promo_uses_within_max",
                violation_error_message=_(
                    "A code cannot be used more times than its maximum number of uses."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.code


class PromoRedemption(models.Model):
    """A user's use of a promo code; unique so each code works once per user."""

    promo_code = models.ForeignKey(PromoCode, on_delete=models.CASCADE, related_name="redemptions")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="promo_redemptions"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["promo_code", "user"], name="promo_once_per_user")
        ]

    def __str__(self) -> str:
        return f"{self.promo_code} by {self.user_id}"
