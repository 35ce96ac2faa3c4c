from __future__ import annotations

from django.apps import AppConfig


class FitmycvConfig(AppConfig):
    name = "fitmycv"
    verbose_name = "Product settings"

    def ready(self) -> None:
        from fitmycv import config  # noqa: F401  (connects the cache invalidation signal)
