from __future__ import annotations

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Product settings"

    def ready(self) -> None:
        # Connects the signal that drops the cached settings when staff change one.
        from core import config  # noqa: F401
