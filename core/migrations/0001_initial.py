# The settings table and the one-time form tokens, moved here from the `fitmycv` package.
# Their tables keep the names they had (fitmycv_setting, fitmycv_submission): on a database
# built before the move they are kept with their rows; a new database gets them here.
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from core.migration_operations import CreateModelIfMissing, move_content_types


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        CreateModelIfMissing(
            name="Setting",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(max_length=100, unique=True)),
                ("value", models.TextField()),
                ("category", models.CharField(choices=[("ai_models", "AI models"), ("credits", "Credits"), ("features", "Feature flags"), ("system", "System"), ("tasks", "Background tasks"), ("pdf_import", "PDF import"), ("cv_display", "CV display"), ("billing", "Billing"), ("retention", "Data retention"), ("general", "General")], default="general", max_length=20)),
                ("description", models.TextField(blank=True)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
            ],
            options={
                "db_table": "fitmycv_setting",
                "ordering": ["category", "name"],
                "indexes": [models.Index(fields=["category"], name="fitmycv_set_categor_653ce8_idx")],
            },
        ),
        CreateModelIfMissing(
            name="Submission",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("token", models.CharField(max_length=64)),
                ("result_url", models.CharField(blank=True, max_length=500)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("user", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+", to=settings.AUTH_USER_MODEL)),
            ],
            options={
                "db_table": "fitmycv_submission",
                "indexes": [models.Index(fields=["created_at"], name="fitmycv_sub_created_09b661_idx")],
                "constraints": [models.UniqueConstraint(fields=("user", "token"), name="submission_once_per_user")],
            },
        ),
        move_content_types("fitmycv", "core", ["setting", "submission"]),
    ]
