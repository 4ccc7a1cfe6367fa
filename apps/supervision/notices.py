"""Supervision notices (三色督办单) and chasing (催办): who may do what, and every write.

The owning side's supervisors issue a notice on an item, accept its reply or escalate it one colour up; the
responsible side replies with text and evidence; the owning side's supervisors, leaders and administrators chase.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.models import Role, User
from apps.core.exceptions import ServiceError, ServicePermissionError
from apps.core.generations import NOTICES, generation_bump
from apps.items.evidence import EvidenceFileError, evidence_files_checked, evidence_files_removed_on_failure
from apps.items.models import ACTIVE_STATUSES, Status, WorkItem, today_local
from apps.items.rules import user_can_see_item, user_on_owning_side, user_on_responsible_side
from apps.supervision.models import (
    NEXT_COLOUR,
    Chase,
    Notice,
    NoticeColour,
    NoticeEvent,
    NoticeEventKind,
    NoticeEvidence,
    NoticeStatus,
)
from apps.workdays.days import add_working_days

# The reply deadline offered by default, in working days of the official calendar.
DEFAULT_REPLY_DAYS = 5
# A notice is issued on an item being delivered, or completed and not yet closed (the supervisor may doubt it).
NOTICE_ITEM_STATUSES = ACTIVE_STATUSES | {Status.COMPLETED}
# Chasing hurries work still being done.
CHASE_ITEM_STATUSES = ACTIVE_STATUSES
NOTICE_ROLES = (Role.SUPERVISOR, Role.SYSTEM_ADMIN)
CHASE_ROLES = (Role.SUPERVISOR, Role.LEADER, Role.UNIT_ADMIN, Role.SYSTEM_ADMIN)


def default_reply_by(start: datetime.date | None = None) -> datetime.date:
    """The reply deadline offered on a notice issued on `start` (today): five working days later."""
    return add_working_days(start or today_local(), DEFAULT_REPLY_DAYS)


# --- Who may do what ------------------------------------------------------------------------------


def user_supervises_item(user: User, item: WorkItem) -> bool:
    """A supervisor of the owning unit or a unit above it (or a system administrator): issues, accepts, escalates."""
    return user.is_authenticated and user_on_owning_side(user, item) and user.has_role(*NOTICE_ROLES)


def user_may_reply(user: User, notice: Notice) -> bool:
    """The responsible person, or an official or administrator of the responsible unit (system administrators too)."""
    if not user.is_authenticated:
        return False
    return user.sees_everything or user_on_responsible_side(user, notice.item)


def user_may_chase(user: User, item: WorkItem) -> bool:
    """The owning side's supervisors, leaders and unit administrators."""
    return user.is_authenticated and user_on_owning_side(user, item) and user.has_role(*CHASE_ROLES)


def notice_actions(user: User, notice: Notice) -> dict[str, bool]:
    """What the notice page offers this user now: reply, accept, escalate."""
    supervises = user_supervises_item(user, notice.item)
    return {
        "reply": notice.status == NoticeStatus.WAITING and user_may_reply(user, notice),
        "accept": notice.status == NoticeStatus.ANSWERED and supervises,
        "escalate": notice.status in (NoticeStatus.WAITING, NoticeStatus.ANSWERED)
        and notice.next_colour is not None
        and supervises,
    }


# --- Writes ---------------------------------------------------------------------------------------


def _lock_item(item: WorkItem) -> WorkItem:
    return WorkItem.objects.select_for_update().select_related("unit", "responsible_unit").get(pk=item.pk)


def _lock_notice(notice: Notice) -> Notice:
    """Re-read the notice under a row lock, so two people cannot answer or decide it at once."""
    return (
        Notice.objects.select_for_update()
        .select_related("item", "item__unit", "item__responsible_unit")
        .get(pk=notice.pk)
    )


def _check_notice_fields(*, colour: str, requirements: str, reply_by: datetime.date) -> None:
    if colour not in NoticeColour.values:
        raise ServiceError(_("Choose blue, orange or red."), field="colour")
    if not requirements.strip():
        raise ServiceError(_("Please write what is required."), field="requirements")
    if reply_by < today_local():
        raise ServiceError(_("The reply deadline cannot be in the past."), field="reply_by")


