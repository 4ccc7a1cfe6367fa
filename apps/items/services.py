"""Every write to a work item: creation, edits and each step of its lifecycle."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.models import User
from apps.core.exceptions import ServiceError, ServicePermissionError, StaleVersionError
from apps.core.versions import moment_of_version
from apps.items.counters.writes import ItemTally, counters_apply, counters_item_changed, item_tally
from apps.items.evidence import (
    EvidenceFileError,
    WrittenEvidenceFiles,
    evidence_files_checked,
    evidence_files_removed_on_failure,
)
from apps.items.lights import items_set_yellow_from
from apps.items.models import (
    KIND_OF_OWNER_TYPE,
    PERSON_OWNED_TYPES,
    Action,
    Evidence,
    ItemTransition,
    ProgressUpdate,
    Status,
    WorkItem,
    today_local,
)
from apps.items.rules import (
    ACTIONS_NEEDING_REASON,
    STATUS_MOVES,
    state_refusal,
    user_can_edit_item,
    user_can_see_item,
    user_holds_role_for_action,
)
from apps.org.models import Unit
from apps.org.scope import user_reaches
from apps.org.supervision import settings_for
from apps.workdays.days import add_working_days

EDITABLE_FIELDS = (
    "title",
    "content",
    "category",
    "beneficiaries",
    "responsible_unit",
    "responsible_person",
    "owner_person",
    "requirements",
    "start_date",
    "deadline",
    "is_key",
    "key_level",
    "source",
)


def _raise_validation(error: ValidationError) -> None:
    """Turn a model validation error into a ServiceError naming the first problem."""
    if hasattr(error, "error_dict"):
        field, errors = next(iter(error.error_dict.items()))
        raise ServiceError(str(errors[0].messages[0]), field=field) from error
    raise ServiceError(error.messages[0]) from error


def _due(item: WorkItem, action: str) -> datetime.date | None:
    """The limit a timed step is held to (ItemTransition.due), read off the item as the step leaves it."""
    if action == Action.COMPLETE:
        return item.deadline
    if action in (Action.ASSIGN, Action.ACKNOWLEDGE):
        return item.acknowledge_by
    return None


def _record(*, item: WorkItem, action: str, by: User, from_status: str, reason: str = "") -> ItemTransition:
    return ItemTransition.objects.create(
        item=item,
        action=action,
        from_status=from_status,
        to_status=item.status,
        by=by,
        reason=reason,
        at=timezone.now(),
        due=_due(item, action),
    )


# What an item's light depends on besides its unit's settings and the calendar (apps/items/lights.py).
LIGHT_INPUTS = frozenset({"status", "deadline", "start_date", "progress_percent"})


def _save(item: WorkItem, *, by: User, reason: str, fields: Sequence[str], was: ItemTally) -> None:
    """Save the changed fields and move the item between the dashboard counters, in the same transaction.

    The first day the item lights yellow follows its status, deadline, start and progress (apps/items/lights.py).
    """
    if LIGHT_INPUTS.intersection(fields):
        first_yellow = item.yellow_from
        items_set_yellow_from([item])
        if item.yellow_from != first_yellow:
            fields = [*fields, "yellow_from"]
    item._history_user = by  # simple_history reads these when it writes the history row
    item._change_reason = reason
    item.save(update_fields=[*fields, "updated_at"])
    counters_item_changed(was=was, item=item)


def _check_allowed(*, item: WorkItem, by: User, action: str, reason: str = "") -> None:
    """Refuse, with a message the user can act on, anything the rules do not allow."""
    if not user_can_see_item(by, item):
        raise ServicePermissionError(_("You cannot see this item."))
    refusal = state_refusal(item, action)
    if refusal:
        raise ServiceError(refusal)
    if not user_holds_role_for_action(by, item, action):
        raise ServicePermissionError(
            _("You are not allowed to “%(action)s” this item.") % {"action": Action(action).label}
        )
    if action in ACTIONS_NEEDING_REASON and not reason.strip():
        raise ServiceError(
            _("Please give a reason for “%(action)s”.") % {"action": Action(action).label}, field="reason"
        )


def _lock(item: WorkItem) -> WorkItem:
    """Re-read the item under a row lock so two people cannot move it at once."""
    return WorkItem.objects.select_for_update().select_related("unit", "responsible_unit").get(pk=item.pk)


def item_number(*, unit: Unit, year: int, sequence: int) -> str:
    return f"{unit.code}-{year}-{sequence:04d}"


def _next_sequence(*, unit: Unit, year: int) -> int:
    Unit.objects.select_for_update().filter(pk=unit.pk).first()  # serialises numbering per unit on PostgreSQL
    current = WorkItem.objects.filter(unit=unit, year=year).aggregate(m=Max("sequence"))["m"]
    return (current or 0) + 1


def _check_responsible_person(item: WorkItem) -> None:
    """The responsible person is one of the responsible unit's people, on every path that sets them."""
    person = item.responsible_person
    if person is not None and person.unit_id != item.responsible_unit_id:
        raise ServiceError(
            _("The responsible person must belong to the responsible unit (%(person)s is in %(unit)s).")
            % {"person": person, "unit": person.unit or "—"},
            field="responsible_person",
        )


