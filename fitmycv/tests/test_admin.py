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
