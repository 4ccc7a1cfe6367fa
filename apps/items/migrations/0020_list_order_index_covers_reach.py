"""The lists' order index also holds the two units and the status, so a walk along it checks the visibility rule
and a status filter from the index alone; built before the narrower one goes."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("items", "0019_list_order_and_reach_indexes"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="workitem",
            index=models.Index(
                fields=["deadline", "id"], include=("unit", "responsible_unit", "status"), name="item_list_order"
            ),
        ),
        migrations.RemoveIndex(model_name="workitem", name="item_deadline_id"),
    ]
