from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property
from typing import Any

from django.http import HttpRequest

from billing.models import CreditBalance


class CreditSummary:
    """The signed-in user's balance for the top bar, read only if a template shows it."""

    def __init__(self, user_id: int) -> None:
        self._user_id = user_id

    @cached_property
    def _row(self) -> Mapping[str, Any]:
        row = CreditBalance.objects.filter(user_id=self._user_id).values("balance", "disputed")
        return row.first() or {"balance": 0, "disputed": False}

    @property
    def balance(self) -> int:
        return int(self._row["balance"])

    @property
    def blocked(self) -> bool:
        return self._row["balance"] < 0 or bool(self._row["disputed"])


def credits(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"credit_summary": CreditSummary(user.pk)}
