"""Two indexes a report reads by: each item's last hand-over step (assign, acknowledge, decline) before the end of
its period, among those steps alone (a partial index), and an item's last progress note before a moment, with its
percentage, from the index alone.
"""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("items", "0022_unit_status_index"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name="itemtransition",
            index=models.Index(
                condition=models.Q(("action__in", ["assign", "acknowledge", "decline"])),
                fields=["item", "at"],
                name="transition_handover_steps",
            ),
        ),
        migrations.AddIndex(
            model_name="progressupdate",
            index=models.Index(fields=["item", "at", "id"], include=("percent",), name="progress_item_at"),
        ),
    ]
