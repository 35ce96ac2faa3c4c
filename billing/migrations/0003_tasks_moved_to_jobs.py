# The task links now point at jobs.BackgroundTask: the same table, so only the state changes.
from django.db import migrations, models
import django.db.models.deletion


class Migration(migrations.Migration):
    dependencies = [
        ('billing', '0002_quota_charges_signup_fingerprints'),
        ('jobs', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='credittransaction',
                    name='task',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='credit_transactions', to='jobs.backgroundtask'),
                ),
                migrations.AlterField(
                    model_name='quotacharge',
                    name='task',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='quota_charges', to='jobs.backgroundtask'),
                ),
            ],
            database_operations=[],
        ),
    ]
