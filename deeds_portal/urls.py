from django.contrib import admin
from django.urls import include, path, re_path

from apps.core.api import api_not_found_view
from apps.core.health import health_view
from deeds_portal.views import home

urlpatterns = [
    path("", home, name="home"),
    path("health/", health_view, name="health"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("apps.accounts.urls")),
    path("items/", include("apps.items.urls")),
    path("items/", include("apps.ledger.urls")),
    path("dashboard/", include("apps.dashboards.urls")),
    path("org/", include("apps.org.urls")),
    path("reports/", include("apps.reports.urls")),
    path("supervision/", include("apps.supervision.urls")),
    path("inbox/", include("apps.notifications.urls")),
    path("captcha/", include("captcha.urls")),
    path("public/", include("apps.public.urls")),
    path("api/v1/", include("deeds_portal.api_router")),
    # Last: any other address under /api/ answers the API's JSON 404, under DEBUG too.
    re_path(r"^api/", api_not_found_view, name="api-not-found"),
]

# Unknown addresses under /api/ answer in JSON, like the rest of the API (this one when DEBUG is off).
handler404 = "apps.core.api.api_aware_page_not_found"
