"""API routes of incidents (mounted under /api/)."""

from django.urls import path

from incidents import apis

urlpatterns = [
    path("incidents/", apis.IncidentCollectionApi.as_view(), name="api-incidents"),
    path("incidents/<int:incident_id>/", apis.IncidentDetailApi.as_view(), name="api-incident"),
    path("incidents/<int:incident_id>/evidence/", apis.IncidentEvidenceApi.as_view(), name="api-incident-evidence"),
    path(
        "incidents/<int:incident_id>/statements/", apis.IncidentStatementsApi.as_view(), name="api-incident-statements"
    ),
]
