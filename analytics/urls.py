from django.urls import path

from . import views

app_name = "analytics"

urlpatterns = [
    path("analytics/", views.dashboard_all, name="dashboard_all"),
    path("analytics/heating/", views.heating_box, name="heating"),
    path("analytics/<slug:slug>/", views.dashboard_site, name="dashboard"),
    path("analytics/<slug:slug>/articles/<int:pk>/", views.article_page, name="article"),
]
