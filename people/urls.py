"""API routes of people (mounted under /api/). A person of interest is ``people/<id>/``, an offender record
``people/offender-<id>/``."""

from django.urls import path

from people import apis, application_apis

urlpatterns = [
    path("people/", apis.PersonListApi.as_view(), name="api-people"),
    path("people/persistent/", apis.PersistentApi.as_view(), name="api-people-persistent"),
    path("people/links/", apis.LinkCreateApi.as_view(), name="api-people-links"),
    path("people/links/<int:pk>/", apis.LinkDetailApi.as_view(), name="api-people-link"),
    path("people/links/<int:pk>/withdraw/", apis.LinkWithdrawApi.as_view(), name="api-people-link-withdraw"),
    path("people/applications/", application_apis.ApplicationListApi.as_view(), name="api-people-applications"),
    path(
        "people/applications/<int:pk>/", application_apis.ApplicationDetailApi.as_view(), name="api-people-application"
    ),
    path(
        "people/applications/<int:pk>/build/",
        application_apis.ApplicationBuildApi.as_view(),
        name="api-people-application-build",
    ),
    path(
        "people/applications/<int:pk>/bundle.pdf",
        application_apis.ApplicationPdfApi.as_view(),
        name="api-people-application-pdf",
    ),
    path(
        "people/applications/<int:pk>/bundle.zip",
        application_apis.ApplicationZipApi.as_view(),
        name="api-people-application-zip",
    ),
    path("people/<int:pk>/", apis.PersonDetailApi.as_view(), name="api-person"),
    path("people/<int:pk>/keep/", apis.PersonKeepApi.as_view(), name="api-person-keep"),
    path("people/<int:pk>/links/", apis.PersonLinksApi.as_view(), name="api-person-links"),
    path("people/offender-<int:pk>/", apis.OffenderSubjectApi.as_view(), name="api-people-offender"),
    path(
        "people/offender-<int:pk>/links/",
        apis.OffenderLinksApi.as_view(),
        name="api-people-offender-links",
    ),
]
