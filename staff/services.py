"""Staff workflows that span apps: telling staff about AI cost alerts and provider failures."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.urls import reverse

from accounts.models import Role
from ai.accounting import StaffAlert
from emails import mail


def email_staff_alert(alert: StaffAlert) -> None:
    """E-mail every active staff member about an alert (registered with `ai.accounting`)."""
    recipients = list(
        get_user_model()
        .objects.filter(Q(role=Role.ADMIN) | Q(is_superuser=True), is_active=True)
        .exclude(email="")
        .order_by("pk")
    )
    dashboard_url = reverse("staff:ai_costs")
    if alert.kind == "cost":
        mail.cost_alert(
            recipients,
            alert.title,
            alert.threshold or 0,
            alert.value or 0,
            alert.period,
            dashboard_url,
        )
    else:
        mail.ai_provider_alert(recipients, alert.title, alert.detail, alert.period, dashboard_url)
