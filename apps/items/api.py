"""Work items in the API: the page's filters, the page's services, the page's rules, as JSON."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.http import FileResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.generics import get_object_or_404
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse

from apps.accounts.api import PersonRefSerializer
from apps.accounts.models import User
from apps.core.api import EXPORT_RESPONSES, ErrorSerializer, ListExportMixin, PortalCursorPagination, UserFilterBackend
from apps.core.exports import CSV_CONTENT_TYPE, XLSX_CONTENT_TYPE
from apps.items.evidence import ALLOWED_EVIDENCE_TYPES
from apps.items.exports import export_items
from apps.items.filters import WorkItemFilterSet
from apps.items.jobs import export_file_stem, export_job_create
from apps.items.models import (
    Action,
    Category,
    Evidence,
    ExportJob,
    ItemTransition,
    JobStatus,
    KeyLevel,
    ProgressUpdate,
    Status,
    WorkItem,
)
from apps.items.rules import allowed_actions, user_can_edit_item
from apps.items.selectors import item_base_queryset
from apps.items.services import (
    EDITABLE_FIELDS,
    item_apply_action,
    item_assign,
    item_create,
    item_post_progress,
    item_update,
)
from apps.org.api import UnitRefSerializer, units_of_caller
from apps.org.models import Unit

EVIDENCE_CONTENT_TYPES = sorted({content_type for content_type, _signatures in ALLOWED_EVIDENCE_TYPES.values()})


def _people_in(units: QuerySet[Unit]) -> QuerySet[User]:
    return User.objects.filter(unit__in=units, is_active=True)


# Reading


class CategoryRefSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="__str__", read_only=True, help_text="In the user's language.")

    class Meta:
        model = Category
        fields = ["id", "code", "name"]


class WorkItemSerializer(serializers.ModelSerializer):
    """An item as a row of the list."""

    unit = UnitRefSerializer(read_only=True)
    responsible_unit = UnitRefSerializer(read_only=True)
    owner_person = PersonRefSerializer(read_only=True, allow_null=True)
    responsible_person = PersonRefSerializer(read_only=True, allow_null=True)
    lead_leader = PersonRefSerializer(read_only=True, allow_null=True)
    category = CategoryRefSerializer(read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    key_level = serializers.ChoiceField(choices=KeyLevel.choices, allow_blank=True, read_only=True)
    is_overdue = serializers.BooleanField(read_only=True, help_text="Open and past its deadline (Asia/Shanghai).")
    days_overdue = serializers.IntegerField(read_only=True)

    class Meta:
        model = WorkItem
        fields = [
            "id",
            "number",
            "kind",
            "owner_type",
            "title",
            "unit",
            "owner_person",
            "responsible_unit",
            "responsible_person",
            "lead_leader",
            "category",
            "status",
            "status_label",
            "progress_percent",
            "start_date",
            "deadline",
            "is_overdue",
            "days_overdue",
            "is_key",
            "key_level",
            "source",
            "is_published",
            "updated_at",
        ]
        read_only_fields = fields


class TransitionSerializer(serializers.ModelSerializer):
    by = PersonRefSerializer(read_only=True, allow_null=True)
    from_status = serializers.ChoiceField(
        choices=Status.choices, allow_blank=True, read_only=True, help_text="Empty for the creation."
    )

    class Meta:
        model = ItemTransition
        fields = ["id", "action", "from_status", "to_status", "by", "at", "reason"]
        read_only_fields = fields


class EvidenceSerializer(serializers.ModelSerializer):
    download = serializers.SerializerMethodField()

    class Meta:
        model = Evidence
        fields = ["id", "original_name", "size", "content_type", "download"]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.URI)
    def get_download(self, evidence: Evidence) -> str:
        return reverse(
            "api:item-evidence",
            kwargs={"pk": evidence.update.item_id, "evidence_id": evidence.pk},
            request=self.context.get("request"),
        )


class ProgressUpdateSerializer(serializers.ModelSerializer):
    by = PersonRefSerializer(read_only=True, allow_null=True)
    evidence = EvidenceSerializer(many=True, read_only=True)

    class Meta:
        model = ProgressUpdate
        fields = ["id", "at", "by", "note", "percent", "evidence"]
        read_only_fields = fields


class WorkItemDetailSerializer(WorkItemSerializer):
    """An item with everything its page shows: the actions open to the caller, the timeline, the progress."""

    created_by = PersonRefSerializer(read_only=True, allow_null=True)
    allowed_actions = serializers.SerializerMethodField(
        help_text="What the caller may do now; `post_progress` is POST …/progress/, the rest POST …/{action}/."
    )
    can_edit = serializers.SerializerMethodField()
    timeline = TransitionSerializer(source="transitions", many=True, read_only=True)
    progress_updates = ProgressUpdateSerializer(many=True, read_only=True)

    class Meta(WorkItemSerializer.Meta):
        fields = [
            *WorkItemSerializer.Meta.fields,
            "content",
            "beneficiaries",
            "requirements",
            "assignment_letter",
            "completed_on",
            "closed_at",
            "published_at",
            "created_by",
            "created_at",
            "allowed_actions",
            "can_edit",
            "timeline",
            "progress_updates",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(choices=Action.choices)))
    def get_allowed_actions(self, item: WorkItem) -> list[str]:
        return [str(name) for name in allowed_actions(self.context["request"].user, item)]

    def get_can_edit(self, item: WorkItem) -> bool:
        return user_can_edit_item(self.context["request"].user, item)


# Writing: each serializer only checks the input's shape and scope; the services decide.


class WorkItemWriteSerializer(serializers.ModelSerializer):
    """The fields an item's owners may change while it is open."""

    class Meta:
        model = WorkItem
        fields = list(EDITABLE_FIELDS)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        units = units_of_caller(self.context)
        for name, field in self.fields.items():
            if name in {"unit", "responsible_unit"}:
                field.queryset = units
            elif name in {"owner_person", "responsible_person"}:
                field.queryset = _people_in(units)


