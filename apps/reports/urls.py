from django.urls import path

from apps.reports import views

app_name = "reports"
urlpatterns = [
    path("", views.report_archive_view, name="archive"),
    path("produce/", views.report_request_view, name="request"),
    path("export/<str:file_format>/", views.report_archive_export_view, name="export"),
    path("<int:pk>/", views.report_detail_view, name="detail"),
    path("<int:pk>/status/", views.report_status_view, name="status"),
    path("<int:pk>/produce-again/", views.report_produce_again_view, name="produce_again"),
    path("<int:pk>/download/<str:extension>/", views.report_download_view, name="download"),
]
