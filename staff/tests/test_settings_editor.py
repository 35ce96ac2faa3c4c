from __future__ import annotations

from typing import Any

import pytest
from django.contrib.admin.models import LogEntry

from ai.models import OpenAIPricing
from core.config import SETTINGS, format_value, get_setting
from core.models import Setting

pytestmark = pytest.mark.django_db
URL = "/admin/dashboards/settings/"


def _price(*models: str) -> None:
    for model in models:
        OpenAIPricing.objects.create(
            model_name=model, input_price_per_mtok=1, output_price_per_mtok=2
        )


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
    _price("gpt-4.1-mini", "gpt-5")
    response = staff_client.get(URL)

    body = response.content.decode()
    assert response.status_code == 200
    for heading in ["AI models", "Credits", "Feature flags", "System"]:
        assert f"<h2>{heading}</h2>" in body
    for name in ["model_match_score", "credits_export_cv", "feature_feedback", "cv_max_versions"]:
        assert f'name="{name}"' in body
    assert '<option value="gpt-5">' in body


def test_it_saves_a_valid_value_that_get_setting_then_sees(staff, staff_client):
    _price("gpt-5")
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
    _price("gpt-5")
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


class TestModelsArePickedFromThePriceList:
    def test_the_choices_are_the_priced_models(self, staff_client):
        _price("gpt-5", "o4-mini")
        OpenAIPricing.objects.create(
            model_name="retired-model",
            input_price_per_mtok=1,
            output_price_per_mtok=1,
            is_active=False,
        )

        body = staff_client.get(URL).content.decode()

        start = body.index('name="model_match_score"')
        select = body[start : body.index("</select>", start)]
        assert '<option value="gpt-5">' in select and '<option value="o4-mini">' in select
        assert "retired-model" not in select

    def test_a_model_without_a_price_is_refused_with_a_sentence(self, staff_client):
        _price("gpt-5")

        response = staff_client.post(URL, _form(model_match_score="gpt-9-imaginary"))

        assert response.status_code == 400
        assert (
            "gpt-9-imaginary has no price in the AI price list, so its cost could not be counted."
            in response.content.decode()
        )
        assert not Setting.objects.exists()

    def test_a_model_in_use_without_a_price_is_kept_and_warned_about(self, staff_client):
        _price("gpt-5")
        Setting.objects.create(name="model_match_score", value="legacy-model", category="ai_models")

        page = staff_client.get(URL).content.decode()
        saved = staff_client.post(URL, _form(cv_max_versions="7"))

        assert "use a model without a price in the AI price list" in page
        assert "<code>model_match_score</code> = legacy-model" in page
        assert saved.status_code == 302
        assert get_setting("model_match_score") == "legacy-model"


def test_the_section_order_accepts_only_known_sections_each_once(staff_client):
    unknown = staff_client.post(URL, _form(cv_section_order='["header", "hobbies"]'))
    repeated = staff_client.post(URL, _form(cv_section_order='["skills", "skills"]'))
    good = staff_client.post(URL, _form(cv_section_order='["header", "projects", "skills"]'))

    assert unknown.status_code == 400
    assert "cv_section_order accepts only these names: header, summary" in (
        unknown.content.decode()
    )
    assert "(not hobbies)" in unknown.content.decode()
    assert repeated.status_code == 400
    assert "names each section once (skills repeated)" in repeated.content.decode()
    assert good.status_code == 302
    assert get_setting("cv_section_order") == ["header", "projects", "skills"]
