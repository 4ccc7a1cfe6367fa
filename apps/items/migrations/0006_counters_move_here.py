"""The rollup counter tables move from the dashboards app to the items they count.

Only Django's record of which app owns them changes: the tables keep their names (db_table) and their
rows, and their content types (with their permissions) are relabelled rather than created anew.
"""

import django.db.models.deletion
from django.db import migrations, models

from apps.core.migration_moves import content_types_move


class Migration(migrations.Migration):
    dependencies = [
        ("items", "0005_dashboard_list_indexes"),
        ("org", "0001_initial"),
        ("dashboards", "0002_counters_indexed_by_unit_first"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="CategoryCount",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("planned", models.IntegerField(default=0, verbose_name="planned")),
                        ("completed", models.IntegerField(default=0, verbose_name="completed")),
                        (
                            "category",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="items.category",
                                verbose_name="category",
                            ),
                        ),
                        (
                            "unit",
                            models.ForeignKey(
                                db_index=False,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="org.unit",
                                verbose_name="unit",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "category counter",
                        "verbose_name_plural": "category counters",
                        "db_table": "dashboards_categorycount",
                        "constraints": [
                            models.UniqueConstraint(fields=("unit", "category"), name="category_count_per_unit")
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="CompletionWeekCount",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("week", models.DateField(verbose_name="week starting")),
                        ("completed", models.IntegerField(default=0, verbose_name="completed")),
                        (
                            "unit",
                            models.ForeignKey(
                                db_index=False,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="org.unit",
                                verbose_name="unit",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "completions-per-week counter",
                        "verbose_name_plural": "completions-per-week counters",
                        "db_table": "dashboards_completionweekcount",
                        "constraints": [
                            models.UniqueConstraint(fields=("unit", "week"), name="completion_week_count_per_unit")
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="OpenDeadlineCount",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "owner_type",
                            models.CharField(
                                choices=[
                                    ("leadership_team", "Leadership team of a participating unit"),
                                    ("team_member", "Leadership-team member"),
                                    ("grassroots_org", "Grassroots party organisation"),
                                    ("party_member", "Individual party member"),
                                ],
                                max_length=20,
                                verbose_name="owner type",
                            ),
                        ),
                        ("deadline", models.DateField(verbose_name="deadline")),
                        ("open_items", models.IntegerField(default=0, verbose_name="open items")),
                        (
                            "unit",
                            models.ForeignKey(
                                db_index=False,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="org.unit",
                                verbose_name="unit",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "open-by-deadline counter",
                        "verbose_name_plural": "open-by-deadline counters",
                        "db_table": "dashboards_opendeadlinecount",
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("unit", "deadline", "owner_type"),
                                name="open_deadline_count_per_unit_deadline_owner_type",
                            )
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="StatusCount",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "kind",
                            models.CharField(
                                choices=[("livelihood_plan", "Livelihood plan"), ("service_list", "Service list")],
                                max_length=20,
                                verbose_name="list kind",
                            ),
                        ),
                        (
                            "owner_type",
                            models.CharField(
                                choices=[
                                    ("leadership_team", "Leadership team of a participating unit"),
                                    ("team_member", "Leadership-team member"),
                                    ("grassroots_org", "Grassroots party organisation"),
                                    ("party_member", "Individual party member"),
                                ],
                                max_length=20,
                                verbose_name="owner type",
                            ),
                        ),
                        ("draft", models.IntegerField(default=0)),
                        ("submitted", models.IntegerField(default=0)),
                        ("approved", models.IntegerField(default=0)),
                        ("in_progress", models.IntegerField(default=0)),
                        ("completed", models.IntegerField(default=0)),
                        ("closed", models.IntegerField(default=0)),
                        ("returned", models.IntegerField(default=0)),
                        ("suspended", models.IntegerField(default=0)),
                        ("cancelled", models.IntegerField(default=0)),
                        (
                            "unit",
                            models.ForeignKey(
                                db_index=False,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="org.unit",
                                verbose_name="unit",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "status counter",
                        "verbose_name_plural": "status counters",
                        "db_table": "dashboards_statuscount",
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("unit", "kind", "owner_type"), name="status_count_per_unit_owner_type"
                            )
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
        content_types_move(
            models=["statuscount", "categorycount", "opendeadlinecount", "completionweekcount"],
            from_app="dashboards",
            to_app="items",
        ),
    ]
