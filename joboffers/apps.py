from __future__ import annotations

from django.apps import AppConfig


class JoboffersConfig(AppConfig):
    name = "joboffers"
    verbose_name = "Job offers"

    def ready(self) -> None:
        from joboffers import services  # noqa: F401  (registers the extraction task handler)
