from __future__ import annotations

from django.apps import AppConfig


class EmailsConfig(AppConfig):
    name = "emails"
    verbose_name = "E-mails"

    def ready(self) -> None:
        from emails import signals  # noqa: F401  (connects the receivers)
