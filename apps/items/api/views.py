"""The item viewset: list, detail, create, edit and every lifecycle action, through the item services."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import FileResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from apps.core.api import ErrorSerializer, PortalCursorPagination, UserFilterBackend
from apps.core.versions import etag_of, version_of_etag
from apps.items.api.list_rows import item_list_rows, item_page_values
from apps.items.api.serializers import (
    ActionSerializer,
    ActionWithReasonSerializer,
    AssignSerializer,
    ExtensionGrantSerializer,
    ExtensionRefuseSerializer,
    ExtensionRequestSerializer,
    ProgressSerializer,
    ProgressUpdateSerializer,
    WorkItemCreateSerializer,
    WorkItemDetailSerializer,
    WorkItemSerializer,
    WorkItemWriteSerializer,
)
from apps.items.evidence import ALLOWED_EVIDENCE_TYPES, DOWNLOAD_CONTENT_TYPE, evidence_response
from apps.items.filtersets import WorkItemFilterSetForApi
from apps.items.models import Action, Evidence, ItemTransition, ProgressUpdate, WorkItem
from apps.items.selectors import item_base_queryset
from apps.items.services import (
    item_apply_action,
    item_assign,
    item_create,
    item_delete_draft,
    item_grant_extension,
    item_post_progress,
    item_refuse_extension,
    item_request_extension,
    item_update,
)

ETAG_DESCRIPTION = (
    "The response's `ETag` header is the item's version. To edit the item, send it back in `If-Match`: an edit "
    "made from an older version is refused with 412 and a message naming what changed since, so two people "
    "editing at once never silently undo each other."
)
EDIT_SCHEMA: dict[str, Any] = {
    "request": WorkItemWriteSerializer,
    "responses": {200: WorkItemDetailSerializer, 412: ErrorSerializer, 428: ErrorSerializer},
    "parameters": [
        OpenApiParameter(
            "If-Match",
            str,
            OpenApiParameter.HEADER,
            required=True,
            description="The `ETag` of the item as read (`GET /api/v1/items/{id}/`); `*` overwrites any version.",
        )
    ],
    "description": ETAG_DESCRIPTION,
}
# An image that does not decode downloads as application/octet-stream (evidence_response).
EVIDENCE_CONTENT_TYPES = sorted(
    {content_type for content_type, _signatures in ALLOWED_EVIDENCE_TYPES.values()} | {DOWNLOAD_CONTENT_TYPE}
)


def lifecycle_action(name: str, *, needs_reason: bool = False) -> Callable:
    """A POST …/{name}/ action of the item lifecycle, documented with its request and response."""
    return lambda method: extend_schema(
        summary=Action(name).label,
        request=ActionWithReasonSerializer if needs_reason else ActionSerializer,
        responses={200: WorkItemDetailSerializer},
    )(action(detail=True, methods=["post"], url_path=name, url_name=name)(method))


class WorkItemViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
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
        "revise": ActionWithReasonSerializer,
        "suspend": ActionWithReasonSerializer,
        "cancel": ActionWithReasonSerializer,
        "decline": ActionWithReasonSerializer,
        "request_extension": ExtensionRequestSerializer,
        "grant_extension": ExtensionGrantSerializer,
        "refuse_extension": ExtensionRefuseSerializer,
    }

    def get_queryset(self) -> QuerySet[WorkItem]:
        queryset = item_base_queryset(user=self.request.user)
        if self.action == "retrieve":
            queryset = self._with_timeline(queryset)
        return queryset

    def get_serializer_class(self) -> type[serializers.Serializer]:
        return self.serializer_classes.get(self.action, ActionSerializer)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Items in the caller's scope, newest first, paged by cursor; rows as `WorkItemSerializer` gives them.

        The page's ids come first, from an index alone where one holds the filtered columns (item_unit_status for
        a subtree's items by status); then the rows are read flat by id (list_rows.py): plain values, then the units,
        people and categories they name, rather than the serializer's nested walk over a six-table join.
        """
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()).values("id"))
        return self.get_paginated_response(item_list_rows(item_page_values([row["id"] for row in page])))

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
        """The item as it now is, read again through the caller's scope, with its version as the ETag."""
        fresh = self._with_timeline(item_base_queryset(user=self.request.user)).get(pk=item.pk)
        data = WorkItemDetailSerializer(fresh, context=self.get_serializer_context()).data
        return Response(data, status=code, headers={"ETag": etag_of(fresh.version)})

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

    @extend_schema(description=ETAG_DESCRIPTION)
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """One item with its timeline; its `ETag` header is the version to send back in `If-Match` when editing."""
        item = self.get_object()
        return Response(self.get_serializer(item).data, headers={"ETag": etag_of(item.version)})

    @extend_schema(**EDIT_SCHEMA)
    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Change an open item's fields (item_update); PATCH changes only the fields sent."""
        item = self.get_object()
        if_match = request.headers.get("If-Match", "").strip()
        if not if_match:
            return Response(
                {
                    "detail": _(
                        "Send the item's ETag in the If-Match header: read the item first, then edit that version."
                    )
                },
                status=status.HTTP_428_PRECONDITION_REQUIRED,
            )
        serializer = self.get_serializer(item, data=request.data, partial=kwargs.get("partial", False))
        serializer.is_valid(raise_exception=True)
        # "*" is HTTP's "whatever the current version": a client that means to overwrite says so.
        expected = None if if_match == "*" else version_of_etag(if_match)
        item = item_update(item=item, by=request.user, expected_version=expected, **serializer.validated_data)
        return self._detail(item)

    @extend_schema(**EDIT_SCHEMA)
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.update(request, *args, partial=True, **kwargs)

    def _apply(self, request: Request, name: str) -> Response:
        item = self.get_object()
        reason = self._input(request)["reason"]
        return self._detail(item_apply_action(item=item, by=request.user, action=name, reason=reason))

    @lifecycle_action(Action.SUBMIT)
    def submit(self, request: Request, pk: str) -> Response:
        return self._apply(request, Action.SUBMIT)

    @lifecycle_action(Action.REVISE, needs_reason=True)
    def revise(self, request: Request, pk: str) -> Response:
        return self._apply(request, Action.REVISE)

    @extend_schema(summary=Action.DELETE_DRAFT.label, responses={204: None, 400: ErrorSerializer})
    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Delete a draft its author never submitted (item_delete_draft); anything else is cancelled instead."""
        item_delete_draft(item=self.get_object(), by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @lifecycle_action(Action.ACKNOWLEDGE)
    def acknowledge(self, request: Request, pk: str) -> Response:
        return self._apply(request, Action.ACKNOWLEDGE)

    @lifecycle_action(Action.DECLINE, needs_reason=True)
    def decline(self, request: Request, pk: str) -> Response:
        return self._apply(request, Action.DECLINE)

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

    @extend_schema(
        summary=Action.REQUEST_EXTENSION.label,
        request=ExtensionRequestSerializer,
        responses={200: WorkItemDetailSerializer, 400: ErrorSerializer, 403: ErrorSerializer},
    )
    @action(detail=True, methods=["post"], url_path="request-extension")
    def request_extension(self, request: Request, pk: str) -> Response:
        """The responsible side asks for a later deadline, before the deadline (item_request_extension)."""
        data = self._input(request)
        item = item_request_extension(
            item=self.get_object(), by=request.user, deadline=data["deadline"], reason=data["reason"]
        )
        return self._detail(item)

    @extend_schema(
        summary=Action.GRANT_EXTENSION.label,
        request=ExtensionGrantSerializer,
        responses={200: WorkItemDetailSerializer, 400: ErrorSerializer, 403: ErrorSerializer},
    )
    @action(detail=True, methods=["post"], url_path="grant-extension")
    def grant_extension(self, request: Request, pk: str) -> Response:
        """The owning side grants the extension waiting, setting the new deadline (item_grant_extension)."""
        data = self._input(request)
        item = item_grant_extension(
            item=self.get_object(), by=request.user, deadline=data.get("deadline"), note=data["note"]
        )
        return self._detail(item)

    @extend_schema(
        summary=Action.REFUSE_EXTENSION.label,
        request=ExtensionRefuseSerializer,
        responses={200: WorkItemDetailSerializer, 400: ErrorSerializer, 403: ErrorSerializer},
    )
    @action(detail=True, methods=["post"], url_path="refuse-extension")
    def refuse_extension(self, request: Request, pk: str) -> Response:
        """The owning side refuses the extension waiting, with the reason (item_refuse_extension)."""
        item = item_refuse_extension(item=self.get_object(), by=request.user, reason=self._input(request)["reason"])
        return self._detail(item)

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
            item=item,
            by=request.user,
            note=data["note"],
            percent=data["percent"],
            files=data["files"],
            is_public=data["is_public"],
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
        return evidence_response(evidence)  # as the item page's link serves it: inline only for a decoded image
