from django.urls import path

from apps.supervision import views

app_name = "supervision"

urlpatterns = [
    path("settings/", views.supervision_settings_view, name="settings"),
    path("notices/", views.notice_list_view, name="notices"),
    path("notices/export/<str:file_format>/", views.notice_export_view, name="notices_export"),
    path("notices/new/", views.notice_issue_view, name="notice_issue"),
    path("notices/<int:pk>/", views.notice_detail_view, name="notice"),
    path("notices/<int:pk>/reply/", views.notice_reply_view, name="notice_reply"),
    path("notices/<int:pk>/accept/", views.notice_accept_view, name="notice_accept"),
    path("notices/<int:pk>/escalate/", views.notice_escalate_view, name="notice_escalate"),
    path("notices/evidence/<int:pk>/", views.notice_evidence_view, name="notice_evidence"),
    path("items/<int:pk>/chase/", views.chase_view, name="chase"),
]
