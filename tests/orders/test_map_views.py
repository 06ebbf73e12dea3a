"""The maps' JSON (orders-map-data, orders-map-coverage): who may read it, scoped to the force, refusals with a
message, and coverage that is the matching's own answer for every kind of prohibition."""

import datetime
import json

import pytest
from django.urls import reverse

from accounts.models import Store
from orders import selectors
from orders.models import OrderEvent, Prohibition
from orders.services import prohibitions as prohibition_services
from orders.services.prohibitions import ProhibitionInput
from tests.conftest import signed_in
from tests.factories import RetailerFactory, StoreFactory
from tests.orders.conftest import SQUARE
from tests.orders.factories import OffenderFactory, OrderFactory, ProhibitionFactory

pytestmark = pytest.mark.django_db

DATA = reverse("orders-map-data")
COVERAGE = reverse("orders-map-coverage")
# A day every test order is in force on (OrderFactory: 5 Jan 2026 to 4 Jan 2028, served).
DAY = datetime.date(2026, 6, 1)


@pytest.fixture
def places(world):
    """Stores of force A at known places around Crewe (SQUARE is -2.32..-2.29, 53.09..53.11)."""
    a = world.a

    def store(name, beat, lat, lon, retailer=a.retailer):
        return StoreFactory(retailer=retailer, beat=beat, name=name, latitude=lat, longitude=lon)

    inside = store("Inside", a.beat, "53.100000", "-2.300000")
    edge = store("Edge", a.other_beat, "53.110000", "-2.310000")
    outside = store("Outside", a.beat, "53.150000", "-2.250000")
    far = store("Far", a.other_beat, "53.200000", "-2.100000", retailer=a.other_retailer_store.retailer)
    # Move the fixture's own stores away from the square, so that each test says where every store is.
    for store in (a.store, a.sibling_store, a.other_retailer_store):
        store.latitude, store.longitude = "53.300000", "-2.500000"
        store.save()
    return {"inside": inside, "edge": edge, "outside": outside, "far": far}


def post(client, body):
    return client.post(COVERAGE, data=json.dumps(body) if not isinstance(body, bytes) else body,
                        content_type="application/json")  # fmt: skip


def names(stores) -> set[str]:
    return {s["name"] for s in stores}


# Who may read ---------------------------------------------------------------------------------------------------


def test_map_data_is_the_users_force_only(world, places):
    body = signed_in(world.a.admin).get(DATA).json()
    force_a = set(Store.objects.filter(beat__force=world.a.force).values_list("pk", flat=True))
    assert {s["id"] for s in body["stores"]} == force_a
    assert {b["id"] for b in body["beats"]} == {world.a.beat.pk, world.a.other_beat.pk}
    assert body["zones"] == [] and body["tiles"] is None
    assert not any(s["covered"] for s in body["stores"])
    assert world.b.store.pk not in {s["id"] for s in body["stores"]}


def test_beat_officers_read_map_data_shop_workers_and_strangers_do_not(world, client):
    assert signed_in(world.a.officer).get(DATA).status_code == 200
    refused = signed_in(world.a.worker).get(DATA)
    assert refused.status_code == 403 and "police" in refused.json()["message"]
    assert signed_in(world.norole).get(DATA).json()["code"] == "no_role"
    assert client.get(DATA).status_code == 401


def test_another_forces_order_or_prohibition_is_not_found(world):
    order = OrderFactory(offender=OffenderFactory(force=world.b.force))
    p = ProhibitionFactory(order=order, kind="zone", polygon=SQUARE)
    admin = signed_in(world.a.admin)
    assert admin.get(DATA, {"order": order.pk}).status_code == 404
    assert admin.get(DATA, {"prohibition": p.pk}).status_code == 404
    assert admin.get(DATA, {"order": 999999}).status_code == 404  # the same answer as nobody's


@pytest.mark.parametrize(
    "query, field",
    [({"order": "abc"}, "order"), ({"order": "-1"}, "order"), ({"prohibition": "1.5"}, "prohibition")],
)
def test_a_malformed_id_is_a_400_naming_it(world, query, field):
    response = signed_in(world.a.admin).get(DATA, query)
    assert response.status_code == 400
    assert field in response.json()["fields"]


def test_order_and_prohibition_together_is_a_400(world):
    response = signed_in(world.a.admin).get(DATA, {"order": 1, "prohibition": 1})
    assert response.status_code == 400 and "not both" in response.json()["message"]


# What an order shows ---------------------------------------------------------------------------------------------


