# Background tasks and uploads, moved here from the CV app. Their tables keep their names
# (cvs_backgroundtask, cvs_upload) and their rows: this records them in this app's state.

import django.db.models.deletion
import uuid
from django.conf import settings
from django.db import migrations, models

from core.migration_operations import CreateModelIfMissing, move_content_types


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('cvs', '0003_uploads'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        CreateModelIfMissing(
            name='BackgroundTask',
            fields=[
                ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                ('device_id', models.CharField(blank=True, max_length=100)),
                ('type', models.CharField(choices=[('generate-cv', 'Tailor a CV'), ('import-pdf', 'Import a PDF'), ('translate-cv', 'Translate a CV'), ('create-template-cv', 'Example CV for an offer'), ('generate-cv-from-job-title', 'CV from a job title'), ('calculate-match-score', 'Match score'), ('improve-cv', 'Improve a CV'), ('extract-job-offer', 'Read a job offer'), ('test', 'Queue test')], max_length=40)),
                ('status', models.CharField(choices=[('queued', 'Queued'), ('running', 'Running'), ('completed', 'Completed'), ('failed', 'Failed'), ('cancelled', 'Cancelled')], default='queued', max_length=12)),
                ('title', models.CharField(max_length=255)),
                ('success_message', models.CharField(blank=True, max_length=255)),
                ('should_update_cv_list', models.BooleanField(default=False)),
                ('payload', models.JSONField(blank=True, default=dict)),
                ('result', models.JSONField(blank=True, null=True)),
                ('error', models.TextField(blank=True)),
                ('progress', models.PositiveSmallIntegerField(default=0)),
                ('step', models.CharField(blank=True, max_length=100)),
                ('credit_used', models.BooleanField(default=False)),
                ('credits_debited', models.PositiveIntegerField(default=0)),
                ('feature_name', models.CharField(blank=True, max_length=40)),
                ('feature_counter_period_start', models.DateTimeField(blank=True, null=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('started_at', models.DateTimeField(blank=True, null=True)),
                ('finished_at', models.DateTimeField(blank=True, null=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('cv', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='background_tasks', to='cvs.cv')),
                ('user', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='background_tasks', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'db_table': 'cvs_backgroundtask',
                'ordering': ['-created_at'],
                'indexes': [models.Index(fields=['device_id'], name='cvs_backgro_device__c67ff0_idx'), models.Index(fields=['status'], name='cvs_backgro_status_08a149_idx'), models.Index(fields=['created_at'], name='cvs_backgro_created_2ae5be_idx'), models.Index(fields=['cv', 'status'], name='cvs_backgro_cv_id_72460c_idx'), models.Index(fields=['user', 'status'], name='cvs_backgro_user_id_fb0e6b_idx')],
                'constraints': [models.CheckConstraint(condition=models.Q(('progress__lte', 100)), name='task_progress_0_100')],
            },
        ),
        CreateModelIfMissing(
            name='Upload',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=255)),
                ('content_type', models.CharField(blank=True, max_length=100)),
                ('sha256', models.CharField(max_length=64)),
                ('size', models.PositiveIntegerField()),
                ('data', models.BinaryField()),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='uploads', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'db_table': 'cvs_upload',
                'indexes': [models.Index(fields=['created_at'], name='cvs_upload_created_62c0f1_idx')],
            },
        ),
        move_content_types('cvs', 'jobs', ['backgroundtask', 'upload']),
    ]
