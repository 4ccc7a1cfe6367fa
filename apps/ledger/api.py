"""The ledger in the API: imports (upload, check, preview with problems, commit, follow the job) and exports (the
item list as a file, big ones written by the worker, and following an export)."""

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
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse

from apps.core.api import (
    EXPORT_FORMAT_PARAMETER,
    EXPORT_RESPONSES,
    ErrorSerializer,
    ListExportMixin,
    PortalPageNumberPagination,
    UserFilterBackend,
)
from apps.core.exports import CSV_CONTENT_TYPE, XLSX_CONTENT_TYPE
from apps.items.evidence import ALLOWED_EVIDENCE_TYPES
from apps.items.filtersets import WorkItemFilterSetForApi
from apps.items.models import WorkItem
from apps.items.selectors import item_base_queryset
from apps.ledger.exports import export_items
from apps.ledger.models import ExportJob, ImportJob, JobStatus
from apps.ledger.services import (
    export_file_stem,
    export_job_create,
    import_job_create,
    import_job_request_check,
    import_job_request_commit,
)
from apps.org.models import Unit

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


# --- imports -----------------------------------------------------------------------------------------------


class LedgerProblemSerializer(serializers.Serializer):
    sheet = serializers.CharField(help_text="The sheet's name when the file has several ledger sheets; else empty.")
    row = serializers.IntegerField(help_text="The row's number in the spreadsheet (the header row is counted).")
    column = serializers.CharField(help_text="The column's Chinese header; empty for the file as a whole.")
    message = serializers.CharField(help_text="What is wrong, in the user's language.")
    warning = serializers.BooleanField(help_text="A note that does not stop the import.")


class LedgerPreviewRowSerializer(serializers.Serializer):
    sheet = serializers.CharField()
    row = serializers.IntegerField()
    action = serializers.ChoiceField(choices=["new", "update"])
    number = serializers.CharField(help_text="Empty for a new item until it is imported.")
    title = serializers.CharField()
    unit = serializers.CharField()
    responsible_unit = serializers.CharField()
    deadline = serializers.CharField()
    changes = serializers.ListField(child=serializers.CharField(), help_text="The columns an update changes.")
    notes = serializers.ListField(
        child=serializers.CharField(),
        help_text="What the check says of the row, e.g. a name in traditional characters matched by its "
        "simplified form.",
    )


class LedgerSummarySerializer(serializers.Serializer):
    new = serializers.IntegerField(required=False)
    updated = serializers.IntegerField(required=False)
    unchanged = serializers.IntegerField(required=False)


class ImportJobSerializer(serializers.ModelSerializer):
    """A ledger import: follow `status` and `progress`; at `valid`, read `preview` and `problems`, then commit."""

    status_label = serializers.CharField(source="get_status_display", read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    summary = LedgerSummarySerializer(read_only=True)
    problems = LedgerProblemSerializer(many=True, read_only=True)
    preview = LedgerPreviewRowSerializer(
        many=True, read_only=True, help_text="The first rows the import creates or changes (up to 20)."
    )
    item_ids = serializers.ListField(
        child=serializers.IntegerField(),
        read_only=True,
        help_text="Once the import is done: the ids of the items it created or changed.",
    )

    class Meta:
        model = ImportJob
        fields = [
            "id",
            "unit",
            "unit_name",
            "original_name",
            "status",
            "status_label",
            "progress",
            "row_count",
            "summary",
            "problem_count",
            "problems",
            "preview",
            "item_ids",
            "error",
            "created_at",
            "finished_at",
        ]
        read_only_fields = fields


class ImportUploadSerializer(serializers.Serializer):
    unit = serializers.PrimaryKeyRelatedField(
        queryset=Unit.objects.none(), help_text="The unit whose ledger this is; rows may name units below it."
    )
    file = serializers.FileField(help_text="The ledger: XLSX (the template, or an export of the item list) or CSV.")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["unit"].queryset = Unit.objects.visible_to(request.user)


class ImportJobViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The caller's own ledger imports: upload, follow the check, read the preview, commit, follow the import."""

    serializer_class = ImportJobSerializer
    filter_backends: list = []
    parser_classes = [MultiPartParser, FormParser]  # the upload; committing takes no body
    pagination_class = PortalPageNumberPagination

    def get_queryset(self) -> QuerySet[ImportJob]:
        return ImportJob.objects.visible_to(self.request.user).select_related("unit")

    def _job_response(self, job: ImportJob, code: int) -> Response:
        job = self.get_queryset().get(pk=job.pk)
        body = ImportJobSerializer(job, context=self.get_serializer_context()).data
        location = reverse("api:ledger-import-detail", kwargs={"pk": job.pk}, request=self.request)
        return Response(body, status=code, headers={"Location": location})

    @extend_schema(
        summary="Upload a ledger to import",
        description="The file is checked at once when it is small (201, with the preview and problems), else by "
        "the worker (202): follow the job until its status is `valid` or `invalid`. Nothing is imported yet.",
        request={"multipart/form-data": ImportUploadSerializer},
        responses={201: ImportJobSerializer, 202: ImportJobSerializer},
    )
    def create(self, request: Request) -> Response:
        upload = ImportUploadSerializer(data=request.data, context=self.get_serializer_context())
        upload.is_valid(raise_exception=True)
        job = import_job_create(
            by=request.user, unit=upload.validated_data["unit"], upload=upload.validated_data["file"]
        )
        import_job_request_check(job=job)
        job.refresh_from_db()
        finished = job.status not in {JobStatus.PENDING, JobStatus.VALIDATING}
        return self._job_response(job, status.HTTP_201_CREATED if finished else status.HTTP_202_ACCEPTED)

    @extend_schema(
        summary="Import a checked ledger",
        description="Imports a ledger whose status is `valid` (or `failed`, to try again): every row or none. "
        "Small ledgers are written at once, big ones by the worker (202): follow the job until `done`, whose "
        "`item_ids` are the items created or changed.",
        request=None,
        responses={200: ImportJobSerializer, 202: ImportJobSerializer, 400: ErrorSerializer},
    )
    @action(detail=True, methods=["post"])
    def commit(self, request: Request, pk: str) -> Response:
        job = self.get_object()
        import_job_request_commit(job=job, by=request.user)
        job.refresh_from_db()
        finished = job.status not in {JobStatus.RUNNING, JobStatus.VALID}
        return self._job_response(job, status.HTTP_200_OK if finished else status.HTTP_202_ACCEPTED)
