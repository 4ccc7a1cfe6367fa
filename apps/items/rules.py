"""Who may do what to an item, and from which states; read by services, pages and the API alike."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from apps.accounts.models import Role, User
from apps.items.models import OPEN_STATUSES, Action, Status, WorkItem
from apps.org.scope import user_reaches

# The status moves: action -> (the states it may start from, the state it leads to).
STATUS_MOVES: dict[str, tuple[frozenset[str], str]] = {
    Action.SUBMIT: (frozenset({Status.DRAFT}), Status.SUBMITTED),
    Action.APPROVE: (frozenset({Status.SUBMITTED}), Status.APPROVED),
    Action.START: (frozenset({Status.APPROVED, Status.RETURNED}), Status.IN_PROGRESS),
    Action.COMPLETE: (frozenset({Status.IN_PROGRESS}), Status.COMPLETED),
    Action.CLOSE: (frozenset({Status.COMPLETED}), Status.CLOSED),
    Action.RETURN: (frozenset({Status.COMPLETED}), Status.RETURNED),
    Action.SUSPEND: (OPEN_STATUSES, Status.SUSPENDED),
    Action.CANCEL: (OPEN_STATUSES | {Status.SUSPENDED}, Status.CANCELLED),
}

# Resuming returns a suspended item to the state it was suspended from, so a suspension can
# never be a way around submission or approval.
RESUMABLE_STATUSES = frozenset({Status.SUSPENDED})

# Actions that leave the status as it is, and the states they are allowed in.
PUBLISHABLE_STATUSES = frozenset(
    {Status.APPROVED, Status.IN_PROGRESS, Status.COMPLETED, Status.CLOSED, Status.RETURNED}
)
STATUS_KEEPING_ACTIONS: dict[str, frozenset[str]] = {
    Action.PUBLISH: PUBLISHABLE_STATUSES,
    Action.POST_PROGRESS: frozenset({Status.IN_PROGRESS}),
    Action.CLAIM: frozenset(set(Status) - {Status.CLOSED, Status.CANCELLED}),
    Action.ASSIGN: OPEN_STATUSES,
}

ACTIONS_NEEDING_REASON = frozenset({Action.RETURN, Action.SUSPEND, Action.CANCEL})
EDITABLE_STATUSES = OPEN_STATUSES

WORKER_ACTIONS = frozenset({Action.SUBMIT, Action.START, Action.POST_PROGRESS, Action.COMPLETE})
MANAGER_ACTIONS = frozenset(
    {Action.APPROVE, Action.PUBLISH, Action.ASSIGN, Action.SUSPEND, Action.RESUME, Action.CANCEL}
)
SUPERVISOR_ACTIONS = frozenset({Action.CLOSE, Action.RETURN})
LEADER_ACTIONS = frozenset({Action.CLAIM})


def user_can_see_item(user: User, item: WorkItem) -> bool:
    """The Python twin of WorkItem.objects.visible_to for one loaded item."""
    return user_reaches(user, item.unit) or user_reaches(user, item.responsible_unit)


def user_works_on_item(user: User, item: WorkItem) -> bool:
    """Owners, the responsible person, officials of the owning or responsible unit, and unit administrators above."""
    if not user_can_see_item(user, item):
        return False
    if user.sees_everything or user.has_role(Role.UNIT_ADMIN):
        return True
    if user.pk in {item.created_by_id, item.owner_person_id, item.responsible_person_id}:
        return True
    return user.has_role(Role.OFFICIAL) and user.unit_id in {item.unit_id, item.responsible_unit_id}


def user_holds_role_for_action(user: User, item: WorkItem, action: str) -> bool:
    if action in WORKER_ACTIONS:
        return user_works_on_item(user, item)
    if not user_can_see_item(user, item):
        return False
    if action in MANAGER_ACTIONS:
        return user.has_role(Role.UNIT_ADMIN, Role.LEADER, Role.SYSTEM_ADMIN)
    if action in SUPERVISOR_ACTIONS:
        return user.has_role(Role.SUPERVISOR, Role.SYSTEM_ADMIN)
    if action in LEADER_ACTIONS:
        return user.has_role(Role.LEADER)
    return False


def statuses_allowing(action: str) -> frozenset[str]:
    """The states an item may be in for `action` to happen."""
    if action in STATUS_MOVES:
        return STATUS_MOVES[action][0]
    if action == Action.RESUME:
        return RESUMABLE_STATUSES
    return STATUS_KEEPING_ACTIONS[action]


def state_refusal(item: WorkItem, action: str) -> str | None:
    """Why `action` cannot happen in the item's current state, or None when it can."""
    if item.status not in statuses_allowing(action):
        return _("“%(action)s” is not possible while the item is “%(status)s”.") % {
            "action": Action(action).label,
            "status": item.get_status_display(),
        }
    if action == Action.PUBLISH and item.is_published:
        return _("The item is already published.")
    if action == Action.CLAIM and item.lead_leader_id:
        return _("The item has already been claimed by %(leader)s.") % {"leader": item.lead_leader}
    return None


def allowed_actions(user: User, item: WorkItem) -> list[str]:
    """The actions this user may take on this item now, in the order the page shows them."""
    return [
        action
        for action in Action
        if action not in {Action.CREATE}
        and user_holds_role_for_action(user, item, action)
        and state_refusal(item, action) is None
    ]


def user_can_edit_item(user: User, item: WorkItem) -> bool:
    return item.status in EDITABLE_STATUSES and user_works_on_item(user, item)


# Ledgers write items in bulk, so who may import them is an items rule (DOMAIN.md: unit administrators).
BULK_CREATOR_ROLES = (Role.UNIT_ADMIN, Role.SYSTEM_ADMIN)


def user_can_import_items(user: User) -> bool:
    """May this user import a ledger of items (for units in their reach)?"""
    return user.is_authenticated and user.has_role(*BULK_CREATOR_ROLES)
