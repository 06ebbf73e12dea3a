"""API routes of orders (mounted under /api/)."""

from django.urls import path

from orders.apis import offenders, orders, photos, prohibitions

urlpatterns = [
    path("offenders/", offenders.OffenderCollectionApi.as_view(), name="api-offenders"),
    path("offenders/<int:offender_id>/", offenders.OffenderDetailApi.as_view(), name="api-offender"),
    path(
        "offenders/<int:offender_id>/photos/", photos.ReferencePhotoCollectionApi.as_view(), name="api-offender-photos"
    ),
    path(
        "offenders/<int:offender_id>/photos/<int:photo_id>/",
        photos.ReferencePhotoDetailApi.as_view(),
        name="api-offender-photo",
    ),
    path(
        "offenders/<int:offender_id>/photos/<int:photo_id>/image/",
        photos.ReferencePhotoImageApi.as_view(),
        name="api-offender-photo-image",
    ),
    path("orders/", orders.OrderCollectionApi.as_view(), name="api-orders"),
    path("orders/prohibited-at/", prohibitions.ProhibitedAtApi.as_view(), name="api-orders-prohibited-at"),
    path("orders/<int:order_id>/", orders.OrderDetailApi.as_view(), name="api-order"),
    path("orders/<int:order_id>/serve/", orders.OrderServeApi.as_view(), name="api-order-serve"),
    path("orders/<int:order_id>/vary/", orders.OrderVaryApi.as_view(), name="api-order-vary"),
    path("orders/<int:order_id>/discharge/", orders.OrderDischargeApi.as_view(), name="api-order-discharge"),
    path(
        "orders/<int:order_id>/prohibitions/",
        prohibitions.ProhibitionCollectionApi.as_view(),
        name="api-order-prohibitions",
    ),
    path(
        "orders/<int:order_id>/prohibitions/<int:prohibition_id>/",
        prohibitions.ProhibitionDetailApi.as_view(),
        name="api-order-prohibition",
    ),
    path(
        "orders/<int:order_id>/premises-import/",
        prohibitions.PremisesImportApi.as_view(),
        name="api-order-premises-import",
    ),
]
