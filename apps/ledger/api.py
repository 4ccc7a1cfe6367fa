"""Ledger exports in the API: the item list as a file (big ones written by the worker) and following an export."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.http import FileResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse

from apps.core.api import (
    EXPORT_FORMAT_PARAMETER,
    EXPORT_RESPONSES,
    ErrorSerializer,
    ListExportMixin,
    UserFilterBackend,
)
from apps.core.exports import CSV_CONTENT_TYPE, XLSX_CONTENT_TYPE
from apps.items.evidence import ALLOWED_EVIDENCE_TYPES
from apps.items.filtersets import WorkItemFilterSetForApi
from apps.items.models import WorkItem
from apps.items.selectors import item_base_queryset
from apps.ledger.exports import export_items
from apps.ledger.models import ExportJob, JobStatus
from apps.ledger.services import export_file_stem, export_job_create

EVIDENCE_CONTENT_TYPES = sorted({content_type for content_type, _signatures in ALLOWED_EVIDENCE_TYPES.values()})


class ExportJobSerializer(serializers.ModelSerializer):
    """An export written by the worker: follow `progress`, then fetch `download`."""

    status_label = serializers.CharField(source="get_status_display", read_only=True)
    download = serializers.SerializerMethodField(help_text="Where the file is, once the export is done; else null.")

    class Meta:
        model = ExportJob
        fields = [
            "id",
            "file_format",
            "status",
            "status_label",
            "progress",
            "row_count",
            "error",
            "created_at",
            "finished_at",
            "download",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_download(self, job: ExportJob) -> str | None:
        if job.status != JobStatus.DONE or not job.file:
            return None
        return reverse("api:export-download", kwargs={"pk": job.pk}, request=self.context.get("request"))


class ExportJobViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The caller's own big exports, written by the worker."""

    serializer_class = ExportJobSerializer
    filter_backends: list = []

    def get_queryset(self) -> QuerySet[ExportJob]:
        return ExportJob.objects.visible_to(self.request.user)

    @extend_schema(
        summary="Download a finished export",
        responses={
            (200, XLSX_CONTENT_TYPE): OpenApiTypes.BINARY,
            (200, CSV_CONTENT_TYPE.split(";")[0]): OpenApiTypes.BINARY,
        },
    )
    @action(detail=True, methods=["get"], url_name="download")
    def download(self, request: Request, pk: str) -> FileResponse:
        job = self.get_object()
        if job.status != JobStatus.DONE or not job.file:
            raise NotFound(_("This export is not finished."))
        content_type = CSV_CONTENT_TYPE if job.file_format == "csv" else XLSX_CONTENT_TYPE
        filename = f"{export_file_stem(mine=job.mine, day=timezone.localdate(job.created_at))}.{job.file_format}"
        return FileResponse(job.file.open("rb"), as_attachment=True, filename=filename, content_type=content_type)


class WorkItemExportViewSet(ListExportMixin, viewsets.GenericViewSet):
    """GET /items/export/{xlsx|csv}/: the item list's rows for the same filters, as a ledger file."""

    filter_backends = [UserFilterBackend]
    filterset_class = WorkItemFilterSetForApi

    def get_queryset(self) -> QuerySet[WorkItem]:
        return item_base_queryset(user=self.request.user)

    # A schema of its own, not one derived from the shared export action's: drf-spectacular leaves the last view
    # routed to that action on its schema class, and this export was then described with the units' view, no filters.
    @extend_schema(
        summary="Download the items as a ledger (XLSX or CSV)",
        description="The rows the list gives for the same filters, in the ledger's columns (importable again). "
        "More than EXPORT_INLINE_MAX_ROWS items are written by the worker: 202 with the export to follow.",
        parameters=[EXPORT_FORMAT_PARAMETER],
        responses={**EXPORT_RESPONSES, 202: ExportJobSerializer, 400: ErrorSerializer},
    )
    def export(self, request: Request, file_format: str) -> Any:
        return super().export(request, file_format)

    def export_response(self, queryset: QuerySet[WorkItem], file_format: str) -> Any:
        """The ledger of the filtered items, in the list page's order; a big one goes to the worker (202)."""
        queryset = queryset.order_by("deadline", "id")
        if queryset.count() > settings.EXPORT_INLINE_MAX_ROWS:
            job = export_job_create(
                by=self.request.user, file_format=file_format, query=self.request.GET.urlencode(), mine=False
            )
            body = ExportJobSerializer(job, context=self.get_serializer_context()).data
            return Response(
                body,
                status=status.HTTP_202_ACCEPTED,
                headers={"Location": reverse("api:export-detail", kwargs={"pk": job.pk}, request=self.request)},
            )
        return export_items(queryset=queryset, file_format=file_format, filename=export_file_stem(mine=False))
