"""Zone drawings: the admin's SVG and the evidence pack's PNG draw the circle ``orders.geo`` gives."""

import io

import pytest
from PIL import Image

from orders import geo, maps
from tests.orders.conftest import SQUARE
from tests.orders.factories import OffenderFactory, OrderFactory, ProhibitionFactory

pytestmark = pytest.mark.django_db


def circle_zone(world, radius_m=500):
    order = OrderFactory(offender=OffenderFactory(force=world.a.force))
    return ProhibitionFactory(order=order, kind="zone", centre_latitude="53.1", centre_longitude="-2.3",
                              radius_m=radius_m)  # fmt: skip


def test_a_circle_is_outlined_with_geos_circle(world):
    zone = circle_zone(world)
    ring = maps.zone_outlines(zone, sides=48)[0]
    assert ring == [tuple(p) for p in geo.circle_polygon(lat=53.1, lon=-2.3, radius_m=500, sides=48)["coordinates"][0]]
    svg = maps.zone_svg(zone, [world.a.store], set())
    assert svg.count("<polygon") == 1 and svg.count(",") >= 49  # 48 sides and the closing point


def test_the_evidence_pack_png_shows_the_zone_and_the_store(world):
    store = world.a.store
    for zone in (circle_zone(world), ProhibitionFactory(order=OrderFactory(offender=OffenderFactory(
            force=world.a.force)), kind="zone", polygon=SQUARE)):  # fmt: skip
        image = Image.open(io.BytesIO(maps.zone_map_png(zone, store)))
        assert image.format == "PNG" and image.size == (600, 630)
        colours = {colour for _, colour in image.getcolors(maxcolors=100_000)}
        assert (255, 225, 225) in colours and (18, 53, 91) in colours  # the zone (red fill) and the store (blue)


def test_no_zone_no_drawing(world):
    premises = ProhibitionFactory(order=OrderFactory(offender=OffenderFactory(force=world.a.force)))
    assert maps.zone_map_png(premises, world.a.store) is None and maps.zone_map_png(None, world.a.store) is None
    assert maps.zone_svg(premises, [], set()) == ""
