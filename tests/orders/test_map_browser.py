"""The maps in a real browser, offline: nothing is fetched from anywhere but the site; drawing a polygon or a
circle fills the form's fields and lists the stores covered (the matching's answer); a store's location is set
by clicking the map; axe finds no serious or critical failure. Screenshots at phone and desktop sizes go to
RETRACE_SCREENSHOTS when it is set."""

import datetime
import json
import os
from pathlib import Path

import pytest
from django.http import HttpResponse
from django.template import engines
from django.urls import include, path
from django.utils import timezone

from accounts.models import Store
from accounts.permissions import FORCE_ADMIN, role_required
from orders import maps, selectors
from orders.models import Order
from orders.services import prohibitions as prohibition_services
from orders.services.prohibitions import ProhibitionInput
from tests.a11y import assert_accessible
from tests.conftest import browser_login
from tests.factories import StoreFactory
from tests.orders.conftest import SQUARE
from tests.orders.factories import OffenderFactory, OrderFactory, ProhibitionFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

PHONE, DESKTOP = {"width": 390, "height": 844}, {"width": 1280, "height": 800}
SHOTS = Path(os.environ["RETRACE_SCREENSHOTS"]) if os.environ.get("RETRACE_SCREENSHOTS") else None

# A small page that includes the map as the order desk's forms do (draw mode with the zone's fields, or view
# mode for an order), served beside the site's own URLs.
PAGE = """{% extends "base.html" %}{% block title %}Map test · Retrace{% endblock %}{% block content %}
<section class="card"><h1>Draw the zone</h1><form method="post">{% csrf_token %}
{% if mode == "view" %}
  {% include "orders/_map.html" with map_id="order-map" map_mode="view" map_query=query map_covered=covered %}
{% else %}{% if hidden %}<div id="later" hidden>{% endif %}
  DRAW_INCLUDE
  <label for="id_polygon">Polygon (GeoJSON)</label><textarea id="id_polygon" name="polygon" rows="3"></textarea>
  <label for="id_centre_latitude">Centre latitude</label><input id="id_centre_latitude" name="centre_latitude">
  <label for="id_centre_longitude">Centre longitude</label><input id="id_centre_longitude" name="centre_longitude">
  <label for="id_radius_m">Radius (metres)</label><input id="id_radius_m" name="radius_m">
{% if hidden %}</div>{% endif %}{% endif %}
</form></section>{% endblock %}"""
DRAW_INCLUDE = (
    '{% include "orders/_map.html" with map_id="zone-map" map_mode="draw" map_polygon_input="id_polygon" '
    'map_lat_input="id_centre_latitude" map_lng_input="id_centre_longitude" map_radius_input="id_radius_m" %}'
)
PAGE = PAGE.replace("DRAW_INCLUDE", DRAW_INCLUDE)


@role_required(FORCE_ADMIN)
def map_page(request):
    context = {"mode": request.GET.get("mode", "draw"), "query": request.GET.get("query", "")}
    context["hidden"] = bool(request.GET.get("hidden"))
    if request.GET.get("server_list"):
        order = Order.objects.get(pk=request.GET["query"].split("=")[1])
        stores = list(Store.objects.filter(beat__force_id=request.user.force_id).select_related("retailer"))
        context["covered"] = maps.covered_stores(list(order.prohibitions.all()), stores, today=timezone.localdate())
    return HttpResponse(engines["django"].from_string(PAGE).render(context, request))


urlpatterns = [path("test-map/", map_page), path("", include("config.urls"))]


@pytest.fixture
def site(settings):
    settings.ROOT_URLCONF = __name__


@pytest.fixture
def places(world):
    a = world.a

    def store(name, beat, lat, lon, retailer=a.retailer):
        return StoreFactory(retailer=retailer, beat=beat, name=name, latitude=lat, longitude=lon)

    for s in (a.store, a.sibling_store, a.other_retailer_store):
        Store.objects.filter(pk=s.pk).update(latitude="53.060000", longitude="-2.400000")
    return {
        "inside": store("Inside", a.beat, "53.100000", "-2.300000"),
        "edge": store("Edge", a.other_beat, "53.110000", "-2.310000"),
        "outside": store("Outside", a.beat, "53.150000", "-2.250000"),
        "far": store("Far", a.other_beat, "53.130000", "-2.200000"),
    }


