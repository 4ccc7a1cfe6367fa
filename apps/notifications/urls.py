from django.urls import path

from apps.notifications import views

app_name = "notifications"

urlpatterns = [
    path("", views.inbox_view, name="inbox"),
    path("notifications/", views.notifications_view, name="list"),
    path("notifications/read/", views.notifications_read_view, name="read"),
    path("settings/", views.email_settings_view, name="settings"),
]
