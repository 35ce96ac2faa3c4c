# The model-call worker runs 64 threads (compose.yaml); a global cap of 20 tasks running at once
# would leave most of them idle. Databases still on the old default take the new one; a value
# staff chose is kept.
from django.db import migrations

OLD, NEW = "20", "64"


def raise_the_default(apps, schema_editor):
    Setting = apps.get_model("core", "Setting")
    Setting.objects.filter(name="tasks_max_running_global", value=OLD).update(value=NEW)


def lower_it_back(apps, schema_editor):
    Setting = apps.get_model("core", "Setting")
    Setting.objects.filter(name="tasks_max_running_global", value=NEW).update(value=OLD)


class Migration(migrations.Migration):
    dependencies = [("core", "0003_remove_settings_that_did_nothing")]

    operations = [migrations.RunPython(raise_the_default, lower_it_back)]
