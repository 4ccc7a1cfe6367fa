"""Supervision writes: the settings a unit's subtree is lit by, and lighting items again when those change."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from apps.accounts.models import Role, User
from apps.core.exceptions import ServiceError, ServicePermissionError
from apps.core.tasks import enqueue
from apps.items.lights import items_relight
from apps.items.models import WorkItem
from apps.org.models import Unit
from apps.org.scope import user_reaches

SETTINGS_ROLES = (Role.UNIT_ADMIN, Role.SYSTEM_ADMIN)
MOST_WARNING_DAYS = 30
# The calendar moves a yellow light at most this far before a deadline, so a change of one year's calendar
# concerns the items due up to this many days into the next year.
CALENDAR_REACH_DAYS = 60


def user_may_set_supervision(user: User, unit: Unit) -> bool:
    return user.has_role(*SETTINGS_ROLES) and user_reaches(user, unit)


@transaction.atomic
def supervision_settings_update(
    *, unit: Unit, by: User, warning_days: int | None, lag_tolerance: int | None, acknowledge_days: int | None = None
) -> Unit:
    """Set (or, with None, inherit) the unit's warning window, schedule tolerance and acknowledgement limit.

    The acknowledgement limit applies to assignments made from now on.

    The items being delivered in the subtree are lit again by the worker, after the change is committed.
    """
    if not user_may_set_supervision(by, unit):
        raise ServicePermissionError(_("Only an administrator of this unit or a unit above it can change this."))
    if warning_days is not None and not 0 <= warning_days <= MOST_WARNING_DAYS:
        raise ServiceError(
            _("The warning window is a number of working days from 0 to %(most)s.") % {"most": MOST_WARNING_DAYS},
            field="warning_days",
        )
    if lag_tolerance is not None and not 0 <= lag_tolerance <= 100:
        raise ServiceError(_("The tolerance is a number of points from 0 to 100."), field="lag_tolerance")
    if acknowledge_days is not None and not 1 <= acknowledge_days <= MOST_WARNING_DAYS:
        raise ServiceError(
            _("The acknowledgement limit is a number of working days from 1 to %(most)s.")
            % {"most": MOST_WARNING_DAYS},
            field="acknowledge_days",
        )
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    unit.warning_days, unit.lag_tolerance, unit.acknowledge_days = warning_days, lag_tolerance, acknowledge_days
    unit.save(update_fields=["warning_days", "lag_tolerance", "acknowledge_days"])
    from apps.supervision.tasks import supervision_relight_unit_task

    enqueue(supervision_relight_unit_task, unit.pk)
    return unit


def supervision_relight_unit(*, unit_id: int) -> int:
    """Light again every item being delivered in the unit's subtree; how many changed."""
    unit = Unit.objects.get(pk=unit_id)
    return items_relight(WorkItem.objects.in_subtree(unit.path))


def supervision_relight_year(*, year: int) -> int:
    """Light again the items due in `year` or early the next: the working calendar of `year` changed."""
    import datetime

    first = datetime.date(year, 1, 1)
    last = datetime.date(year, 12, 31) + datetime.timedelta(days=CALENDAR_REACH_DAYS)
    return items_relight(WorkItem.objects.filter(deadline__gte=first, deadline__lte=last))
