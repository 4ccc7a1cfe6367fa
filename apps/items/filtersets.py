"""The one FilterSet for work items: HTML lists, dashboard drill-downs, exports and the API."""

from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from apps.items.lights import light_q
from apps.items.models import (
    ACTIVE_STATUS_LIST,
    Acknowledgement,
    Category,
    ItemKind,
    Light,
    OwnerType,
    Status,
    WorkItem,
    acknowledgement_q,
    completed_q,
    late_completion_q,
    on_time_q,
    overdue_q,
    planned_q,
)
from apps.org.filtersets import PortalOrderingFilter, ScopedFilterSet, UnitFilter, YesNoFilter
from apps.org.widgets import UnitTreeSelect

# The stages are the counting rule of DOMAIN.md ("What counts"), so a dashboard figure links to its items.
STAGE_CHOICES = [
    ("counted", _("Planned (approved, not cancelled)")),
    ("done", _("Completed or closed")),
    ("open", _("Being delivered (planned, open, not suspended)")),
    ("pending", _("Not yet planned (draft or awaiting approval)")),
]


def item_text_q(value: str) -> Q:
    """Items holding `value` in their title, content, number or beneficiaries: the lists' text search."""
    return (
        Q(title__icontains=value)
        | Q(content__icontains=value)
        | Q(number__icontains=value)
        | Q(beneficiaries__icontains=value)
    )


class WorkItemOrderingFilter(PortalOrderingFilter):
    """The items' sorting; within a status the soonest deadline comes first, so the index on (status, deadline)
    serves the sort by status at any scale."""

    def filter(self, queryset: QuerySet, value: list[str] | None) -> QuerySet:
        queryset = super().filter(queryset, value)
        order = list(queryset.query.order_by)
        if value and order and order[-1] in ("status", "-status"):
            queryset = queryset.order_by(*order, f"{order[-1][:-6]}deadline")
        return queryset


class WorkItemFilterSet(ScopedFilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_text")
    kind = django_filters.ChoiceFilter(label=_("List kind"), choices=ItemKind.choices)
    owner_type = django_filters.ChoiceFilter(label=_("Owner type"), choices=OwnerType.choices)
    # The item's own column: no row can match twice, so no DISTINCT (which keeps a page from walking an index).
    status = django_filters.MultipleChoiceFilter(label=_("Status"), choices=Status.choices, distinct=False)
    stage = django_filters.ChoiceFilter(label=_("Stage"), choices=STAGE_CHOICES, method="filter_stage")
    category = django_filters.ModelChoiceFilter(label=_("Category"), queryset=Category.objects.all())
    unit = UnitFilter(label=_("Owning unit (and below)"), unit_field="unit", widget=UnitTreeSelect)
    responsible_unit = UnitFilter(
        label=_("Responsible unit (and below)"), unit_field="responsible_unit", widget=UnitTreeSelect
    )
    overdue = YesNoFilter(label=_("Overdue"), method="filter_overdue")
    light = django_filters.ChoiceFilter(label=_("Light"), choices=Light.choices, method="filter_light")
    # The dashboard's timeliness figures: completions late (按期办结率) and items not acknowledged (未签收).
    on_time = YesNoFilter(label=_("Completed on time"), method="filter_on_time")
    acknowledgement = django_filters.ChoiceFilter(
        label=_("Acknowledgement"), choices=Acknowledgement.choices, method="filter_acknowledgement"
    )
    is_key = YesNoFilter(label=_("Key item"))
    deadline = django_filters.DateFromToRangeFilter(
        label=_("Deadline between"), widget=django_filters.widgets.DateRangeWidget(attrs={"type": "date"})
    )
    # The dashboard's weekly trend links each week to the items completed in it.
    completed_on = django_filters.DateFromToRangeFilter(
        label=_("Completed between"), widget=django_filters.widgets.DateRangeWidget(attrs={"type": "date"})
    )
    ordering = WorkItemOrderingFilter(
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
        fields = [
            "q",
            "kind",
            "owner_type",
            "status",
            "stage",
            "category",
            "unit",
            "responsible_unit",
            "overdue",
            "light",
            "on_time",
            "acknowledgement",
        ]

    def filter_text(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        return queryset.filter(item_text_q(value)) if value else queryset

    def filter_stage(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if value == "counted":
            return queryset.filter(planned_q())
        if value == "done":
            return queryset.filter(completed_q())
        if value == "open":
            return queryset.filter(status__in=ACTIVE_STATUS_LIST)
        if value == "pending":
            return queryset.filter(status__in=[Status.DRAFT, Status.SUBMITTED])
        return queryset

    def filter_light(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(light_q(value)) if value else queryset

    def filter_on_time(self, queryset: QuerySet, name: str, value: bool | None) -> QuerySet:
        if value is None:
            return queryset
        return queryset.filter(on_time_q() if value else late_completion_q())

    def filter_acknowledgement(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(acknowledgement_q(value)) if value else queryset

    def filter_overdue(self, queryset: QuerySet, name: str, value: bool | None) -> QuerySet:
        if value is None:
            return queryset
        return queryset.filter(overdue_q()) if value else queryset.exclude(overdue_q())


class WorkItemFilterSetForApi(WorkItemFilterSet):
    """The item list's FilterSet; the API pages by a cursor over a unique key, so it leaves out sorting."""

    ordering = None
