"""The unit tree in the API: the caller's own unit and everything below it, read-only."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from rest_framework import serializers, viewsets

from apps.core.api import ListExportMixin, PortalPageNumberPagination, UserFilterBackend
from apps.core.exports import XlsxColumn, file_labels
from apps.org.filtersets import UnitFilterSet
from apps.org.models import Unit, UnitLevel


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
