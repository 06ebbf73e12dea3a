"""The police user's email notification choices."""

from django.urls import path

from notifications import views

urlpatterns = [
    path("account/notifications/", views.notification_settings, name="notification-settings"),
]
