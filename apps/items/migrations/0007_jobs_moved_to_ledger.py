"""The import and export jobs now belong to the ledger app (ledger 0001): their tables stay as they are."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('ledger', '0001_jobs_move_here'),
        ('items', '0006_counters_move_here'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name='importjob',
                    name='requested_by',
                ),
                migrations.RemoveField(
                    model_name='importjob',
                    name='unit',
                ),
                migrations.DeleteModel(
                    name='ExportJob',
                ),
                migrations.DeleteModel(
                    name='ImportJob',
                ),
            ],
            database_operations=[],
        ),
    ]