def _check_may_issue(*, item: WorkItem, by: User) -> None:
    if not user_can_see_item(by, item):
        raise ServicePermissionError(_("You cannot see this item."))
    if not user_supervises_item(by, item):
        raise ServicePermissionError(
            _("Only a supervisor of the unit that owns the item, or of a unit above it, can issue a notice.")
        )
    if item.status not in NOTICE_ITEM_STATUSES:
        raise ServiceError(
            _("A notice is issued on an item being delivered or completed, not on one that is “%(status)s”.")
            % {"status": item.get_status_display()}
        )


def _create_notice(
    *,
    item: WorkItem,
    by: User,
    colour: str,
    requirements: str,
    reply_by: datetime.date,
    number: str,
    escalated_from: Notice | None = None,
) -> Notice:
    now = timezone.now()
    notice = Notice.objects.create(
        item=item,
        unit_id=item.unit_id,
        unit_path=item.unit.path,  # the item was read with its unit (_lock_item)
        colour=colour,
        requirements=requirements.strip(),
        reply_by=reply_by,
        number=number.strip(),
        issued_by=by,
        issued_at=now,
        escalated_from=escalated_from,
    )
    generation_bump(NOTICES)
    NoticeEvent.objects.create(notice=notice, kind=NoticeEventKind.ISSUED, by=by, at=now, text=requirements.strip())
    return notice


@transaction.atomic
def notice_issue(
    *, item: WorkItem, by: User, colour: str, requirements: str, reply_by: datetime.date, number: str = ""
) -> Notice:
    """Issue a notice on an item: its colour, what is required and the day a reply is due."""
    _check_notice_fields(colour=colour, requirements=requirements, reply_by=reply_by)
    item = _lock_item(item)
    _check_may_issue(item=item, by=by)
    return _create_notice(item=item, by=by, colour=colour, requirements=requirements, reply_by=reply_by, number=number)


@transaction.atomic
def notices_issue(
    *,
    items: Sequence[WorkItem],
    by: User,
    colour: str,
    requirements: str,
    reply_by: datetime.date,
    number: str = "",
) -> list[Notice]:
    """Issue the same notice on several items (a set of a unit's items): one notice each, all or none."""
    if not items:
        raise ServiceError(_("Choose at least one item."), field="items")
    return [
        notice_issue(item=item, by=by, colour=colour, requirements=requirements, reply_by=reply_by, number=number)
        for item in sorted(items, key=lambda item: item.pk)  # locked in one order: two issuers never deadlock
    ]


def notice_reply(*, notice: Notice, by: User, text: str, files: Sequence[UploadedFile] = ()) -> Notice:
    """The responsible side replies (反馈) with what was done, and evidence files.

    A file written to storage is deleted again when the transaction fails afterwards.
    """
    with evidence_files_removed_on_failure() as written, transaction.atomic():
        notice = _lock_notice(notice)
        if not user_can_see_item(by, notice.item) or not user_may_reply(by, notice):
            raise ServicePermissionError(_("Only the responsible unit or person of the item can reply to the notice."))
        if notice.status != NoticeStatus.WAITING:
            raise ServiceError(
                _("The notice is not waiting for a reply; it is “%(status)s”.")
                % {"status": notice.get_status_display()}
            )
        if not text.strip():
            raise ServiceError(_("Please say what was done."), field="text")
        try:
            checked = evidence_files_checked(files)
        except EvidenceFileError as error:
            raise ServiceError(str(error), field="files") from error
        generation_bump(NOTICES)
        event = NoticeEvent.objects.create(
            notice=notice, kind=NoticeEventKind.REPLIED, by=by, at=timezone.now(), text=text.strip()
        )
        for upload, content_type in checked:
            evidence = NoticeEvidence.objects.create(
                event=event, file=upload, original_name=upload.name, size=upload.size, content_type=content_type
            )
            written.add(evidence.file)
        notice.status = NoticeStatus.ANSWERED
        notice.answered_at = notice.answered_at or event.at
        notice.save(update_fields=["status", "answered_at"])
        return notice


