"""The items handed to another unit than their owner's, by responsible unit: a list's total adds those handled in
the user's subtree and owned outside it to the subtree's counters, and finds them here in a few index entries."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("items", "0020_list_order_index_covers_reach"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="workitem",
            index=models.Index(
                condition=~models.Q(unit=models.F("responsible_unit")),
                fields=["responsible_unit", "unit"],
                name="item_handed_over",
            ),
        ),
    ]
