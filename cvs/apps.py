from __future__ import annotations

from django.apps import AppConfig


class CvsConfig(AppConfig):
    name = "cvs"
    verbose_name = "CVs"

    def ready(self) -> None:
        # The app registry is ready: the services and their models may be imported now.
        from cvs import services
        from jobs.services import on_task_stopped, register_handlers

        register_handlers(services.TASK_HANDLERS)
        on_task_stopped(services.reset_status_flags)
