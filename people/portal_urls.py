"""Officer pages of people (mounted at the site root): the persistent-offender list, a person's page, linking a
person to an incident, the persons of interest with the retention review's keep, and CBO applications with their
bundle."""

from django.urls import path

from people import views

urlpatterns = [
    path("people/", views.persistent_list, name="people-persistent"),
    path("people/link/", views.link_new, name="people-link"),
    path("people/links/<int:pk>/withdraw/", views.link_withdraw, name="people-link-withdraw"),
    path("people/applications/<int:pk>/", views.application_detail, name="people-application"),
    path(
        "people/applications/<int:pk>/bundle.<str:fmt>",
        views.application_download,
        name="people-application-download",
    ),
    path("people/persons/", views.person_list, name="people-persons"),
    path("people/settings/", views.force_settings, name="people-settings"),
    path("people/<str:subject>/", views.person_detail, name="people-person"),
    path("people/<str:subject>/keep/", views.person_keep, name="people-person-keep"),
]