def test_an_orders_zones_and_covered_stores(world, places):
    order = OrderFactory(offender=OffenderFactory(force=world.a.force))
    zone = ProhibitionFactory(order=order, kind="zone", polygon=SQUARE, description="Crewe centre")
    circle = ProhibitionFactory(
        order=order, kind="zone", centre_latitude="53.200000", centre_longitude="-2.100000", radius_m=100
    )
    named = ProhibitionFactory(order=order, stores=[places["outside"]])
    body = signed_in(world.a.admin).get(DATA, {"order": order.pk}).json()
    zones = {z["prohibition_id"]: z for z in body["zones"]}
    assert set(zones) == {zone.pk, circle.pk}  # named premises have no zone to draw
    assert zones[zone.pk]["polygon"] == SQUARE and zones[zone.pk]["circle"] is None
    assert zones[circle.pk]["circle"] == {"latitude": 53.2, "longitude": -2.1, "radius_m": 100}
    covered = {s["name"]: s["covered_by"] for s in body["stores"] if s["covered"]}
    assert covered == {"Inside": [zone.pk], "Edge": [zone.pk], "Outside": [named.pk], "Far": [circle.pk]}
    # The same as the admin's and the matching's answer, prohibition by prohibition.
    for p in (zone, circle, named):
        assert {s.name for s in selectors.stores_covered(p)} == {n for n, by in covered.items() if p.pk in by}


def test_one_prohibition_alone(world, places):
    order = OrderFactory(offender=OffenderFactory(force=world.a.force))
    ProhibitionFactory(order=order, kind="zone", polygon=SQUARE)
    named = ProhibitionFactory(order=order, stores=[places["outside"]])
    body = signed_in(world.a.officer).get(DATA, {"prohibition": named.pk}).json()
    assert body["zones"] == []
    assert {s["name"] for s in body["stores"] if s["covered"]} == {"Outside"}


def test_a_prohibition_removed_by_variation_is_drawn_as_removed_and_covers_nothing(world, places):
    order = OrderFactory(offender=OffenderFactory(force=world.a.force))
    p = ProhibitionFactory(order=order, kind="zone", polygon=SQUARE)
    Prohibition.objects.filter(pk=p.pk).update(removed_on=datetime.date(2026, 2, 1))
    body = signed_in(world.a.admin).get(DATA, {"order": order.pk}).json()
    assert body["zones"][0]["removed"] is True
    assert not any(s["covered"] for s in body["stores"])


def test_beat_outline_is_its_boundary_or_the_hull_of_its_stores(world, places):
    world.a.other_beat.boundary = SQUARE
    world.a.other_beat.save()
    beats = {b["id"]: b for b in signed_in(world.a.admin).get(DATA).json()["beats"]}
    assert beats[world.a.other_beat.pk]["boundary"] == SQUARE and beats[world.a.other_beat.pk]["hull"] is None
    hull = beats[world.a.beat.pk]["hull"]  # beat: Inside, Outside and the fixture's two stores at one place
    assert beats[world.a.beat.pk]["boundary"] is None
    ring = hull["coordinates"][0]
    assert ring[0] == ring[-1] and {tuple(p) for p in ring} == {(-2.3, 53.1), (-2.25, 53.15), (-2.5, 53.3)}


# What a drawing would cover: the matching's rule -------------------------------------------------------------------


def _matching_covers(order, data: ProhibitionInput, stores) -> set[str]:
    """Record the prohibition for real and ask the matching which of ``stores`` it prohibits on DAY."""
    p = prohibition_services.prohibition_create(order=order, data=data, actor=order.created_by)
    return {s.name for s in stores if p in selectors.prohibitions_in_force(store=s, at=DAY)}


@pytest.fixture
def order_a(world):
    return OrderFactory(offender=OffenderFactory(force=world.a.force), created_by=world.a.admin)


def test_polygon_coverage_is_the_matchings(world, places, order_a):
    response = post(signed_in(world.a.admin), {"polygon": SQUARE})
    assert response.status_code == 200, response.content
    got = names(response.json()["stores"])
    assert got == {"Inside", "Edge"}  # the edge of the zone is in the zone
    assert got == _matching_covers(order_a, ProhibitionInput(kind="zone", polygon=SQUARE), places.values())


def test_circle_coverage_is_the_matchings(world, places, order_a):
    circle = {"latitude": 53.1, "longitude": -2.3, "radius_m": 1200}  # Edge is ~1.3 km away, Inside at the centre
    response = post(signed_in(world.a.admin), {"kind": "zone", "circle": circle})
    got = names(response.json()["stores"])
    assert got == {"Inside"}
    data = ProhibitionInput(kind="zone", centre_latitude="53.1", centre_longitude="-2.3", radius_m=1200)
    assert got == _matching_covers(order_a, data, places.values())


def test_retailer_in_area_coverage_is_the_matchings(world, places, order_a):
    body = {"kind": "retailer_area", "retailer": world.a.retailer.pk, "beats": [world.a.other_beat.pk]}
    got = names(post(signed_in(world.a.admin), body).json()["stores"])
    sibling = world.a.sibling_store.name  # the retailer's store in the other beat
    assert got == {"Edge", sibling}  # not Far: another retailer in that beat
    data = ProhibitionInput(kind="retailer_area", retailer=world.a.retailer, beats=[world.a.other_beat])
    assert got == _matching_covers(order_a, data, [*places.values(), world.a.sibling_store])


