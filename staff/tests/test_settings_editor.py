from __future__ import annotations

from typing import Any

import pytest
from django.contrib.admin.models import LogEntry

from core.config import SETTINGS, format_value, get_setting
from core.models import Setting

pytestmark = pytest.mark.django_db
URL = "/admin/dashboards/settings/"


def _form(**changes: Any) -> dict[str, str]:
    """The editor's POST with every setting at its current value, then `changes`."""
    data = {}
    for name, spec in SETTINGS.items():
        value = changes.get(name, get_setting(name))
        if spec.type is bool:
            if value:
                data[name] = "on"
        else:
            data[name] = value if isinstance(value, str) else format_value(name, value)
    return data


def test_it_shows_every_setting_by_category(staff_client):
    response = staff_client.get(URL)

    body = response.content.decode()
    assert response.status_code == 200
    for heading in ["AI models", "Credits", "Feature flags", "System"]:
        assert f"<h2>{heading}</h2>" in body
    for name in ["model_match_score", "credits_export_cv", "feature_feedback", "cv_max_versions"]:
        assert f'name="{name}"' in body
    assert '<option value="gpt-4.1-mini">' in body


def test_it_saves_a_valid_value_that_get_setting_then_sees(staff, staff_client):
    assert get_setting("cv_max_versions") == 5  # cached before the edit

    response = staff_client.post(URL, _form(cv_max_versions="12", model_match_score="gpt-5"))

    assert response.status_code == 302
    row = Setting.objects.get(name="cv_max_versions")
    assert (row.value, row.category) == ("12", "system")
    assert get_setting("cv_max_versions") == 12
    assert get_setting("model_match_score") == "gpt-5"
    assert Setting.objects.count() == 2
    assert LogEntry.objects.filter(user=staff, object_repr__startswith="cv_max_versions").exists()


def test_it_updates_an_existing_row(staff_client):
    Setting.objects.create(name="credits_export_cv", value="1", category="credits")

    staff_client.post(URL, _form(credits_export_cv="3"))

    assert Setting.objects.get(name="credits_export_cv").value == "3"
    assert get_setting("credits_export_cv") == 3


def test_an_unticked_flag_is_saved_off(staff_client):
    data = _form()
    del data["feature_feedback"]

    staff_client.post(URL, data)

    assert Setting.objects.get(name="feature_feedback").value == "0"
    assert get_setting("feature_feedback") is False


def test_it_refuses_an_invalid_value_and_saves_nothing(staff_client):
    response = staff_client.post(
        URL, _form(cv_max_versions="lots", credits_export_cv="2", model_match_score="gpt-5")
    )

    assert response.status_code == 400
    body = response.content.decode()
    assert "cv_max_versions must be a whole number, not &#x27;lots&#x27;" in body
    assert "Nothing was saved" in body
    assert not Setting.objects.exists()
    assert get_setting("credits_export_cv") == 1


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("cv_max_versions", "0", "cv_max_versions must be at least 1"),
        ("credits_import_pdf", "5000", "credits_import_pdf must be at most 1000"),
        ("model_cv_generation", "   ", "model_cv_generation cannot be empty"),
        ("cv_section_order", "header, summary", "cv_section_order must be a JSON list"),
    ],
)
def test_it_refuses_values_out_of_their_rules(name, value, message, staff_client):
    response = staff_client.post(URL, _form(**{name: value}))

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Setting.objects.exists()


def test_an_unchanged_form_writes_nothing(staff_client):
    response = staff_client.post(URL, _form(), follow=True)

    assert b"Nothing changed." in response.content
    assert not Setting.objects.exists()


def test_users_cannot_edit_settings(alice_client):
    response = alice_client.post(URL, _form(cv_max_versions="12"))

    assert response.status_code == 404
    assert not Setting.objects.exists()


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.post(URL, _form(cv_max_versions="12"))

    assert response.status_code == 302
    assert not Setting.objects.exists()


def test_it_rejects_put(staff_client):
    assert staff_client.put(URL).status_code == 405
