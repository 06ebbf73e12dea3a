"""The bundle's layout: a witness email broken only after its "@", never mid-word; zones on the map numbered
as their rows in the proposed prohibitions table (P1, P2...), and the map's caption explaining the outlines."""

import io
from types import SimpleNamespace

from PIL import Image

from people import bundle
from tests.orders.conftest import SQUARE


def test_a_long_email_breaks_only_after_the_at_sign():
    short = bundle._email_cell("kim@shop.example")
    assert short.text == "kim@shop.example"
    long = bundle._email_cell("kimberley.wainwright-hughes@northway-foods.example.co.uk")
    assert long.text == "kimberley.wainwright-hughes@<br/>northway-foods.example.co.uk"
    assert bundle._email_cell("").text == "-"


def test_zones_are_numbered_on_the_map_and_the_caption_explains_the_outlines():
    store = SimpleNamespace(
        longitude=-2.30, latitude=53.10, name="A-1", retailer=SimpleNamespace(name="Northway"), address="", postcode=""
    )
    premises = SimpleNamespace(polygon=None, centre_latitude=None, centre_longitude=None, radius_m=None)
    zone = SimpleNamespace(polygon=SQUARE, centre_latitude=None, centre_longitude=None, radius_m=None)
    png = bundle.incidents_map_png([bundle.MapStore(store, [1, 2])], [premises, zone])
    assert png is not None and Image.open(io.BytesIO(png)).size == (600, 630)
    contents = SimpleNamespace(
        map_png=png, incidents=[SimpleNamespace(store=store, store_id=1)], prohibitions=[premises, zone]
    )
    caption = bundle._map_part(contents)[0]._content[2].text
    assert "Red outlines" in caption and "(P2)" in caption and "P1" not in caption
