urlpatterns = []
app_name = "dashboards"
