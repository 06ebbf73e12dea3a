from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from accounts import views as account_views
from core.views import healthz

admin.site.site_header = "Retrace administration"
admin.site.site_title = "Retrace admin"

urlpatterns = [
    path("", account_views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(template_name="accounts/login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/", include("accounts.urls")),
    path("api/", include("incidents.urls")),
    path("api/", include("orders.urls")),
    path("api/", include("recognition.urls")),
    path("api/", include("cases.urls")),
    path("", include("accounts.portal_urls")),
    path("", include("incidents.portal_urls")),
    path("", include("orders.portal_urls")),
    path("", include("recognition.portal_urls")),
    path("", include("cases.portal_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
]

# Media (CCTV exhibits, custody photos, face crops) is never served as public files, not even in
# debug: each app streams what a user may see through its own views, which check access and log it.
