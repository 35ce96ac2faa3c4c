# Settings that were declared and seeded but read by nothing: staff could change them and see a
# success message while the product went on as before. Each is removed rather than wired up:
#
# - model_detect_language: languages are detected by a local heuristic, never by an AI call.
# - model_first_import_pdf: a user's first PDF import is the same single call as any other
#   import (model_import_pdf); there is no separate first-import step to give a model to.
# - model_cv_batch_projects, model_cv_batch_extras, model_cv_batch_education,
#   model_cv_batch_languages: tailoring makes four calls (classify, experiences, skills,
#   summary); projects, extras, education and languages are carried over unchanged, never
#   rewritten by a call of their own.
# - credits_edit_cv: manual edits are free. The editor saves every field as it is typed in
#   (and every accepted or rejected AI change); a price per save would charge for fixing typos.
# - tasks_deadline_minutes: the sweep deadline is derived from the model call's timeout,
#   attempts and rounds (core.limits), so that no setting can make it shorter than the work.
#
# The reverse step restores nothing: the product has no use for these values.
from django.db import migrations

REMOVED = [
    "model_detect_language",
    "model_first_import_pdf",
    "model_cv_batch_projects",
    "model_cv_batch_extras",
    "model_cv_batch_education",
    "model_cv_batch_languages",
    "credits_edit_cv",
    "tasks_deadline_minutes",
]


def remove_settings(apps, schema_editor):
    Setting = apps.get_model("core", "Setting")
    Setting.objects.filter(name__in=REMOVED).delete()


class Migration(migrations.Migration):
    dependencies = [("core", "0002_forget_the_project_package_migrations")]

    operations = [migrations.RunPython(remove_settings, migrations.RunPython.noop)]
