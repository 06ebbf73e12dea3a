"""Recording the order a court made from a CBO application (force admins; ``people.order_views``): the page,
and the API (mounted here at the site root, so its path carries ``api/``)."""

from django.urls import path

from people import order_views

urlpatterns = [
    path(
        "people/applications/<int:pk>/order/",
        order_views.order_from_application,
        name="people-application-order",
    ),
    path(
        "api/people/applications/<int:application_id>/order/",
        order_views.OrderFromApplicationApi.as_view(),
        name="api-people-application-order",
    ),
]
