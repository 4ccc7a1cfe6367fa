"""The ledger's pages live under /items/ beside the lists they import into and export from."""

from django.urls import path

from apps.ledger import views

app_name = "ledger"
urlpatterns = [
    path("export/<str:file_format>/", views.item_export_view, name="export"),
    path("mine/export/<str:file_format>/", views.my_items_export_view, name="mine_export"),
    path("exports/<int:pk>/", views.export_job_view, name="export_job"),
    path("exports/<int:pk>/status/", views.export_job_status_view, name="export_job_status"),
    path("exports/<int:pk>/download/", views.export_job_download_view, name="export_job_download"),
    path("ledger/template/", views.ledger_template_view, name="template"),
    path("ledger/import/", views.ledger_import_view, name="import"),
    path("ledger/import/<int:pk>/", views.ledger_job_view, name="import_job"),
    path("ledger/import/<int:pk>/status/", views.ledger_job_status_view, name="import_job_status"),
    path("ledger/import/<int:pk>/check/", views.ledger_recheck_view, name="import_recheck"),
    path("ledger/import/<int:pk>/commit/", views.ledger_commit_view, name="import_commit"),
    path("ledger/import/<int:pk>/items/", views.ledger_job_items_view, name="import_items"),
]
