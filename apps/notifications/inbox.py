"""我的待办: what is waiting on a person, section by section, each entry linking to where it is cleared.

Every section is a queryset over the items (or notices) built from the same rules the services check
(apps/items/rules.py: the owning side decides, the responsible side does the work), so an entry here is
something the person may actually do, and doing it takes the entry away.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db.models import OuterRef, Q, QuerySet, Subquery, Sum
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import Role
from apps.items.counters.models import StatusCount
from apps.items.lights import light_q
from apps.items.models import (
    ACTIVE_STATUS_LIST,
    Acknowledgement,
    Action,
    ItemTransition,
    Light,
    Status,
    WorkItem,
    acknowledgement_q,
    today_local,
)
from apps.items.rules import OWNING_SIDE_ROLES, RESPONSIBLE_SIDE_ROLES
from apps.org.scope import in_reach_of
from apps.public.models import RequestStatus
from apps.public.request_selectors import requests_visible_to
from apps.supervision.selectors import notices_to_decide, notices_to_reply

if TYPE_CHECKING:
    import datetime

    from apps.accounts.models import User

# How many entries of each section the inbox page lists; the rest are behind the section's "all" link.
SECTION_SIZE = 20


def responsible_q(user: User) -> Q:
    """The items the user is on the responsible side of: theirs, or their unit's if they work it."""
    mine = Q(responsible_person=user)
    if user.unit_id is not None and user.has_role(*RESPONSIBLE_SIDE_ROLES):
        mine |= Q(responsible_unit_id=user.unit_id)
    return mine


def _owning_side(user: User, action: str) -> QuerySet[WorkItem]:
    """Items whose owning side the user is on, in a role that takes `action` there."""
    if not (user.sees_everything or user.has_role(*OWNING_SIDE_ROLES[action])):
        return WorkItem.objects.none()
    return in_reach_of(WorkItem.objects.all(), user, "unit__path")


@dataclass
class Section:
    """One kind of work waiting on the person."""

    key: str
    title: str
    hint: str  # what clears an entry
    items: QuerySet
    count: int = 0
    entries: list = field(default_factory=list)
    # For a queue as wide as the person's whole subtree (approve, close), the rollup counters' figure: the
    # same number without counting the items.
    counted_status: str = ""
    kind: str = "item"  # what the entries are: items, or supervision notices


# The reason of an item's last return (退回), shown beside it in "Returned to me".
_last_return = ItemTransition.objects.filter(item=OuterRef("pk"), action=Action.RETURN).order_by("-at", "-id")


