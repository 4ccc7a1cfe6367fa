"""Rollup counters: how many items each unit's subtree holds, kept by the item services.

Every row counts the items of a unit *and every unit below it*, so a dashboard reads the row of its
unit and the rows of the unit's children — a few dozen rows whatever the size of the tree — instead
of scanning the items. The item services change the rows of the item's unit and of each of its
ancestors (their ids are the segments of the unit's path) in the same transaction as the item.
`manage.py rebuild_counters` recomputes them from the items and reports any drift.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.items.models import ItemKind, OwnerType


class StatusCount(models.Model):
    """Items of a unit's subtree by list kind and owner type, one column per status."""

    # No index of its own: the unique constraint below starts with the unit.
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("unit"), on_delete=models.CASCADE, related_name="+", db_index=False
    )
    kind = models.CharField(_("list kind"), max_length=20, choices=ItemKind.choices)
    owner_type = models.CharField(_("owner type"), max_length=20, choices=OwnerType.choices)
    # One column per Status value (the column names are the values), so a status move changes one row.
    draft = models.IntegerField(default=0)
    submitted = models.IntegerField(default=0)
    approved = models.IntegerField(default=0)
    in_progress = models.IntegerField(default=0)
    completed = models.IntegerField(default=0)
    closed = models.IntegerField(default=0)
    returned = models.IntegerField(default=0)
    suspended = models.IntegerField(default=0)
    cancelled = models.IntegerField(default=0)

    class Meta:
        db_table = "dashboards_statuscount"  # created by the dashboards app before the counters moved here
        verbose_name = _("status counter")
        verbose_name_plural = _("status counters")
        constraints = [
            models.UniqueConstraint(fields=["unit", "kind", "owner_type"], name="status_count_per_unit_owner_type")
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.owner_type}"


class CategoryCount(models.Model):
    """Planned and completed items of a unit's subtree per category."""

    # No index of its own: the unique constraint below starts with the unit.
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("unit"), on_delete=models.CASCADE, related_name="+", db_index=False
    )
    category = models.ForeignKey(
        "items.Category", verbose_name=_("category"), on_delete=models.CASCADE, related_name="+"
    )
    planned = models.IntegerField(_("planned"), default=0)
    completed = models.IntegerField(_("completed"), default=0)

    class Meta:
        db_table = "dashboards_categorycount"  # created by the dashboards app before the counters moved here
        verbose_name = _("category counter")
        verbose_name_plural = _("category counters")
        constraints = [models.UniqueConstraint(fields=["unit", "category"], name="category_count_per_unit")]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.category_id}"


class OpenDeadlineCount(models.Model):
    """Open items of a unit's subtree per owner type and deadline.

    Overdue on any day is the sum of the rows with a deadline before that day, so the figure is right
    the moment a day begins, with no job to run at midnight. Rows that reach zero are deleted.
    """

    # No index of its own: the unique constraint below starts with the unit.
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("unit"), on_delete=models.CASCADE, related_name="+", db_index=False
    )
    owner_type = models.CharField(_("owner type"), max_length=20, choices=OwnerType.choices)
    deadline = models.DateField(_("deadline"))
    open_items = models.IntegerField(_("open items"), default=0)

    class Meta:
        db_table = "dashboards_opendeadlinecount"  # created by the dashboards app before the counters moved here
        verbose_name = _("open-by-deadline counter")
        verbose_name_plural = _("open-by-deadline counters")
        constraints = [
            # Unit, then deadline: "the unit's rows due before today" is one range of this index.
            models.UniqueConstraint(
                fields=["unit", "deadline", "owner_type"], name="open_deadline_count_per_unit_deadline_owner_type"
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.owner_type} {self.deadline}"


class CompletionWeekCount(models.Model):
    """Completed or closed items of a unit's subtree per week of completion (weeks start on Monday)."""

    # No index of its own: the unique constraint below starts with the unit.
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("unit"), on_delete=models.CASCADE, related_name="+", db_index=False
    )
    week = models.DateField(_("week starting"))
    completed = models.IntegerField(_("completed"), default=0)

    class Meta:
        db_table = "dashboards_completionweekcount"  # created by the dashboards app before the counters moved here
        verbose_name = _("completions-per-week counter")
        verbose_name_plural = _("completions-per-week counters")
        constraints = [models.UniqueConstraint(fields=["unit", "week"], name="completion_week_count_per_unit")]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.week}"


class YellowFromCount(models.Model):
    """Items being delivered of a unit's subtree per the first day they light yellow (apps/items/lights.py).

    Yellow or red on any day is the sum of the rows from that day back; red alone is what OpenDeadlineCount says
    is overdue, so yellow is the difference and green the rest of the items being delivered. Rows that reach
    zero are deleted.
    """

    # No index of its own: the unique constraint below starts with the unit.
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("unit"), on_delete=models.CASCADE, related_name="+", db_index=False
    )
    owner_type = models.CharField(_("owner type"), max_length=20, choices=OwnerType.choices)
    yellow_from = models.DateField(_("yellow from"))
    items = models.IntegerField(_("items"), default=0)

    class Meta:
        verbose_name = _("lights counter")
        verbose_name_plural = _("lights counters")
        constraints = [
            # Unit, then the day: "the unit's rows yellow by today" is one range of this index.
            models.UniqueConstraint(
                fields=["unit", "yellow_from", "owner_type"], name="yellow_from_count_per_unit_day_owner_type"
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.owner_type} {self.yellow_from}"


class TimelinessCount(models.Model):
    """Of a unit's subtree per owner type: completions on time (按期办结) and acknowledgements on time and late (签收).

    The completions themselves are in StatusCount; the items still waiting for acknowledgement in
    AcknowledgeByCount.
    """

    # No index of its own: the unique constraint below starts with the unit.
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("unit"), on_delete=models.CASCADE, related_name="+", db_index=False
    )
    owner_type = models.CharField(_("owner type"), max_length=20, choices=OwnerType.choices)
    completed_on_time = models.IntegerField(_("completed on time"), default=0)
    acknowledged_on_time = models.IntegerField(_("acknowledged on time"), default=0)
    acknowledged_late = models.IntegerField(_("acknowledged late"), default=0)

    class Meta:
        verbose_name = _("timeliness counter")
        verbose_name_plural = _("timeliness counters")
        constraints = [
            models.UniqueConstraint(fields=["unit", "owner_type"], name="timeliness_count_per_unit_owner_type")
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.owner_type}"


class AcknowledgeByCount(models.Model):
    """Items of a unit's subtree waiting for acknowledgement (未签收), per owner type and the day it is due by.

    Waiting past the limit on any day is the sum of the rows due before that day. Rows that reach zero are
    deleted.
    """

    # No index of its own: the unique constraint below starts with the unit.
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("unit"), on_delete=models.CASCADE, related_name="+", db_index=False
    )
    owner_type = models.CharField(_("owner type"), max_length=20, choices=OwnerType.choices)
    acknowledge_by = models.DateField(_("acknowledge by"))
    waiting = models.IntegerField(_("waiting"), default=0)

    class Meta:
        verbose_name = _("waiting-for-acknowledgement counter")
        verbose_name_plural = _("waiting-for-acknowledgement counters")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "acknowledge_by", "owner_type"], name="acknowledge_by_count_per_unit_day_owner_type"
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.owner_type} {self.acknowledge_by}"
