"""The people list's FilterSet: pages, API and exports."""

from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import Role, User
from apps.org.filtersets import ScopedFilterSet, UnitFilter, YesNoFilter


class PersonFilterSet(ScopedFilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_text")
    unit = UnitFilter(label=_("Unit"))
    within = UnitFilter(label=_("Within (the unit and below)"), path_field="unit__path")
    role = django_filters.ChoiceFilter(label=_("Role"), choices=Role.choices, field_name="role_assignments__role")
    is_active = YesNoFilter(label=_("Active"))

    class Meta:
        model = User
        fields = ["q", "unit", "within", "role", "is_active"]

    def filter_text(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        return queryset.filter(Q(username__icontains=value) | Q(full_name__icontains=value)) if value else queryset
