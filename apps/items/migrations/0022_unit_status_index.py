"""The owning unit's index becomes (unit, status, id): the API's list of a subtree's items, newest first and
filtered by status or not, reads its page's ids from it alone. It starts with the unit, so it takes the place of
the foreign key's own index; the new one is built before the old one goes, so the column is never without one.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("items", "0021_handed_over_items_index"),
        ("org", "0003_unit_acknowledge_days"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="workitem",
            index=models.Index(fields=["unit", "status", "id"], name="item_unit_status"),
        ),
        migrations.AlterField(
            model_name="workitem",
            name="unit",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="items",
                to="org.unit",
                verbose_name="owning unit",
            ),
        ),
    ]
