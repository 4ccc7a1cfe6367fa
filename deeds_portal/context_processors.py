"""What every page's menu offers the person looking at it."""

from django.http import HttpRequest
from django.utils import timezone

from apps.accounts.models import Role
from apps.notifications.badge import badge_counts
from apps.reports.models import REPORT_READER_ROLES
from apps.workdays.days import years_to_enter


def menu(request: HttpRequest) -> dict[str, dict[str, bool]]:
    """The menu entries this user can use; an entry that would only show an empty page is left out."""
    user = getattr(request, "user", None)
    signed_in = bool(user and user.is_authenticated)
    return {
        "menu": {
            "reports": signed_in and user.has_role(*REPORT_READER_ROLES),
            # The citizens' requests queue (apps/public): the units' administrators handle it.
            "requests": signed_in and user.has_role(Role.UNIT_ADMIN, Role.SYSTEM_ADMIN),
        }
    }


def calendar_warning(request: HttpRequest) -> dict[str, list[int]]:
    """Years whose holidays nobody has entered, for the administrators who can enter them.

    Time limits running into such a year count Monday–Friday (apps/workdays): right most of the year, wrong
    across its holidays and swapped weekends.
    """
    user = getattr(request, "user", None)
    if not (user and user.is_authenticated and user.has_role(Role.SYSTEM_ADMIN)):
        return {}
    return {"calendar_years_missing": years_to_enter(timezone.localdate())}


def inbox_badge(request: HttpRequest) -> dict[str, dict[str, int]]:
    """The counts beside "My to-do list" and "Notifications" in the top bar."""
    user = getattr(request, "user", None)
    if not (user and user.is_authenticated):
        return {}
    return {"inbox_badge": badge_counts(user)}
