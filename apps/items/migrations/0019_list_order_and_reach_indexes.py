"""The item lists' order for every scope, and the reach of a subtree through the responsible unit.

`item_deadline_id` serves `ORDER BY deadline, id` over all items, so a list page walks one index whatever the
user's scope. `item_responsible_owner` takes the place of the responsible unit's own index (it starts with the
same column) and also holds the owning unit, so "handled in a subtree, owned outside it" is counted from the
index alone. The new index is built before the old one goes, so the column is never without one.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("items", "0018_analyze_new_columns"),
        ("org", "0003_unit_acknowledge_days"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="workitem",
            index=models.Index(fields=["responsible_unit", "unit"], name="item_responsible_owner"),
        ),
        migrations.AlterField(
            model_name="workitem",
            name="responsible_unit",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="responsible_items",
                to="org.unit",
                verbose_name="responsible unit",
            ),
        ),
        migrations.AddIndex(
            model_name="workitem",
            index=models.Index(fields=["deadline", "id"], name="item_deadline_id"),
        ),
    ]
