"""The citizens' requests queue in the API, for the handling units' administrators: the same services as the pages.

`GET /api/v1/requests/` lists the requests the caller handles (their unit and below), with the queue's filters;
each step is a POST on the request, refused as the page refuses it (the state, the caller's side, a missing note).
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from apps.core.api import ErrorSerializer, PortalPageNumberPagination, UserFilterBackend
from apps.org.api import UnitRefSerializer, units_of_caller
from apps.org.models import Unit
from apps.public.models import CitizenRequest, Rating, RequestAction, RequestStatus, RequestStep
from apps.public.rating import request_rate
from apps.public.request_filtersets import CitizenRequestFilterSet
from apps.public.request_selectors import requests_visible_to
from apps.public.request_services import (
    request_accept,
    request_answer,
    request_decline,
    request_forward,
    request_link_item,
    request_turn_into_item,
)


class RequestStepSerializer(serializers.ModelSerializer):
    action = serializers.ChoiceField(choices=RequestAction.choices)
    by = serializers.CharField(source="by.__str__", allow_null=True, default=None, help_text="Null for the public.")
    to_unit = UnitRefSerializer(allow_null=True)

    class Meta:
        model = RequestStep
        fields = ["action", "at", "by", "note", "to_unit"]
        read_only_fields = fields


class CitizenRequestSerializer(serializers.ModelSerializer):
    unit = UnitRefSerializer(read_only=True)
    status = serializers.ChoiceField(choices=RequestStatus.choices, read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    category_label = serializers.CharField(source="category.__str__", read_only=True)
    acceptance_overdue = serializers.BooleanField(source="is_acceptance_overdue", read_only=True)
    rating = serializers.ChoiceField(choices=Rating.choices, allow_blank=True, read_only=True)
    steps = RequestStepSerializer(many=True, read_only=True)

    class Meta:
        model = CitizenRequest
        fields = [
            "id",
            "tracking_code",
            "category",
            "category_label",
            "unit",
            "text",
            "name",
            "phone",
            "may_contact",
            "status",
            "status_label",
            "accept_by",
            "acceptance_overdue",
            "accepted_at",
            "closed_at",
            "item",
            "reply",
            "rating",
            "solved",
            "rated_at",
            "rated_by_phone",
            "reopened",
            "steps",
        ]
        read_only_fields = fields


class ForwardSerializer(serializers.Serializer):
    unit = serializers.PrimaryKeyRelatedField(label=_("Forward to"), queryset=Unit.objects.none())
    note = serializers.CharField(label=_("Note for the unit"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units_of_caller(self.context)


class TurnIntoItemSerializer(serializers.Serializer):
    title = serializers.CharField(label=_("Title"), max_length=200)
    content = serializers.CharField(label=_("Content"), required=False, default="", allow_blank=True)
    deadline = serializers.DateField(label=_("Deadline"))


class LinkItemSerializer(serializers.Serializer):
    number = serializers.CharField(label=_("Work item number"), max_length=40)


class AnswerSerializer(serializers.Serializer):
    reply = serializers.CharField(label=_("Reply to the sender"))


class DeclineSerializer(serializers.Serializer):
    reason = serializers.CharField(label=_("Reason (the sender reads it)"))


class FollowUpSerializer(serializers.Serializer):
    rating = serializers.ChoiceField(label=_("How satisfied are you?"), choices=Rating.choices)
    solved = serializers.BooleanField(label=_("Is the problem actually solved?"))
    note = serializers.CharField(label=_("Anything to add"), required=False, default="", allow_blank=True)


def _steps(summary: str, body: type[serializers.Serializer] | None = None) -> Any:
    return extend_schema(
        summary=summary,
        request=body,
        responses={200: CitizenRequestSerializer, 400: ErrorSerializer, 403: ErrorSerializer},
    )


class CitizenRequestViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Citizens' requests (群众诉求) handled by the caller's unit and the units below it, for their administrators."""

    serializer_class = CitizenRequestSerializer
    pagination_class = PortalPageNumberPagination
    filter_backends = [UserFilterBackend]
    filterset_class = CitizenRequestFilterSet

    def get_queryset(self) -> QuerySet[CitizenRequest]:
        return (
            requests_visible_to(self.request.user)
            .select_related("unit", "category")
            .prefetch_related("steps__by", "steps__to_unit")
            .order_by("-created_at", "-pk")
        )

    def _input(self, serializer_class: type[serializers.Serializer], request: Request) -> dict[str, Any]:
        serializer = serializer_class(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def _answer(self, citizen_request: CitizenRequest) -> Response:
        return Response(self.get_serializer(self.get_queryset().get(pk=citizen_request.pk)).data)

    @_steps("Accept (受理)")
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, pk: str) -> Response:
        return self._answer(request_accept(request=self.get_object(), by=request.user))

    @_steps("Forward to another unit (转办)", ForwardSerializer)
    @action(detail=True, methods=["post"])
    def forward(self, request: Request, pk: str) -> Response:
        data = self._input(ForwardSerializer, request)
        return self._answer(request_forward(request=self.get_object(), by=request.user, **data))

    @_steps("Turn into a work item (转为事项)", TurnIntoItemSerializer)
    @action(detail=True, methods=["post"], url_path="turn-into-item")
    def turn_into_item(self, request: Request, pk: str) -> Response:
        data = self._input(TurnIntoItemSerializer, request)
        return self._answer(request_turn_into_item(request=self.get_object(), by=request.user, **data))

    @_steps("Link an existing work item", LinkItemSerializer)
    @action(detail=True, methods=["post"], url_path="link-item")
    def link_item(self, request: Request, pk: str) -> Response:
        data = self._input(LinkItemSerializer, request)
        return self._answer(request_link_item(request=self.get_object(), by=request.user, **data))

    @_steps("Reply and close (答复办结)", AnswerSerializer)
    @action(detail=True, methods=["post"])
    def answer(self, request: Request, pk: str) -> Response:
        data = self._input(AnswerSerializer, request)
        return self._answer(request_answer(request=self.get_object(), by=request.user, **data))

    @_steps("Do not accept (不予受理)", DeclineSerializer)
    @action(detail=True, methods=["post"])
    def decline(self, request: Request, pk: str) -> Response:
        data = self._input(DeclineSerializer, request)
        return self._answer(request_decline(request=self.get_object(), by=request.user, **data))

    @_steps("Record a phone follow-up (回访)", FollowUpSerializer)
    @action(detail=True, methods=["post"], url_path="follow-up")
    def follow_up(self, request: Request, pk: str) -> Response:
        data = self._input(FollowUpSerializer, request)
        return self._answer(request_rate(request=self.get_object(), by=request.user, **data))