def offline(page) -> list[str]:
    """Every request the page makes that does not go to the live server (nor is a data: URI)."""
    elsewhere: list[str] = []
    page.on("request", lambda r: None if r.url.startswith((page.base_url, "data:")) else elsewhere.append(r.url))
    return elsewhere


def map_ready(page, map_id: str, stores: int) -> None:
    page.wait_for_selector(f"#{map_id}.leaflet-container")
    page.wait_for_function(f"() => document.querySelectorAll('#{map_id} path.leaflet-interactive').length >= {stores}")


def point_of(page, lat: float, lon: float, dx: int = 0, dy: int = 0) -> tuple[float, float]:
    """Page coordinates of (lat, lon) on the (first) map, offset by (dx, dy) pixels."""
    x, y = page.evaluate(
        "([lat, lon]) => { const b = document.querySelector('[data-retrace-map]'); const m = b.retraceMap.map;"
        " const p = m.latLngToContainerPoint([lat, lon]); const r = m.getContainer().getBoundingClientRect();"
        " return [r.left + p.x, r.top + p.y]; }",
        [lat, lon],
    )
    return x + dx, y + dy


def shoot(page, name: str) -> None:
    if SHOTS is None:
        return
    SHOTS.mkdir(parents=True, exist_ok=True)
    for size, label in ((PHONE, "phone"), (DESKTOP, "desktop")):
        page.set_viewport_size(size)
        page.wait_for_timeout(300)
        page.screenshot(path=str(SHOTS / f"{name}-{label}.png"), full_page=True)
    page.set_viewport_size(DESKTOP)


def matching_covers(world, data: ProhibitionInput) -> set[str]:
    """Record the prohibition for real and ask the matching which stores of the force it prohibits."""
    order = OrderFactory(offender=OffenderFactory(force=world.a.force))
    p = prohibition_services.prohibition_create(order=order, data=data, actor=world.a.admin)
    day = datetime.date(2026, 6, 1)
    stores = Store.objects.filter(beat__force=world.a.force).select_related("beat", "retailer")
    return {s.name for s in stores if p in selectors.prohibitions_in_force(store=s, at=day)}


