from __future__ import annotations

from typing import TYPE_CHECKING

from django.apps import AppConfig

if TYPE_CHECKING:
    from jobs.models import BackgroundTask


def refund_stopped_task(task: BackgroundTask) -> None:
    """What a task cost goes back, once, when it stops without completing (a jobs stop hook)."""
    from billing import services  # models are ready only once the app registry is

    services.refund_task(task)


class BillingConfig(AppConfig):
    name = "billing"
    verbose_name = "Billing"

    def ready(self) -> None:
        from jobs.services import on_task_stopped  # the engine imports models at import time

        on_task_stopped(refund_stopped_task)
