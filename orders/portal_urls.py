"""Portal pages of orders (mounted at the site root): the force admin's order desk under ``/desk/``."""

from django.urls import path

from orders.desk import offender_views, order_views, wizard_views

urlpatterns = [
    path("desk/offenders/", offender_views.offender_list, name="desk-offenders"),
    path("desk/offenders/new/", offender_views.offender_new, name="desk-offender-new"),
    path("desk/offenders/<int:pk>/", offender_views.offender_detail, name="desk-offender"),
    path("desk/offenders/<int:pk>/edit/", offender_views.offender_edit, name="desk-offender-edit"),
    path("desk/offenders/<int:pk>/photos/new/", offender_views.photo_new, name="desk-offender-photo-new"),
    path(
        "desk/offenders/<int:pk>/photos/<int:photo_id>/image/", offender_views.photo_image, name="desk-offender-photo"
    ),
    path(
        "desk/offenders/<int:pk>/photos/<int:photo_id>/remove/",
        offender_views.photo_remove,
        name="desk-offender-photo-remove",
    ),
    path("desk/staged-photos/<str:token>/", offender_views.staged_image, name="desk-staged-photo"),
    path("desk/orders/", order_views.order_list, name="desk-orders"),
    path("desk/orders/new/", wizard_views.order_new, name="desk-order-new"),
    path("desk/orders/new/prohibition/", wizard_views.prohibition_step, name="desk-order-new-prohibition"),
    path("desk/orders/new/review/", wizard_views.review, name="desk-order-new-review"),
    path("desk/orders/<int:pk>/", order_views.order_detail, name="desk-order"),
    path("desk/orders/<int:pk>/serve/", order_views.order_serve, name="desk-order-serve"),
    path("desk/orders/<int:pk>/correct/", order_views.order_correct, name="desk-order-correct"),
    path("desk/orders/<int:pk>/vary/", order_views.order_vary, name="desk-order-vary"),
    path("desk/orders/<int:pk>/discharge/", order_views.order_discharge, name="desk-order-discharge"),
]
