from django.urls import path

from apps.items import views

app_name = "items"
urlpatterns = [
    path("", views.item_list_view, name="list"),
    path("mine/", views.my_items_view, name="mine"),
    path("new/", views.item_create_view, name="create"),
    path("<int:pk>/", views.item_detail_view, name="detail"),
    path("<int:pk>/edit/", views.item_edit_view, name="edit"),
    path("<int:pk>/progress/", views.item_progress_view, name="progress"),
    path("<int:pk>/assign/", views.item_assign_view, name="assign"),
    path("<int:pk>/extension/request/", views.item_extension_request_view, name="extension_request"),
    path("<int:pk>/extension/grant/", views.item_extension_grant_view, name="extension_grant"),
    path("<int:pk>/extension/refuse/", views.item_extension_refuse_view, name="extension_refuse"),
    path("<int:pk>/delete/", views.item_delete_draft_view, name="delete"),
    path("<int:pk>/<slug:action>/", views.item_action_view, name="action"),
    path("evidence/<int:pk>/", views.evidence_download_view, name="evidence"),
]
