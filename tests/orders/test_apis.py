"""The orders API: admins write, officers read, shop workers never; other forces 404; errors specific."""

import datetime

import pytest

from orders.models import Offender, OffenderEvent, Order, OrderEvent, Prohibition
from tests.conftest import client_for
from tests.orders.conftest import SQUARE
from tests.orders.factories import OffenderFactory, OrderFactory, ProhibitionFactory, valid_pnc

pytestmark = pytest.mark.django_db


def order_body(offender, **extra):
    body = {
        "offender": offender.pk,
        "court": "Crewe Magistrates' Court",
        "case_reference": "CBO/2026/0042",
        "made_on": "2026-01-05",
        "effective_from": "2026-01-05",
        "ends_on": "2028-01-04",
        "served_on": "2026-01-05",
    }
    body.update(extra)
    return body


@pytest.fixture
def offender(world):
    return OffenderFactory(force=world.a.force, given_names="Jason", family_name="Smith", aliases="Jay\nJJ")


def test_admin_creates_offender_and_order_with_each_kind_of_prohibition(world):
    admin = client_for(world.a.admin)
    r = admin.post(
        "/api/offenders/",
        {"given_names": "Jason", "family_name": "Smith", "aliases": ["Jay"], "pnc_id": valid_pnc(2009, 42)},
        format="json",
    )
    assert r.status_code == 201, r.json()
    offender_id = r.json()["id"]
    assert r.json()["aliases"] == ["Jay"] and r.json()["in_gallery"] is False
    assert r.json()["events"][0]["kind"] == "created"
    body = order_body(
        Offender.objects.get(pk=offender_id),
        positive_requirements="Attend a course",
        supervisor="Cheshire Probation",
        prohibitions=[
            {"kind": "premises", "stores": [world.a.store.pk], "description": "Northway Crewe"},
            {"kind": "retailer_area", "retailer": world.a.retailer.pk, "beats": [world.a.beat.pk]},
            {"kind": "retailer_area", "retailer": world.a.retailer.pk, "centre_latitude": 53.1,
             "centre_longitude": -2.3, "radius_m": 800},
            {"kind": "zone", "polygon": SQUARE, "starts_on": "2026-02-01", "ends_on": "2026-12-31"},
            {"kind": "zone", "centre_latitude": 53.1, "centre_longitude": -2.3, "radius_m": 500},
        ],
    )  # fmt: skip
    r = admin.post("/api/orders/", body, format="json")
    assert r.status_code == 201, r.json()
    data = r.json()
    assert [p["kind"] for p in data["prohibitions"]] == ["premises", "retailer_area", "retailer_area", "zone", "zone"]
    assert data["prohibitions"][0]["stores"][0]["code"] == world.a.store.code
    assert data["prohibitions"][3]["polygon"] == SQUARE
    assert data["in_force_now"] is True and data["last_day"] == "2028-01-04"
    assert [e["kind"] for e in data["events"]] == ["made"] + ["prohibition_added"] * 5
    assert admin.get(f"/api/offenders/{offender_id}/").json()["in_gallery"] is True


def test_officer_reads_but_cannot_write(world, offender):
    order = OrderFactory(offender=offender)
    officer = client_for(world.a.officer)
    assert officer.get("/api/offenders/").json()["count"] == 1
    assert officer.get(f"/api/orders/{order.pk}/").status_code == 200
    writes = [
        ("post", "/api/offenders/", {"given_names": "A", "family_name": "B"}),
        ("patch", f"/api/offenders/{offender.pk}/", {"family_name": "X"}),
        ("post", "/api/orders/", order_body(offender)),
        ("patch", f"/api/orders/{order.pk}/", {"court": "X"}),
        ("post", f"/api/orders/{order.pk}/discharge/", {"discharged_on": "2026-03-01", "reason": "x"}),
        ("post", f"/api/orders/{order.pk}/vary/", {"varied_on": "2026-03-01", "reason": "x", "ends_on": "2027-01-01"}),
        ("post", f"/api/orders/{order.pk}/serve/", {"served_on": "2026-03-01"}),
        ("post", f"/api/orders/{order.pk}/prohibitions/", {"kind": "premises", "stores": [world.a.store.pk]}),
    ]
    for method, url, body in writes:
        r = getattr(officer, method)(url, body, format="json")
        assert r.status_code == 403, (url, r.json())
        assert r.json()["code"] == "permission_denied"
    assert OrderEvent.objects.count() == 0 and OffenderEvent.objects.count() == 0
    assert Offender.objects.get(pk=offender.pk).family_name == "Smith"