def test_drawing_a_polygon_and_a_circle_offline(world, places, browser_page, site):
    page = browser_page
    page.set_viewport_size(DESKTOP)
    elsewhere = offline(page)
    browser_login(page, "A-admin")
    page.goto(f"{page.base_url}/test-map/")
    map_ready(page, "zone-map", 7)
    assert page.locator("#zone-map .leaflet-tile").count() == 0  # no tile server: a plain background
    assert page.locator("#zone-map .leaflet-control-scale").is_visible()
    assert page.get_attribute("#zone-map", "aria-label") == "Map for drawing the zone"
    assert "Draw a zone to see the stores it covers." in page.inner_text(".map-covered")

    # A polygon around Inside, clicked corner by corner.
    page.click("button[data-tool=polygon]")
    assert page.get_attribute("button[data-tool=polygon]", "aria-pressed") == "true"
    inside = places["inside"]
    page.evaluate("() => document.querySelector('[data-retrace-map]').retraceMap.map.setView([53.1, -2.3], 15)")
    for dx, dy in ((-40, -40), (40, -40), (40, 40), (-40, 40)):
        page.mouse.click(*point_of(page, float(inside.latitude), float(inside.longitude), dx, dy))
    polygon = json.loads(page.input_value("#id_polygon"))
    ring = polygon["coordinates"][0]
    assert polygon["type"] == "Polygon" and len(ring) == 5 and ring[0] == ring[-1]
    page.wait_for_function("() => document.querySelector('.map-covered').innerText.includes('Inside')")
    listed = page.inner_text(".map-covered")
    expected = matching_covers(world, ProhibitionInput(kind="zone", polygon=polygon))
    assert expected == {"Inside"} and "Inside" in listed and "Edge" not in listed
    page.click("button[data-action=finish]")
    assert_accessible(page, "map, polygon drawn")
    shoot(page, "draw-polygon")

    # Typing the polygon redraws the map and the list.
    page.fill("#id_polygon", json.dumps(SQUARE))
    page.wait_for_function("() => document.querySelector('.map-covered').innerText.includes('Edge')")
    listed = page.inner_text(".map-covered")
    assert "Inside" in listed and "Outside" not in listed
    page.wait_for_function(  # the typed zone, larger than the view, is brought into view
        "() => { const b = document.querySelector('[data-retrace-map]').retraceMap.map.getBounds();"
        " return b.contains([53.09, -2.32]) && b.contains([53.11, -2.29]); }"
    )
    page.fill("#id_polygon", "[[1, 2")
    page.wait_for_function("() => document.querySelector('[data-map-status]').innerText.includes('not valid JSON')")

    # A circle: its centre on Far, its edge 60 pixels away; the polygon is cleared (a zone is one or the other).
    page.click("button[data-tool=circle]")
    far = places["far"]
    page.evaluate("() => document.querySelector('[data-retrace-map]').retraceMap.map.setView([53.13, -2.2], 14)")
    page.mouse.click(*point_of(page, float(far.latitude), float(far.longitude)))
    page.mouse.click(*point_of(page, float(far.latitude), float(far.longitude), 60, 0))
    assert page.input_value("#id_polygon") == ""
    assert abs(float(page.input_value("#id_centre_latitude")) - 53.13) < 0.001
    radius = int(page.input_value("#id_radius_m"))
    assert radius > 0
    page.wait_for_function("() => document.querySelector('.map-covered').innerText.includes('Far')")
    data = ProhibitionInput(
        kind="zone",
        centre_latitude=page.input_value("#id_centre_latitude"),
        centre_longitude=page.input_value("#id_centre_longitude"),
        radius_m=radius,
    )
    expected = matching_covers(world, data)
    listed = page.inner_text(".map-covered")
    assert all(name in listed for name in expected) and "Inside" not in listed
    shoot(page, "draw-circle")

    # Without a mouse: pan with the keyboard, add corners at the cross.
    page.click("button[data-action=clear]")
    page.click("button[data-tool=polygon]")
    page.focus("#zone-map")
    for key in ("ArrowRight", "ArrowDown", "ArrowLeft"):
        page.click("button[data-action=centre]")
        page.focus("#zone-map")
        page.keyboard.press(key)
        page.wait_for_timeout(400)
    page.click("button[data-action=centre]")
    assert len(json.loads(page.input_value("#id_polygon"))["coordinates"][0]) == 5
    assert elsewhere == []


def test_an_orders_map_lists_what_it_covers(world, places, browser_page, site):
    page = browser_page
    page.set_viewport_size(DESKTOP)
    elsewhere = offline(page)
    order = OrderFactory(offender=OffenderFactory(force=world.a.force))
    ProhibitionFactory(order=order, kind="zone", polygon=SQUARE, description="Crewe centre")
    ProhibitionFactory(order=order, stores=[places["far"]])
    browser_login(page, "A-admin")
    for server_list in ("", "1"):
        page.goto(f"{page.base_url}/test-map/?mode=view&query=order%3D{order.pk}&server_list={server_list}")
        map_ready(page, "order-map", 8)  # 7 stores and the zone
        page.wait_for_function("() => !document.querySelector('.map-covered').innerText.includes('Finding')")
        listed = page.inner_text(".map-covered")
        assert all(name in listed for name in ("Inside", "Edge", "Far")) and "Outside" not in listed, listed
        assert page.locator("#order-map path[fill='#b00020'][stroke='#fff']").count() == 3  # covered stores
    assert_accessible(page, "order map")
    shoot(page, "view-order")
    assert elsewhere == []


