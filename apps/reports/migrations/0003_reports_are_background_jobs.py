"""Reports are background jobs like ledger imports and exports: `generated_at` becomes the jobs' `finished_at`."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0002_claim_token_and_lease"),
    ]

    operations = [
        migrations.RenameField(model_name="report", old_name="generated_at", new_name="finished_at"),
        migrations.AlterField(
            model_name="report",
            name="finished_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="finished at"),
        ),
    ]