def inbox_sections(user: User, today: datetime.date | None = None) -> list[Section]:
    """The sections of the user's inbox, as querysets not yet run (in the order the page shows them)."""
    if not user.is_authenticated:
        return []
    today = today or today_local()
    mine = WorkItem.objects.filter(responsible_q(user))
    sections = [
        Section(
            "acknowledge",
            _("To acknowledge (签收)"),
            _("Acknowledge or decline the assignment on the item's page."),
            mine.filter(acknowledgement_q(Acknowledgement.WAITING)).order_by("acknowledge_by", "pk"),
        ),
        Section(
            "notice_reply",
            _("Supervision notices to answer"),
            _("Reply on the notice's page with what was done, and the evidence, by its reply date."),
            notices_to_reply(user),
            kind="notice",
        ),
        Section(
            "returned",
            _("Returned to me"),
            _("Start the work again and complete it; the reason is on the item's page."),
            mine.filter(status=Status.RETURNED)
            .annotate(return_reason=Subquery(_last_return.values("reason")[:1]))
            .order_by("deadline", "pk"),
        ),
        Section(
            "overdue",
            _("My overdue items"),
            _("Complete them, or say why on the item's page."),
            mine.filter(light_q(Light.RED, today)).order_by("deadline", "pk"),
        ),
        Section(
            "yellow",
            _("My items lit yellow"),
            _("The deadline is near or the progress lags: post progress or ask for an extension."),
            mine.filter(light_q(Light.YELLOW, today)).order_by("deadline", "pk"),
        ),
        Section(
            "approve",
            _("To approve"),
            _("Approve the item into the plan, or send it back for revision."),
            _owning_side(user, Action.APPROVE).filter(status=Status.SUBMITTED).order_by("deadline", "pk"),
            counted_status=Status.SUBMITTED,
        ),
        Section(
            "extension",
            _("Extension requests to decide"),
            _("Grant the extension, setting the date, or refuse it with a reason."),
            _owning_side(user, Action.GRANT_EXTENSION)
            .filter(status__in=ACTIVE_STATUS_LIST, extension_asked_for__isnull=False)
            .order_by("deadline", "pk"),
        ),
        Section(
            "declined",
            _("Assignments declined (退办)"),
            _("Assign the item again, or take it on in the owning unit."),
            _owning_side(user, Action.ASSIGN)
            .filter(status__in=ACTIVE_STATUS_LIST, declined_at__isnull=False)
            .order_by("-declined_at", "pk"),
        ),
        Section(
            "close",
            _("To review and close"),
            _("Close the completed item after checking it, or return it with a reason."),
            _owning_side(user, Action.CLOSE).filter(status=Status.COMPLETED).order_by("completed_on", "pk"),
            counted_status=Status.COMPLETED,
        ),
        Section(
            "requests",
            _("Citizens' requests to handle"),
            _("Accept the request within its time limit, then answer it, forward it or turn it into an item."),
            requests_visible_to(user)
            .filter(status__in=[RequestStatus.RECEIVED, RequestStatus.ACCEPTED])
            .order_by("accept_by", "pk"),
            kind="request",
        ),
        Section(
            "public_comment",
            _("Publication-period comments to answer"),
            _("Answer the public's objection or suggestion on the item's page; the answer is shown publicly."),
            # Items with a comment not yet answered (PublicComment.item's reverse relation).
            _owning_side(user, Action.PUBLISH)
            .filter(public_comments__pk__isnull=False, public_comments__answered_at__isnull=True)
            .distinct()
            .order_by("deadline", "pk"),
        ),
        Section(
            "notice_decide",
            _("Notice replies to decide"),
            _("Accept the reply, or escalate the notice to the next colour."),
            notices_to_decide(user),
            kind="notice",
        ),
    ]
    if user.sees_everything and not user.has_role(Role.SUPERVISOR, Role.LEADER, Role.UNIT_ADMIN):
        # A system administrator supports every office but works no one's queue.
        queues = {"approve", "extension", "declined", "close", "notice_decide", "public_comment"}
        sections = [section for section in sections if section.key not in queues]
    return sections


def _count(section: Section, user: User) -> int:
    if not section.counted_status:
        return section.items.count()
    if section.items.query.is_empty():
        return 0
    # The owning side is the person's subtree: the counters' row of their unit (of every root, for those who
    # reach everything) counts its items by status.
    rows = (
        StatusCount.objects.filter(unit__parent__isnull=True)
        if user.sees_everything
        else StatusCount.objects.filter(unit_id=user.unit_id)
    )
    return rows.aggregate(total=Sum(section.counted_status))["total"] or 0


def inbox_fill(sections: list[Section], user: User) -> list[Section]:
    """Count each section and load its first SECTION_SIZE entries (with the units the page shows)."""
    for section in sections:
        section.count = _count(section, user)
        if section.count:
            related = (
                ("unit", "responsible_unit") if section.kind == "item" else ("item__unit", "item__responsible_unit")
            )
            section.entries = list(section.items.select_related(*related)[:SECTION_SIZE])
    return sections


def inbox_total(user: User) -> int:
    """How many entries wait on the user in all, for the badge in the top bar."""
    return sum(_count(section, user) for section in inbox_sections(user))