def test_retailer_within_a_radius(world, places):
    body = {"retailer": world.a.retailer.pk, "circle": {"latitude": 53.1, "longitude": -2.3, "radius_m": 20_000}}
    got = names(post(signed_in(world.a.admin), body).json()["stores"])
    assert "Far" not in got and {"Inside", "Edge", "Outside"} <= got


def test_named_premises_coverage_is_the_matchings(world, places, order_a):
    body = {"kind": "premises", "stores": [places["far"].pk, places["inside"].pk]}
    got = names(post(signed_in(world.a.admin), body).json()["stores"])
    assert got == {"Far", "Inside"}
    data = ProhibitionInput(kind="premises", stores=[places["far"], places["inside"]])
    assert got == _matching_covers(order_a, data, places.values())


def test_coverage_writes_nothing(world, places):
    before = Prohibition.objects.count(), OrderEvent.objects.count()
    post(signed_in(world.a.admin), {"polygon": SQUARE})
    assert (Prohibition.objects.count(), OrderEvent.objects.count()) == before


# Refusals ---------------------------------------------------------------------------------------------------------

BOWTIE = {
    "type": "Polygon",
    "coordinates": [[[-2.32, 53.09], [-2.29, 53.11], [-2.29, 53.09], [-2.32, 53.11], [-2.32, 53.09]]],
}
PARIS = {"type": "Polygon", "coordinates": [[[2.3, 48.8], [2.4, 48.8], [2.4, 48.9], [2.3, 48.8]]]}


@pytest.mark.parametrize(
    "body, words",
    [
        (b"{not json", "must be JSON"),
        (b"[1, 2]", "JSON object"),
        ({"polygon": {"type": "Point", "coordinates": [-2.3, 53.1]}}, "GeoJSON Polygon"),
        ({"polygon": BOWTIE}, "crosses itself"),
        ({"polygon": PARIS}, "outside the UK"),
        ({"polygon": "[[1, 2"}, "not valid JSON"),
        ({"circle": {"latitude": 53.1, "longitude": -2.3}}, "centre latitude, longitude and radius"),
        ({"circle": {"latitude": 53.1, "longitude": -2.3, "radius_m": 0}}, "radius must be 1 to"),
        ({"circle": {"latitude": 53.1, "longitude": -2.3, "radius_m": 12.5}}, "radius must be 1 to"),
        ({"circle": {"latitude": 99, "longitude": -2.3, "radius_m": 10}}, "between 49 and 61"),
        ({"circle": "big"}, "circle must be an object"),
        ({"polygon": SQUARE, "circle": {"latitude": 53.1, "longitude": -2.3, "radius_m": 10}}, "not both"),
        ({}, "needs a polygon or a centre and radius"),
        ({"kind": "moon"}, "Kind must be one of"),
        ({"kind": "premises", "stores": ["x"]}, "list of whole-number ids"),
        ({"kind": "retailer_area", "retailer": "1"}, "whole-number id of a retailer"),
        ({"kind": "retailer_area"}, "Say which retailer"),
    ],
)
def test_bad_drawings_are_a_400_with_a_message(world, places, body, words):
    response = post(signed_in(world.a.admin), body)
    assert response.status_code == 400
    assert words in response.json()["message"], response.json()


def test_another_forces_store_beat_or_retailer_is_refused_as_unknown(world, places):
    admin = signed_in(world.a.admin)
    only_b = RetailerFactory(name="Only in B")
    StoreFactory(retailer=only_b, beat=world.b.beat)
    for body, field in [
        ({"kind": "premises", "stores": [world.b.store.pk]}, "stores"),
        ({"kind": "retailer_area", "retailer": world.a.retailer.pk, "beats": [world.b.beat.pk]}, "beats"),
        ({"kind": "retailer_area", "retailer": only_b.pk, "beats": [world.a.beat.pk]}, "retailer"),
    ]:
        response = post(admin, body)
        assert response.status_code == 400 and field in response.json()["fields"], response.json()
        assert "in your force" in response.json()["message"]


def test_only_force_admins_ask_what_a_drawing_covers(world, client):
    assert post(signed_in(world.a.officer), {"polygon": SQUARE}).status_code == 403
    assert post(signed_in(world.a.worker), {"polygon": SQUARE}).status_code == 403
    assert client.post(COVERAGE, data="{}", content_type="application/json").status_code == 401
    assert signed_in(world.a.admin).get(COVERAGE).status_code == 405


def test_a_huge_body_is_refused_before_parsing(world):
    response = post(signed_in(world.a.admin), b'{"polygon": "' + b"x" * 600_000 + b'"}')
    assert response.status_code == 400 and "too large" in response.json()["message"]