def test_shop_worker_sees_nothing(world, offender):
    order = OrderFactory(offender=offender)
    worker = client_for(world.a.worker)
    for url in ("/api/offenders/", f"/api/offenders/{offender.pk}/", "/api/orders/", f"/api/orders/{order.pk}/"):
        assert worker.get(url).status_code == 403
    r = worker.post("/api/offenders/", {"given_names": "A", "family_name": "B"}, format="json")
    assert r.status_code == 403 and Offender.objects.count() == 1
    assert client_for(world.norole).get("/api/offenders/").json()["code"] == "no_role"


def test_other_force_is_not_found(world, offender):
    order = OrderFactory(offender=offender)
    other = client_for(world.b.admin)
    assert other.get("/api/offenders/").json()["count"] == 0
    for url in (f"/api/offenders/{offender.pk}/", f"/api/orders/{order.pk}/", f"/api/offenders/{offender.pk}/photos/"):
        assert other.get(url).status_code == 404
    assert other.patch(f"/api/offenders/{offender.pk}/", {"notes": "x"}, format="json").status_code == 404
    r = other.post("/api/orders/", order_body(offender), format="json")
    assert r.status_code == 400 and r.json()["fields"]["offender"]
    r = other.post(f"/api/orders/{order.pk}/discharge/", {"discharged_on": "2026-03-01", "reason": "x"}, format="json")
    assert r.status_code == 404
    assert OrderEvent.objects.count() == 0


def test_search_by_name_alias_and_pnc(world, offender):
    offender.pnc_id = valid_pnc(2009, 12345)
    offender.save()
    OffenderFactory(force=world.a.force, given_names="Mary", family_name="Jones", aliases="")
    admin = client_for(world.a.admin)

    def ids(q):
        return [o["id"] for o in admin.get("/api/offenders/", {"q": q}).json()["results"]]

    assert ids("smith") == [offender.pk]
    assert ids("jay") == [offender.pk]
    assert ids("jason smith") == [offender.pk]
    assert ids(offender.pnc_id) == [offender.pk]
    assert ids("09/12345" + offender.pnc_id[-1]) == [offender.pk]  # short form
    assert ids("nobody") == []


@pytest.mark.parametrize(
    "extra, code, field",
    [
        ({"effective_from": "2026-01-04"}, "effective_before_made", "effective_from"),
        ({"ends_on": "2026-01-01"}, "ends_before_start", "ends_on"),
        ({"prohibitions": [{"kind": "premises", "stores": []}]}, "no_premises", "prohibitions[0].stores"),
        ({"prohibitions": [{"kind": "zone", "polygon": {"type": "Polygon", "coordinates": [[[-2.3, 53.0], [-2.2, 53.0],
          [-2.2, 53.1], [-2.3, 53.1]]]}}]}, "polygon_not_closed", "prohibitions[0].polygon"),
        ({"prohibitions": [{"kind": "zone", "polygon": {"type": "Polygon", "coordinates": [[[-2.32, 53.09],
          [-2.29, 53.11], [-2.29, 53.09], [-2.32, 53.11], [-2.32, 53.09]]]}}]}, "polygon_self_intersection",
         "prohibitions[0].polygon"),
    ],
)  # fmt: skip
def test_bad_orders_give_specific_errors_and_save_nothing(world, offender, extra, code, field):
    r = client_for(world.a.admin).post("/api/orders/", order_body(offender, **extra), format="json")
    assert r.status_code == 400, r.json()
    assert r.json()["code"] == code and field in r.json()["fields"]
    assert Order.objects.count() == 0 and Prohibition.objects.count() == 0 and OrderEvent.objects.count() == 0


