from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import BasePermission

from core.views import healthz
from dashboards import views as dashboard_views

admin.site.site_header = "Retrace administration"
admin.site.site_title = "Retrace admin"
_admin_login = admin.site.login


def _admin_login_or_refuse(request, extra_context=None):
    """The admin sends a signed-in user it will not serve to its sign-in page; answer them with the portal's
    friendly 403 instead (templates/403.html), a real refusal rather than a sign-in form."""
    if request.user.is_authenticated and not admin.site.has_permission(request):
        raise PermissionDenied("The admin is for force admins. Your account may not use it.")
    return _admin_login(request, extra_context)


admin.site.login = _admin_login_or_refuse


class ApiDocsReaders(BasePermission):
    """/api/schema/ and /api/docs/: anyone while API_DOCS_PUBLIC (the embedded default, tests), otherwise
    only signed-in users (production): a session or an API token."""

    def has_permission(self, request, view) -> bool:
        return settings.API_DOCS_PUBLIC or bool(request.user and request.user.is_authenticated)


# Swagger UI under the site's Content-Security-Policy: its start-up script is served from ?script (the split
# view), never inline, and our template has no inline style.
_swagger = SpectacularSwaggerSplitView.as_view(
    url_name="schema", template_name="api_docs.html", permission_classes=[ApiDocsReaders]
)


def api_docs(request, *args, **kwargs):
    """Swagger UI; where sign-in is required, a browser not signed in is sent to the sign-in page first."""
    if not (settings.API_DOCS_PUBLIC or request.user.is_authenticated):
        return redirect_to_login(request.get_full_path())
    return _swagger(request, *args, **kwargs)


urlpatterns = [
    path("", dashboard_views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(template_name="accounts/login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/", include("accounts.urls")),
    path("api/", include("incidents.urls")),
    path("api/", include("orders.urls")),
    path("api/", include("recognition.urls")),
    path("api/", include("cases.urls")),
    path("api/", include("people.urls")),
    path("", include("accounts.portal_urls")),
    path("", include("incidents.portal_urls")),
    path("", include("orders.portal_urls")),
    path("", include("orders.map_urls")),
    path("", include("recognition.portal_urls")),
    path("", include("cases.portal_urls")),
    path("", include("notifications.portal_urls")),
    path("", include("people.portal_urls")),
    path("", include("people.order_urls")),
    path("", include("dashboards.portal_urls")),
    path("api/schema/", SpectacularAPIView.as_view(permission_classes=[ApiDocsReaders]), name="schema"),
    path("api/docs/", api_docs, name="api-docs"),
]

# Media (CCTV exhibits, custody photos, face crops) is never served as public files, not even in
# debug: each app streams what a user may see through its own views, which check access and log it.
