"""Reads of supervision notices that depend on who asks; the to-do inbox reads the last two."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404, QueryDict

from apps.accounts.models import User
from apps.items.models import WorkItem
from apps.items.rules import RESPONSIBLE_SIDE_ROLES
from apps.org.scope import in_reach_of
from apps.supervision.filtersets import NoticeFilterSet
from apps.supervision.models import Notice, NoticeStatus
from apps.supervision.notices import NOTICE_ITEM_STATUSES, NOTICE_ROLES


def notices_visible_to(user: User) -> QuerySet[Notice]:
    """The notices of the items the user sees, with what their lists show."""
    return Notice.objects.visible_to(user).select_related(
        "item", "item__unit", "item__responsible_unit", "item__responsible_person", "issued_by", "escalated_from"
    )


def notice_filterset(*, user: User, data: QueryDict | dict | None = None) -> NoticeFilterSet:
    """The notices the user sees, filtered by `data`; the list page, its exports and links share it."""
    return NoticeFilterSet(data=data or None, queryset=notices_visible_to(user), user=user)


def notice_get(*, user: User, pk: int) -> Notice:
    """One notice the user may see, or 404."""
    try:
        return notices_visible_to(user).get(pk=pk)
    except Notice.DoesNotExist as error:
        raise Http404 from error


def notices_to_reply(user: User) -> QuerySet[Notice]:
    """Notices waiting for a reply from the user's side: they are the responsible person, or an official or
    administrator of the responsible unit."""
    if not user.is_authenticated:
        return Notice.objects.none()
    mine = Q(item__responsible_person=user)
    if user.unit_id is not None and user.has_role(*RESPONSIBLE_SIDE_ROLES):
        mine |= Q(item__responsible_unit_id=user.unit_id)
    return notices_visible_to(user).filter(mine, status=NoticeStatus.WAITING).order_by("reply_by", "id")


def notices_to_decide(user: User) -> QuerySet[Notice]:
    """Answered notices waiting for the user's decision: they supervise the owning unit or a unit above it."""
    if not user.is_authenticated or not user.has_role(*NOTICE_ROLES):
        return Notice.objects.none()
    owning_side = in_reach_of(notices_visible_to(user), user, "item__unit__path")
    return owning_side.filter(status=NoticeStatus.ANSWERED).order_by("reply_by", "id")


def items_to_notice(user: User) -> QuerySet[WorkItem]:
    """The items the user may issue a notice on: owned in their reach, in a state to be noticed, by a supervisor."""
    if not user.is_authenticated or not user.has_role(*NOTICE_ROLES):
        return WorkItem.objects.none()
    items = WorkItem.objects.filter(status__in=sorted(NOTICE_ITEM_STATUSES))
    return in_reach_of(items, user, "unit__path")
