urlpatterns = []
app_name = "items"
