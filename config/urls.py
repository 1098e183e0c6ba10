from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView


def favicon(request):
    """Browsers ask for /favicon.ico whatever the page links (a JSON answer, a 404 page)."""
    return redirect(static("moderation/favicon.svg"), permanent=False)


urlpatterns = [
    path("favicon.ico", favicon),
    path("admin/", admin.site.urls),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", RedirectView.as_view(pattern_name="moderation:queue", permanent=False)),
    path("", include("moderation.urls")),
    path("", include("perspective.urls")),
    path("", include("analytics.urls")),
    path("", include("webhooks.urls")),
]
