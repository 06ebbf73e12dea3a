"""Recording the order a court made from a CBO application (force admins; ``people.order_views``)."""

from django.urls import path

from people import order_views

urlpatterns = [
    path(
        "people/applications/<int:pk>/order/",
        order_views.order_from_application,
        name="people-application-order",
    ),
]
