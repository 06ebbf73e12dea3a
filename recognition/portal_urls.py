"""Portal pages of recognition (mounted at the site root)."""

from django.urls import include, path

from recognition import views

urlpatterns = [
    path("recognition/", views.processing_list, name="recognition-processing"),
    path("recognition/<int:evidence_id>/retry/", views.processing_retry, name="recognition-processing-retry"),
    path("recognition/threshold/", views.threshold_page, name="recognition-threshold"),
    path("recognition/", include("recognition.research_views")),  # re-searches after late paperwork
    path("", include("recognition.region_views")),  # officer-selected face search
]
