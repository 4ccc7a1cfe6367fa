from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from apps.dashboards.selectors import dashboard_build, dashboard_unit_for


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """Completion rates of the subtree under a unit the user may see."""
    unit = dashboard_unit_for(user=request.user, unit_id=request.GET.get("unit"))
    return render(request, "dashboards/dashboard.html", {"dashboard": dashboard_build(user=request.user, unit=unit)})
