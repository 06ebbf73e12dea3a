"""An exclusion zone's bounding box: kept when the zone is saved, and only a helper for finding the zones that
may cover a store; which stores a zone covers is still decided exactly, with or without the box."""

import math

import pytest
from django.utils import timezone

from orders import geo
from orders.models import Prohibition
from orders.selectors import prohibitions_in_force
from orders.services.prohibitions import ProhibitionInput, prohibition_create
from tests.orders.conftest import SQUARE
from tests.orders.factories import OffenderFactory, OrderFactory

pytestmark = pytest.mark.django_db


def test_every_point_of_a_circle_lies_in_its_box():
    for lat in (49.2, 53.1, 60.8):
        south, west, north, east = geo.bounding_box(lat=lat, lon=-2.3, radius_m=1500)
        for k in range(360):
            bearing = math.radians(k)
            # A point 1,500 m away on each bearing, along the great circle (the haversine test's own distance).
            d = 1500 / geo.EARTH_RADIUS_M
            p1, l1 = math.radians(lat), math.radians(-2.3)
            p2 = math.asin(math.sin(p1) * math.cos(d) + math.cos(p1) * math.sin(d) * math.cos(bearing))
            l2 = l1 + math.atan2(
                math.sin(bearing) * math.sin(d) * math.cos(p1), math.cos(d) - math.sin(p1) * math.sin(p2)
            )
            assert south <= math.degrees(p2) <= north and west <= math.degrees(l2) <= east


def test_a_polygons_box_holds_its_corners_and_nothing_far_away():
    south, west, north, east = geo.bounding_box(polygon=SQUARE)
    for lon, lat in SQUARE["coordinates"][0]:
        assert south <= lat <= north and west <= lon <= east
    assert geo.bounding_box() is None


def _zone(world, **fields) -> Prohibition:
    order = OrderFactory(offender=OffenderFactory(force=world.a.force))
    data = ProhibitionInput(kind=Prohibition.Kind.ZONE, **fields)
    return prohibition_create(order=order, data=data, actor=world.a.admin)


def test_saving_a_zone_keeps_its_box_and_the_zones_cover_the_same_stores_with_or_without_it(world):
    store = world.a.store  # at the factory's location
    lat, lon = float(store.latitude), float(store.longitude)
    near = _zone(world, centre_latitude=store.latitude, centre_longitude=store.longitude, radius_m=300)
    far = _zone(world, centre_latitude=lat + 0.5, centre_longitude=lon, radius_m=300)
    assert near.zone_box() == (near.zone_south, near.zone_west, near.zone_north, near.zone_east)
    assert near.zone_south < lat < near.zone_north and far.zone_south > lat
    at = timezone.localdate()
    with_boxes = [p.pk for p in prohibitions_in_force(store=store, at=at)]
    Prohibition.objects.update(zone_south=None, zone_west=None, zone_north=None, zone_east=None)
    without = [p.pk for p in prohibitions_in_force(store=store, at=at)]
    assert with_boxes == without == [near.pk]
