"""API routes of recognition (mounted under /api/)."""

from django.urls import include, path

from recognition import apis

urlpatterns = [
    path("recognition/processing/", apis.ProcessingListApi.as_view(), name="api-recognition-processing"),
    path(
        "recognition/processing/<int:evidence_id>/",
        apis.ProcessingDetailApi.as_view(),
        name="api-recognition-processing-detail",
    ),
    path(
        "recognition/processing/<int:evidence_id>/retry/",
        apis.ProcessingRetryApi.as_view(),
        name="api-recognition-processing-retry",
    ),
    path("recognition/matches/", apis.MatchListApi.as_view(), name="api-recognition-matches"),
    path("recognition/threshold/", apis.ThresholdDetailApi.as_view(), name="api-recognition-threshold"),
    path("recognition/threshold/change/", apis.ThresholdChangeApi.as_view(), name="api-recognition-threshold-change"),
    path("recognition/", include("recognition.research_apis")),
    path("", include("recognition.region_apis")),  # officer-selected face search
]
