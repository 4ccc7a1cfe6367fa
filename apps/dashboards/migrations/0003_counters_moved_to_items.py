"""The rollup counters now belong to the items app (items 0006): their tables stay as they are."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("dashboards", "0002_counters_indexed_by_unit_first"),
        ("items", "0006_counters_move_here"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name="completionweekcount",
                    name="unit",
                ),
                migrations.RemoveField(
                    model_name="opendeadlinecount",
                    name="unit",
                ),
                migrations.RemoveField(
                    model_name="statuscount",
                    name="unit",
                ),
                migrations.DeleteModel(
                    name="CategoryCount",
                ),
                migrations.DeleteModel(
                    name="CompletionWeekCount",
                ),
                migrations.DeleteModel(
                    name="OpenDeadlineCount",
                ),
                migrations.DeleteModel(
                    name="StatusCount",
                ),
            ],
            database_operations=[],
        ),
    ]
