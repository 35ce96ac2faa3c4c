# Background tasks and uploads now belong to the jobs app, with their tables and rows: this
# only removes them from this app's state.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ('cvs', '0003_uploads'),
        ('jobs', '0001_initial'),
        ('billing', '0003_tasks_moved_to_jobs'),
        ('ai', '0001_initial'),
        ('telemetry', '0002_ai_accounting_moved_to_ai'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name='backgroundtask',
                    name='cv',
                ),
                migrations.RemoveField(
                    model_name='backgroundtask',
                    name='user',
                ),
                migrations.RemoveField(
                    model_name='upload',
                    name='user',
                ),
                migrations.DeleteModel(
                    name='BackgroundTask',
                ),
                migrations.DeleteModel(
                    name='Upload',
                ),
            ],
            database_operations=[],
        ),
    ]