def test_store_from_another_force_in_order(world, offender):
    body = order_body(offender, prohibitions=[{"kind": "premises", "stores": [world.b.store.pk]}])
    r = client_for(world.a.admin).post("/api/orders/", body, format="json")
    assert r.status_code == 400 and r.json()["code"] == "store_other_force"
    assert Order.objects.count() == 0


def test_malformed_input_is_a_400_not_a_500(world, offender):
    admin = client_for(world.a.admin)
    for body in (
        order_body(offender, made_on="yesterday"),
        order_body(offender, prohibitions=[{"kind": "premises", "stores": [999999]}]),
        order_body(offender, prohibitions=[{"kind": "zone", "polygon": "not geojson"}]),
        order_body(offender, prohibitions=[{"kind": "zone", "polygon": {"type": "Polygon", "coordinates": "x"}}]),
        order_body(offender, prohibitions="everything"),
        order_body(
            offender, prohibitions=[{"kind": "zone", "polygon": {"type": "Polygon", "coordinates": [[1, 2, 3]]}}]
        ),
        order_body(
            offender, prohibitions=[{"kind": "zone", "polygon": {"type": "Polygon", "coordinates": [[["x"]] * 4]}}]
        ),
        order_body(
            offender, prohibitions=[{"kind": "zone", "centre_latitude": 53, "centre_longitude": -2, "radius_m": -5}]
        ),
        order_body(offender, prohibitions=[{"kind": "zone", "centre_latitude": "north", "radius_m": 5}]),
        order_body(offender, prohibitions=[{"kind": "retailer_area", "retailer": 999999, "beats": []}]),
        {**order_body(offender), "offender": "me"},
        order_body(offender, made_on="2026-02-30"),
        order_body(offender, replaces=999999),
        order_body(offender, kind="forever"),
    ):
        r = admin.post("/api/orders/", body, format="json")
        assert r.status_code == 400, (body, r.content)
    assert Order.objects.count() == 0


def test_more_malformed_writes_are_400s(world, offender):
    admin = client_for(world.a.admin)
    order = OrderFactory(offender=offender)
    cases = [
        ("patch", f"/api/offenders/{offender.pk}/", {"pnc_id": None}),
        ("patch", f"/api/offenders/{offender.pk}/", {"date_of_birth": "1990-13-01"}),
        ("patch", f"/api/offenders/{offender.pk}/", {"aliases": "not a list"}),
        (
            "post",
            f"/api/orders/{order.pk}/vary/",
            {"varied_on": "2026-03-01", "reason": "x", "remove_prohibitions": ["a"]},
        ),
        (
            "post",
            f"/api/orders/{order.pk}/vary/",
            {"varied_on": "2026-03-01", "reason": "x", "remove_prohibitions": [99]},
        ),
        ("post", f"/api/orders/{order.pk}/discharge/", {"discharged_on": "", "reason": "x"}),
        ("post", f"/api/orders/{order.pk}/serve/", {}),
        ("put", f"/api/orders/{order.pk}/prohibitions/999999/", {"kind": "zone"}),
        ("post", f"/api/orders/{order.pk}/prohibitions/", {"kind": "premises", "stores": "all"}),
    ]
    for method, url, body in cases:
        r = getattr(admin, method)(url, body, format="json")
        assert r.status_code in (400, 404, 409), (url, body, r.status_code, r.content)
        assert set(r.json()) == {"message", "code", "fields"}
    r = admin.post(
        f"/api/offenders/{offender.pk}/photos/", {"source": "x", "taken_on": "2025-01-01"}, format="multipart"
    )
    assert r.status_code == 400 and "image" in r.json()["fields"]
    r = admin.post(f"/api/orders/{order.pk}/premises-import/", {"dry_run": "true"}, format="multipart")
    assert r.status_code == 400 and "file" in r.json()["fields"]
    assert OrderEvent.objects.count() == 0 and OffenderEvent.objects.count() == 0


