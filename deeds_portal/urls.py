from django.contrib import admin
from django.urls import include, path

from apps.core.views import home

urlpatterns = [
    path("", home, name="home"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("apps.accounts.urls")),
    path("items/", include("apps.items.urls")),
    path("dashboard/", include("apps.dashboards.urls")),
    path("reports/", include("apps.reports.urls")),
]
