"""Map tiles are a setting: with none (the default) nothing on the map pages points outside the site and the
Content-Security-Policy names no other origin; with a tile server, its origin (and only it) is let in. And the
force admin's store pages: scoped, paginated, searched, and saving a location through the service."""

import importlib
import re

import pytest
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.urls import reverse

from accounts.models import Store
from accounts.services import set_store_location
from config.settings.components import headers as header_settings
from config.settings.components import orders as order_settings
from tests.conftest import signed_in
from tests.core.test_headers import directives
from tests.factories import StoreFactory

pytestmark = pytest.mark.django_db

TILES = "https://tiles.example.police.uk/{z}/{x}/{y}.png"


def _origins(text: str) -> set[str]:
    return set(re.findall(r"(?:https?:)?//[a-z0-9.*-]+\.[a-z]{2,}", text, re.I))


@pytest.fixture
def components_with(monkeypatch):
    """The settings components re-read with these environment variables (put back afterwards)."""

    def load(**environ):
        for name, value in environ.items():
            monkeypatch.setenv(name, value)
        importlib.reload(order_settings)
        return importlib.reload(header_settings)

    yield load
    monkeypatch.undo()
    importlib.reload(order_settings)
    importlib.reload(header_settings)


def test_without_tiles_the_page_and_policy_point_nowhere_else(world, settings):
    assert settings.MAP_TILE_URL == ""
    client = signed_in(world.a.admin)
    page = client.get(reverse("store-location", args=[world.a.store.pk]))
    assert page.status_code == 200
    assert _origins(page.content.decode()) == set()
    policy = page["Content-Security-Policy"]
    assert _origins(policy) == set() and directives(policy)["img-src"] == ["'self'", "data:"]  # in any order
    assert client.get(reverse("orders-map-data")).json()["tiles"] is None


def test_a_tile_server_is_let_in_by_the_policy(components_with):
    module = components_with(MAP_TILE_URL=TILES, MAP_TILE_ATTRIBUTION="© Crown copyright")
    img = module.CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"]
    assert "https://tiles.example.police.uk" in img
    assert module.CONTENT_SECURITY_POLICY["DIRECTIVES"]["connect-src"] == ["'self'"]  # images only


def test_the_tile_server_reaches_the_map_and_the_response_header(world, settings, components_with):
    module = components_with(MAP_TILE_URL="https://{s}.tiles.example.org/{z}/{x}/{y}.png")
    settings.MAP_TILE_URL, settings.MAP_TILE_ATTRIBUTION = order_settings.MAP_TILE_URL, "Tiles: Example"
    settings.CONTENT_SECURITY_POLICY = module.CONTENT_SECURITY_POLICY
    response = signed_in(world.a.admin).get(reverse("orders-map-data"))
    assert "https://*.tiles.example.org" in response["Content-Security-Policy"]
    assert response.json()["tiles"] == {
        "url": "https://{s}.tiles.example.org/{z}/{x}/{y}.png",
        "attribution": "Tiles: Example",
        "max_zoom": 19,
    }


@pytest.mark.parametrize("url", ["ftp://tiles.example/{z}/{x}/{y}.png", "tiles/{z}/{x}/{y}.png", "https://{z}.x/"])
def test_a_tile_url_that_is_not_http_is_refused_at_start_up(url):
    with pytest.raises(ImproperlyConfigured, match="MAP_TILE_URL"):
        header_settings.tile_origin(url)


# The store pages --------------------------------------------------------------------------------------------------


def test_store_list_is_the_force_admins_and_their_forces(world):
    page = signed_in(world.a.admin).get(reverse("store-list"))
    assert page.status_code == 200
    listed = [s.pk for s in page.context["stores"]]
    assert set(listed) == set(Store.objects.filter(beat__force=world.a.force).values_list("pk", flat=True))
    assert signed_in(world.a.officer).get(reverse("store-list")).status_code == 403
    assert signed_in(world.a.worker).get(reverse("store-list")).status_code == 403
    assert signed_in(world.a.admin).get(reverse("store-location", args=[world.b.store.pk])).status_code == 404


def test_store_list_searches_and_pages(world):
    for n in range(30):
        StoreFactory(retailer=world.a.retailer, beat=world.a.beat, name=f"Branch {n:02d}", postcode="CW1 2AB")
    client = signed_in(world.a.admin)
    first = client.get(reverse("store-list"), {"q": "cw1 branch"})
    assert first.context["page"].paginator.count == 30 and len(first.context["stores"]) == 25
    assert "page 1 of 2" in first.content.decode()
    second = client.get(reverse("store-list"), {"q": "cw1 branch", "page": 2})
    assert len(second.context["stores"]) == 5
    assert client.get(reverse("store-list"), {"page": "abc"}).status_code == 200  # a bad page shows the first


def test_saving_a_location(world):
    store = world.a.store
    response = signed_in(world.a.admin).post(
        reverse("store-location", args=[store.pk]), {"latitude": "53.1012345", "longitude": " -2.3 "}
    )
    assert response.status_code == 302
    store.refresh_from_db()
    assert (str(store.latitude), str(store.longitude)) == ("53.101235", "-2.300000")


@pytest.mark.parametrize(
    "latitude, longitude, field, words",
    [
        ("north", "-2.3", "latitude", "as a number"),
        ("48.9", "-2.3", "latitude", "between 49 and 61"),
        ("53.1", "2.5", "longitude", "between -9 and 2"),
        ("53.1", "NaN", "longitude", "between -9 and 2"),
        ("53.1", "", "longitude", "required"),
    ],
)
def test_a_bad_location_is_refused_and_nothing_changes(world, latitude, longitude, field, words):
    store = Store.objects.get(pk=world.a.store.pk)
    before = (store.latitude, store.longitude)
    page = signed_in(world.a.admin).post(
        reverse("store-location", args=[store.pk]), {"latitude": latitude, "longitude": longitude}
    )
    assert page.status_code == 200
    assert words in " ".join(page.context["form"].errors[field])
    store.refresh_from_db()
    assert (store.latitude, store.longitude) == before


def test_only_a_force_admin_of_the_stores_force_may_move_it(world):
    with pytest.raises(PermissionDenied):
        set_store_location(store=world.a.store, latitude="53.1", longitude="-2.3", actor=world.b.admin)
    with pytest.raises(PermissionDenied):
        set_store_location(store=world.a.store, latitude="53.1", longitude="-2.3", actor=world.a.officer)
    with pytest.raises(ValidationError):
        set_store_location(store=world.a.store, latitude="53.1", longitude="3", actor=world.a.admin)
