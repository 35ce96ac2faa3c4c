from __future__ import annotations

from django.apps import AppConfig


class JoboffersConfig(AppConfig):
    name = "joboffers"
    verbose_name = "Job offers"
