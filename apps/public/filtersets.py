"""The filters of a unit's public page: category, status, subunit, list kind and text."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from apps.items.filtersets import item_text_q
from apps.items.models import PLANNED_STATUSES, Category, ItemKind, Status
from apps.org.filtersets import ScopedFilterSet, UnitFilter
from apps.org.models import Unit

# Only planned items are ever public (apps/public/selectors.public_items), so only their states are offered.
PUBLIC_STATUS_CHOICES = [(value, label) for value, label in Status.choices if value in PLANNED_STATUSES]


class PublicItemFilterSet(ScopedFilterSet):
    """Filters over the published items of one unit's subtree; the subunits offered are the unit's children."""

    q = django_filters.CharFilter(label=_("Search"), method="filter_text")
    kind = django_filters.ChoiceFilter(label=_("List kind"), choices=ItemKind.choices)
    category = django_filters.ModelChoiceFilter(label=_("Category"), queryset=Category.objects.all())
    status = django_filters.ChoiceFilter(label=_("Status"), choices=PUBLIC_STATUS_CHOICES)
    subunit = UnitFilter(label=_("Subunit (and below)"), path_field="unit__path")

    def __init__(self, *args: Any, unit: Unit, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.filters["subunit"].offer(unit.children.order_by("path"))

    def filter_text(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        return queryset.filter(item_text_q(value)) if value else queryset
