# The AI accounting models now belong to the ai app, with their tables and rows: this only
# removes them from this app's state.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ('telemetry', '0001_initial'),
        ('ai', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name='openaialertevent',
                    name='alert',
                ),
                migrations.RemoveField(
                    model_name='openaialertevent',
                    name='user',
                ),
                migrations.RemoveField(
                    model_name='openaicall',
                    name='task',
                ),
                migrations.RemoveField(
                    model_name='openaicall',
                    name='user',
                ),
                migrations.DeleteModel(
                    name='OpenAIPricing',
                ),
                migrations.RemoveField(
                    model_name='openaiusage',
                    name='user',
                ),
                migrations.DeleteModel(
                    name='OpenAIAlert',
                ),
                migrations.DeleteModel(
                    name='OpenAIAlertEvent',
                ),
                migrations.DeleteModel(
                    name='OpenAICall',
                ),
                migrations.DeleteModel(
                    name='OpenAIUsage',
                ),
            ],
            database_operations=[],
        ),
    ]
