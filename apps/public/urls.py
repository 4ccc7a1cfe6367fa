from django.urls import path

from apps.public import comment_views, rating_views, request_views, views

app_name = "public"
urlpatterns = [
    path("", views.public_directory_view, name="directory"),
    path("units/<int:pk>/", views.public_unit_view, name="unit"),
    path("items/<int:pk>/", views.public_item_view, name="item"),
    path("evidence/<int:pk>/", views.public_evidence_view, name="evidence"),
]

# Citizens' requests (群众诉求): the public's form and tracking page, and the handling unit's queue.
urlpatterns += [
    path("requests/new/", request_views.request_new_view, name="request_new"),
    path("requests/track/", request_views.request_track_view, name="request_track"),
    path("requests/<str:code>/", request_views.request_status_view, name="request_status"),
    path("requests/<str:code>/rate/", rating_views.request_rate_view, name="request_rate"),
    path("queue/", request_views.queue_list_view, name="queue"),
    path("queue/<int:pk>/", request_views.queue_detail_view, name="queue_detail"),
    path("queue/<int:pk>/follow-up/", rating_views.request_follow_up_view, name="request_follow_up"),
    path("queue/<int:pk>/<slug:action>/", request_views.queue_action_view, name="queue_action"),
    path("queue/photos/<int:pk>/", request_views.queue_photo_view, name="queue_photo"),
]

# The publication period (公示期): the public's objection or suggestion, and the owning side's answer.
urlpatterns += [
    path("items/<int:pk>/comment/", comment_views.public_comment_view, name="comment"),
    path("comments/<int:pk>/answer/", comment_views.public_comment_answer_view, name="comment_answer"),
]
