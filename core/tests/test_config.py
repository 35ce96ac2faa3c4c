from __future__ import annotations

import time
from typing import Any

import pytest
from pytest_django import DjangoAssertNumQueries

from core.config import SETTINGS, format_value, get_setting, parse_value
from core.models import Setting

pytestmark = pytest.mark.django_db


def test_it_returns_typed_defaults_when_no_row_exists() -> None:
    assert get_setting("cv_max_versions") == 5
    assert get_setting("registration_enabled") is True
    assert get_setting("maintenance_mode") is False
    assert get_setting("credits_gpt_cv_generation") == 3
    assert get_setting("cv_section_order")[0] == "header"


def test_it_parses_the_stored_text_into_the_declared_type() -> None:
    Setting.objects.create(name="cv_max_versions", value="8", category="system")
    Setting.objects.create(name="maintenance_mode", value="1", category="system")
    assert get_setting("cv_max_versions") == 8
    assert get_setting("maintenance_mode") is True


def test_it_sees_an_edit_at_once_because_saving_drops_the_cache() -> None:
    row = Setting.objects.create(name="cv_max_versions", value="8", category="system")
    assert get_setting("cv_max_versions") == 8
    row.value = "3"
    row.save()
    assert get_setting("cv_max_versions") == 3
    row.delete()
    assert get_setting("cv_max_versions") == 5


def test_it_serves_repeated_reads_from_the_cache(
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    get_setting("cv_max_versions")
    with django_assert_num_queries(0):
        for name in ("cv_max_versions", "welcome_credits", "maintenance_mode"):
            get_setting(name)


def test_each_process_keeps_the_table_briefly_then_sees_another_processes_edit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from django.core.cache import cache

    from core import config

    class CountingCache:
        reads = 0

        def get(self, key: str) -> Any:
            self.reads += 1
            return cache.get(key)

        def set(self, key: str, value: Any, timeout: float) -> None:
            cache.set(key, value, timeout)

    shared = CountingCache()
    monkeypatch.setattr(config, "cache", shared)
    clock = [1000.0]
    monkeypatch.setattr(time, "monotonic", lambda: clock[0])  # the module config reads
    assert get_setting("cv_max_versions") == 5
    # Another process saved a row: its signal dropped the shared entry, not this process's copy.
    Setting.objects.bulk_create([Setting(name="cv_max_versions", value="9", category="system")])
    cache.delete(config.CACHE_KEY)

    assert get_setting("cv_max_versions") == 5 and shared.reads == 1  # no round trip
    clock[0] += config.LOCAL_SECONDS + 0.1
    assert get_setting("cv_max_versions") == 9 and shared.reads == 2


def test_it_falls_back_to_the_default_for_an_invalid_row() -> None:
    Setting.objects.create(name="cv_max_versions", value="lots", category="system")
    assert get_setting("cv_max_versions") == 5


def test_it_fails_loudly_on_an_unknown_name() -> None:
    with pytest.raises(KeyError):
        get_setting("cv_max_version")


@pytest.mark.parametrize(
    ("name", "raw", "message"),
    [
        ("cv_max_versions", "0", "at least 1"),
        ("cv_max_versions", "abc", "whole number"),
        ("maintenance_mode", "maybe", "1 or 0"),
        ("cv_section_order", "header", "JSON list"),
        ("cv_section_order", "[" * 100_000 + "]" * 100_000, "JSON list"),
        ("model_match_score", "  ", "cannot be empty"),
    ],
)
def test_it_explains_an_invalid_value(name: str, raw: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_value(name, raw)


def test_every_default_survives_a_round_trip_through_text() -> None:
    for name, spec in SETTINGS.items():
        assert parse_value(name, format_value(name, spec.default)) == spec.default, name