def _check_supervisor(notice: Notice, by: User) -> None:
    if not user_can_see_item(by, notice.item) or not user_supervises_item(by, notice.item):
        raise ServicePermissionError(
            _("Only a supervisor of the unit that owns the item, or of a unit above it, can decide on the notice.")
        )


@transaction.atomic
def notice_accept(*, notice: Notice, by: User, note: str = "") -> Notice:
    """The supervisor accepts the reply: the notice is done."""
    notice = _lock_notice(notice)
    _check_supervisor(notice, by)
    if notice.status != NoticeStatus.ANSWERED:
        raise ServiceError(
            _("Only a notice that was answered can be accepted; this one is “%(status)s”.")
            % {"status": notice.get_status_display()}
        )
    notice.status = NoticeStatus.ACCEPTED
    notice.save(update_fields=["status"])
    generation_bump(NOTICES)
    NoticeEvent.objects.create(
        notice=notice, kind=NoticeEventKind.ACCEPTED, by=by, at=timezone.now(), text=note.strip()
    )
    return notice


@transaction.atomic
def notice_escalate(
    *,
    notice: Notice,
    by: User,
    requirements: str = "",
    reply_by: datetime.date | None = None,
    number: str = "",
) -> Notice:
    """Escalate a notice waiting or answered to the next colour: a new notice, the old one marked escalated.

    The new notice asks what the old one asked unless told otherwise, with a reply due five working days on.
    """
    notice = _lock_notice(notice)
    _check_supervisor(notice, by)
    if notice.status not in (NoticeStatus.WAITING, NoticeStatus.ANSWERED):
        raise ServiceError(
            _("Only a notice waiting for a reply or answered can be escalated; this one is “%(status)s”.")
            % {"status": notice.get_status_display()}
        )
    colour = NEXT_COLOUR.get(notice.colour)
    if colour is None:
        raise ServiceError(_("A red notice is the last step: it cannot be escalated further."))
    requirements = requirements.strip() or notice.requirements
    reply_by = reply_by or default_reply_by()
    _check_notice_fields(colour=colour, requirements=requirements, reply_by=reply_by)
    item = _lock_item(notice.item)
    _check_may_issue(item=item, by=by)
    notice.status = NoticeStatus.ESCALATED
    notice.save(update_fields=["status"])
    successor = _create_notice(
        item=item,
        by=by,
        colour=colour,
        requirements=requirements,
        reply_by=reply_by,
        number=number,
        escalated_from=notice,
    )
    generation_bump(NOTICES)
    NoticeEvent.objects.create(
        notice=notice,
        kind=NoticeEventKind.ESCALATED,
        by=by,
        at=successor.issued_at,
        text=_("Escalated to %(colour)s") % {"colour": successor.get_colour_display()},
    )
    return successor


def chase_send(*, item: WorkItem, by: User, note: str = "") -> Chase:
    """Chase (催办) the item's responsible person: recorded, at most once a day per item."""
    today = today_local()
    try:
        with transaction.atomic():
            item = _lock_item(item)
            if not user_can_see_item(by, item) or not user_may_chase(by, item):
                raise ServicePermissionError(
                    _(
                        "Only a supervisor, leader or administrator of the unit that owns the item, "
                        "or of a unit above it, can chase it."
                    )
                )
            if item.status not in CHASE_ITEM_STATUSES:
                raise ServiceError(
                    _("Only an item being delivered can be chased; this one is “%(status)s”.")
                    % {"status": item.get_status_display()}
                )
            if Chase.objects.filter(item=item, day=today).exists():
                raise ServiceError(_("This item was already chased today; it can be chased again tomorrow."))
            return Chase.objects.create(
                item=item, by=by, to=item.responsible_person, at=timezone.now(), day=today, note=note.strip()
            )
    except IntegrityError as error:
        # Someone chased the same item at the same moment: the constraint keeps it to one.
        raise ServiceError(_("This item was already chased today; it can be chased again tomorrow.")) from error
