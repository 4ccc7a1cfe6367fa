"""Satisfaction (满意度) and the phone follow-up (回访) of a citizen's request, and the second round (二次办理).

Once a request is closed — answered, or its work item closed — the sender may rate it from the tracking page
within RATING_DAYS: satisfied, basically satisfied or dissatisfied, and whether the problem was actually solved.
Staff of the handling side may record the same from a phone call instead. A rating of dissatisfied, or "not
solved", reopens the request for the unit (二次办理): it is handled again, and rated again once closed again.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.exceptions import ServiceError, ServicePermissionError
from apps.core.generations import REQUESTS, generation_bump
from apps.items.models import Status
from apps.public.models import CitizenRequest, Rating, RequestAction, RequestStatus, RequestStep
from apps.public.request_services import user_handles_request

if TYPE_CHECKING:
    from apps.accounts.models import User

# How long after its closing a request can be rated.
RATING_DAYS = 15


def request_closed_at(request: CitizenRequest) -> datetime.datetime | None:
    """When the request was closed for the sender: answered, or its work item closed; None while it is open."""
    if request.status == RequestStatus.ANSWERED:
        return request.closed_at
    item = request.item if request.status == RequestStatus.TURNED_INTO_ITEM else None
    return item.closed_at if item is not None and item.status == Status.CLOSED else None


def request_rating_open(request: CitizenRequest, now: datetime.datetime | None = None) -> bool:
    """May the request be rated now: closed, not rated since, and within RATING_DAYS of its closing?"""
    closed = request_closed_at(request)
    if closed is None:
        return False
    now = now or timezone.now()
    if request.rated_at is not None and request.rated_at >= closed:
        return False
    return now <= closed + datetime.timedelta(days=RATING_DAYS)


def _verdict(rating: str, solved: bool) -> str:
    solved_text = _("the problem is solved") if solved else _("the problem is not solved")
    return f"{Rating(rating).label}; {solved_text}"


def request_rate(
    *, request: CitizenRequest, rating: str, solved: bool, note: str = "", by: User | None = None
) -> CitizenRequest:
    """Record the sender's rating (`by` None, from the tracking page) or a phone follow-up by staff (`by`).

    Dissatisfied or not solved reopens the request for a second round (二次办理).
    """
    if rating not in Rating.values:
        raise ServiceError(_("Choose satisfied, basically satisfied or dissatisfied."), field="rating")
    with transaction.atomic():
        locked = (
            CitizenRequest.objects.select_for_update(of=("self",)).select_related("unit", "item").get(pk=request.pk)
        )
        if by is not None and not user_handles_request(by, locked):
            raise ServicePermissionError(
                _("Only the administrators of the handling unit or of a unit above it may record a follow-up.")
            )
        if not request_rating_open(locked):
            if request_closed_at(locked) is None:
                raise ServiceError(_("The request can be rated once it is answered or its work item closed."))
            raise ServiceError(_("This request has been rated, or the time to rate it has passed."))
        now = timezone.now()
        locked.rating, locked.solved, locked.rated_at, locked.rated_by_phone = rating, solved, now, by is not None
        action = RequestAction.FOLLOW_UP if by is not None else RequestAction.RATE
        verdict = _verdict(rating, solved)
        steps = [RequestStep(request=locked, action=action, by=by, at=now, note=f"{verdict}. {note.strip()}".strip())]
        if rating == Rating.DISSATISFIED or not solved:
            locked.status = RequestStatus.ACCEPTED
            locked.closed_at = None
            locked.reopened += 1
            steps.append(RequestStep(request=locked, action=RequestAction.REOPEN, by=by, at=now, note=verdict))
        locked.save()
        for step in steps:
            step.from_unit = step.to_unit = locked.unit
        generation_bump(REQUESTS)
        RequestStep.objects.bulk_create(steps)
        return locked
