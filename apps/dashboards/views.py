from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from apps.core.exports import CSV_CONTENT_TYPE, XLSX_CONTENT_TYPE
from apps.dashboards.payload import dashboard_data_url, dashboard_json_for
from apps.dashboards.ranking import (
    DEFAULT_SORT,
    RANKING_FORMATS,
    ranking_build,
    ranking_csv,
    ranking_file_name,
    ranking_xlsx,
    red_notices_column,
    request_columns,
)
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


def dashboard_data(request: HttpRequest) -> HttpResponse:
    """The same dashboard as JSON, scoped the same way: a unit outside the user's subtree does not exist."""
    if not request.user.is_authenticated:
        return JsonResponse({"detail": _("Please log in.")}, status=401)
    unit = dashboard_unit_for(user=request.user, unit_id=request.GET.get("unit"))
    body = dashboard_json_for(user=request.user, unit=unit, sort=request.GET.get("sort", "unit"))
    return HttpResponse(body, content_type="application/json")


@login_required
def ranking(request: HttpRequest) -> HttpResponse:
    """考评排名: the child units of a unit the user may see, ranked by the column asked for."""
    unit = dashboard_unit_for(user=request.user, unit_id=request.GET.get("unit"))
    ranking = ranking_build(
        user=request.user,
        unit=unit,
        sort=request.GET.get("sort", DEFAULT_SORT),
        added_columns=[red_notices_column(unit), *request_columns(unit)],
    )
    return render(request, "dashboards/ranking.html", {"ranking": ranking})


@login_required
def ranking_export(request: HttpRequest, file_format: str) -> HttpResponse:
    """The same ranking as an XLSX or CSV file, scoped the same way."""
    if file_format not in RANKING_FORMATS:
        raise Http404
    unit = dashboard_unit_for(user=request.user, unit_id=request.GET.get("unit"))
    ranking = ranking_build(
        user=request.user,
        unit=unit,
        sort=request.GET.get("sort", DEFAULT_SORT),
        added_columns=[red_notices_column(unit), *request_columns(unit)],
    )
    if file_format == "xlsx":
        response = HttpResponse(ranking_xlsx(ranking), content_type=XLSX_CONTENT_TYPE)
    else:
        response = HttpResponse(ranking_csv(ranking), content_type=CSV_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, ranking_file_name(ranking, file_format))
    return response
