"""Officer pages of cases (mounted at the site root)."""

from django.urls import path

from cases import views

urlpatterns = [
    path("cases/", views.case_queue, name="case-queue"),
    path("cases/access-log/", views.access_log, name="case-access-log"),
    path("cases/<int:pk>/", views.case_detail, name="case-detail"),
    path("cases/<int:pk>/image/<str:which>/", views.case_image, name="case-image"),
    path("cases/<int:pk>/evidence/<int:evidence_id>/", views.case_evidence, name="case-evidence"),
    path("cases/<int:pk>/review/", views.case_review, name="case-review"),
    path("cases/<int:pk>/corroborate/", views.case_corroborate, name="case-corroborate"),
    path("cases/<int:pk>/close/", views.case_close, name="case-close"),
    path("cases/<int:pk>/pack.<str:fmt>", views.case_pack, name="case-pack"),
]
