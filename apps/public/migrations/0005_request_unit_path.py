"""Each request keeps its handling unit's path (CitizenRequest.unit_path), so the dashboard counts a subtree's
requests per child branch without reading the units; filled from the units in one UPDATE, then required, with an
index for the ranges."""

from django.db import migrations, models

# UPDATE … FROM: PostgreSQL, and SQLite since 3.33.
FILL = """
    UPDATE public_citizenrequest SET unit_path = org_unit.path
    FROM org_unit WHERE org_unit.id = public_citizenrequest.unit_id
"""


def analyze(apps, schema_editor):
    """The planner's figures for the new column, which has none until autovacuum's next analyze."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ANALYZE public_citizenrequest (unit_path)")


class Migration(migrations.Migration):
    dependencies = [
        ("org", "0003_unit_acknowledge_days"),
        ("public", "0004_satisfaction"),
    ]

    operations = [
        migrations.AddField(
            model_name="citizenrequest",
            name="unit_path",
            field=models.CharField(editable=False, max_length=255, null=True, verbose_name="handling unit's path"),
        ),
        migrations.RunSQL(FILL, migrations.RunSQL.noop, elidable=False),
        migrations.AlterField(
            model_name="citizenrequest",
            name="unit_path",
            field=models.CharField(editable=False, max_length=255, verbose_name="handling unit's path"),
        ),
        migrations.AddIndex(
            model_name="citizenrequest",
            index=models.Index(fields=["unit_path"], name="public_request_unit_path"),
        ),
        migrations.RunPython(analyze, migrations.RunPython.noop),
    ]
