"""API routes of cases (mounted under /api/)."""

from django.urls import path

from cases import apis

urlpatterns = [
    path("cases/", apis.CaseListApi.as_view(), name="api-cases"),
    path("cases/counts/", apis.CaseCountsApi.as_view(), name="api-case-counts"),
    path("cases/<int:pk>/", apis.CaseDetailApi.as_view(), name="api-case"),
    path("cases/<int:pk>/justification/", apis.CaseJustificationApi.as_view(), name="api-case-justification"),
    path("cases/<int:pk>/images/<str:which>/", apis.CaseImageApi.as_view(), name="api-case-image"),
    path("cases/<int:pk>/review/", apis.CaseReviewApi.as_view(), name="api-case-review"),
    path("cases/<int:pk>/corroborate/", apis.CaseCorroborateApi.as_view(), name="api-case-corroborate"),
    path("cases/<int:pk>/close/", apis.CaseCloseApi.as_view(), name="api-case-close"),
    path("cases/<int:pk>/evidence-pack/", apis.CaseEvidencePackApi.as_view(), name="api-case-pack"),
    path("access-logs/", apis.AccessLogListApi.as_view(), name="api-access-logs"),
    path("access-logs/export/", apis.AccessLogExportApi.as_view(), name="api-access-logs-export"),
]
