"""The portal's front door: where each role lands after logging in."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from apps.accounts.models import Role


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Leaders land on their dashboard, reporting staff on the reports, everyone else on their items."""
    if request.user.has_role(Role.LEADER) and not request.user.has_role(Role.OFFICIAL):
        return redirect("dashboards:dashboard")
    if request.user.has_role(Role.REPORTING_STAFF) and not request.user.has_role(Role.OFFICIAL):
        return redirect("reports:archive")
    if request.user.has_role(Role.OFFICIAL):
        return redirect("items:mine")
    return redirect("items:list")
