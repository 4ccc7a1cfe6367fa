"""The leader's dashboard in the API: the same figures as the page, from the same builder and payload."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.api import ErrorSerializer
from apps.dashboards.payload import dashboard_payload_for
from apps.dashboards.selectors import CHILD_SORTS, dashboard_unit_for
from apps.items.models import ItemKind, KeyLevel, OwnerType, Status
from apps.org.models import UnitLevel

# The payload is a plain dict (the page's charts read it too); these serializers only describe it.


class DashboardUnitSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    level = serializers.ChoiceField(choices=UnitLevel.choices)
    url = serializers.CharField(help_text="The unit's dashboard page.")


def _links(name: str, *, overdue: bool = True) -> serializers.Serializer:
    """The item list behind each count: the list page filtered the same way."""
    fields = {"planned": serializers.CharField(), "completed": serializers.CharField()}
    if overdue:
        for count in ("overdue", "red", "yellow", "green", "late_completions", "waiting", "waiting_late"):
            fields[count] = serializers.CharField()
    return inline_serializer(name, fields, help_text="The item list behind each count.")


class DashboardFiguresSerializer(serializers.Serializer):
    planned = serializers.IntegerField(
        help_text="Items approved into the plan and not cancelled; drafts and items awaiting approval count nowhere."
    )
    completed = serializers.IntegerField(help_text="Items completed or closed.")
    rate = serializers.FloatField(
        allow_null=True, help_text="completed ÷ planned in percent, rounded half-up to one decimal; null for none."
    )
    rate_text = serializers.CharField(help_text="The rate as leaders read it: 34.6%, or — when none is planned.")
    overdue = serializers.IntegerField(
        help_text="Planned items being delivered (open, not suspended) past their deadline today."
    )
    red = serializers.IntegerField(help_text="Items being delivered lit red today: overdue.")
    yellow = serializers.IntegerField(
        help_text="Items being delivered lit yellow today: the deadline is near, or progress lags the time elapsed."
    )
    green = serializers.IntegerField(help_text="Items being delivered lit green today: on track.")
    on_time_rate = serializers.FloatField(
        allow_null=True,
        help_text="按期办结率: completed on or before the deadline in force ÷ completed, in percent; null for none.",
    )
    on_time_rate_text = serializers.CharField(help_text="The on-time rate as leaders read it.")
    late_completions = serializers.IntegerField(help_text="Items completed after the deadline in force.")
    acknowledgement_rate = serializers.FloatField(
        allow_null=True,
        help_text="签收及时率: items acknowledged within the time limit ÷ (acknowledged + still waiting past it), "
        "in percent; null for none.",
    )
    acknowledgement_rate_text = serializers.CharField(help_text="The acknowledgement rate as leaders read it.")
    waiting = serializers.IntegerField(
        help_text="未签收: items handed down to another unit, being delivered, not acknowledged yet."
    )
    waiting_late = serializers.IntegerField(help_text="Of those, the ones past the time limit today.")


NOTICE_FIGURE_HELP = {
    "issued": "Supervision notices (督办单) on items owned in the subtree, every colour; an escalation is a new notice.",
    "answered": "Of those, the notices that got a reply (answered, accepted, or escalated after the reply).",
    "overdue": "Notices still waiting for a reply past their reply deadline today.",
    "red": "Red notices.",
    "open": "Notices waiting for a reply, or answered and waiting for the supervisor's decision.",
}


class DashboardNoticeFiguresSerializer(serializers.Serializer):
    issued = serializers.IntegerField(help_text=NOTICE_FIGURE_HELP["issued"])
    answered = serializers.IntegerField(help_text=NOTICE_FIGURE_HELP["answered"])
    overdue = serializers.IntegerField(help_text=NOTICE_FIGURE_HELP["overdue"])
    red = serializers.IntegerField(help_text=NOTICE_FIGURE_HELP["red"])
    open = serializers.IntegerField(help_text=NOTICE_FIGURE_HELP["open"])


class DashboardLinkedNoticeFiguresSerializer(DashboardNoticeFiguresSerializer):
    links = inline_serializer(
        "DashboardNoticeLinks",
        {name: serializers.CharField() for name in NOTICE_FIGURE_HELP},
        help_text="The notice list behind each count.",
    )


class DashboardRequestFiguresSerializer(serializers.Serializer):
    received = serializers.IntegerField(
        help_text="Citizens' requests (群众诉求) handled in the subtree, counted by the unit handling them now."
    )
    accepted_on_time = serializers.IntegerField(help_text="Taken on (受理) by the day they were due.")
    answered = serializers.IntegerField(help_text="Answered and closed (答复办结), or their work item closed (销号).")
    rated = serializers.IntegerField(help_text="Rated by the sender or in a phone follow-up (回访), the latest rating.")
    satisfied = serializers.IntegerField(help_text="Of those, rated satisfied or basically satisfied.")
    solved = serializers.IntegerField(help_text="Of those, confirmed solved by the citizen.")
    reopened = serializers.IntegerField(help_text="Second rounds (二次办理) after a dissatisfied or not-solved rating.")
    satisfaction_rate = serializers.FloatField(
        allow_null=True, help_text="满意率: satisfied ÷ rated, in percent; null when none is rated."
    )
    satisfaction_rate_text = serializers.CharField(help_text="The satisfaction rate as leaders read it.")
    resolution_rate = serializers.FloatField(
        allow_null=True, help_text="解决率: confirmed solved ÷ rated, in percent; null when none is rated."
    )
    resolution_rate_text = serializers.CharField(help_text="The resolution rate as leaders read it.")


class DashboardLinkedFiguresSerializer(DashboardFiguresSerializer):
    links = _links("DashboardFigureLinks")


class DashboardOwnFiguresSerializer(DashboardFiguresSerializer):
    notices = DashboardNoticeFiguresSerializer(help_text="Supervision notices on the unit's own items.")
    requests = DashboardRequestFiguresSerializer(help_text="Citizens' requests the unit handles itself.")


class DashboardOwnerTypeSerializer(DashboardLinkedFiguresSerializer):
    owner_type = serializers.ChoiceField(choices=OwnerType.choices)
    label = serializers.CharField()
    kind = serializers.ChoiceField(choices=ItemKind.choices)
    kind_label = serializers.CharField()


class DashboardChildSerializer(DashboardLinkedFiguresSerializer):
    unit = DashboardUnitSerializer()
    has_children = serializers.BooleanField()
    notices = DashboardLinkedNoticeFiguresSerializer(help_text="Supervision notices on items owned in its subtree.")
    requests = DashboardRequestFiguresSerializer(help_text="Citizens' requests handled in its subtree.")


class DashboardStatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Status.choices)
    label = serializers.CharField()
    count = serializers.IntegerField()
    link = serializers.CharField()


class DashboardCategorySerializer(DashboardFiguresSerializer):
    # Not counted per category.
    overdue = red = yellow = green = None
    on_time_rate = on_time_rate_text = late_completions = None
    acknowledgement_rate = acknowledgement_rate_text = waiting = waiting_late = None
    category = serializers.CharField(help_text="The category's code.")
    label = serializers.CharField()
    links = _links("DashboardCategoryLinks", overdue=False)


class DashboardWeekSerializer(serializers.Serializer):
    week = serializers.DateField(help_text="The Monday the week starts on.")
    week_end = serializers.DateField()
    completed = serializers.IntegerField()
    link = serializers.CharField()


class DashboardItemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    title = serializers.CharField()
    unit = serializers.CharField(help_text="The owning unit's name.")
    status = serializers.ChoiceField(choices=Status.choices)
    status_label = serializers.CharField()
    deadline = serializers.DateField()
    days_overdue = serializers.IntegerField()
    progress = serializers.IntegerField()
    url = serializers.CharField()


class DashboardKeyItemSerializer(DashboardItemSerializer):
    key_level = serializers.ChoiceField(choices=KeyLevel.choices, allow_blank=True)
    key_level_label = serializers.CharField(allow_blank=True)
    lead_leader = serializers.CharField(allow_null=True)


class DashboardSerializer(serializers.Serializer):
    unit = DashboardUnitSerializer()
    today = serializers.DateField(help_text="The day (Asia/Shanghai) overdue is counted on.")
    sort = serializers.ChoiceField(choices=CHILD_SORTS)
    breadcrumbs = DashboardUnitSerializer(many=True, help_text="From the highest unit the caller sees to this one.")
    owner_types = DashboardOwnerTypeSerializer(many=True, help_text="By list kind × owner type, in DOMAIN order.")
    total = DashboardLinkedFiguresSerializer()
    notices = DashboardLinkedNoticeFiguresSerializer(
        help_text="Supervision notices (督办单) on items owned in the subtree, counted by the item's owning unit."
    )
    requests = DashboardRequestFiguresSerializer(
        help_text="Citizens' requests (群众诉求) handled in the subtree, with 满意率 and 解决率 beside the completion rate."
    )
    own = DashboardOwnFiguresSerializer(
        allow_null=True, help_text="The items the unit owns itself, beside its children's; null when none."
    )
    children = DashboardChildSerializer(many=True, help_text="A row per child unit, sorted as `sort` says.")
    statuses = DashboardStatusSerializer(many=True)
    categories = DashboardCategorySerializer(many=True)
    trend = DashboardWeekSerializer(many=True, help_text="Items completed per week, the last twelve weeks.")
    overdue_items = DashboardItemSerializer(many=True, help_text="The open items longest past their deadline.")
    key_items = DashboardKeyItemSerializer(many=True, help_text="Key items being delivered, by deadline.")


SORT_PARAMETER = OpenApiParameter(
    "sort",
    str,
    enum=list(CHILD_SORTS),
    description="How the child units are sorted: by name (tree order), rate or overdue; `-` for descending.",
)


RESPONSES = {200: DashboardSerializer, 400: ErrorSerializer, 404: ErrorSerializer}


class DashboardView(APIView):
    """Completion rates of a unit's subtree: the leader's dashboard page as data."""

    @extend_schema(
        operation_id="dashboards_retrieve",
        summary="A unit's dashboard",
        parameters=[SORT_PARAMETER],
        responses=RESPONSES,
    )
    def get(self, request: Request, unit_id: int | None = None) -> Response:
        """The dashboard of a unit in the caller's subtree; any other unit is 404, as one that does not exist."""
        sort = request.query_params.get("sort", "unit")
        if sort not in CHILD_SORTS:
            choices = ", ".join(CHILD_SORTS)
            message = _("Sort by one of: %(choices)s.") % {"choices": choices}
            raise ValidationError({"sort": [message]})
        unit = dashboard_unit_for(user=request.user, unit_id=unit_id)
        return Response(dashboard_payload_for(user=request.user, unit=unit, sort=sort))


class OwnDashboardView(DashboardView):
    """The dashboard of the caller's own unit."""

    @extend_schema(
        operation_id="dashboards_own",
        summary="The dashboard of my unit",
        parameters=[SORT_PARAMETER],
        responses=RESPONSES,
    )
    def get(self, request: Request, unit_id: int | None = None) -> Response:
        """The dashboard of the caller's own unit (for a system administrator, the top of the tree)."""
        return super().get(request)
