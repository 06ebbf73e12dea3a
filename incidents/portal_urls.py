"""Portal pages of incidents (mounted at the site root)."""

from django.urls import path

from incidents import views

urlpatterns = [
    path("incidents/", views.incident_list, name="incident-list"),
    path("incidents/new/", views.incident_report, name="incident-report"),
    path("incidents/rules/", views.incident_rules, name="incident-rules"),
    path("incidents/<int:incident_id>/", views.incident_detail, name="incident-detail"),
    path("incidents/<int:incident_id>/evidence/", views.incident_evidence_add, name="incident-evidence-add"),
    path("incidents/<int:incident_id>/exhibits/<int:evidence_id>/", views.incident_exhibit, name="incident-exhibit"),
    path("incidents/<int:incident_id>/statements/new/", views.incident_statement_add, name="incident-statement-add"),
]
