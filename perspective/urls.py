from django.urls import path

from . import settings_views, views

app_name = "perspective"

urlpatterns = [
    path("v1alpha1/comments:analyze", views.analyze_view, name="analyze"),
    path("v1alpha1/comments:suggestscore", views.suggest_view, name="suggestscore"),
    path("coral/<slug:slug>/moderation/", views.coral_moderation, name="coral_moderation"),
    path("sites/<slug:slug>/settings/api-keys/", settings_views.key_issue, name="key_issue"),
    path("sites/<slug:slug>/settings/api-keys/<int:key_id>/revoke/", settings_views.key_revoke, name="key_revoke"),
    path("sites/<slug:slug>/settings/coral-secrets/", settings_views.coral_secret_add, name="coral_secret_add"),
    path("sites/<slug:slug>/settings/coral-secrets/<int:secret_id>/remove/", settings_views.coral_secret_remove,
         name="coral_secret_remove"),
]
