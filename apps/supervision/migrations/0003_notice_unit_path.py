"""Each notice keeps its owning unit's path (Notice.unit_path), so the dashboard counts a subtree's notices per child
branch without reading the units; filled from the units in one UPDATE, then required, with an index for the ranges."""

from django.db import migrations, models

# UPDATE … FROM: PostgreSQL, and SQLite since 3.33.
FILL = """
    UPDATE supervision_notice SET unit_path = org_unit.path
    FROM org_unit WHERE org_unit.id = supervision_notice.unit_id
"""


def analyze(apps, schema_editor):
    """The planner's figures for the new column: until autovacuum's next analyze it has none, and guesses a
    subtree's range holds a fraction of the notices, where the province's holds them all."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ANALYZE supervision_notice (unit_path)")


class Migration(migrations.Migration):
    dependencies = [
        ("org", "0003_unit_acknowledge_days"),
        ("supervision", "0002_notice_unit_and_answered_at"),
    ]

    operations = [
        migrations.AddField(
            model_name="notice",
            name="unit_path",
            field=models.CharField(editable=False, max_length=255, null=True, verbose_name="owning unit's path"),
        ),
        migrations.RunSQL(FILL, migrations.RunSQL.noop, elidable=False),
        migrations.AlterField(
            model_name="notice",
            name="unit_path",
            field=models.CharField(editable=False, max_length=255, verbose_name="owning unit's path"),
        ),
        migrations.AddIndex(
            model_name="notice",
            index=models.Index(fields=["unit_path"], name="notice_unit_path"),
        ),
        migrations.RunPython(analyze, migrations.RunPython.noop),
    ]
