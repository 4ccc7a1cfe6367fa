from django.urls import path

from apps.supervision import views

app_name = "supervision"

urlpatterns = [
    path("settings/", views.supervision_settings_view, name="settings"),
]