def test_vary_discharge_serve_and_history(world, offender):
    admin = client_for(world.a.admin)
    order = OrderFactory(offender=offender, served_on=None)
    p = ProhibitionFactory(order=order, stores=[world.a.store])
    r = admin.post(f"/api/orders/{order.pk}/serve/", {"served_on": "2026-01-06"}, format="json")
    assert r.status_code == 200 and r.json()["served_on"] == "2026-01-06"
    r = admin.post(
        f"/api/orders/{order.pk}/vary/",
        {
            "varied_on": "2026-05-01",
            "reason": "Varied at Crewe MC",
            "remove_prohibitions": [p.pk],
            "add_prohibitions": [{"kind": "premises", "stores": [world.a.sibling_store.pk]}],
        },
        format="json",
    )
    assert r.status_code == 200, r.json()
    removed = next(x for x in r.json()["prohibitions"] if x["id"] == p.pk)
    assert removed["removed_on"] == "2026-05-01"
    r = admin.post(
        f"/api/orders/{order.pk}/discharge/", {"discharged_on": "2026-06-01", "reason": "Appeal"}, format="json"
    )
    assert r.status_code == 200 and r.json()["discharged_on"] == "2026-06-01" and r.json()["last_day"] == "2026-05-31"
    kinds = [e["kind"] for e in r.json()["events"]]
    assert kinds == ["served", "prohibition_removed", "prohibition_added", "varied", "discharged"]
    r = admin.post(f"/api/orders/{order.pk}/discharge/", {"discharged_on": "2026-06-02", "reason": "x"}, format="json")
    assert r.status_code == 409 and r.json()["code"] == "already_discharged"


def test_correct_order_and_prohibition(world, offender):
    admin = client_for(world.a.admin)
    order = OrderFactory(offender=offender)
    p = ProhibitionFactory(order=order, stores=[world.a.store])
    r = admin.patch(f"/api/orders/{order.pk}/", {"case_reference": "CBO/2026/9999", "reason": "typo"}, format="json")
    assert r.status_code == 200 and r.json()["case_reference"] == "CBO/2026/9999"
    r = admin.put(f"/api/orders/{order.pk}/prohibitions/{p.pk}/", {"kind": "zone", "polygon": SQUARE}, format="json")
    assert r.status_code == 200 and r.json()["kind"] == "zone" and r.json()["stores"] == []
    r = admin.delete(f"/api/orders/{order.pk}/prohibitions/{p.pk}/")
    assert r.status_code == 400 and r.json()["code"] == "reason_required"
    r = admin.delete(f"/api/orders/{order.pk}/prohibitions/{p.pk}/?reason=wrong+order")
    assert r.status_code == 204
    kinds = list(order.events.values_list("kind", flat=True))
    assert kinds == ["corrected", "prohibition_corrected", "prohibition_removed"]
    corrected = order.events.get(kind="corrected")
    assert corrected.old == {"case_reference": order.case_reference} and corrected.actor == world.a.admin


def test_prohibited_at(world, offender):
    order = OrderFactory(offender=offender)
    p = ProhibitionFactory(order=order, stores=[world.a.store])
    officer = client_for(world.a.officer)
    r = officer.get("/api/orders/prohibited-at/", {"store": world.a.store.pk, "at": "2026-03-01T12:00:00Z"})
    assert r.status_code == 200 and [x["id"] for x in r.json()] == [p.pk]
    r = officer.get("/api/orders/prohibited-at/", {"store": world.a.store.pk, "at": "2028-01-04T23:59:00Z"})
    assert [x["id"] for x in r.json()] == [p.pk]  # last day, GMT
    r = officer.get("/api/orders/prohibited-at/", {"store": world.a.store.pk, "at": "2028-01-05T00:00:00Z"})
    assert r.json() == []
    r = officer.get("/api/orders/prohibited-at/", {"store": world.b.store.pk, "at": "2026-03-01T12:00:00Z"})
    assert r.status_code == 404
    r = officer.get("/api/orders/prohibited-at/", {"store": world.a.store.pk, "at": "soon"})
    assert r.status_code == 400


