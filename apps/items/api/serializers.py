"""Item serializers: an item as a list row and in detail, what an edit or an action takes, the API's filters."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.reverse import reverse

from apps.accounts.api import PersonRefSerializer
from apps.accounts.models import User
from apps.items.evidence import ALLOWED_EVIDENCE_TYPES
from apps.items.models import (
    Action,
    Category,
    Evidence,
    ItemTransition,
    KeyLevel,
    Light,
    ProgressUpdate,
    Status,
    WorkItem,
)
from apps.items.rules import allowed_actions, user_can_edit_item
from apps.items.services import (
    EDITABLE_FIELDS,
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
    is_overdue = serializers.BooleanField(
        read_only=True, help_text="Planned, being delivered (not suspended) and past its deadline (Asia/Shanghai)."
    )
    days_overdue = serializers.IntegerField(read_only=True)
    light = serializers.ChoiceField(
        choices=[("", "none"), *Light.choices],
        read_only=True,
        help_text="Today's light of an item being delivered: red overdue, yellow deadline near (the unit's warning "
        "window in working days) or behind schedule, green on track; empty for items not being delivered.",
    )
    light_label = serializers.CharField(source="get_light_display", read_only=True)

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
            "original_deadline",
            "extension_asked_for",
            "acknowledge_by",
            "acknowledged_at",
            "is_overdue",
            "days_overdue",
            "light",
            "light_label",
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
        fields = ["id", "action", "from_status", "to_status", "by", "at", "reason", "due"]
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
        fields = ["id", "at", "by", "note", "percent", "is_public", "evidence"]
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
            "declined_at",
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
    is_public = serializers.BooleanField(
        label=_("Show this progress to the public"),
        required=False,
        default=False,
        help_text="Shown on the public pages (with its photos) once the item is published; internal by default.",
    )


class ExtensionRequestSerializer(serializers.Serializer):
    deadline = serializers.DateField(label=_("New deadline asked for"))
    reason = serializers.CharField(label=_("Reason"))


class ExtensionGrantSerializer(serializers.Serializer):
    deadline = serializers.DateField(
        label=_("New deadline"), required=False, allow_null=True, help_text="Default: the date asked for."
    )
    note = serializers.CharField(label=_("Note"), required=False, allow_blank=True, default="")


class ExtensionRefuseSerializer(serializers.Serializer):
    reason = serializers.CharField(label=_("Reason for refusing"))
