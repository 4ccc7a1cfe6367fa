"""The ledger's import and export jobs move here from the items app.

Only Django's record of which app owns them changes: the tables keep their names (db_table) and their
rows, and their content types (with their permissions) are relabelled rather than created anew.
"""

import apps.ledger.models
from apps.core.migration_moves import content_types_move
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('items', '0006_counters_move_here'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('org', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='ExportJob',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
                        ('file_format', models.CharField(max_length=10, verbose_name='format')),
                        ('mine', models.BooleanField(default=False, verbose_name='my items only')),
                        ('query', models.TextField(blank=True, help_text="The list page's query string.", verbose_name='filters')),
                        ('status', models.CharField(choices=[('pending', 'Waiting'), ('validating', 'Checking the file'), ('invalid', 'Problems found'), ('valid', 'Ready to import'), ('running', 'Being written'), ('done', 'Done'), ('failed', 'Failed')], default='pending', max_length=20, verbose_name='status')),
                        ('progress', models.PositiveSmallIntegerField(default=0, verbose_name='progress (%)')),
                        ('row_count', models.PositiveIntegerField(default=0, verbose_name='rows')),
                        ('file', models.FileField(blank=True, max_length=255, upload_to=apps.ledger.models.export_file_path, verbose_name='file')),
                        ('attempts', models.PositiveSmallIntegerField(default=0, verbose_name='attempts')),
                        ('started_at', models.DateTimeField(blank=True, null=True, verbose_name='started at')),
                        ('finished_at', models.DateTimeField(blank=True, null=True, verbose_name='finished at')),
                        ('error', models.TextField(blank=True, verbose_name='last error')),
                        ('requested_by', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='requested by')),
                    ],
                    options={
                        'verbose_name': 'export',
                        'verbose_name_plural': 'exports',
                        'db_table': 'items_exportjob',
                        'ordering': ['-created_at', '-id'],
                    },
                ),
                migrations.CreateModel(
                    name='ImportJob',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
                        ('file', models.FileField(max_length=255, upload_to=apps.ledger.models.import_file_path, verbose_name='file')),
                        ('original_name', models.CharField(max_length=255, verbose_name='file name')),
                        ('rows_read', models.FileField(blank=True, max_length=255, upload_to=apps.ledger.models.import_file_path, verbose_name='rows as read')),
                        ('status', models.CharField(choices=[('pending', 'Waiting'), ('validating', 'Checking the file'), ('invalid', 'Problems found'), ('valid', 'Ready to import'), ('running', 'Being written'), ('done', 'Done'), ('failed', 'Failed')], default='pending', max_length=20, verbose_name='status')),
                        ('progress', models.PositiveSmallIntegerField(default=0, verbose_name='progress (%)')),
                        ('row_count', models.PositiveIntegerField(default=0, verbose_name='rows')),
                        ('problems', models.JSONField(blank=True, default=list, help_text='Row, column and message.', verbose_name='problems')),
                        ('problem_count', models.PositiveIntegerField(default=0, verbose_name='number of problems')),
                        ('summary', models.JSONField(blank=True, default=dict, verbose_name='summary')),
                        ('attempts', models.PositiveSmallIntegerField(default=0, verbose_name='attempts')),
                        ('started_at', models.DateTimeField(blank=True, null=True, verbose_name='started at')),
                        ('finished_at', models.DateTimeField(blank=True, null=True, verbose_name='finished at')),
                        ('error', models.TextField(blank=True, verbose_name='last error')),
                        ('requested_by', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='uploaded by')),
                        ('unit', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='org.unit', verbose_name='unit')),
                    ],
                    options={
                        'verbose_name': 'ledger import',
                        'verbose_name_plural': 'ledger imports',
                        'db_table': 'items_importjob',
                        'ordering': ['-created_at', '-id'],
                    },
                ),
            ],
            database_operations=[],
        ),
        content_types_move(models=["importjob", "exportjob"], from_app="items", to_app="ledger"),
    ]
