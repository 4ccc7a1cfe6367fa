"""The public pages in the API: anonymous reads of the same published data, from the same selectors.

No login and no session: what these endpoints return is what the public pages show, built from the plain public
rows of `selectors.py` (never a model with a phone number or an internal reason on it), cached the same way.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.api import ErrorSerializer
from apps.items.models import ItemKind, Light, Status
from apps.org.filtersets import filter_problems
from apps.public.filtersets import PUBLIC_STATUS_CHOICES
from apps.public.selectors import PublicItem, public_item_get, public_unit_get, public_unit_page


class PublicNoteSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    percent = serializers.IntegerField()
    note = serializers.CharField()
    photos = serializers.ListField(child=serializers.CharField(), help_text="Addresses of the note's photos.")


class PublicItemSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    number = serializers.CharField()
    kind = serializers.ChoiceField(choices=ItemKind.choices)
    title = serializers.CharField()
    content = serializers.CharField(allow_blank=True)
    beneficiaries = serializers.CharField(allow_blank=True)
    category = serializers.CharField(source="category_label")
    unit = serializers.CharField(source="unit_name", help_text="The owning unit's name.")
    responsible_unit = serializers.CharField(source="responsible_unit_name")
    responsible_person = serializers.CharField(
        source="responsible_person_name", allow_blank=True, help_text="The name only: never contact details."
    )
    deadline = serializers.DateField()
    status = serializers.ChoiceField(choices=Status.choices)
    status_label = serializers.CharField()
    light = serializers.ChoiceField(choices=Light.choices, allow_blank=True)
    progress_percent = serializers.IntegerField()
    is_key = serializers.BooleanField()
    notes = serializers.SerializerMethodField(help_text="The progress notes marked public, newest first.")

    def get_notes(self, item: PublicItem) -> list[dict[str, Any]]:
        return [
            {
                "at": note.at,
                "percent": note.percent,
                "note": note.note,
                "photos": [reverse("public:evidence", args=[photo_id]) for photo_id, _name in note.photos],
            }
            for note in item.notes
        ]


class PublicKindFiguresSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ItemKind.choices)
    kind_label = serializers.CharField()
    planned = serializers.IntegerField()
    completed = serializers.IntegerField()
    rate = serializers.FloatField(allow_null=True, help_text="completed ÷ planned in percent; null when none.")


class PublicUnitRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    name = serializers.CharField()
    published = serializers.IntegerField(required=False, help_text="Published items of its subtree.")


class PublicUnitSerializer(serializers.Serializer):
    unit = PublicUnitRefSerializer()
    ancestors = PublicUnitRefSerializer(many=True)
    children = PublicUnitRefSerializer(many=True)
    figures = PublicKindFiguresSerializer(many=True, help_text="Over the published items of the subtree.")
    count = serializers.IntegerField(help_text="Published items matching the filters.")
    page = serializers.IntegerField()
    pages = serializers.IntegerField()
    items = PublicItemSerializer(many=True, help_text="One page of them, by deadline.")


class _PublicView(APIView):
    authentication_classes: list = []  # anonymous: no session, no token, no CSRF
    permission_classes = [AllowAny]


class PublicUnitView(_PublicView):
    @extend_schema(
        summary="A unit's published items and figures",
        description="Anonymous. The published items of the unit and the units below it, 20 a page by deadline, "
        "filtered as the public page is; and planned, completed and the completion rate by list kind over them.",
        parameters=[
            OpenApiParameter("kind", str, enum=ItemKind.values),
            OpenApiParameter("category", int),
            OpenApiParameter("status", str, enum=[value for value, _label in PUBLIC_STATUS_CHOICES]),
            OpenApiParameter("subunit", int, description="A child unit: its subtree only."),
            OpenApiParameter("q", str, description="Text in the title, content or number."),
            OpenApiParameter("page", int),
        ],
        responses={200: PublicUnitSerializer, 400: ErrorSerializer, 404: ErrorSerializer},
        tags=["public"],
    )
    def get(self, request: Request, unit_id: int) -> Response:
        unit = public_unit_get(unit_id)
        page = public_unit_page(unit=unit, query=request.query_params)
        if page.page is None:
            raise ValidationError({"filters": [filter_problems(page.filterset)]})
        data = {
            "unit": unit,
            "ancestors": page.ancestors,
            "children": page.children,
            "figures": [
                {
                    "kind": figures.kind,
                    "kind_label": figures.kind_label,
                    "planned": figures.planned,
                    "completed": figures.completed,
                    "rate": None if figures.rate is None else float(figures.rate),
                }
                for figures in page.figures
            ],
            "count": page.page.count,
            "page": page.page.number,
            "pages": page.page.num_pages,
            "items": page.page.rows,
        }
        return Response(PublicUnitSerializer(data).data)


class PublicItemView(_PublicView):
    @extend_schema(
        summary="One published item",
        description="Anonymous. A published item with its public progress notes; any other item is 404.",
        responses={200: PublicItemSerializer, 404: ErrorSerializer},
        tags=["public"],
    )
    def get(self, request: Request, item_id: int) -> Response:
        return Response(PublicItemSerializer(public_item_get(item_id)).data)
