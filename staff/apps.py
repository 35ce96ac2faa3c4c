from __future__ import annotations

from django.apps import AppConfig


class StaffConfig(AppConfig):
    name = "staff"
    verbose_name = "Staff"

    def ready(self) -> None:
        # Both load models: imported once the app registry is ready.
        from ai.accounting import on_staff_alert
        from staff.services import email_staff_alert

        on_staff_alert(email_staff_alert)
