"""Ledger jobs are claimed like reports: a fresh token per claim and a lease the worker renews."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('ledger', '0001_jobs_move_here'),
    ]

    operations = [
        migrations.AddField(
            model_name='exportjob',
            name='claim_token',
            field=models.UUIDField(blank=True, editable=False, null=True, verbose_name='claim token'),
        ),
        migrations.AddField(
            model_name='exportjob',
            name='lease_expires_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='lease expires at'),
        ),
        migrations.AddField(
            model_name='importjob',
            name='claim_token',
            field=models.UUIDField(blank=True, editable=False, null=True, verbose_name='claim token'),
        ),
        migrations.AddField(
            model_name='importjob',
            name='lease_expires_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='lease expires at'),
        ),
    ]
