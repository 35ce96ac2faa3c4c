"""Signal receivers: each only hands over to a service."""

from __future__ import annotations

from typing import Any

from anymail.signals import tracking
from django.dispatch import receiver

from emails import services


@receiver(tracking, dispatch_uid="emails.record_delivery_event")
def _delivery_event(sender: Any, event: Any, esp_name: str, **kwargs: Any) -> None:
    # anymail sends this only after the webhook's signature checked out.
    services.record_delivery_event(event)
