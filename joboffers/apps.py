from __future__ import annotations

from django.apps import AppConfig


class JoboffersConfig(AppConfig):
    name = "joboffers"
    verbose_name = "Job offers"

    def ready(self) -> None:
        # The app registry is ready: the services and their models may be imported now.
        from joboffers import services
        from jobs.models import TaskType
        from jobs.services import register_handlers

        register_handlers({TaskType.EXTRACT_JOB_OFFER: services.run_extraction})
