from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

pytestmark = pytest.mark.django_db

OUR_APPS = {"core", "telemetry", "jobs", "ai", "emails", "billing", "accounts", "joboffers", "cvs"}


def test_every_model_of_ours_is_registered_in_the_admin():
    ours = [m for m in apps.get_models() if m._meta.app_label in OUR_APPS]
    missing = [m._meta.label for m in ours if m not in admin.site._registry]
    assert missing == []


def test_every_changelist_and_add_page_renders_for_staff(staff_client):
    from staff.seed import seed_all

    seed_all()  # so lists have rows to render
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label not in OUR_APPS:
            continue
        opts = model._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        assert staff_client.get(url).status_code == 200, url
        response = staff_client.get(url, {"q": "x"})
        assert response.status_code == 200, url
        if model_admin.has_add_permission(response.wsgi_request):
            add = reverse(f"admin:{opts.app_label}_{opts.model_name}_add")
            assert staff_client.get(add).status_code == 200, add


def test_the_admin_is_refused_to_a_regular_user(alice_client):
    response = alice_client.get("/admin/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_the_setting_form_refuses_an_invalid_value(staff_client):
    from core.models import Setting

    url = reverse("admin:core_setting_add")
    response = staff_client.post(
        url, {"name": "cv_max_versions", "value": "-4", "category": "system"}
    )
    assert response.status_code == 200
    assert "at least 1" in response.content.decode()
    assert not Setting.objects.exists()


def test_the_settings_list_refuses_an_invalid_inline_edit(staff_client):
    from core.models import Setting

    row = Setting.objects.create(name="cv_max_versions", value="5", category="system")
    response = staff_client.post(
        reverse("admin:core_setting_changelist"),
        {
            "form-TOTAL_FORMS": "1",
            "form-INITIAL_FORMS": "1",
            "form-0-id": str(row.pk),
            "form-0-value": "zero",
            "_save": "Save",
        },
    )
    assert response.status_code == 200
    assert "whole number" in response.content.decode()
    row.refresh_from_db()
    assert row.value == "5"


# The AI app's constraints (prices, cost alerts) are worded by the cost-alert work.
SENTENCE_APPS = OUR_APPS - {"ai"}


def test_every_check_constraint_of_ours_explains_itself_in_a_sentence():
    from django.db.models import CheckConstraint  # only this test looks at constraint classes

    generic = []
    for model in apps.get_models():
        if model._meta.app_label not in SENTENCE_APPS:
            continue
        for constraint in model._meta.constraints:
            message = str(constraint.get_violation_error_message())
            if isinstance(constraint, CheckConstraint) and (
                "is violated" in message or not message.endswith(".")
            ):
                generic.append(f"{model._meta.label}.{constraint.name}")
    assert generic == []


def test_a_pack_with_a_negative_price_is_refused_in_a_sentence(staff_client):
    from billing.models import CreditPack  # the model whose admin form is under test

    url = reverse("admin:billing_creditpack_add")
    data = {"name": "Pack", "credit_amount": "10", "price": "-1", "price_currency": "EUR"}
    response = staff_client.post(url, {**data, "is_active": "on"})

    body = response.content.decode()
    assert response.status_code == 200
    assert "A credit pack&#x27;s price cannot be negative." in body
    assert "is violated" not in body
    assert not CreditPack.objects.exists()
