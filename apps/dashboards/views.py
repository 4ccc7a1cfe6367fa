from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from apps.dashboards.payload import dashboard_data_url, dashboard_payload
from apps.dashboards.selectors import dashboard_build, dashboard_unit_for
from apps.supervision.services import user_may_set_supervision


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """Completion rates of the subtree under a unit the user may see; the charts read dashboard_data."""
    unit = dashboard_unit_for(user=request.user, unit_id=request.GET.get("unit"))
    sort = request.GET.get("sort", "unit")
    dashboard = dashboard_build(user=request.user, unit=unit, sort=sort)
    return render(
        request,
        "dashboards/dashboard.html",
        {
            "dashboard": dashboard,
            "data_url": dashboard_data_url(unit, sort=dashboard.sort),
            "can_set_lights": user_may_set_supervision(request.user, unit),
        },
    )


def dashboard_data(request: HttpRequest) -> JsonResponse:
    """The same dashboard as JSON, scoped the same way: a unit outside the user's subtree does not exist."""
    if not request.user.is_authenticated:
        return JsonResponse({"detail": _("Please log in.")}, status=401)
    unit = dashboard_unit_for(user=request.user, unit_id=request.GET.get("unit"))
    dashboard = dashboard_build(user=request.user, unit=unit, sort=request.GET.get("sort", "unit"))
    return JsonResponse(dashboard_payload(dashboard), json_dumps_params={"ensure_ascii": False})
