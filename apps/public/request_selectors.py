"""Reads of citizen requests: the handling side's queue, and what a tracking code shows the sender."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from apps.accounts.models import Role, User
from apps.items.models import ProgressUpdate, Status
from apps.org.scope import in_reach_of
from apps.public.models import (
    TRACKING_ALPHABET,
    TRACKING_PREFIX,
    TRACKING_RANDOM_LENGTH,
    CitizenRequest,
    RequestAction,
    RequestPhoto,
    RequestStatus,
)
from apps.public.rating import request_rating_open
from apps.public.selectors import public_items

TRACKING_CODE_PATTERN = re.compile(rf"{TRACKING_PREFIX}-\d{{8}}-[{TRACKING_ALPHABET}]{{{TRACKING_RANDOM_LENGTH}}}")


def tracking_code_clean(text: str) -> str:
    """The code as typed, upper-cased and without spaces; anything but letters, digits and hyphens dropped."""
    return re.sub(r"[^A-Z0-9-]", "", text.upper())[:40]


def requests_visible_to(user: User) -> QuerySet[CitizenRequest]:
    """The requests an administrator handles: those of their unit and the units below it; none for anyone else."""
    if not user.is_authenticated or not user.has_role(Role.UNIT_ADMIN, Role.SYSTEM_ADMIN):
        return CitizenRequest.objects.none()
    return in_reach_of(CitizenRequest.objects.all(), user, "unit__path")


def request_queue(*, user: User) -> QuerySet[CitizenRequest]:
    return requests_visible_to(user).select_related("unit", "category", "item")


def request_photos_visible_to(user: User) -> QuerySet[RequestPhoto]:
    return RequestPhoto.objects.filter(request__in=requests_visible_to(user))


@dataclass(frozen=True)
class PublicStep:
    at: datetime.datetime
    action: str
    label: str
    unit: str  # the unit that took the step, or the one it was forwarded to
    note: str  # only the reply and the reason for not accepting; a forwarding note stays internal


@dataclass(frozen=True)
class PublicItemResult:
    number: str
    title: str
    status_label: str
    is_closed: bool
    completed_on: datetime.date | None
    public_id: int | None  # the item's public page, when the item is published
    latest_note: str
    latest_note_on: datetime.date | None


@dataclass(frozen=True)
class PublicRequest:
    """What the sender sees: never their name or phone, never a person's name, never an internal note."""

    tracking_code: str
    status: str
    status_label: str
    category: str
    unit: str
    text: str
    sent_at: datetime.datetime
    reply: str
    steps: list[PublicStep]
    item: PublicItemResult | None
    rating_open: bool = False  # the sender may rate it now (满意度)
    rating_label: str = ""  # their latest rating, as they gave it
    solved: bool | None = None


def _item_result(request: CitizenRequest) -> PublicItemResult | None:
    item = request.item
    if item is None or item.status == Status.CANCELLED:
        return None
    published = public_items().filter(pk=item.pk).exists()
    note = None
    if published:
        note = ProgressUpdate.objects.filter(item=item, is_public=True).order_by("-at", "-pk").first()
    return PublicItemResult(
        number=item.number,
        title=item.title,
        status_label=str(item.get_status_display()),
        is_closed=item.status == Status.CLOSED,
        completed_on=item.completed_on,
        public_id=item.pk if published else None,
        latest_note=note.note if note else "",
        latest_note_on=timezone.localdate(note.at) if note else None,
    )


def request_public_get(code: str) -> PublicRequest | None:
    """The request a tracking code opens, drawn with its public fields only; None for a wrong or malformed code."""
    code = tracking_code_clean(code)
    if not TRACKING_CODE_PATTERN.fullmatch(code):
        return None
    request = CitizenRequest.objects.select_related("unit", "category", "item").filter(tracking_code=code).first()
    if request is None:
        return None
    steps = [
        PublicStep(
            at=step.at,
            action=step.action,
            label=str(step.get_action_display()),
            unit=(step.to_unit.name if step.to_unit else "") if step.action in _TO_UNIT else _unit_name(step),
            note=step.note if step.note_is_public else "",
        )
        for step in request.steps.select_related("from_unit", "to_unit")
    ]
    replied = request.status in {RequestStatus.ANSWERED, RequestStatus.DECLINED}
    return PublicRequest(
        tracking_code=request.tracking_code,
        status=request.status,
        status_label=str(request.get_status_display()),
        category=str(request.category),
        unit=request.unit.name,
        text=request.text,
        sent_at=request.created_at,
        reply=request.reply if replied else "",
        steps=steps,
        item=_item_result(request),
        rating_open=request_rating_open(request),
        rating_label=str(request.get_rating_display()) if request.rating else "",
        solved=request.solved,
    )


# Steps whose unit is where the request went (sent to, forwarded to); the others name the unit that acted.
_TO_UNIT = frozenset({RequestAction.SUBMIT, RequestAction.FORWARD})


def _unit_name(step: object) -> str:
    unit = step.from_unit or step.to_unit  # type: ignore[attr-defined]
    return unit.name if unit else ""
