"""The unit tree in the API: the caller's own unit and everything below it, read-only."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers, viewsets

from apps.core.api import ListExportMixin, PortalPageNumberPagination, UserFilterBackend
from apps.core.exports import XlsxColumn, file_labels
from apps.org.models import Unit, UnitLevel, subtree_q


def units_of_caller(context: dict[str, Any]) -> QuerySet[Unit]:
    """The units the requesting user may see, for a serializer's choices (none without a request)."""
    request = context.get("request")
    return Unit.objects.visible_to(request.user) if request is not None else Unit.objects.none()


class UnitRefSerializer(serializers.ModelSerializer):
    """A unit named inside another resource."""

    class Meta:
        model = Unit
        fields = ["id", "name", "code"]


class UnitSerializer(serializers.ModelSerializer):
    level_label = serializers.CharField(source="get_level_display", read_only=True)

    class Meta:
        model = Unit
        fields = ["id", "name", "code", "level", "level_label", "parent", "depth"]


class UnitFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_text")
    level = django_filters.ChoiceFilter(label=_("Level"), choices=UnitLevel.choices)
    parent = django_filters.ModelChoiceFilter(label=_("Parent unit"), queryset=Unit.objects.none())
    within = django_filters.ModelChoiceFilter(
        label=_("Within (the unit and below)"), queryset=Unit.objects.none(), method="filter_within"
    )

    class Meta:
        model = Unit
        fields = ["q", "level", "parent", "within"]

    def __init__(self, *args, user=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        units = Unit.objects.visible_to(user) if user is not None else Unit.objects.none()
        self.filters["parent"].queryset = units
        self.filters["within"].queryset = units

    def filter_text(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        return queryset.filter(Q(name__icontains=value) | Q(code__icontains=value)) if value else queryset

    @extend_schema_field(OpenApiTypes.INT)
    def filter_within(self, queryset: QuerySet, name: str, value: Unit | None) -> QuerySet:
        return queryset.filter(subtree_q(value.path)) if value else queryset


class UnitViewSet(ListExportMixin, viewsets.ReadOnlyModelViewSet):
    """Units of the tree, in tree order (a parent before its children)."""

    serializer_class = UnitSerializer
    pagination_class = PortalPageNumberPagination
    filter_backends = [UserFilterBackend]
    filterset_class = UnitFilterSet
    export_sheet_title = export_file_stem = "单位"

    def get_queryset(self) -> QuerySet[Unit]:
        return Unit.objects.visible_to(self.request.user).select_related("parent").order_by("path")

    def export_columns(self) -> list[tuple[XlsxColumn, Any]]:
        levels = file_labels(UnitLevel)
        return [
            (XlsxColumn("单位代码", width=14), "code"),
            (XlsxColumn("单位名称", width=24), "name"),
            (XlsxColumn("层级", width=12), lambda unit: levels.get(unit.level, unit.level)),
            (XlsxColumn("上级单位", width=24), lambda unit: unit.parent.name if unit.parent_id else ""),
            (XlsxColumn("上级单位代码", width=14), lambda unit: unit.parent.code if unit.parent_id else ""),
        ]
