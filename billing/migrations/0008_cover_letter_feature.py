# Cover letters are a paid feature. A database seeded before they existed gets their settings
# (price, model, switch) and, for each plan, the same quota as a tailored CV; a new database
# gets them from `manage.py seed`, which creates what is missing. Rows staff changed are kept.
from django.db import migrations, models

SETTINGS = [
    ("credits_cover_letter", "1", "credits", "Cover letter, per job offer"),
    ("model_cover_letter", "gpt-4.1-mini", "ai_models", "Cover letter"),
    ("feature_cover_letter", "1", "features", "Cover letters"),
]


def seed_cover_letters(apps, schema_editor):
    Setting = apps.get_model("core", "Setting")
    Limit = apps.get_model("billing", "SubscriptionPlanFeatureLimit")
    if Setting.objects.exists():
        for name, value, category, description in SETTINGS:
            Setting.objects.get_or_create(
                name=name,
                defaults={"value": value, "category": category, "description": description},
            )
    for tailoring in Limit.objects.filter(feature_name="gpt_cv_generation"):
        Limit.objects.get_or_create(
            plan_id=tailoring.plan_id,
            feature_name="cover_letter",
            defaults={"is_enabled": tailoring.is_enabled, "usage_limit": tailoring.usage_limit},
        )


def unseed_cover_letters(apps, schema_editor):
    apps.get_model("billing", "SubscriptionPlanFeatureLimit").objects.filter(
        feature_name="cover_letter"
    ).delete()
    apps.get_model("core", "Setting").objects.filter(name__in=[s[0] for s in SETTINGS]).delete()


class Migration(migrations.Migration):

    dependencies = [
        ('billing', '0007_feature_rerank_offers'),
        ('core', '0004_more_tasks_running_at_once'),
    ]

    operations = [
        migrations.AlterField(
            model_name='credittransaction',
            name='feature_name',
            field=models.CharField(blank=True, choices=[('create_cv_manual', 'Create a blank CV'), ('edit_cv', 'Manual edit'), ('export_cv', 'Export'), ('match_score', 'Match score'), ('translate_cv', 'Translation'), ('gpt_cv_generation', 'Tailored CV'), ('optimize_cv', 'Improve from suggestions'), ('generate_from_job_title', 'CV from a job title'), ('import_pdf', 'PDF import'), ('cover_letter', 'Cover letter')], max_length=40),
        ),
        migrations.AlterField(
            model_name='featureusagecounter',
            name='feature_name',
            field=models.CharField(choices=[('create_cv_manual', 'Create a blank CV'), ('edit_cv', 'Manual edit'), ('export_cv', 'Export'), ('match_score', 'Match score'), ('translate_cv', 'Translation'), ('gpt_cv_generation', 'Tailored CV'), ('optimize_cv', 'Improve from suggestions'), ('generate_from_job_title', 'CV from a job title'), ('import_pdf', 'PDF import'), ('cover_letter', 'Cover letter')], max_length=40),
        ),
        migrations.AlterField(
            model_name='quotacharge',
            name='feature_name',
            field=models.CharField(choices=[('create_cv_manual', 'Create a blank CV'), ('edit_cv', 'Manual edit'), ('export_cv', 'Export'), ('match_score', 'Match score'), ('translate_cv', 'Translation'), ('gpt_cv_generation', 'Tailored CV'), ('optimize_cv', 'Improve from suggestions'), ('generate_from_job_title', 'CV from a job title'), ('import_pdf', 'PDF import'), ('cover_letter', 'Cover letter')], max_length=40),
        ),
        migrations.AlterField(
            model_name='subscriptionplanfeaturelimit',
            name='feature_name',
            field=models.CharField(choices=[('create_cv_manual', 'Create a blank CV'), ('edit_cv', 'Manual edit'), ('export_cv', 'Export'), ('match_score', 'Match score'), ('translate_cv', 'Translation'), ('gpt_cv_generation', 'Tailored CV'), ('optimize_cv', 'Improve from suggestions'), ('generate_from_job_title', 'CV from a job title'), ('import_pdf', 'PDF import'), ('cover_letter', 'Cover letter')], max_length=40),
        ),
        migrations.RunPython(seed_cover_letters, unseed_cover_letters),
    ]