def _check_in_reach(*, by: User, unit: Unit, field: str) -> None:
    """Refuse a unit outside the user's own subtree."""
    if not user_reaches(by, unit):
        raise ServicePermissionError(_("“%(unit)s” is not your unit or a unit below it.") % {"unit": unit}, field=field)


def item_create(
    *, by: User, unit: Unit, kind: str, owner_type: str, year: int | None = None, **fields: Any
) -> WorkItem:
    """Log a new item as a draft in `unit`, numbered per unit and year."""
    _check_in_reach(by=by, unit=unit, field="unit")
    if fields.get("responsible_unit"):
        _check_in_reach(by=by, unit=fields["responsible_unit"], field="responsible_unit")
    if KIND_OF_OWNER_TYPE.get(owner_type) != kind:
        raise ServiceError(_("This owner type does not keep this list kind."), field="owner_type")
    if owner_type in PERSON_OWNED_TYPES and not fields.get("owner_person"):
        fields["owner_person"] = by
    if not fields.get("responsible_unit"):
        fields["responsible_unit"] = unit
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ServiceError(_("Unknown fields: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    year = year or today_local().year
    for _attempt in range(3):
        try:
            with transaction.atomic():
                sequence = _next_sequence(unit=unit, year=year)
                item = WorkItem(
                    unit=unit,
                    kind=kind,
                    owner_type=owner_type,
                    year=year,
                    sequence=sequence,
                    number=item_number(unit=unit, year=year, sequence=sequence),
                    created_by=by,
                    **fields,
                )
                try:
                    item.full_clean(exclude=["number", "year", "sequence"])
                except ValidationError as error:
                    _raise_validation(error)
                _check_responsible_person(item)
                items_set_yellow_from([item])
                item._history_user = by
                item.save()
                counters_apply(added=[item_tally(item)])
                _record(item=item, action=Action.CREATE, by=by, from_status="")
                return item
        except IntegrityError:
            continue  # someone took the same number at the same moment; take the next one
    raise ServiceError(_("Could not number the item; please try again."))


# Fields every save stamps or the lifecycle keeps in step; a change of them alone is not worth naming.
UNNAMED_CHANGES = frozenset({"updated_at", "history_change_reason"})


def item_changes_since(*, item: WorkItem, version: str) -> tuple[list[str], User | None]:
    """The labels of the fields changed since `version` (oldest first), and who changed the item last."""
    moment = moment_of_version(version)
    if moment is None:
        return [], None
    # The history row of a save is written just after the save stamps updated_at, so the first row at or after
    # the version's moment is the save that made that version; the rows after it are the changes since.
    records = list(item.history.filter(history_date__gte=moment).order_by("history_date", "history_id"))
    if len(records) < 2:
        return [], records[-1].history_user if records else None
    delta = records[-1].diff_against(records[0])
    labels = [
        str(WorkItem._meta.get_field(change.field).verbose_name)
        for change in delta.changes
        if change.field not in UNNAMED_CHANGES
    ]
    return labels, records[-1].history_user


def _check_version(item: WorkItem, expected_version: str | None) -> None:
    """Refuse an edit made from an older version of the item (a lost update), naming what changed since."""
    if expected_version is None or expected_version == item.version:
        return
    labels, changed_by = item_changes_since(item=item, version=expected_version)
    if labels:
        message = _("%(person)s changed this item after you opened it: %(fields)s.") % {
            "person": changed_by or _("Someone"),
            "fields": _(", ").join(labels),
        }
    else:
        message = _("This item was changed after you opened it.")
    raise StaleVersionError(
        _("%(problem)s Nothing was saved; look at the current values and make your change again.")
        % {"problem": message},
        current_version=item.version,
        changed_fields=labels,
    )


@transaction.atomic
def item_update(*, item: WorkItem, by: User, expected_version: str | None = None, **fields: Any) -> WorkItem:
    """Change an item's descriptive fields while it is still open.

    `expected_version` is the version the edit was made from (the form's hidden field, the API's If-Match);
    a write from an older version is refused under the row lock, so two editors never undo each other.
    """
    item = _lock(item)
    was = item_tally(item)
    if not user_can_edit_item(by, item):
        raise ServicePermissionError(_("You cannot edit this item in its current state."))
    _check_version(item, expected_version)
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ServiceError(_("Unknown fields: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    for name, value in fields.items():
        setattr(item, name, value)
    if "responsible_unit" in fields:
        _check_in_reach(by=by, unit=item.responsible_unit, field="responsible_unit")
    try:
        item.full_clean(exclude=["number", "year", "sequence"])
    except ValidationError as error:
        _raise_validation(error)
    if {"responsible_unit", "responsible_person"} & set(fields):
        _check_responsible_person(item)
    _save(item, by=by, reason=_("Edited"), fields=list(fields), was=was)
    return item


def _move(*, item: WorkItem, by: User, action: str, reason: str = "", extra: dict[str, Any] | None = None) -> WorkItem:
    """Apply one status move of STATUS_MOVES, with its checks and its record."""
    item = _lock(item)
    was = item_tally(item)
    _check_allowed(item=item, by=by, action=action, reason=reason)
    from_status = item.status
    item.status = STATUS_MOVES[action][1]
    for name, value in (extra or {}).items():
        setattr(item, name, value)
    _save(item, by=by, reason=reason or str(Action(action).label), fields=["status", *(extra or {})], was=was)
    _record(item=item, action=action, by=by, from_status=from_status, reason=reason)
    return item


@transaction.atomic
def item_submit(*, item: WorkItem, by: User, note: str = "") -> WorkItem:
    """Send a draft up for approval."""
    return _move(item=item, by=by, action=Action.SUBMIT, reason=note)


@transaction.atomic
def item_revise(*, item: WorkItem, by: User, reason: str) -> WorkItem:
    """Send a submitted item back to its drafters for revision, with what to change (退回修改)."""
    return _move(item=item, by=by, action=Action.REVISE, reason=reason)


@transaction.atomic
def item_delete_draft(*, item: WorkItem, by: User) -> None:
    """Delete a draft its author never sent up; the history keeps a record of it and who deleted it."""
    item = _lock(item)
    _check_allowed(item=item, by=by, action=Action.DELETE_DRAFT)
    counters_apply(removed=[item_tally(item)])
    item._history_user = by
    item._change_reason = str(Action.DELETE_DRAFT.label)
    item.delete()


@transaction.atomic
def item_approve(*, item: WorkItem, by: User, note: str = "") -> WorkItem:
    """Approve a submitted item; from here it may be published."""
    return _move(item=item, by=by, action=Action.APPROVE, reason=note)


@transaction.atomic
def item_start(*, item: WorkItem, by: User, note: str = "") -> WorkItem:
    """Start work on an approved item, or resume a returned or suspended one."""
    return _move(item=item, by=by, action=Action.START, reason=note)


@transaction.atomic
def item_complete(*, item: WorkItem, by: User, note: str = "") -> WorkItem:
    """Mark the work done; a supervisor then closes or returns it."""
    return _move(
        item=item,
        by=by,
        action=Action.COMPLETE,
        reason=note,
        extra={"completed_on": today_local(), "progress_percent": 100},
    )


@transaction.atomic
def item_close(*, item: WorkItem, by: User, note: str = "") -> WorkItem:
    """Close a completed item after checking it (事结销号)."""
    return _move(item=item, by=by, action=Action.CLOSE, reason=note, extra={"closed_at": timezone.now()})


@transaction.atomic
def item_return(*, item: WorkItem, by: User, reason: str) -> WorkItem:
    """Send a completed item back to its owners with the reason."""
    # Completing set the progress to 100%; going back undoes that, to what the owners last reported.
    last_reported = item.progress_updates.order_by("-at", "-id").values_list("percent", flat=True).first()
    return _move(
        item=item,
        by=by,
        action=Action.RETURN,
        reason=reason,
        extra={"completed_on": None, "progress_percent": last_reported or 0},
    )


@transaction.atomic
def item_suspend(*, item: WorkItem, by: User, reason: str) -> WorkItem:
    """Pause an open item; it can be started again later."""
    return _move(item=item, by=by, action=Action.SUSPEND, reason=reason)


@transaction.atomic
def item_resume(*, item: WorkItem, by: User, note: str = "") -> WorkItem:
    """Take a suspended item back to the state it was suspended from."""
    item = _lock(item)
    was = item_tally(item)
    _check_allowed(item=item, by=by, action=Action.RESUME, reason=note)
    suspension = item.transitions.filter(action=Action.SUSPEND).order_by("-at", "-id").first()
    from_status = item.status
    item.status = suspension.from_status if suspension else Status.DRAFT
    _save(item, by=by, reason=note or str(Action.RESUME.label), fields=["status"], was=was)
    _record(item=item, action=Action.RESUME, by=by, from_status=from_status, reason=note)
    return item


@transaction.atomic
def item_cancel(*, item: WorkItem, by: User, reason: str) -> WorkItem:
    """Cancel an item; it leaves the completion-rate denominator."""
    return _move(item=item, by=by, action=Action.CANCEL, reason=reason)


def _keep_status(*, item: WorkItem, by: User, action: str, reason: str, fields: dict[str, Any]) -> WorkItem:
    """Apply an action that changes fields but not the status, with its checks and its record."""
    item = _lock(item)
    _check_allowed(item=item, by=by, action=action, reason=reason)
    return _write_keeping_status(item=item, by=by, action=action, reason=reason, fields=fields)


def _write_keeping_status(*, item: WorkItem, by: User, action: str, reason: str, fields: dict[str, Any]) -> WorkItem:
    """Write and record an action that keeps the status, on an item already locked and checked for it."""
    was = item_tally(item)
    for name, value in fields.items():
        setattr(item, name, value)
    _save(item, by=by, reason=reason or str(Action(action).label), fields=list(fields), was=was)
    _record(item=item, action=action, by=by, from_status=item.status, reason=reason)
    return item


@transaction.atomic
def item_publish(*, item: WorkItem, by: User, note: str = "") -> WorkItem:
    """Make an approved item visible on the public pages (向社会公示)."""
    return _keep_status(
        item=item,
        by=by,
        action=Action.PUBLISH,
        reason=note,
        fields={"is_published": True, "published_at": timezone.now()},
    )


@transaction.atomic
def item_claim(*, item: WorkItem, by: User, note: str = "") -> WorkItem:
    """A leader claims the item and leads it (领办)."""
    return _keep_status(item=item, by=by, action=Action.CLAIM, reason=note, fields={"lead_leader": by})


@transaction.atomic
def item_assign(
    *, item: WorkItem, by: User, responsible_unit: Unit, responsible_person: User | None = None, letter: str = ""
) -> WorkItem:
    """Hand the item to a unit below the assigner by an assignment letter (交办)."""
    _check_in_reach(by=by, unit=responsible_unit, field="responsible_unit")
    if responsible_person is not None and responsible_person.unit_id != responsible_unit.pk:
        raise ServiceError(_("The responsible person must belong to the responsible unit."), field="responsible_person")
    reason = _("Assigned to %(unit)s") % {"unit": responsible_unit.name}
    if letter:
        reason = f"{reason} ({letter})"
    # Handed to another unit, it waits there to be acknowledged (签收) within the time limit of that unit's
    # settings (apps/org/supervision.py), in working days of the official calendar.
    handed_down = responsible_unit.pk != item.unit_id
    return _keep_status(
        item=item,
        by=by,
        action=Action.ASSIGN,
        reason=reason,
        fields={
            "responsible_unit": responsible_unit,
            "responsible_person": responsible_person,
            "assignment_letter": letter,
            "acknowledge_by": (
                add_working_days(today_local(), settings_for(responsible_unit).acknowledge_days)
                if handed_down
                else None
            ),
            "acknowledged_at": None,
            "declined_at": None,
        },
    )


@transaction.atomic
def item_acknowledge(*, item: WorkItem, by: User, note: str = "") -> WorkItem:
    """The responsible unit acknowledges an item assigned to it (签收); late when after its time limit."""
    return _keep_status(
        item=item, by=by, action=Action.ACKNOWLEDGE, reason=note, fields={"acknowledged_at": timezone.now()}
    )


@transaction.atomic
def item_decline(*, item: WorkItem, by: User, reason: str) -> WorkItem:
    """The responsible unit declines an assignment (退办) with the reason: the item goes back to the owning unit."""
    item = _lock(item)
    _check_allowed(item=item, by=by, action=Action.DECLINE, reason=reason)
    return _write_keeping_status(
        item=item,
        by=by,
        action=Action.DECLINE,
        reason=reason,
        fields={
            "responsible_unit": item.unit,
            "responsible_person": None,
            "acknowledge_by": None,
            "declined_at": timezone.now(),
        },
    )


@transaction.atomic
def item_request_extension(*, item: WorkItem, by: User, deadline: datetime.date, reason: str) -> WorkItem:
    """Ask the owning side for a later deadline (延期申请), before the deadline, with the reason and progress so far."""
    item = _lock(item)
    _check_allowed(item=item, by=by, action=Action.REQUEST_EXTENSION, reason=reason)
    if deadline <= item.deadline:
        raise ServiceError(
            _("Ask for a date after the deadline in force (%(deadline)s).") % {"deadline": item.deadline.isoformat()},
            field="deadline",
        )
    note = _("Asks to extend the deadline from %(old)s to %(new)s at %(percent)s%% done: %(reason)s") % {
        "old": item.deadline.isoformat(),
        "new": deadline.isoformat(),
        "percent": item.progress_percent,
        "reason": reason.strip(),
    }
    return _write_keeping_status(
        item=item, by=by, action=Action.REQUEST_EXTENSION, reason=note, fields={"extension_asked_for": deadline}
    )


@transaction.atomic
def item_grant_extension(
    *, item: WorkItem, by: User, deadline: datetime.date | None = None, note: str = ""
) -> WorkItem:
    """Grant the extension asked for; the owning side sets the new deadline (the date asked for by default).

    The original deadline is kept; the new one rules the lights, overdue and on-time completion from now on.
    """
    item = _lock(item)
    _check_allowed(item=item, by=by, action=Action.GRANT_EXTENSION)
    deadline = deadline or item.extension_asked_for
    if deadline <= item.deadline:
        raise ServiceError(
            _("The new deadline must be after the deadline in force (%(deadline)s).")
            % {"deadline": item.deadline.isoformat()},
            field="deadline",
        )
    dates = {"old": item.deadline.isoformat(), "new": deadline.isoformat(), "note": note.strip()}
    if note.strip():
        reason = _("Deadline extended from %(old)s to %(new)s: %(note)s") % dates
    else:
        reason = _("Deadline extended from %(old)s to %(new)s") % dates
    return _write_keeping_status(
        item=item,
        by=by,
        action=Action.GRANT_EXTENSION,
        reason=reason,
        fields={
            "original_deadline": item.original_deadline or item.deadline,
            "deadline": deadline,
            "extension_asked_for": None,
        },
    )


@transaction.atomic
def item_refuse_extension(*, item: WorkItem, by: User, reason: str) -> WorkItem:
    """Refuse the extension asked for, with the reason; the deadline stays."""
    return _keep_status(
        item=item, by=by, action=Action.REFUSE_EXTENSION, reason=reason, fields={"extension_asked_for": None}
    )


def item_post_progress(
    *,
    item: WorkItem,
    by: User,
    note: str,
    percent: int,
    files: Sequence[UploadedFile] = (),
    is_public: bool = False,
) -> ProgressUpdate:
    """Record how far the item has got, with optional evidence files; `is_public` shows it on the public pages.

    The files are written to storage as their rows are inserted; when anything in the transaction fails
    afterwards, the rows roll back and the files written are deleted again, so no file outlives its row.
    """
    with evidence_files_removed_on_failure() as written, transaction.atomic():
        return _post_progress(
            item=item, by=by, note=note, percent=percent, files=files, written=written, is_public=is_public
        )


def _post_progress(
    *,
    item: WorkItem,
    by: User,
    note: str,
    percent: int,
    files: Sequence[UploadedFile],
    written: WrittenEvidenceFiles,
    is_public: bool = False,
) -> ProgressUpdate:
    item = _lock(item)
    was = item_tally(item)
    _check_allowed(item=item, by=by, action=Action.POST_PROGRESS)
    if not note.strip():
        raise ServiceError(_("Please describe the progress."), field="note")
    if not 0 <= percent <= 100:
        raise ServiceError(_("Progress must be between 0 and 100."), field="percent")
    if percent < item.progress_percent:
        raise ServiceError(
            _("Progress cannot go below the current %(percent)s%%.") % {"percent": item.progress_percent},
            field="percent",
        )
    try:
        checked = evidence_files_checked(files)
    except EvidenceFileError as error:
        raise ServiceError(str(error), field="files") from error
    update = ProgressUpdate.objects.create(
        item=item, by=by, note=note.strip(), percent=percent, at=timezone.now(), is_public=is_public
    )
    for upload, content_type in checked:
        evidence = Evidence.objects.create(
            update=update, file=upload, original_name=upload.name, size=upload.size, content_type=content_type
        )
        written.add(evidence.file)
    item.progress_percent = percent
    _save(item, by=by, reason=note.strip()[:100], fields=["progress_percent"], was=was)
    _record(item=item, action=Action.POST_PROGRESS, by=by, from_status=item.status, reason=f"{percent}% {note.strip()}")
    return update


TRANSITION_SERVICES = {
    Action.SUBMIT: item_submit,
    Action.ACKNOWLEDGE: item_acknowledge,
    Action.DECLINE: item_decline,
    Action.REVISE: item_revise,
    Action.APPROVE: item_approve,
    Action.START: item_start,
    Action.COMPLETE: item_complete,
    Action.CLOSE: item_close,
    Action.RETURN: item_return,
    Action.SUSPEND: item_suspend,
    Action.RESUME: item_resume,
    Action.CANCEL: item_cancel,
    Action.PUBLISH: item_publish,
    Action.CLAIM: item_claim,
}


def item_apply_action(*, item: WorkItem, by: User, action: str, reason: str = "") -> WorkItem:
    """Run one of the simple lifecycle actions by name (pages and API buttons)."""
    service = TRANSITION_SERVICES.get(action)
    if service is None:
        raise ServiceError(_("Unknown action."))
    if action in ACTIONS_NEEDING_REASON:
        return service(item=item, by=by, reason=reason)
    return service(item=item, by=by, note=reason)
