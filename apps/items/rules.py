"""Who may do what to an item, and from which states; read by services, pages and the API alike."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from apps.accounts.models import Role, User
from apps.items.models import ACTIVE_STATUSES, OPEN_STATUSES, Action, Status, WorkItem, today_local
from apps.org.scope import user_reaches

# The status moves: action -> (the states it may start from, the state it leads to).
STATUS_MOVES: dict[str, tuple[frozenset[str], str]] = {
    Action.SUBMIT: (frozenset({Status.DRAFT}), Status.SUBMITTED),
    Action.REVISE: (frozenset({Status.SUBMITTED}), Status.DRAFT),
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
    Action.DELETE_DRAFT: frozenset({Status.DRAFT}),
    # Acknowledging (签收) or declining (退办) an assignment: the responsible side, while it waits.
    Action.ACKNOWLEDGE: OPEN_STATUSES,
    Action.DECLINE: OPEN_STATUSES,
    # Extensions (延期申请) of items being delivered: asked by the responsible side, decided by the owning side.
    Action.REQUEST_EXTENSION: ACTIVE_STATUSES,
    Action.GRANT_EXTENSION: ACTIVE_STATUSES,
    Action.REFUSE_EXTENSION: ACTIVE_STATUSES,
}

ACTIONS_NEEDING_REASON = frozenset(
    {
        Action.RETURN,
        Action.REVISE,
        Action.SUSPEND,
        Action.CANCEL,
        Action.DECLINE,
        Action.REQUEST_EXTENSION,
        Action.REFUSE_EXTENSION,
    }
)
# The actions whose reason the item page shows on top while the item stays where that action left it.
REASONED_STATUSES = {
    Action.RETURN: Status.RETURNED,
    Action.REVISE: Status.DRAFT,
    Action.SUSPEND: Status.SUSPENDED,
    Action.CANCEL: Status.CANCELLED,
}
EDITABLE_STATUSES = OPEN_STATUSES

# Who may do what (DOMAIN.md): the owning side decides what is asked and by when, the responsible side does
# the work, and units that merely see the item read it. Each action belongs to one side and, on that side,
# to the roles that take it; system administrators support every office and may take any action but a
# leader's own claim.
OWNING_SIDE_ROLES: dict[str, frozenset[str]] = {
    Action.APPROVE: frozenset({Role.UNIT_ADMIN, Role.LEADER}),
    Action.GRANT_EXTENSION: frozenset({Role.UNIT_ADMIN, Role.LEADER}),
    Action.REFUSE_EXTENSION: frozenset({Role.UNIT_ADMIN, Role.LEADER}),
    Action.REVISE: frozenset({Role.UNIT_ADMIN, Role.LEADER}),
    Action.PUBLISH: frozenset({Role.UNIT_ADMIN, Role.LEADER}),
    Action.ASSIGN: frozenset({Role.UNIT_ADMIN, Role.LEADER}),
    Action.SUSPEND: frozenset({Role.UNIT_ADMIN, Role.LEADER}),
    Action.RESUME: frozenset({Role.UNIT_ADMIN, Role.LEADER}),
    Action.CANCEL: frozenset({Role.UNIT_ADMIN, Role.LEADER}),
    Action.CLOSE: frozenset({Role.SUPERVISOR}),
    Action.RETURN: frozenset({Role.SUPERVISOR}),
    Action.CLAIM: frozenset({Role.LEADER}),
}
# Claiming (领办) makes the claimant the item's lead leader: only a leader, never a system administrator for them.
PERSONAL_ACTIONS = frozenset({Action.CLAIM})
# Logging an item and sending it up: the officials of the owning unit itself (not of the units above it), the
# person who logged it or whose list it is, and the owning side's administrators. Leaders and supervisors of
# the owning side may also edit what is asked, but they do not submit someone's draft for them.
OWNING_SIDE_EDITOR_ROLES = frozenset({Role.LEADER, Role.SUPERVISOR})
DRAFTING_ACTIONS = frozenset({Action.SUBMIT})
# Doing the work: the responsible person, and the officials and administrators of the responsible unit.
RESPONSIBLE_SIDE_ACTIONS = frozenset(
    {
        Action.START,
        Action.POST_PROGRESS,
        Action.COMPLETE,
        Action.ACKNOWLEDGE,
        Action.DECLINE,
        Action.REQUEST_EXTENSION,
    }
)
RESPONSIBLE_SIDE_ROLES = frozenset({Role.OFFICIAL, Role.UNIT_ADMIN})


def user_can_see_item(user: User, item: WorkItem) -> bool:
    """The Python twin of WorkItem.objects.visible_to for one loaded item."""
    return user_reaches(user, item.unit) or user_reaches(user, item.responsible_unit)


def user_on_owning_side(user: User, item: WorkItem) -> bool:
    """Is the user in the owning unit or a unit above it (or a system administrator)?"""
    return user_reaches(user, item.unit)


def user_on_responsible_side(user: User, item: WorkItem) -> bool:
    """Is the user the responsible person, or an official or administrator of the responsible unit?"""
    if not user.is_authenticated:
        return False
    if user.pk == item.responsible_person_id:
        return True
    return (
        user.unit_id is not None and user.unit_id == item.responsible_unit_id and user.has_role(*RESPONSIBLE_SIDE_ROLES)
    )


def user_logs_item(user: User, item: WorkItem) -> bool:
    """Does the user log this item and send it up: the owning unit's officials and the owning side's administrators?"""
    if not user_on_owning_side(user, item):
        return False
    if user.sees_everything or user.has_role(Role.UNIT_ADMIN):
        return True
    if user.pk in {item.created_by_id, item.owner_person_id}:
        return True
    return user.unit_id == item.unit_id and user.has_role(Role.OFFICIAL)


def user_may_delete_draft(user: User, item: WorkItem) -> bool:
    """Only the person who logged a draft deletes it, and only if it was never sent up (else it is cancelled)."""
    if item.status != Status.DRAFT or not user.is_authenticated or user.pk != item.created_by_id:
        return False
    return not item.transitions.filter(action=Action.SUBMIT).exists()


def user_holds_role_for_action(user: User, item: WorkItem, action: str) -> bool:
    """Is the user on the side of the item that takes `action`, in a role that takes it there?"""
    if action == Action.DELETE_DRAFT:
        return user_may_delete_draft(user, item)
    if action in PERSONAL_ACTIONS:
        return user_on_owning_side(user, item) and user.has_role(*OWNING_SIDE_ROLES[action])
    if user.is_authenticated and user.sees_everything:
        return True
    if action in RESPONSIBLE_SIDE_ACTIONS:
        return user_on_responsible_side(user, item)
    if action in DRAFTING_ACTIONS:
        return user_logs_item(user, item)
    if action in OWNING_SIDE_ROLES:
        return user_on_owning_side(user, item) and user.has_role(*OWNING_SIDE_ROLES[action])
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
    if action in (Action.ACKNOWLEDGE, Action.DECLINE) and not item.awaits_acknowledgement:
        return _("The item is not waiting for acknowledgement.")
    if action == Action.REQUEST_EXTENSION:
        if item.extension_asked_for:
            return _("An extension request is already waiting for a decision.")
        if item.deadline < today_local():
            return _("The deadline has passed: an extension is asked for before the deadline.")
    if action in (Action.GRANT_EXTENSION, Action.REFUSE_EXTENSION) and not item.extension_asked_for:
        return _("No extension request is waiting for a decision.")
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
    """May the user change the item's title, requirements, deadline and the rest of what is asked, now?"""
    if item.status not in EDITABLE_STATUSES:
        return False
    return user_logs_item(user, item) or (user_on_owning_side(user, item) and user.has_role(*OWNING_SIDE_EDITOR_ROLES))


# Ledgers write items in bulk, so who may import them is an items rule (DOMAIN.md: unit administrators).
BULK_CREATOR_ROLES = (Role.UNIT_ADMIN, Role.SYSTEM_ADMIN)


def user_can_import_items(user: User) -> bool:
    """May this user import a ledger of items (for units in their reach)?"""
    return user.is_authenticated and user.has_role(*BULK_CREATOR_ROLES)
