"""The filters of the handling side's queue of citizen requests."""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.org.filtersets import ScopedFilterSet, UnitFilter
from apps.public.models import CitizenRequest, RequestStatus


class CitizenRequestFilterSet(ScopedFilterSet):
    status = django_filters.ChoiceFilter(label=_("Status"), choices=RequestStatus.choices)
    overdue = django_filters.BooleanFilter(label=_("Acceptance overdue"), method="filter_overdue")
    unit = UnitFilter(label=_("Within (the unit and below)"), path_field="unit__path")
    code = django_filters.CharFilter(label=_("Tracking code"), field_name="tracking_code", lookup_expr="icontains")

    class Meta:
        model = CitizenRequest
        fields = ["status", "overdue", "unit", "code"]

    def filter_overdue(self, queryset: QuerySet[CitizenRequest], name: str, value: bool | None) -> QuerySet:
        if value is None:
            return queryset
        late = {"status": RequestStatus.RECEIVED, "accept_by__lt": timezone.localdate()}
        return queryset.filter(**late) if value else queryset.exclude(**late)
