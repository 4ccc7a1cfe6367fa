from django.urls import path

from apps.items import ledger_views, views

app_name = "items"
urlpatterns = [
    path("", views.item_list_view, name="list"),
    path("mine/", views.my_items_view, name="mine"),
    path("new/", views.item_create_view, name="create"),
    path("<int:pk>/", views.item_detail_view, name="detail"),
    path("<int:pk>/edit/", views.item_edit_view, name="edit"),
    path("<int:pk>/progress/", views.item_progress_view, name="progress"),
    path("<int:pk>/assign/", views.item_assign_view, name="assign"),
    path("<int:pk>/<slug:action>/", views.item_action_view, name="action"),
    path("evidence/<int:pk>/", views.evidence_download_view, name="evidence"),
    path("export/<str:file_format>/", ledger_views.item_export_view, name="export"),
    path("mine/export/<str:file_format>/", ledger_views.my_items_export_view, name="mine_export"),
    path("exports/<int:pk>/", ledger_views.export_job_view, name="export_job"),
    path("exports/<int:pk>/status/", ledger_views.export_job_status_view, name="export_job_status"),
    path("exports/<int:pk>/download/", ledger_views.export_job_download_view, name="export_job_download"),
    path("ledger/template/", ledger_views.ledger_template_view, name="ledger_template"),
    path("ledger/import/", ledger_views.ledger_import_view, name="ledger_import"),
    path("ledger/import/<int:pk>/", ledger_views.ledger_job_view, name="ledger_job"),
    path("ledger/import/<int:pk>/status/", ledger_views.ledger_job_status_view, name="ledger_job_status"),
    path("ledger/import/<int:pk>/check/", ledger_views.ledger_recheck_view, name="ledger_recheck"),
    path("ledger/import/<int:pk>/commit/", ledger_views.ledger_commit_view, name="ledger_commit"),
]
