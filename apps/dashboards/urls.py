from django.urls import path

from apps.dashboards import views

app_name = "dashboards"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("data/", views.dashboard_data, name="data"),
    path("ranking/", views.ranking, name="ranking"),
    path("ranking/export/<str:file_format>/", views.ranking_export, name="ranking_export"),
]
