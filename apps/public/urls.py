from django.urls import path

from apps.public import views

app_name = "public"
urlpatterns = [
    path("", views.public_directory_view, name="directory"),
    path("units/<int:pk>/", views.public_unit_view, name="unit"),
    path("items/<int:pk>/", views.public_item_view, name="item"),
    path("evidence/<int:pk>/", views.public_evidence_view, name="evidence"),
]
