# Databases built before the split remember two migrations of an app named `fitmycv`, which no
# longer exists (its models now live in core). Forget them, so that no future app of that
# name could be taken for already migrated.
from django.db import migrations
from django.db.migrations.recorder import MigrationRecorder


def forget_fitmycv_migrations(apps, schema_editor):
    recorder = MigrationRecorder(schema_editor.connection)
    recorder.migration_qs.filter(app="fitmycv").delete()


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [migrations.RunPython(forget_fitmycv_migrations, migrations.RunPython.noop)]