def test_setting_a_stores_location_by_clicking_the_map(world, places, browser_page):
    page = browser_page
    page.set_viewport_size(DESKTOP)
    elsewhere = offline(page)
    browser_login(page, "A-admin")
    page.goto(f"{page.base_url}/desk/stores/?q=inside")
    assert page.locator("table.stores tbody tr").count() == 1
    assert_accessible(page, "store list")
    shoot(page, "store-list")
    page.click("text=Northway Foods Inside")
    map_ready(page, "store-map", 6)  # the other stores, and this one in green
    assert page.locator("#store-map .leaflet-tile").count() == 0
    assert page.get_attribute("#store-map", "aria-label") == "Map: click where the store is"
    assert_accessible(page, "store location")
    shoot(page, "store-location")

    page.mouse.click(*point_of(page, 53.1005, -2.2990))
    lat, lon = float(page.input_value("#id_latitude")), float(page.input_value("#id_longitude"))
    assert abs(lat - 53.1005) < 0.0002 and abs(lon + 2.2990) < 0.0002
    assert "Save to keep it" in page.inner_text("[data-map-status]")
    page.click("text=Save the location")
    page.wait_for_selector(".messages li.success")
    store = Store.objects.get(pk=places["inside"].pk)
    assert (float(store.latitude), float(store.longitude)) == (lat, lon)

    # Without a mouse: move the map with the arrow keys, then use the cross at its centre.
    page.focus("#store-map")
    map_of = "document.querySelector('[data-retrace-map]').retraceMap.map"
    map_ready(page, "store-map", 6)  # the page came back after the save: its map opens on the UK, then on the store
    page.wait_for_function(f"() => Math.abs({map_of}.getCenter().lat - {lat}) < 0.01")
    before = page.evaluate(f"() => {map_of}.getCenter().lat")
    page.evaluate(f"() => {{ window.panEnded = false; {map_of}.once('moveend', () => {{ window.panEnded = 1; }}); }}")
    page.keyboard.press("ArrowUp")
    page.wait_for_function("() => window.panEnded")  # the pan is animated: wait for its end, however slow
    assert page.evaluate(f"() => {map_of}.getCenter().lat") > before + 1e-5
    page.click("button[data-action=centre]")
    centre = page.evaluate("() => document.querySelector('[data-retrace-map]').retraceMap.map.getCenter()")
    assert abs(float(page.input_value("#id_latitude")) - centre["lat"]) < 1e-6
    assert float(page.input_value("#id_latitude")) > lat  # the map moved north before the cross was used

    # Typing moves the point; a bad value is refused with a message and nothing is saved.
    page.fill("#id_latitude", "62")
    page.click("text=Save the location")
    assert "between 49 and 61" in page.inner_text("main form")
    assert_accessible(page, "store location, refused")
    assert float(Store.objects.get(pk=store.pk).latitude) == lat
    assert elsewhere == []


def test_a_map_shown_after_the_page_loaded_is_framed(world, places, browser_page, site):
    """The wizard shows a kind's fields (and its map) only once the kind is chosen."""
    page = browser_page
    page.set_viewport_size(DESKTOP)
    browser_login(page, "A-admin")
    page.goto(f"{page.base_url}/test-map/?hidden=1")
    page.wait_for_function("() => document.querySelector('[data-retrace-map]').retraceMap.loaded")
    page.evaluate("() => document.getElementById('later').removeAttribute('hidden')")
    page.wait_for_function(
        "() => { const m = document.querySelector('[data-retrace-map]').retraceMap.map;"
        " const b = m.getBounds();"
        " return m.getSize().x > 300 && b.contains([53.1, -2.3]) && b.contains([53.15, -2.25]); }"
    )
    page.click("button[data-tool=polygon]")
    for dx, dy in ((-30, -30), (30, -30), (0, 30)):
        page.mouse.click(*point_of(page, 53.1, -2.3, dx, dy))
    assert len(json.loads(page.input_value("#id_polygon"))["coordinates"][0]) == 4


def test_with_a_tile_server_the_map_draws_its_tiles_and_credits_them(world, places, browser_page, settings):
    """A tile server of the force's own: here the live server itself stands in for it (tests stay offline)."""
    page = browser_page
    page.set_viewport_size(DESKTOP)
    settings.MAP_TILE_URL = f"{page.base_url}/static/vendor/leaflet/images/layers.png?z={{z}}&x={{x}}&y={{y}}"
    settings.MAP_TILE_ATTRIBUTION = "Tiles © <Example> Police"
    tiles: list[str] = []
    page.on("request", lambda r: tiles.append(r.url) if "layers.png?z=" in r.url else None)
    browser_login(page, "A-admin")
    page.goto(f"{page.base_url}/desk/stores/{places['inside'].pk}/location/")
    page.wait_for_selector("#store-map img.leaflet-tile")
    assert tiles and all(url.startswith(page.base_url) for url in tiles)
    credit = page.inner_text("#store-map .leaflet-control-attribution")
    assert credit == "Tiles © <Example> Police"  # shown as text, never as markup
    assert page.locator("#store-map .leaflet-control-attribution a").count() == 0
