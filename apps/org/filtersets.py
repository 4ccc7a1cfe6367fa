"""FilterSets that know who is asking: the shared scoped base, the unit filter, and the units' own FilterSet."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from apps.org.models import Unit, UnitLevel, subtree_q


@extend_schema_field(OpenApiTypes.INT)  # a unit's id (the schema could not tell from a `path_field`)
class UnitFilter(django_filters.ModelChoiceFilter):
    """A unit chosen among those the user reaches; with `path_field`, it matches that unit and every unit below."""

    def __init__(self, *args: Any, path_field: str | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("queryset", Unit.objects.none())  # ScopedFilterSet puts the user's units in
        super().__init__(*args, **kwargs)
        self.path_field = path_field

    def filter(self, queryset: QuerySet, value: Unit | None) -> QuerySet:
        if value and self.path_field:
            return queryset.filter(subtree_q(value.path, self.path_field))
        return super().filter(queryset, value)


class ScopedFilterSet(django_filters.FilterSet):
    """The base of every FilterSet: it takes the user, and each UnitFilter offers only the units they reach.

    Pages, the API (through core's UserFilterBackend), dashboard links and exports all pass the user.
    """

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        units = Unit.objects.visible_to(user) if user is not None else Unit.objects.none()
        for unit_filter in self.filters.values():
            if isinstance(unit_filter, UnitFilter):
                unit_filter.queryset = units


class UnitFilterSet(ScopedFilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_text")
    level = django_filters.ChoiceFilter(label=_("Level"), choices=UnitLevel.choices)
    parent = UnitFilter(label=_("Parent unit"))
    within = UnitFilter(label=_("Within (the unit and below)"), path_field="path")

    class Meta:
        model = Unit
        fields = ["q", "level", "parent", "within"]

    def filter_text(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        return queryset.filter(Q(name__icontains=value) | Q(code__icontains=value)) if value else queryset
