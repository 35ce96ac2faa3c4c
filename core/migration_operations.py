"""Migration operations for moving a model from one app to another without touching its rows.

A moved model keeps its table (`Meta.db_table` names the old one). The new app's migration
creates that table only on a database that does not have it yet (a new one); on a database
built by the old layout it records the model in the new app's state and leaves the table, its
rows and its constraints as they are. The old app's migration then drops the model from its
own state only (`SeparateDatabaseAndState` with no database operation).
"""

from __future__ import annotations

from typing import Any

from django.db import migrations


class CreateModelIfMissing(migrations.CreateModel):
    """`CreateModel` whose table is created only where it does not exist yet."""

    def database_forwards(
        self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any
    ) -> None:
        model = to_state.apps.get_model(app_label, self.name)
        if model._meta.db_table in schema_editor.connection.introspection.table_names():
            return
        super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(
        self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any
    ) -> None:
        # Going back to the old layout keeps the table: the old app's state owns it again.
        return

    def describe(self) -> str:
        return f"Create model {self.name} (keeping its table where it exists)"


def move_content_types(old_label: str, new_label: str, models: list[str]) -> migrations.RunPython:
    """Moves the content types of `models` (lower-case names) from `old_label` to `new_label`,
    so permissions, admin history and generic relations follow the model."""

    def forwards(apps: Any, schema_editor: Any) -> None:
        content_type = apps.get_model("contenttypes", "ContentType")
        db = schema_editor.connection.alias
        for model in models:
            if content_type.objects.using(db).filter(app_label=new_label, model=model).exists():
                continue
            content_type.objects.using(db).filter(app_label=old_label, model=model).update(
                app_label=new_label
            )

    def backwards(apps: Any, schema_editor: Any) -> None:
        content_type = apps.get_model("contenttypes", "ContentType")
        db = schema_editor.connection.alias
        content_type.objects.using(db).filter(app_label=new_label, model__in=models).update(
            app_label=old_label
        )

    return migrations.RunPython(forwards, backwards, elidable=False)
