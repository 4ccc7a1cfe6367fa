"""/api/v1/: the REST API, its OpenAPI schema and its docs page."""

from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from apps.accounts.api import AuthTokenView, PersonViewSet
from apps.dashboards.api import DashboardView, OwnDashboardView
from apps.items.api.views import WorkItemViewSet
from apps.ledger.api import ExportJobViewSet, ImportJobViewSet, WorkItemExportViewSet
from apps.org.api import UnitViewSet
from apps.public.api import PublicItemView, PublicUnitView
from apps.public.request_api import CitizenRequestViewSet
from apps.reports.api import ReportViewSet

router = DefaultRouter()
router.include_format_suffixes = False
router.register("units", UnitViewSet, basename="unit")
router.register("people", PersonViewSet, basename="person")
router.register("items", WorkItemViewSet, basename="item")
router.register("reports", ReportViewSet, basename="report")
router.register("requests", CitizenRequestViewSet, basename="citizen-request")
router.register("exports", ExportJobViewSet, basename="export")
router.register("ledger/imports", ImportJobViewSet, basename="ledger-import")

app_name = "api"
urlpatterns = [
    path("auth/token/", AuthTokenView.as_view(), name="token"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's start-up script from docs/?script, not inline: the CSP forbids inline script.
    path(
        "docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema", template_name="api_docs.html"), name="docs"
    ),
    path("dashboards/", OwnDashboardView.as_view(), name="dashboard-own"),
    path("dashboards/<int:unit_id>/", DashboardView.as_view(), name="dashboard"),
    # The public pages' data, anonymous (apps/public).
    path("public/units/<int:unit_id>/", PublicUnitView.as_view(), name="public-unit"),
    path("public/items/<int:item_id>/", PublicItemView.as_view(), name="public-item"),
    # Ahead of the router, so that "export" is not read as an item id; the ledger app serves it.
    re_path(
        r"^items/export/(?P<file_format>xlsx|csv)/$",
        WorkItemExportViewSet.as_view({"get": "export"}),
        name="item-export",
    ),
    *router.urls,
]
