from django.urls import path

from . import views
from .api import views as api_views

app_name = "webhooks"

urlpatterns = [
    path("webhooks/<slug:site_slug>/<slug:platform_name>/", views.receive, name="receive"),
    path("api/v1/openapi.json", api_views.openapi_schema, name="openapi"),
    path("api/v1/comments/<path:external_id>", api_views.comment_detail, name="api_comment"),
    path("api/v1/decisions", api_views.decision_list, name="api_decisions"),
]
