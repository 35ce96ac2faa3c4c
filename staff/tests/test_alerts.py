"""Staff hear of AI cost alerts and provider failures by e-mail, once per period."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core import mail as django_mail
from django.urls import reverse

from ai import accounting
from ai.errors import ProviderIncident
from ai.models import AlertType, OpenAIAlert
from core.testing import run_in_threads


def spend(user_id: int | None) -> None:
    # No pricing row: an unknown model costs $1 per million input tokens.
    accounting.record_ai_call(
        user_id,
        task_id=None,
        feature="match_score",
        model="unknown-model",
        prompt_tokens=3_000_000,
        cached_tokens=0,
        completion_tokens=0,
        duration_ms=10,
    )


def test_a_crossed_cost_alert_e_mails_each_staff_member_once(
    staff: Any, alice: Any, committed: Any
) -> None:
    OpenAIAlert.objects.create(
        type=AlertType.GLOBAL_DAILY, threshold=Decimal("5"), name="Daily spend", enabled=True
    )

    with committed():
        spend(alice.id)  # $3
        spend(None)  # $6: crossed
        spend(alice.id)  # still crossed: no second e-mail

    assert [m.to for m in django_mail.outbox] == [[staff.email]]
    assert "Daily spend" in django_mail.outbox[0].subject
    assert "6.00 USD" in django_mail.outbox[0].body
    assert alice.email not in django_mail.outbox[0].to


def test_a_provider_failure_e_mails_staff_once_per_hour(staff: Any, committed: Any) -> None:
    with committed():
        for _ in range(3):
            accounting.report_provider_incident(ProviderIncident.QUOTA, detail="HTTP 429: quota")

    [message] = django_mail.outbox
    assert message.to == [staff.email]
    assert "quota is exhausted" in message.subject
    assert "HTTP 429: quota" in message.body


def test_concurrent_provider_failures_e_mail_staff_once(staff: Any, transactional_db: Any) -> None:
    run_in_threads(
        lambda: accounting.report_provider_incident(ProviderIncident.AUTH, detail="HTTP 401"), 6
    )

    assert len(django_mail.outbox) == 1


ALERT = {"name": "Tailoring", "type": "feature_daily", "threshold": "5", "enabled": "on",
         "description": "", "events-TOTAL_FORMS": "0", "events-INITIAL_FORMS": "0"}  # fmt: skip


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"feature_name": "gpt_cv_generaton"}, "is not a feature the AI records"),
        ({"feature_name": ""}, "A per-feature alert needs a feature."),
        ({"feature_name": "match_score", "threshold": "0"}, "more than 0 USD"),
    ],
    ids=["unknown-feature", "no-feature", "zero-threshold"],
)
def test_an_alert_form_refuses_bad_values_in_sentences(
    fields: dict[str, str], message: str, staff_client: Any
) -> None:
    response = staff_client.post(reverse("admin:ai_openaialert_add"), {**ALERT, **fields})

    assert response.status_code == 200
    content = response.content.decode()
    assert message in content
    assert "is violated" not in content
    assert not OpenAIAlert.objects.exists()


def test_an_alert_on_a_paid_feature_is_saved(staff_client: Any) -> None:
    response = staff_client.post(
        reverse("admin:ai_openaialert_add"), {**ALERT, "feature_name": "gpt_cv_generation"}
    )

    assert response.status_code == 302
    assert OpenAIAlert.objects.get().feature_name == "gpt_cv_generation"
