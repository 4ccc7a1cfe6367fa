"""The one FilterSet for work items: HTML lists, dashboard drill-downs, exports and the API."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from apps.items.models import DONE_STATUSES, Category, ItemKind, OwnerType, Status, WorkItem, overdue_q
from apps.org.models import PATH_SEGMENT_WIDTH, Unit, subtree_q


class UnitTreeSelect(forms.Select):
    """A unit picker listing the chosen unit's ancestors, the unit and its children, not the whole tree.

    Any unit the field's queryset holds can still be chosen (the dashboards link to any of them, and each
    choice lists the level below it); a province's fifteen thousand units in one <select> made the list
    page take seconds to render.
    """

    def get_context(self, name: str, value: Any, attrs: dict | None) -> dict:
        everything = self.choices
        units = everything.queryset
        chosen = units.filter(pk=value[0] if isinstance(value, list | tuple) else value).first() if value else None
        if chosen is not None:
            above = [
                int(chosen.path[end - PATH_SEGMENT_WIDTH : end])
                for end in range(PATH_SEGMENT_WIDTH, len(chosen.path), PATH_SEGMENT_WIDTH)
            ]
            shown = units.filter(Q(pk__in=above) | Q(pk=chosen.pk) | Q(parent=chosen))
        else:
            top = units.order_by("depth").values_list("depth", flat=True).first() or 0
            shown = units.filter(depth__lte=top + 1)
        shown = list(shown.order_by("path").only("pk", "name", "depth"))
        base = min((unit.depth for unit in shown), default=0)
        self.choices = [("", everything.field.empty_label or "")] + [
            (unit.pk, f"{'　' * (unit.depth - base)}{unit.name}") for unit in shown
        ]
        try:
            return super().get_context(name, value, attrs)
        finally:
            self.choices = everything


STAGE_CHOICES = [
    ("counted", _("Planned (all but cancelled)")),
    ("done", _("Completed or closed")),
    ("open", _("Open")),
]


class WorkItemFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_text")
    kind = django_filters.ChoiceFilter(label=_("List kind"), choices=ItemKind.choices)
    owner_type = django_filters.ChoiceFilter(label=_("Owner type"), choices=OwnerType.choices)
    status = django_filters.MultipleChoiceFilter(label=_("Status"), choices=Status.choices)
    stage = django_filters.ChoiceFilter(label=_("Stage"), choices=STAGE_CHOICES, method="filter_stage")
    category = django_filters.ModelChoiceFilter(label=_("Category"), queryset=Category.objects.all())
    unit = django_filters.ModelChoiceFilter(
        label=_("Owning unit (and below)"),
        queryset=Unit.objects.none(),
        method="filter_unit_subtree",
        widget=UnitTreeSelect,
    )
    responsible_unit = django_filters.ModelChoiceFilter(
        label=_("Responsible unit (and below)"),
        queryset=Unit.objects.none(),
        method="filter_responsible_subtree",
        widget=UnitTreeSelect,
    )
    overdue = django_filters.BooleanFilter(label=_("Overdue"), method="filter_overdue")
    is_key = django_filters.BooleanFilter(label=_("Key item"))
    deadline = django_filters.DateFromToRangeFilter(
        label=_("Deadline between"), widget=django_filters.widgets.DateRangeWidget(attrs={"type": "date"})
    )
    # The dashboard's weekly trend links each week to the items completed in it.
    completed_on = django_filters.DateFromToRangeFilter(
        label=_("Completed between"), widget=django_filters.widgets.DateRangeWidget(attrs={"type": "date"})
    )
    ordering = django_filters.OrderingFilter(
        label=_("Sort by"),
        fields=[
            ("deadline", "deadline"),
            ("progress_percent", "progress"),
            ("updated_at", "updated"),
            ("number", "number"),
            ("status", "status"),
        ],
        field_labels={
            "deadline": _("Deadline"),
            "progress_percent": _("Progress"),
            "updated_at": _("Last change"),
            "number": _("Number"),
            "status": _("Status"),
        },
    )

    class Meta:
        model = WorkItem
        fields = ["q", "kind", "owner_type", "status", "stage", "category", "unit", "responsible_unit", "overdue"]

    def __init__(self, *args, user=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        units = Unit.objects.visible_to(user) if user is not None else Unit.objects.none()
        self.filters["unit"].queryset = units
        self.filters["responsible_unit"].queryset = units

    def filter_text(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(title__icontains=value)
            | Q(content__icontains=value)
            | Q(number__icontains=value)
            | Q(beneficiaries__icontains=value)
        )

    def filter_stage(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if value == "counted":
            return queryset.exclude(status=Status.CANCELLED)
        if value == "done":
            return queryset.filter(status__in=DONE_STATUSES)
        if value == "open":
            return queryset.exclude(status__in=DONE_STATUSES | {Status.CANCELLED, Status.SUSPENDED})
        return queryset

    def filter_unit_subtree(self, queryset: QuerySet, name: str, value: Unit | None) -> QuerySet:
        return queryset.filter(subtree_q(value.path, "unit__path")) if value else queryset

    def filter_responsible_subtree(self, queryset: QuerySet, name: str, value: Unit | None) -> QuerySet:
        return queryset.filter(subtree_q(value.path, "responsible_unit__path")) if value else queryset

    def filter_overdue(self, queryset: QuerySet, name: str, value: bool | None) -> QuerySet:
        if value is None:
            return queryset
        return queryset.filter(overdue_q()) if value else queryset.exclude(overdue_q())
