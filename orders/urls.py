"""API routes of orders (mounted under /api/)."""

from django.urls import path

from orders import apis

urlpatterns = [
    path("offenders/", apis.OffenderCollectionApi.as_view(), name="api-offenders"),
    path("offenders/<int:offender_id>/", apis.OffenderDetailApi.as_view(), name="api-offender"),
    path("offenders/<int:offender_id>/photos/", apis.ReferencePhotoCollectionApi.as_view(), name="api-offender-photos"),
    path(
        "offenders/<int:offender_id>/photos/<int:photo_id>/",
        apis.ReferencePhotoDetailApi.as_view(),
        name="api-offender-photo",
    ),
    path(
        "offenders/<int:offender_id>/photos/<int:photo_id>/image/",
        apis.ReferencePhotoImageApi.as_view(),
        name="api-offender-photo-image",
    ),
    path("orders/", apis.OrderCollectionApi.as_view(), name="api-orders"),
    path("orders/prohibited-at/", apis.ProhibitedAtApi.as_view(), name="api-orders-prohibited-at"),
    path("orders/<int:order_id>/", apis.OrderDetailApi.as_view(), name="api-order"),
    path("orders/<int:order_id>/serve/", apis.OrderServeApi.as_view(), name="api-order-serve"),
    path("orders/<int:order_id>/vary/", apis.OrderVaryApi.as_view(), name="api-order-vary"),
    path("orders/<int:order_id>/discharge/", apis.OrderDischargeApi.as_view(), name="api-order-discharge"),
    path("orders/<int:order_id>/prohibitions/", apis.ProhibitionCollectionApi.as_view(), name="api-order-prohibitions"),
    path(
        "orders/<int:order_id>/prohibitions/<int:prohibition_id>/",
        apis.ProhibitionDetailApi.as_view(),
        name="api-order-prohibition",
    ),
    path("orders/<int:order_id>/premises-import/", apis.PremisesImportApi.as_view(), name="api-order-premises-import"),
]
