"""Reads of work items that respect who is asking."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404, QueryDict

from apps.accounts.models import User
from apps.items.filtersets import WorkItemFilterSet
from apps.items.models import ItemTransition, WorkItem
from apps.items.rules import REASONED_STATUSES, STATUS_KEEPING_ACTIONS


def item_base_queryset(*, user: User) -> QuerySet[WorkItem]:
    return WorkItem.objects.visible_to(user).select_related(
        "unit", "responsible_unit", "responsible_person", "owner_person", "lead_leader", "category"
    )


def item_filterset(*, user: User, data: QueryDict | dict | None = None, mine: bool = False) -> WorkItemFilterSet:
    """The filtered list of items the user may see; `mine` keeps the items the user owns, handles or leads."""
    queryset = item_base_queryset(user=user)
    if mine:
        queryset = queryset.filter(
            Q(created_by=user) | Q(owner_person=user) | Q(responsible_person=user) | Q(lead_leader=user)
        )
    return WorkItemFilterSet(data=data or None, queryset=queryset.order_by("deadline", "id"), user=user)


def item_list(*, user: User, filters: QueryDict | dict | None = None) -> QuerySet[WorkItem]:
    return item_filterset(user=user, data=filters).qs


def item_get(*, user: User, pk: int) -> WorkItem:
    """One item the user may see, or 404 (an item outside the subtree does not exist for them)."""
    try:
        return item_base_queryset(user=user).get(pk=pk)
    except WorkItem.DoesNotExist as error:
        raise Http404 from error


def latest_reason(item: WorkItem) -> ItemTransition | None:
    """The move that left the item where it stands with a reason (returned, sent back, suspended, cancelled)."""
    latest = (
        item.transitions.exclude(action__in=list(STATUS_KEEPING_ACTIONS)).order_by("-at", "-id").select_related("by")
    )
    move = latest.first()
    if move is None or REASONED_STATUSES.get(move.action) != item.status or not move.reason:
        return None
    return move
