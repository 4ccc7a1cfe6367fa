"""Reports in the API: the archive with its filters, one report's frozen figures, its files, and asking for one."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import FileResponse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse

from apps.accounts.api import PersonRefSerializer
from apps.core.api import ListExportMixin, PortalPageNumberPagination, UserFilterBackend
from apps.core.exports import ExportColumn
from apps.org.api import UnitRefSerializer, units_of_caller
from apps.org.models import Unit
from apps.reports.exports import REPORT_EXPORT_SHEET, REPORT_EXPORT_STEM, report_export_columns
from apps.reports.filtersets import ReportFilterSet
from apps.reports.models import Report
from apps.reports.periods import ReportKind
from apps.reports.services import report_request
from apps.reports.views import DOWNLOAD_TYPES

# The media type of each file, without parameters, as the schema names it.
DOWNLOAD_MEDIA_TYPES = {extension: content_type.split(";")[0] for extension, content_type in DOWNLOAD_TYPES.items()}


class ReportDownloadsSerializer(serializers.Serializer):
    xlsx = serializers.URLField(allow_null=True)
    csv = serializers.URLField(allow_null=True)
    pdf = serializers.URLField(allow_null=True)


class ReportSerializer(serializers.ModelSerializer):
    """A report as a row of the archive; its files can be downloaded once it is complete."""

    unit = UnitRefSerializer(read_only=True)
    requested_by = PersonRefSerializer(read_only=True, allow_null=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    downloads = serializers.SerializerMethodField()

    class Meta:
        model = Report
        fields = [
            "id",
            "kind",
            "kind_label",
            "period_start",
            "period_end",
            "unit",
            "status",
            "status_label",
            "progress",
            "error",
            "requested_by",
            "generated_at",
            "created_at",
            "downloads",
        ]
        read_only_fields = fields

    @extend_schema_field(ReportDownloadsSerializer)
    def get_downloads(self, report: Report) -> dict[str, str | None]:
        request = self.context.get("request")
        return {
            extension: reverse("api:report-download", kwargs={"pk": report.pk, "extension": extension}, request=request)
            if report.is_complete and getattr(report, f"{extension}_file")
            else None
            for extension in DOWNLOAD_TYPES
        }


class ReportDetailSerializer(ReportSerializer):
    data = serializers.JSONField(
        read_only=True, allow_null=True, help_text="The frozen figures; null until the report is complete."
    )

    class Meta(ReportSerializer.Meta):
        fields = [*ReportSerializer.Meta.fields, "data"]
        read_only_fields = fields


class ReportRequestSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(label=_("Kind"), choices=ReportKind.choices)
    day = serializers.DateField(
        label=_("Any day in the period"), help_text="Any day of the period; the period must have ended."
    )
    unit = serializers.PrimaryKeyRelatedField(label=_("Unit"), queryset=Unit.objects.none())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units_of_caller(self.context)


class ReportViewSet(
    ListExportMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Reports of the caller's unit and below, for reporting staff and leaders."""

    pagination_class = PortalPageNumberPagination
    filter_backends = [UserFilterBackend]
    filterset_class = ReportFilterSet
    export_sheet_title, export_file_stem = REPORT_EXPORT_SHEET, REPORT_EXPORT_STEM

    def get_queryset(self) -> QuerySet[Report]:
        return Report.objects.visible_to(self.request.user).select_related("unit", "requested_by")

    def get_serializer_class(self) -> type[serializers.Serializer]:
        return {"retrieve": ReportDetailSerializer, "create": ReportRequestSerializer}.get(
            self.action, ReportSerializer
        )

    def export_columns(self) -> list[ExportColumn]:
        return report_export_columns()

    @extend_schema(request=ReportRequestSerializer, responses={202: ReportSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Ask for the report of a finished period (report_request); it is produced in the background."""
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        report = report_request(by=request.user, **serializer.validated_data)
        body = ReportSerializer(report, context=self.get_serializer_context()).data
        return Response(body, status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        summary="Download the report as XLSX, CSV or PDF",
        parameters=[OpenApiParameter("extension", str, OpenApiParameter.PATH, enum=list(DOWNLOAD_TYPES))],
        responses={(200, media_type): OpenApiTypes.BINARY for media_type in DOWNLOAD_MEDIA_TYPES.values()},
    )
    @action(detail=True, methods=["get"], url_path=r"download/(?P<extension>[^/.]+)", url_name="download")
    def download(self, request: Request, pk: str, extension: str) -> FileResponse:
        report = self.get_object()
        if extension not in DOWNLOAD_TYPES or not report.is_complete:
            raise NotFound
        stored = getattr(report, f"{extension}_file")
        if not stored:
            raise NotFound(_("This file was not produced."))
        return FileResponse(
            stored.open("rb"),
            as_attachment=True,
            filename=f"{report.file_stem()}.{extension}",
            content_type=DOWNLOAD_TYPES[extension],
        )
