"""The credits ledger: the one place that writes CreditTransaction rows.

`record_transaction` inserts the row and updates the cached CreditBalance in the same
database transaction; the unique key turns a retried grant, debit or refund into a no-op
instead of a second movement of credits.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone

from billing.models import (
    LEDGER_ERASURE_SETTING,
    CreditBalance,
    CreditTransaction,
    TransactionType,
)

if TYPE_CHECKING:
    from accounts.models import User

# Which running total each kind of movement adds to.
TOTAL_FIELD: dict[str, str] = {
    TransactionType.PURCHASE: "total_purchased",
    TransactionType.GIFT: "total_gifted",
    TransactionType.ADMIN_GRANT: "total_gifted",
    TransactionType.PROMO: "total_gifted",
    TransactionType.REFERRAL: "total_gifted",
    TransactionType.REFUND: "total_refunded",
    TransactionType.USAGE: "total_used",
}
DEMO_WATERMARK = "fitmycv · demo"


class InsufficientCredits(Exception):
    def __init__(self, needed: int, balance: int) -> None:
        super().__init__(f"{needed} credits needed, {balance} available")
        self.needed, self.balance = needed, balance


def lock_balance(user_id: int) -> CreditBalance:
    """The user's balance row, created if missing and locked until the transaction ends.

    Every charge and payment of a user takes this lock first, so they are applied one at a
    time and a check made under it (enough credits? key already used?) stays true.
    """
    balance, _ = CreditBalance.objects.get_or_create(user_id=user_id)
    return CreditBalance.objects.select_for_update().get(pk=balance.pk)


def record_transaction(
    user_id: int,
    *,
    amount: int,
    type: str,
    key: str,
    allow_negative: bool = False,
    when: datetime | None = None,
    **fields: Any,
) -> tuple[CreditTransaction, bool]:
    """Append a ledger row and move the balance; returns (row, created).

    A key seen before returns the existing row and changes nothing. A debit that would take
    the balance below zero raises InsufficientCredits, unless allow_negative (disputes and
    refunded payments), which marks the balance disputed until a top-up brings it back.

    `when` dates the row in the past. Only the development demo data uses it
    (seed_dashboards_demo, which replays months of activity in order); money that moves for
    real moves now, so every other caller leaves it out. Rows cannot be re-dated afterwards.
    """
    existing = CreditTransaction.objects.filter(key=key).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            balance = lock_balance(user_id)
            after = balance.balance + amount
            if amount < 0 and after < 0 and not allow_negative:
                raise InsufficientCredits(-amount, balance.balance)
            row = CreditTransaction.objects.create(
                user_id=user_id,
                amount=amount,
                type=type,
                key=key,
                created_at=when or timezone.now(),
                **fields,
            )
            updates: dict[str, Any] = {"balance": F("balance") + amount}
            total = TOTAL_FIELD.get(type)
            if total:
                updates[total] = F(total) + abs(amount)
            if type == TransactionType.PURCHASE:
                updates["balance_after_last_purchase"] = max(after, 0)
            if amount < 0 and after < 0:
                updates["disputed"] = True
            elif amount > 0 and after >= 0 and balance.disputed:
                updates["disputed"] = False
            CreditBalance.objects.filter(pk=balance.pk).update(**updates)
    except IntegrityError:
        # The same key committed by a concurrent call: that one counts, this one is a no-op.
        existing = CreditTransaction.objects.filter(key=key).first()
        if existing is None:
            raise
        return existing, False
    return row, True


def grant_credits(
    user: User,
    amount: int,
    *,
    type: str,
    key: str,
    reason: str,
    by: User | None = None,
    when: datetime | None = None,
) -> CreditTransaction:
    """Add credits with a reason (staff grants, gifts); the key makes a retry a no-op.
    `when`: demo data only, see record_transaction."""
    if amount <= 0:
        raise ValueError("A grant must add at least one credit")
    metadata: dict[str, Any] = {"reason": reason}
    if by is not None:
        metadata["by"] = by.pk
    with transaction.atomic():
        row, _ = record_transaction(
            user.pk, amount=amount, type=type, key=key, metadata=metadata, when=when
        )
    return row


@contextlib.contextmanager
def allow_ledger_erasure(user_id: int) -> Iterator[None]:
    """Let the block delete `user_id`'s ledger rows: account erasure, and nothing else.

    On PostgreSQL the ledger's trigger refuses every DELETE unless the transaction names the
    row's user in LEDGER_ERASURE_SETTING. The name is transaction-local and cleared when the
    block ends; if the block fails, the savepoint's rollback clears it too.
    """
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT set_config(%s, %s, true)", [LEDGER_ERASURE_SETTING, str(user_id)])
        yield
        cursor.execute("SELECT set_config(%s, '', true)", [LEDGER_ERASURE_SETTING])


def export_watermark(user: User) -> str | None:
    """The watermark an export carries, or None: users who never bought credits export a
    demo copy (reference product's rule). The one place billing decides it."""
    purchased = (
        CreditBalance.objects.filter(user_id=user.pk)
        .values_list("total_purchased", flat=True)
        .first()
    )
    return None if purchased else DEMO_WATERMARK
