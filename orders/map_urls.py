"""The portal's maps (mounted at the site root): the JSON that static/js/map.js draws, and the force admin's
store pages (where each store is)."""

from django.urls import path

from orders import map_views

urlpatterns = [
    path("maps/data/", map_views.map_data, name="orders-map-data"),
    path("maps/coverage/", map_views.map_coverage, name="orders-map-coverage"),
    path("desk/stores/", map_views.store_list, name="store-list"),
    path("desk/stores/<int:pk>/location/", map_views.store_location, name="store-location"),
]
