# The AI accounting models (calls, daily usage, prices, alerts), moved here from telemetry.
# Their tables keep their names (telemetry_openai*) and their rows.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from core.migration_operations import CreateModelIfMissing, move_content_types


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('telemetry', '0001_initial'),
        ('jobs', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        CreateModelIfMissing(
            name='OpenAIAlert',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('type', models.CharField(choices=[('user_daily', 'Per user per day'), ('user_monthly', 'Per user per month'), ('global_daily', 'All users per day'), ('global_monthly', 'All users per month'), ('feature_daily', 'Per feature per day')], max_length=20)),
                ('threshold', models.DecimalField(decimal_places=2, help_text='USD', max_digits=10)),
                ('feature_name', models.CharField(blank=True, max_length=60)),
                ('name', models.CharField(max_length=100)),
                ('description', models.TextField(blank=True)),
                ('enabled', models.BooleanField(default=False)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
            ],
            options={
                'verbose_name': 'OpenAI alert',
                'db_table': 'telemetry_openaialert',
                'constraints': [models.CheckConstraint(condition=models.Q(('threshold__gt', 0)), name='alert_threshold_positive'), models.CheckConstraint(condition=models.Q(models.Q(('type', 'feature_daily'), _negated=True), models.Q(('feature_name', ''), _negated=True), _connector='OR'), name='alert_feature_named_for_feature_alerts')],
            },
        ),
        CreateModelIfMissing(
            name='OpenAIPricing',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('model_name', models.CharField(max_length=100, unique=True)),
                ('input_price_per_mtok', models.DecimalField(decimal_places=4, max_digits=10)),
                ('output_price_per_mtok', models.DecimalField(decimal_places=4, max_digits=10)),
                ('cache_price_per_mtok', models.DecimalField(decimal_places=4, default=0, max_digits=10)),
                ('priority_input_price_per_mtok', models.DecimalField(blank=True, decimal_places=4, max_digits=10, null=True)),
                ('priority_output_price_per_mtok', models.DecimalField(blank=True, decimal_places=4, max_digits=10, null=True)),
                ('priority_cache_price_per_mtok', models.DecimalField(blank=True, decimal_places=4, max_digits=10, null=True)),
                ('description', models.CharField(blank=True, max_length=255)),
                ('is_active', models.BooleanField(default=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
            ],
            options={
                'verbose_name': 'OpenAI pricing',
                'verbose_name_plural': 'OpenAI pricing',
                'db_table': 'telemetry_openaipricing',
                'ordering': ['model_name'],
                'constraints': [models.CheckConstraint(condition=models.Q(('input_price_per_mtok__gte', 0), ('output_price_per_mtok__gte', 0), ('cache_price_per_mtok__gte', 0)), name='pricing_not_negative')],
            },
        ),
        CreateModelIfMissing(
            name='OpenAIAlertEvent',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('period_key', models.CharField(max_length=100)),
                ('value', models.DecimalField(decimal_places=6, max_digits=14)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('alert', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='events', to='ai.openaialert')),
                ('user', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'OpenAI alert event',
                'db_table': 'telemetry_openaialertevent',
                'ordering': ['-created_at'],
                'constraints': [models.UniqueConstraint(fields=('alert', 'period_key'), name='alertevent_once_per_key')],
            },
        ),
        CreateModelIfMissing(
            name='OpenAICall',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('feature_name', models.CharField(max_length=60)),
                ('model', models.CharField(max_length=100)),
                ('prompt_tokens', models.PositiveIntegerField(default=0)),
                ('cached_tokens', models.PositiveIntegerField(default=0)),
                ('completion_tokens', models.PositiveIntegerField(default=0)),
                ('total_tokens', models.PositiveIntegerField(default=0)),
                ('estimated_cost', models.DecimalField(decimal_places=6, default=0, max_digits=14)),
                ('duration_ms', models.PositiveIntegerField(blank=True, null=True)),
                ('metadata', models.JSONField(blank=True, default=dict)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('task', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='openai_calls', to='jobs.backgroundtask')),
                ('user', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='openai_calls', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'OpenAI call',
                'db_table': 'telemetry_openaicall',
                'ordering': ['-created_at'],
                'indexes': [models.Index(fields=['user'], name='telemetry_o_user_id_d5760c_idx'), models.Index(fields=['feature_name'], name='telemetry_o_feature_ca567b_idx'), models.Index(fields=['feature_name', 'created_at'], name='telemetry_o_feature_dfa26d_idx'), models.Index(fields=['user', 'feature_name'], name='telemetry_o_user_id_2e45ae_idx'), models.Index(fields=['created_at'], name='telemetry_o_created_a23910_idx')],
            },
        ),
        CreateModelIfMissing(
            name='OpenAIUsage',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('feature_name', models.CharField(max_length=60)),
                ('model', models.CharField(max_length=100)),
                ('date', models.DateField()),
                ('prompt_tokens', models.PositiveBigIntegerField(default=0)),
                ('cached_tokens', models.PositiveBigIntegerField(default=0)),
                ('completion_tokens', models.PositiveBigIntegerField(default=0)),
                ('total_tokens', models.PositiveBigIntegerField(default=0)),
                ('estimated_cost', models.DecimalField(decimal_places=6, default=0, max_digits=14)),
                ('calls_count', models.PositiveIntegerField(default=0)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='openai_usage', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'OpenAI usage (daily)',
                'verbose_name_plural': 'OpenAI usage (daily)',
                'db_table': 'telemetry_openaiusage',
                'ordering': ['-date'],
                'indexes': [models.Index(fields=['user'], name='telemetry_o_user_id_0ba302_idx'), models.Index(fields=['feature_name'], name='telemetry_o_feature_fd877e_idx'), models.Index(fields=['model'], name='telemetry_o_model_fbc241_idx'), models.Index(fields=['date'], name='telemetry_o_date_b87703_idx'), models.Index(fields=['user', 'date'], name='telemetry_o_user_id_2b11c5_idx'), models.Index(fields=['feature_name', 'date'], name='telemetry_o_feature_0a3119_idx')],
                'constraints': [models.UniqueConstraint(fields=('user', 'feature_name', 'model', 'date'), name='openaiusage_unique_user_feature_model_date')],
            },
        ),
        move_content_types('telemetry', 'ai', ['openaiusage', 'openaicall', 'openaipricing', 'openaialert', 'openaialertevent']),
    ]
