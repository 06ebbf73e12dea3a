"""The Django admin for offenders and orders: scoped to the force, saves through the services (audited)."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from orders.models import Offender, OffenderEvent, Order, OrderEvent, Prohibition
from tests.conftest import client_for
from tests.conftest import signed_in as admin_client
from tests.orders.conftest import SQUARE
from tests.orders.factories import OffenderFactory, OrderFactory, ProhibitionFactory, valid_pnc

pytestmark = pytest.mark.django_db


OPEN_RING = {"type": "Polygon", "coordinates": [SQUARE["coordinates"][0][:-1]]}


def management(prefix: str, total: int = 0, initial: int = 0) -> dict:
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def offender_post(**fields) -> dict:
    data = {"given_names": "Jason", "family_name": "Smith", "aliases": "Jay\nJJ", "pnc_id": "", "notes": ""}
    data.update(fields)
    data.update(management("photos"))
    data.update(management("orders"))
    data.update(management("events"))
    return data


def prohibition_fields(i: int, **fields) -> dict:
    base = {
        "kind": "premises",
        "description": "",
        "retailer": "",
        "centre_latitude": "",
        "centre_longitude": "",
        "radius_m": "",
        "polygon": "",
        "starts_on": "",
        "ends_on": "",
    }
    base.update(fields)
    out = {}
    for key, value in base.items():
        if isinstance(value, list):
            out[f"prohibitions-{i}-{key}"] = [str(v) for v in value]
        else:
            out[f"prohibitions-{i}-{key}"] = value
    return out


def order_post(offender, prohibitions=(), **fields) -> dict:
    data = {
        "offender": str(offender.pk),
        "kind": "full",
        "replaces": "",
        "court": "Crewe Magistrates' Court",
        "case_reference": "CBO/2026/0100",
        "made_on": "05/01/2026",
        "effective_from": "05/01/2026",
        "ends_on": "04/01/2028",
        "served_on": "05/01/2026",
        "positive_requirements": "",
        "supervisor": "",
    }
    data.update(fields)
    data.update(management("prohibitions", total=len(prohibitions)))
    data.update(management("events"))
    for i, p in enumerate(prohibitions):
        data.update(prohibition_fields(i, **p))
    return data


def test_admin_creates_offender_in_own_force_with_audit(world):
    r = admin_client(world.a.admin).post("/admin/orders/offender/add/", offender_post(pnc_id=valid_pnc(2012, 99)))
    assert r.status_code == 302, r.content.decode()[:3000]
    offender = Offender.objects.get()
    assert offender.force == world.a.force and offender.alias_list == ["Jay", "JJ"]
    event = offender.events.get()
    assert event.kind == "created" and event.actor == world.a.admin


def test_admin_change_records_old_and_new(world):
    offender = OffenderFactory(force=world.a.force, family_name="Smith", given_names="Jason", aliases="")
    order = OrderFactory(offender=offender, youth=True)
    page = admin_client(world.a.admin).get(f"/admin/orders/offender/{offender.pk}/change/").content.decode()
    assert order.case_reference in page and "Next youth review due" in page  # the person's orders, listed
    data = offender_post(family_name="Smyth", aliases="", pnc_id=offender.pnc_id, date_of_birth="17/05/1990")
    r = admin_client(world.a.admin).post(f"/admin/orders/offender/{offender.pk}/change/", data)
    assert r.status_code == 302, r.content.decode()[:3000]
    event = OffenderEvent.objects.get(offender=offender, kind="changed")
    assert event.old == {"family_name": "Smith"} and event.new == {"family_name": "Smyth"}


def test_bad_pnc_shows_on_the_form_and_saves_nothing(world):
    r = admin_client(world.a.admin).post("/admin/orders/offender/add/", offender_post(pnc_id="2009/0012345"))
    assert r.status_code == 200
    assert "A PNC ID looks like" in r.content.decode()
    assert Offender.objects.count() == 0


def test_search_by_name_alias_and_pnc(world):
    smith = OffenderFactory(force=world.a.force, family_name="Smith", aliases="The Fox", pnc_id=valid_pnc(2009, 12345))
    OffenderFactory(force=world.a.force, family_name="Jones")
    OffenderFactory(force=world.b.force, family_name="Smith")
    c = admin_client(world.a.admin)
    for q in ("smith", "fox", smith.pnc_id, "09/12345" + smith.pnc_id[-1]):
        html = c.get("/admin/orders/offender/", {"q": q}).content.decode()
        assert f"/admin/orders/offender/{smith.pk}/change/" in html, q
        assert "Jones" not in html
    assert "1 result" in c.get("/admin/orders/offender/", {"q": "smith"}).content.decode()


def test_admin_is_scoped_to_force(world):
    theirs = OffenderFactory(force=world.b.force)
    order = OrderFactory(offender=theirs)
    c = admin_client(world.a.admin)
    assert c.get(f"/admin/orders/offender/{theirs.pk}/change/").status_code == 302  # "doesn't exist"
    assert c.get(f"/admin/orders/order/{order.pk}/change/").status_code == 302
    assert c.get(f"/admin/orders/order/{order.pk}/discharge/").status_code == 404
    mine = OffenderFactory(force=world.a.force)
    html = c.get("/admin/orders/order/add/").content.decode()
    assert mine.pnc_id in html and theirs.pnc_id not in html


@pytest.mark.parametrize("role", ["worker", "officer"])
def test_officers_and_workers_cannot_use_orders_admin(world, role):
    user = getattr(world.a, role)
    type(user).objects.filter(pk=user.pk).update(is_staff=True)
    user.refresh_from_db()
    assert admin_client(user).get("/admin/orders/offender/").status_code == 403
    assert admin_client(user).get("/admin/orders/order/").status_code == 403


def test_admin_creates_order_with_each_kind_of_prohibition(world):
    offender = OffenderFactory(force=world.a.force)
    prohibitions = [
        {"kind": "premises", "stores": [world.a.store.pk], "description": "Northway Crewe"},
        {"kind": "retailer_area", "retailer": str(world.a.retailer.pk), "beats": [world.a.beat.pk]},
        {
            "kind": "retailer_area",
            "retailer": str(world.a.retailer.pk),
            "centre_latitude": "53.1",
            "centre_longitude": "-2.3",
            "radius_m": "800",
        },
        {"kind": "zone", "polygon": json.dumps(SQUARE), "starts_on": "01/02/2026", "ends_on": "31/12/2026"},
        {"kind": "zone", "centre_latitude": "53.1", "centre_longitude": "-2.3", "radius_m": "500"},
    ]
    c = admin_client(world.a.admin)
    r = c.post("/admin/orders/order/add/", order_post(offender, prohibitions))
    assert r.status_code == 302, r.content.decode()[:5000]
    order = Order.objects.get()
    assert sorted(order.prohibitions.values_list("kind", flat=True)) == sorted(p["kind"] for p in prohibitions)
    assert list(order.events.values_list("kind", flat=True)) == ["made"] + ["prohibition_added"] * 5
    assert order.events.first().actor == world.a.admin
    # The change page shows what each prohibition covers, and draws the zone.
    html = c.get(f"/admin/orders/order/{order.pk}/change/").content.decode()
    assert world.a.store.name in html and "<svg" in html and "in force" in html


@pytest.mark.parametrize(
    "fields, prohibitions, message",
    [
        ({"effective_from": "04/01/2026"}, [], "The order cannot take effect before it was made."),
        ({"ends_on": "01/01/2026"}, [], "The order cannot end before it takes effect."),
        ({}, [{"kind": "premises"}], "Named premises need at least one store."),
        ({}, [{"kind": "zone", "polygon": json.dumps(OPEN_RING)}], "does not close"),
    ],
)
def test_bad_orders_in_admin_show_errors_and_save_nothing(world, fields, prohibitions, message):
    offender = OffenderFactory(force=world.a.force)
    r = admin_client(world.a.admin).post("/admin/orders/order/add/", order_post(offender, prohibitions, **fields))
    assert r.status_code == 200
    assert message in r.content.decode()
    assert Order.objects.count() == 0 and Prohibition.objects.count() == 0 and OrderEvent.objects.count() == 0


def test_store_of_another_force_is_not_offered(world):
    offender = OffenderFactory(force=world.a.force)
    r = admin_client(world.a.admin).post(
        "/admin/orders/order/add/", order_post(offender, [{"kind": "premises", "stores": [world.b.store.pk]}])
    )
    assert r.status_code == 200 and "Select a valid choice" in r.content.decode()
    assert Order.objects.count() == 0


def test_change_order_and_prohibitions_through_services(world):
    offender = OffenderFactory(force=world.a.force)
    order = OrderFactory(offender=offender, served_on=None)
    p = ProhibitionFactory(order=order, stores=[world.a.store])
    data = order_post(
        offender, [], court="Chester Crown Court", served_on="06/01/2026", case_reference=order.case_reference
    )
    data.update(management("prohibitions", total=1, initial=1))
    data.update(
        prohibition_fields(
            0, id=str(p.pk), order=str(order.pk), kind="premises", stores=[world.a.store.pk, world.a.sibling_store.pk]
        )
    )
    r = admin_client(world.a.admin).post(f"/admin/orders/order/{order.pk}/change/", data)
    assert r.status_code == 302, r.content.decode()[:5000]
    kinds = list(order.events.values_list("kind", flat=True))
    assert kinds == ["served", "corrected", "prohibition_corrected"]
    assert order.events.get(kind="corrected").new == {"court": "Chester Crown Court"}
    assert set(p.stores.all()) == {world.a.store, world.a.sibling_store}


def test_discharge_and_vary_pages(world):
    offender = OffenderFactory(force=world.a.force)
    order = OrderFactory(offender=offender)
    p = ProhibitionFactory(order=order, stores=[world.a.store])
    c = admin_client(world.a.admin)
    assert c.get(f"/admin/orders/order/{order.pk}/vary/").status_code == 200
    vary = {"varied_on": "01/05/2026", "reason": "Crewe MC", "remove_prohibitions": [p.pk], "ends_on": "31/12/2027"}
    r = c.post(f"/admin/orders/order/{order.pk}/vary/", vary)
    assert r.status_code == 302
    p.refresh_from_db()
    assert str(p.removed_on) == "2026-05-01"
    r = c.post(
        f"/admin/orders/order/{order.pk}/vary/",
        {"varied_on": "01/05/2026", "reason": "Crewe MC", "add_zone": json.dumps(OPEN_RING)},
    )
    assert r.status_code == 200 and "does not close" in r.content.decode()
    r = c.post(
        f"/admin/orders/order/{order.pk}/vary/",
        {
            "varied_on": "02/05/2026",
            "reason": "Crewe MC",
            "add_zone": json.dumps(SQUARE),
            "add_stores": [world.a.sibling_store.pk],
        },
    )
    assert r.status_code == 302
    added = order.prohibitions.filter(added_on__isnull=False)
    assert sorted(added.values_list("kind", flat=True)) == ["premises", "zone"]
    assert {str(p.added_on) for p in added} == {"2026-05-02"}
    r = c.post(f"/admin/orders/order/{order.pk}/discharge/", {"discharged_on": "01/06/2026", "reason": ""})
    assert r.status_code == 200  # reason required
    r = c.post(f"/admin/orders/order/{order.pk}/discharge/", {"discharged_on": "01/06/2026", "reason": "Appeal"})
    assert r.status_code == 302
    r = c.post(f"/admin/orders/order/{order.pk}/discharge/", {"discharged_on": "02/06/2026", "reason": "Again"})
    assert r.status_code == 200 and "The order was discharged on 01/06/2026." in r.content.decode()
    assert list(order.events.values_list("kind", flat=True)) == [
        "prohibition_removed",
        "varied",
        "prohibition_added",
        "prohibition_added",
        "varied",
        "discharged",
    ]


def test_csv_import_page_preview_then_import(world):
    offender = OffenderFactory(force=world.a.force)
    order = OrderFactory(offender=offender)
    c = admin_client(world.a.admin)
    url = f"/admin/orders/order/{order.pk}/import-premises/"
    bad = SimpleUploadedFile("p.csv", f"store_code,postcode\n{world.a.store.code},\n{world.b.store.code},\n".encode())
    r = c.post(url, {"file": bad, "preview": "1"})
    html = r.content.decode()
    assert (
        r.status_code == 200
        and f"No store in this force has code {world.b.store.code}." in html
        and 'name="import"' not in html
    )
    good = SimpleUploadedFile("p.csv", f"store_code,postcode\n{world.a.store.code},\n".encode())
    r = c.post(url, {"file": good, "preview": "1", "description": "From list"})
    html = r.content.decode()
    assert 'name="import"' in html and Prohibition.objects.count() == 0
    content = html.split('name="content" value="')[1].split('"')[0]
    r = c.post(url, {"content": content, "description": "From list", "import": "1"})
    assert r.status_code == 302
    assert list(Prohibition.objects.get().stores.all()) == [world.a.store]
    latin = SimpleUploadedFile("p.csv", "store_code,postcode\nCAF\u00c9,\n".encode("latin-1"))
    r = c.post(url, {"file": latin, "preview": "1"})
    assert "not UTF-8" in r.content.decode()


def test_shop_worker_api_and_admin_never_show_photos(world):
    offender = OffenderFactory(force=world.a.force)
    assert client_for(world.a.worker).get(f"/api/offenders/{offender.pk}/photos/").status_code == 403