def test_prohibited_at_reads_the_same_few_queries_however_many_orders_answer(world, offender):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    officer = client_for(world.a.officer)
    asked = {"store": world.a.store.pk, "at": "2026-03-01T12:00:00Z"}

    def queries() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as ctx:
            r = officer.get("/api/orders/prohibited-at/", asked)
        return len(r.json()), len(ctx.captured_queries)

    ProhibitionFactory(order=OrderFactory(offender=offender), stores=[world.a.store, world.a.sibling_store])
    one, few = queries()
    for _ in range(4):
        ProhibitionFactory(order=OrderFactory(offender=offender), stores=[world.a.store, world.a.sibling_store])
    five, same = queries()
    assert (one, five) == (1, 5) and same == few


def test_the_order_list_reads_the_same_few_queries_however_many_orders_it_lists(world, offender):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    admin = client_for(world.a.admin)

    def queries() -> tuple[int, int, list]:
        with CaptureQueriesContext(connection) as ctx:
            r = admin.get("/api/orders/")
        return r.json()["count"], len(ctx.captured_queries), [o["replaced_by"] for o in r.json()["results"]]

    interim = OrderFactory(offender=offender, kind=Order.Kind.INTERIM)
    full = OrderFactory(offender=offender, replaces=interim)
    ProhibitionFactory(order=full, stores=[world.a.store])
    ProhibitionFactory(order=full, kind=Prohibition.Kind.RETAILER_AREA, retailer=world.a.retailer)
    one = queries()
    for _ in range(4):
        order = OrderFactory(offender=offender)
        ProhibitionFactory(order=order, stores=[world.a.store])
        ProhibitionFactory(order=order, kind=Prohibition.Kind.RETAILER_AREA, retailer=world.a.retailer)  # named
    six = queries()
    assert (one[0], six[0]) == (2, 6) and six[1] == one[1]
    assert sorted(one[2], key=str) == sorted([None, full.pk], key=str)  # the replacing order still named


def test_order_list_filters(world, offender):
    live = OrderFactory(offender=offender)
    OrderFactory(offender=offender, made_on=datetime.date(2020, 1, 1), ends_on=datetime.date(2021, 1, 1))
    admin = client_for(world.a.admin)
    assert admin.get("/api/orders/").json()["count"] == 2
    assert [o["id"] for o in admin.get("/api/orders/", {"in_force": "true"}).json()["results"]] == [live.pk]
    assert admin.get("/api/offenders/", {"in_gallery": "true"}).json()["count"] == 1


def test_the_offender_list_says_who_is_in_the_gallery_asking_only_about_its_page(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    ordered = OffenderFactory(force=world.a.force, family_name="Ordered")
    OrderFactory(offender=ordered)
    unordered = OffenderFactory(force=world.a.force, family_name="Unordered")
    admin = client_for(world.a.admin)
    with CaptureQueriesContext(connection) as ctx:
        rows = admin.get("/api/offenders/", {"page_size": 1}).json()["results"]
    asked = [q["sql"] for q in ctx.captured_queries if '"orders_order"' in q["sql"]]
    assert len(asked) == 1 and f"IN ({rows[0]['id']})" in asked[0]  # the page's one offender, not the force's
    listed = {row["id"]: row["in_gallery"] for row in admin.get("/api/offenders/").json()["results"]}
    assert listed == {ordered.pk: True, unordered.pk: False}