class WorkItemCreateSerializer(WorkItemWriteSerializer):
    """A new item: its kind, owner type and owning unit are fixed from here on."""

    class Meta(WorkItemWriteSerializer.Meta):
        fields = ["kind", "owner_type", "unit", *EDITABLE_FIELDS]
        extra_kwargs = {
            "responsible_unit": {"required": False, "allow_null": True, "help_text": "The owning unit when left out."},
            "owner_person": {"help_text": "For service-list items; the caller when left out."},
        }


class ActionSerializer(serializers.Serializer):
    reason = serializers.CharField(
        label=_("Reason or note"),
        required=False,
        allow_blank=True,
        default="",
        max_length=1000,
        help_text="A note kept in the timeline.",
    )


class ActionWithReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(label=_("Reason or note"), max_length=1000, help_text="Why; kept in the timeline.")


class AssignSerializer(serializers.Serializer):
    responsible_unit = serializers.PrimaryKeyRelatedField(label=_("Responsible unit"), queryset=Unit.objects.none())
    responsible_person = serializers.PrimaryKeyRelatedField(
        label=_("Responsible person"), queryset=User.objects.none(), required=False, allow_null=True
    )
    letter = serializers.CharField(
        label=_("Assignment letter number"), required=False, allow_blank=True, default="", max_length=100
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        units = units_of_caller(self.context)
        self.fields["responsible_unit"].queryset = units
        self.fields["responsible_person"].queryset = _people_in(units)


class ProgressSerializer(serializers.Serializer):
    note = serializers.CharField(label=_("Progress note"), max_length=5000)
    percent = serializers.IntegerField(label=_("Progress (%)"), min_value=0, max_value=100)
    files = serializers.ListField(
        label=_("Evidence files"),
        child=serializers.FileField(),
        required=False,
        default=list,
        max_length=settings.EVIDENCE_MAX_FILES,
        help_text="Evidence: photos, PDF or office documents.",
    )


def lifecycle_action(name: str, *, needs_reason: bool = False) -> Callable:
    """A POST …/{name}/ action of the item lifecycle, documented with its request and response."""
    return lambda method: extend_schema(
        summary=Action(name).label,
        request=ActionWithReasonSerializer if needs_reason else ActionSerializer,
        responses={200: WorkItemDetailSerializer},
    )(action(detail=True, methods=["post"], url_path=name, url_name=name)(method))


class WorkItemFilterSetForApi(WorkItemFilterSet):
    """The item list's FilterSet; the API pages by a cursor over a unique key, so it leaves out sorting.

    The overrides below only tell the schema the types of the filters that work through a method.
    """

    ordering = None

    @extend_schema_field(OpenApiTypes.INT)
    def filter_unit_subtree(self, queryset: QuerySet, name: str, value: Unit | None) -> QuerySet:
        return super().filter_unit_subtree(queryset, name, value)

    @extend_schema_field(OpenApiTypes.INT)
    def filter_responsible_subtree(self, queryset: QuerySet, name: str, value: Unit | None) -> QuerySet:
        return super().filter_responsible_subtree(queryset, name, value)

    @extend_schema_field(OpenApiTypes.BOOL)
    def filter_overdue(self, queryset: QuerySet, name: str, value: bool | None) -> QuerySet:
        return super().filter_overdue(queryset, name, value)


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


@extend_schema_view(
    export=extend_schema(
        summary="Download the items as a ledger (XLSX or CSV)",
        description="The rows the list gives for the same filters, in the ledger's columns (importable again). "
        "More than EXPORT_INLINE_MAX_ROWS items are written by the worker: 202 with the export to follow.",
        responses={**EXPORT_RESPONSES, 202: ExportJobSerializer, 400: ErrorSerializer},
    )
)
class WorkItemViewSet(
    ListExportMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Items of both list kinds that the caller may see: their unit's subtree, owned or handled there."""

    pagination_class = PortalCursorPagination
    filter_backends = [UserFilterBackend]
    filterset_class = WorkItemFilterSetForApi

    serializer_classes = {
        "list": WorkItemSerializer,
        "retrieve": WorkItemDetailSerializer,
        "create": WorkItemCreateSerializer,
        "update": WorkItemWriteSerializer,
        "partial_update": WorkItemWriteSerializer,
        "assign": AssignSerializer,
        "progress": ProgressSerializer,
        "return_": ActionWithReasonSerializer,
        "suspend": ActionWithReasonSerializer,
        "cancel": ActionWithReasonSerializer,
    }

    def get_queryset(self) -> QuerySet[WorkItem]:
        queryset = item_base_queryset(user=self.request.user)
        if self.action == "retrieve":
            queryset = self._with_timeline(queryset)
        return queryset

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

    def get_serializer_class(self) -> type[serializers.Serializer]:
        return self.serializer_classes.get(self.action, ActionSerializer)

    @staticmethod
    def _with_timeline(queryset: QuerySet[WorkItem]) -> QuerySet[WorkItem]:
        return queryset.select_related("created_by").prefetch_related(
            Prefetch("transitions", ItemTransition.objects.select_related("by")),
            Prefetch(
                "progress_updates",
                ProgressUpdate.objects.select_related("by").prefetch_related("evidence"),
            ),
        )

    def _detail(self, item: WorkItem, code: int = status.HTTP_200_OK) -> Response:
        """The item as it now is, read again through the caller's scope."""
        fresh = self._with_timeline(item_base_queryset(user=self.request.user)).get(pk=item.pk)
        return Response(WorkItemDetailSerializer(fresh, context=self.get_serializer_context()).data, status=code)

    def _input(self, request: Request) -> dict[str, Any]:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    @extend_schema(request=WorkItemCreateSerializer, responses={201: WorkItemDetailSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Log a new item as a draft (item_create)."""
        fields = dict(self._input(request))
        item = item_create(
            by=request.user,
            unit=fields.pop("unit"),
            kind=fields.pop("kind"),
            owner_type=fields.pop("owner_type"),
            **fields,
        )
        return self._detail(item, status.HTTP_201_CREATED)

    @extend_schema(request=WorkItemWriteSerializer, responses={200: WorkItemDetailSerializer})
    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Change an open item's fields (item_update); PATCH changes only the fields sent."""
        item = self.get_object()
        serializer = self.get_serializer(item, data=request.data, partial=kwargs.get("partial", False))
        serializer.is_valid(raise_exception=True)
        item = item_update(item=item, by=request.user, **serializer.validated_data)
        return self._detail(item)

    @extend_schema(request=WorkItemWriteSerializer, responses={200: WorkItemDetailSerializer})
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.update(request, *args, partial=True, **kwargs)

    def _apply(self, request: Request, name: str) -> Response:
        item = self.get_object()
        reason = self._input(request)["reason"]
        return self._detail(item_apply_action(item=item, by=request.user, action=name, reason=reason))

    @lifecycle_action(Action.SUBMIT)
    def submit(self, request: Request, pk: str) -> Response:
        return self._apply(request, Action.SUBMIT)

    @lifecycle_action(Action.APPROVE)
    def approve(self, request: Request, pk: str) -> Response:
        return self._apply(request, Action.APPROVE)

    @lifecycle_action(Action.PUBLISH)
    def publish(self, request: Request, pk: str) -> Response:
        return self._apply(request, Action.PUBLISH)

    @lifecycle_action(Action.START)
    def start(self, request: Request, pk: str) -> Response:
        return self._apply(request, Action.START)

    @lifecycle_action(Action.COMPLETE)
    def complete(self, request: Request, pk: str) -> Response:
        return self._apply(request, Action.COMPLETE)

    @lifecycle_action(Action.CLOSE)
    def close(self, request: Request, pk: str) -> Response:
        return self._apply(request, Action.CLOSE)

    @lifecycle_action(Action.RETURN, needs_reason=True)
    def return_(self, request: Request, pk: str) -> Response:
        return self._apply(request, Action.RETURN)

    @lifecycle_action(Action.SUSPEND, needs_reason=True)
    def suspend(self, request: Request, pk: str) -> Response:
        return self._apply(request, Action.SUSPEND)

    @lifecycle_action(Action.RESUME)
    def resume(self, request: Request, pk: str) -> Response:
        return self._apply(request, Action.RESUME)

    @lifecycle_action(Action.CANCEL, needs_reason=True)
    def cancel(self, request: Request, pk: str) -> Response:
        return self._apply(request, Action.CANCEL)

    @lifecycle_action(Action.CLAIM)
    def claim(self, request: Request, pk: str) -> Response:
        return self._apply(request, Action.CLAIM)

    @extend_schema(summary=Action.ASSIGN.label, request=AssignSerializer, responses={200: WorkItemDetailSerializer})
    @action(detail=True, methods=["post"])
    def assign(self, request: Request, pk: str) -> Response:
        """Hand the item to a unit (and person) below the caller by an assignment letter (item_assign)."""
        item = self.get_object()
        data = self._input(request)
        item = item_assign(
            item=item,
            by=request.user,
            responsible_unit=data["responsible_unit"],
            responsible_person=data.get("responsible_person"),
            letter=data["letter"],
        )
        return self._detail(item)

    @extend_schema(
        summary=Action.POST_PROGRESS.label,
        request={"multipart/form-data": ProgressSerializer},
        responses={201: ProgressUpdateSerializer},
    )
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser])
    def progress(self, request: Request, pk: str) -> Response:
        """Record progress with optional evidence files (item_post_progress)."""
        item = self.get_object()
        data = self._input(request)
        update = item_post_progress(
            item=item, by=request.user, note=data["note"], percent=data["percent"], files=data["files"]
        )
        update = ProgressUpdate.objects.select_related("by").prefetch_related("evidence").get(pk=update.pk)
        return Response(ProgressUpdateSerializer(update, context=self.get_serializer_context()).data, status=201)

    @extend_schema(
        summary="Download an evidence file",
        parameters=[OpenApiParameter("evidence_id", int, OpenApiParameter.PATH)],
        responses={(200, content_type): OpenApiTypes.BINARY for content_type in EVIDENCE_CONTENT_TYPES},
    )
    @action(detail=True, methods=["get"], url_path=r"evidence/(?P<evidence_id>[^/.]+)", url_name="evidence")
    def evidence(self, request: Request, pk: str, evidence_id: str) -> FileResponse:
        """One evidence file of one of the item's progress updates."""
        item = self.get_object()
        evidence = get_object_or_404(Evidence.objects.filter(update__item=item), pk=evidence_id)
        return FileResponse(
            evidence.file.open("rb"), filename=evidence.original_name, content_type=evidence.content_type
        )
