"""The credits ledger: every change of a balance is a CreditTransaction with a unique key.

`record_transaction` is the one place that writes the ledger. It inserts the row and updates
the cached CreditBalance in the same database transaction; the unique key turns a retried
grant, debit or refund into a no-op instead of a second movement of credits.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F

from billing.models import CreditBalance, CreditTransaction, TransactionType
from cvs.models import BackgroundTask

# Which running total each kind of movement adds to.
TOTAL_FIELD = {
    TransactionType.PURCHASE: "total_purchased",
    TransactionType.GIFT: "total_gifted",
    TransactionType.ADMIN_GRANT: "total_gifted",
    TransactionType.PROMO: "total_gifted",
    TransactionType.REFERRAL: "total_gifted",
    TransactionType.REFUND: "total_refunded",
    TransactionType.USAGE: "total_used",
}


class InsufficientCredits(Exception):
    def __init__(self, needed: int, balance: int) -> None:
        super().__init__(f"{needed} credits needed, {balance} available")
        self.needed, self.balance = needed, balance


def record_transaction(
    user_id: int,
    *,
    amount: int,
    type: str,
    key: str,
    allow_negative: bool = False,
    **fields: Any,
) -> tuple[CreditTransaction, bool]:
    """Append a ledger row and move the balance; returns (row, created).

    A key seen before returns the existing row and changes nothing. A debit that would take
    the balance below zero raises InsufficientCredits, unless allow_negative (disputes).
    """
    existing = CreditTransaction.objects.filter(key=key).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            balance, _ = CreditBalance.objects.get_or_create(user_id=user_id)
            # Lock the balance row: concurrent debits of one user are applied one at a time.
            balance = CreditBalance.objects.select_for_update().get(pk=balance.pk)
            if amount < 0 and not allow_negative and balance.balance + amount < 0:
                raise InsufficientCredits(-amount, balance.balance)
            row = CreditTransaction.objects.create(
                user_id=user_id, amount=amount, type=type, key=key, **fields
            )
            updates: dict[str, Any] = {"balance": F("balance") + amount}
            total = TOTAL_FIELD.get(type)
            if total:
                updates[total] = F(total) + abs(amount)
            if allow_negative and balance.balance + amount < 0:
                updates["disputed"] = True
            CreditBalance.objects.filter(pk=balance.pk).update(**updates)
    except IntegrityError:
        # The same key committed by a concurrent call: that one counts, this one is a no-op.
        existing = CreditTransaction.objects.filter(key=key).first()
        if existing is None:
            raise
        return existing, False
    return row, True


def refund_task(task: BackgroundTask) -> CreditTransaction | None:
    """Give back exactly what a stopped task was charged; idempotent."""
    if task.user_id is None or not task.credit_used or task.credits_debited <= 0:
        return None
    debit = CreditTransaction.objects.filter(task=task, type=TransactionType.USAGE).first()
    row, created = record_transaction(
        task.user_id,
        amount=task.credits_debited,
        type=TransactionType.REFUND,
        key=f"refund:task:{task.pk}",
        feature_name=task.feature_name,
        task=task,
        related_transaction=debit,
    )
    if created and debit is not None:
        CreditTransaction.objects.filter(pk=debit.pk).update(refunded=True)
    return row
