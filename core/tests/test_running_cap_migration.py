"""The data migration that raises the cap of tasks running at once keeps a value staff chose."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("core", "0003_remove_settings_that_did_nothing")]
AFTER = [("core", "0004_more_tasks_running_at_once")]


def _migrate(targets: list[tuple[str, str]]) -> object:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.parametrize(("stored", "expected"), [("20", "64"), ("35", "35")])
def test_the_old_default_is_raised_and_a_chosen_value_kept(stored: str, expected: str) -> None:
    apps = _migrate(BEFORE)
    Setting = apps.get_model("core", "Setting")  # type: ignore[attr-defined]
    Setting.objects.update_or_create(
        name="tasks_max_running_global", defaults={"value": stored, "category": "tasks"}
    )

    apps = _migrate(AFTER)

    Setting = apps.get_model("core", "Setting")  # type: ignore[attr-defined]
    assert Setting.objects.get(name="tasks_max_running_global").value == expected
    _migrate(executor_leaf())


def executor_leaf() -> list[tuple[str, str]]:
    """Every app back at its latest migration, as the other tests expect."""
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()
