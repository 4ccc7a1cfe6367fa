"""Every write to a citizen request: sending it, and each step its handling unit takes."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.accounts.models import Role, User
from apps.core.exceptions import ServiceError, ServicePermissionError
from apps.core.generations import REQUESTS, generation_bump
from apps.items.evidence import EvidenceFileError, evidence_content_type, evidence_files_removed_on_failure
from apps.items.models import Category, ItemKind, OwnerType, Source, Status, WorkItem
from apps.items.services import item_create
from apps.org.models import Unit
from apps.org.scope import user_reaches
from apps.public.models import (
    CitizenRequest,
    RequestAction,
    RequestPhoto,
    RequestStatus,
    RequestStep,
    tracking_code_new,
)
from apps.workdays.days import add_working_days

REQUEST_MAX_PHOTOS = 3
# Working days a handling unit has to accept (受理) a request; a forwarded request starts again at its new unit.
REQUEST_ACCEPT_DAYS = 1

# The table of legal moves: the statuses each step may be taken from.
REQUEST_MOVES: dict[str, frozenset[str]] = {
    RequestAction.ACCEPT: frozenset({RequestStatus.RECEIVED}),
    RequestAction.FORWARD: frozenset({RequestStatus.RECEIVED, RequestStatus.ACCEPTED}),
    RequestAction.TURN_INTO_ITEM: frozenset({RequestStatus.RECEIVED, RequestStatus.ACCEPTED}),
    RequestAction.LINK_ITEM: frozenset({RequestStatus.RECEIVED, RequestStatus.ACCEPTED}),
    RequestAction.ANSWER: frozenset({RequestStatus.ACCEPTED, RequestStatus.TURNED_INTO_ITEM}),
    RequestAction.DECLINE: frozenset({RequestStatus.RECEIVED}),
}
# What each step is called on a button and in a refusal.
REQUEST_ACTION_VERBS = {
    RequestAction.ACCEPT: gettext_lazy("Accept"),
    RequestAction.FORWARD: gettext_lazy("Forward to another unit"),
    RequestAction.TURN_INTO_ITEM: gettext_lazy("Turn into a work item"),
    RequestAction.LINK_ITEM: gettext_lazy("Link an existing work item"),
    RequestAction.ANSWER: gettext_lazy("Reply and close"),
    RequestAction.DECLINE: gettext_lazy("Do not accept"),
}


def request_accept_by(day: datetime.date) -> datetime.date:
    return add_working_days(day, REQUEST_ACCEPT_DAYS)


def user_handles_request(user: User, request: CitizenRequest) -> bool:
    """An administrator (or system administrator) of the handling unit or of a unit above it."""
    return (
        user.is_authenticated and user.has_role(Role.UNIT_ADMIN, Role.SYSTEM_ADMIN) and user_reaches(user, request.unit)
    )


# A request whose item was deleted (a draft its author threw away) may be turned into an item or linked again.
RELINK_ACTIONS = frozenset({RequestAction.TURN_INTO_ITEM, RequestAction.LINK_ITEM})


def request_move_allowed(request: CitizenRequest, action: str) -> bool:
    if request.status == RequestStatus.TURNED_INTO_ITEM and request.item_id is None and action in RELINK_ACTIONS:
        return True
    return request.status in REQUEST_MOVES[action]


def request_moves_allowed(request: CitizenRequest) -> list[str]:
    return [action for action in REQUEST_MOVES if request_move_allowed(request, action)]


def request_submit(
    *,
    category: Category,
    unit: Unit,
    text: str,
    name: str = "",
    phone: str = "",
    may_contact: bool = False,
    photos: Sequence = (),
) -> CitizenRequest:
    """Record a request sent by the public, with up to three photos checked like evidence."""
    text = text.strip()
    if not text:
        raise ServiceError(_("Please say what happened."), field="text")
    if len(photos) > REQUEST_MAX_PHOTOS:
        raise ServiceError(_("At most %(count)d photos may be sent.") % {"count": REQUEST_MAX_PHOTOS}, field="photos")
    checked = []
    for upload in photos:
        try:
            content_type = evidence_content_type(upload)
        except EvidenceFileError as error:
            raise ServiceError(str(error), field="photos") from error
        if not content_type.startswith("image/"):
            raise ServiceError(
                _("“%(name)s” is not a photo: only JPEG, PNG, GIF or WebP images are accepted.")
                % {"name": upload.name},
                field="photos",
            )
        checked.append((upload, content_type))
    today = timezone.localdate()
    for _attempt in range(3):
        try:
            with evidence_files_removed_on_failure() as written, transaction.atomic():
                request = CitizenRequest.objects.create(
                    tracking_code=tracking_code_new(today),
                    category=category,
                    unit=unit,
                    unit_path=unit.path,
                    text=text,
                    name=name.strip(),
                    phone=phone.strip(),
                    may_contact=may_contact,
                    accept_by=request_accept_by(today),
                )
                for upload, content_type in checked:
                    photo = RequestPhoto(
                        request=request, original_name=upload.name, size=upload.size, content_type=content_type
                    )
                    photo.file.save(upload.name, upload, save=False)
                    written.add(photo.file)
                    photo.save()
                generation_bump(REQUESTS)
                RequestStep.objects.create(
                    request=request, action=RequestAction.SUBMIT, to_unit=unit, at=timezone.now()
                )
                return request
        except IntegrityError:
            continue  # the same code drawn twice (once in ~10^12): draw again
    raise ServiceError(_("The request could not be recorded; please try again."))


def _step(
    *,
    request: CitizenRequest,
    by: User,
    action: str,
    change: Callable[[CitizenRequest], None],
    note: str = "",
    to_unit: Unit | None = None,
) -> CitizenRequest:
    """Lock the request, check the user and the status, apply `change` and record the step."""
    with transaction.atomic():
        locked = CitizenRequest.objects.select_for_update().select_related("unit").get(pk=request.pk)
        if not user_handles_request(by, locked):
            raise ServicePermissionError(
                _("Only the administrators of the handling unit or of a unit above it may handle this request.")
            )
        if not request_move_allowed(locked, action):
            raise ServiceError(
                _("“%(action)s” is not possible while the request is “%(status)s”.")
                % {"action": REQUEST_ACTION_VERBS[action], "status": locked.get_status_display()}
            )
        from_unit = locked.unit
        change(locked)
        locked.save()
        generation_bump(REQUESTS)
        RequestStep.objects.create(
            request=locked,
            action=action,
            by=by,
            note=note,
            from_unit=from_unit,
            to_unit=to_unit or locked.unit,
            at=timezone.now(),  # read now (a field default is bound once, when the model is defined)
        )
        return locked


def _accepted_now(request: CitizenRequest) -> None:
    if request.accepted_at is None:
        request.accepted_at = timezone.now()


def request_accept(*, request: CitizenRequest, by: User) -> CitizenRequest:
    """受理: the handling unit takes the request on."""

    def change(locked: CitizenRequest) -> None:
        locked.status = RequestStatus.ACCEPTED
        _accepted_now(locked)

    return _step(request=request, by=by, action=RequestAction.ACCEPT, change=change)


def request_forward(*, request: CitizenRequest, by: User, unit: Unit, note: str) -> CitizenRequest:
    """转办: hand the request to another unit, which must accept it within its own time limit."""
    note = note.strip()
    if not note:
        raise ServiceError(_("Say why the request is forwarded and what the other unit should do."), field="note")
    if unit.pk == request.unit_id:
        raise ServiceError(_("The request is already with this unit."), field="unit")
    if not user_reaches(by, unit):
        raise ServicePermissionError(
            _("“%(unit)s” is not your unit or a unit below it.") % {"unit": unit}, field="unit"
        )

    def change(locked: CitizenRequest) -> None:
        locked.unit = unit
        locked.unit_path = unit.path  # the dashboards count the request in the new unit's subtree from now on
        locked.status = RequestStatus.RECEIVED
        locked.accepted_at = None
        locked.accept_by = request_accept_by(timezone.localdate())

    return _step(request=request, by=by, action=RequestAction.FORWARD, change=change, note=note, to_unit=unit)


def request_turn_into_item(
    *, request: CitizenRequest, by: User, title: str, content: str, deadline: datetime.date
) -> CitizenRequest:
    """转为事项: log a livelihood-plan item of the handling unit for the request, linked back to it."""

    def change(locked: CitizenRequest) -> None:
        item = item_create(
            by=by,
            unit=locked.unit,
            kind=ItemKind.LIVELIHOOD_PLAN,
            owner_type=OwnerType.LEADERSHIP_TEAM,
            title=title.strip(),
            content=content.strip(),
            category=locked.category,
            deadline=deadline,
            source=Source.CITIZEN_REQUEST,
        )
        locked.item = item
        locked.status = RequestStatus.TURNED_INTO_ITEM
        _accepted_now(locked)

    return _step(request=request, by=by, action=RequestAction.TURN_INTO_ITEM, change=change)


def request_link_item(*, request: CitizenRequest, by: User, number: str) -> CitizenRequest:
    """Link the request to a work item the user can see (one that already deals with the same thing)."""
    item = WorkItem.objects.visible_to(by).filter(number=number.strip()).first()
    if item is None:
        raise ServiceError(
            _("No work item you can see has the number “%(number)s”.") % {"number": number}, field="number"
        )
    if item.status == Status.CANCELLED:
        raise ServiceError(_("This work item was cancelled."), field="number")

    def change(locked: CitizenRequest) -> None:
        locked.item = item
        locked.status = RequestStatus.TURNED_INTO_ITEM
        _accepted_now(locked)

    return _step(request=request, by=by, action=RequestAction.LINK_ITEM, change=change, note=item.number)


def request_answer(*, request: CitizenRequest, by: User, reply: str) -> CitizenRequest:
    """答复办结: reply to the sender and close the request."""
    reply = reply.strip()
    if not reply:
        raise ServiceError(_("Write the reply the sender will read."), field="reply")

    def change(locked: CitizenRequest) -> None:
        locked.reply = reply
        locked.status = RequestStatus.ANSWERED
        locked.closed_at = timezone.now()

    return _step(request=request, by=by, action=RequestAction.ANSWER, change=change, note=reply)


def request_decline(*, request: CitizenRequest, by: User, reason: str) -> CitizenRequest:
    """不予受理: refuse the request, telling the sender why."""
    reason = reason.strip()
    if not reason:
        raise ServiceError(_("Give the reason the sender will read."), field="reason")

    def change(locked: CitizenRequest) -> None:
        locked.reply = reason
        locked.status = RequestStatus.DECLINED
        locked.closed_at = timezone.now()

    return _step(request=request, by=by, action=RequestAction.DECLINE, change=change, note=reason)
