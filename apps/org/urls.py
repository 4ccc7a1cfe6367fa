from django.urls import path

from apps.org import views

app_name = "org"
urlpatterns = [
    path("units/search/", views.unit_search_view, name="unit_search"),
]
