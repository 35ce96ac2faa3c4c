from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from billing.models import CreditBalance


class CreditSummary:
    """The signed-in user's balance for the top bar, read only if a template shows it, unless
    the page's own query brought it along (from_row)."""

    def __init__(self, user_id: int, row: tuple[int, bool] | None = None) -> None:
        self._user_id = user_id
        self._loaded = row

    @classmethod
    def from_row(cls, user_id: int, row: object) -> CreditSummary:
        """The summary from a row of a query annotated with
        CreditBalance.objects.summary_columns(user_id): no query of its own."""
        balance: int | None = getattr(row, "credit_summary_balance")  # noqa: B009 - an annotation
        disputed: bool | None = getattr(row, "credit_summary_disputed")  # noqa: B009 - an annotation
        # NULL before the user's first credit, as summary_for reads it.
        return cls(user_id, (balance or 0, bool(disputed)))

    @property
    def _row(self) -> tuple[int, bool]:
        if self._loaded is None:
            self._loaded = CreditBalance.objects.summary_for(self._user_id)
        return self._loaded

    @property
    def balance(self) -> int:
        return self._row[0]

    @property
    def blocked(self) -> bool:
        balance, disputed = self._row
        return balance < 0 or disputed


def credits(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"credit_summary": CreditSummary(user.pk)}
