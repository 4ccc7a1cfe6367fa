"""What every page's menu offers the person looking at it."""

from django.http import HttpRequest

from apps.reports.models import REPORT_READER_ROLES


def menu(request: HttpRequest) -> dict[str, dict[str, bool]]:
    """The menu entries this user can use; an entry that would only show an empty page is left out."""
    user = getattr(request, "user", None)
    signed_in = bool(user and user.is_authenticated)
    return {"menu": {"reports": signed_in and user.has_role(*REPORT_READER_ROLES)}}
