"""The offenders and orders API under bad input, found by fuzzing (schemathesis) and by hand.

Each test names the defect it pins: an answer that told a force admin which stores and beats exist in
another force, an error message that was a Python repr, a date or id too large that was a 500, a list
documented as an array while it answered a page."""

import datetime
from unittest import mock

import pytest

from orders.models import Offender, OffenderEvent, Order, OrderEvent, Prohibition, ReferencePhoto
from tests.api_helpers import HUGE, assert_error, assert_gets_match_the_schema
from tests.cases.factories import evidence_on, incident_at, offender_barred_from, possible_match
from tests.conftest import client_for
from tests.orders.factories import OffenderFactory, ReferencePhotoFactory

pytestmark = pytest.mark.django_db


def _order_payload(offender, **prohibition) -> dict:
    return {
        "offender": offender.pk,
        "court": "Crewe Magistrates' Court",
        "case_reference": "CBO/2026/0099",
        "made_on": "2026-01-05",
        "effective_from": "2026-01-05",
        "ends_on": "2027-01-04",
        "prohibitions": [prohibition],
    }


# Another force's ids must look exactly like ids that do not exist ---------------------------------


@pytest.mark.parametrize("field", ["stores", "beats"])
def test_prohibition_naming_another_forces_store_does_not_reveal_it(world, field):
    """It said "Store B-1 (Store 3) is in another force." for another force's id, and "Invalid pk" for an
    id that does not exist: a way to list the other forces' stores and beats by name."""
    a, b = world.a, world.b
    offender = OffenderFactory(force=a.force)
    client = client_for(a.admin)
    kind = "premises" if field == "stores" else "retailer_area"
    extra = {} if field == "stores" else {"retailer": a.retailer.pk}
    theirs_id = b.store.pk if field == "stores" else b.beat.pk
    missing_id = 987654
    theirs = client.post("/api/orders/", _order_payload(offender, kind=kind, **extra, **{field: [theirs_id]}), "json")
    missing = client.post("/api/orders/", _order_payload(offender, kind=kind, **extra, **{field: [missing_id]}), "json")
    key = f"prohibitions[0].{field}"
    body = assert_error(theirs, 400, key)
    for name in (b.store.name, b.store.code, b.beat.name):
        assert name not in theirs.content.decode()
    assert body["code"] == f"{field[:-1]}_other_force"
    assert body["fields"][key] == [f"No {field[:-1]} with id {theirs_id} in your force."]
    other = assert_error(missing, 400, key)
    assert other["code"] == body["code"]
    assert other["fields"][key] == [f"No {field[:-1]} with id {missing_id} in your force."]
    assert not Order.objects.filter(offender=offender).exists()
    # The prohibition endpoint is scoped the same way.
    order = offender_barred_from(a.store)[1]
    events = OrderEvent.objects.count()
    r = client.post(f"/api/orders/{order.pk}/prohibitions/", {"kind": kind, **extra, field: [theirs_id]}, "json")
    assert assert_error(r, 400, field)["code"] == body["code"]
    assert b.store.name not in r.content.decode() and b.beat.name not in r.content.decode()
    r = client.post(
        f"/api/orders/{order.pk}/vary/",
        {
            "varied_on": "2026-03-01",
            "reason": "Varied.",
            "add_prohibitions": [{"kind": kind, **extra, field: [theirs_id]}],
        },
        "json",
    )
    assert assert_error(r, 400)["code"] == body["code"]
    assert b.store.name not in r.content.decode() and b.beat.name not in r.content.decode()
    assert order.prohibitions.count() == 1
    assert OrderEvent.objects.count() == events


def test_prohibition_with_own_forces_store_still_works(world):
    a = world.a
    offender = OffenderFactory(force=a.force)
    r = client_for(a.admin).post("/api/orders/", _order_payload(offender, kind="premises", stores=[a.store.pk]), "json")
    assert r.status_code == 201, r.content
    assert r.json()["prohibitions"][0]["stores"][0]["id"] == a.store.pk


# Error messages are words, not Python reprs --------------------------------------------------------


def test_nested_errors_name_the_item_and_field_in_words(world):
    a = world.a
    offender = OffenderFactory(force=a.force)
    r = client_for(a.admin).post("/api/orders/", _order_payload(offender, kind="bogus"), "json")
    body = assert_error(r, 400, "prohibitions[0].kind")
    assert body["fields"]["prohibitions[0].kind"] == ['"bogus" is not a valid choice.']
    assert body["message"] == 'Invalid input: prohibitions[0].kind: "bogus" is not a valid choice.'
    assert not Order.objects.exists()

    r = client_for(a.admin).post(
        "/api/offenders/", {"given_names": "A", "family_name": "B", "aliases": ["ok", {"x": 1}]}, "json"
    )
    assert assert_error(r, 400, "aliases[1]")["fields"]["aliases[1]"] == ["Not a valid string."]
    assert list(Offender.objects.all()) == [offender]


# Operational faults are not 500s ---------------------------------------------------------------------


def test_reference_photo_without_face_model_installed_is_503_and_keeps_nothing(world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from recognition import engine
    from recognition.weights import WeightsMissing
    from tests.cases.factories import jpeg

    a = world.a
    offender = OffenderFactory(force=a.force)
    image = SimpleUploadedFile("face.jpg", jpeg(size=(200, 200)), content_type="image/jpeg")
    with mock.patch.object(engine, "get_engine", side_effect=WeightsMissing("weights missing")):
        r = client_for(a.admin).post(
            f"/api/offenders/{offender.pk}/photos/",
            {"image": image, "source": "Custody, Crewe suite", "taken_on": "2026-01-02"},
            format="multipart",
        )
    body = assert_error(r, 503)
    assert body["code"] == "face_engine_unavailable"
    assert not ReferencePhoto.objects.filter(offender=offender).exists()


# Ids too large for any database integer ----------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        f"/api/offenders/{HUGE}/",
        f"/api/offenders/{HUGE}/photos/",
        f"/api/offenders/{HUGE}/photos/{HUGE}/",
        f"/api/offenders/{HUGE}/photos/{HUGE}/image/",
        f"/api/orders/{HUGE}/",
    ],
)
def test_path_id_too_large_for_the_database_is_404(world, url):
    assert_error(client_for(world.a.admin).get(url), 404)


def test_post_to_path_id_too_large_is_404(world):
    assert_error(client_for(world.a.admin).post(f"/api/orders/{HUGE}/serve/", {"served_on": "2026-01-01"}, "json"), 404)
    assert not OrderEvent.objects.exists()


@pytest.mark.parametrize(
    "params",
    [
        {"url": "/api/orders/", "offender": HUGE},
        {"url": "/api/orders/prohibited-at/", "store": HUGE, "at": "2026-03-01T10:00:00Z"},
    ],
    ids=["orders", "prohibited-at"],
)
def test_filter_id_too_large_for_the_database_is_never_a_500(world, params):
    params = dict(params)
    r = client_for(world.a.admin).get(params.pop("url"), params)
    assert r.status_code in (200, 400, 404), (r.status_code, r.content[:300])
    if r.status_code != 200:
        assert_error(r, r.status_code)


def test_body_ids_too_large_are_400(world):
    a = world.a
    client = client_for(a.admin)
    offender = OffenderFactory(force=a.force)
    order = offender_barred_from(a.store)[1]
    events = OrderEvent.objects.count()
    r = client.post(
        "/api/orders/", {**_order_payload(offender, kind="premises", stores=[a.store.pk]), "offender": HUGE}, "json"
    )
    assert_error(r, 400, "offender")
    r = client.post("/api/orders/", {**_order_payload(offender, kind="premises", stores=[HUGE])}, "json")
    assert_error(r, 400)
    assert not Order.objects.filter(offender=offender).exists()
    r = client.post(
        f"/api/orders/{order.pk}/vary/",
        {"varied_on": "2026-03-01", "reason": "Court varied it.", "remove_prohibitions": [int(HUGE)]},
        "json",
    )
    assert_error(r, 400)
    assert order.prohibitions.count() == 1 and OrderEvent.objects.count() == events


# The schema says what the API answers --------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "component"),
    [
        ("/api/offenders/", "OffenderPageOutput"),
        ("/api/orders/", "OrderPageOutput"),
        ("/api/offenders/{offender_id}/photos/", "ReferencePhotoPageOutput"),
    ],
)
def test_paginated_lists_are_documented_as_pages(openapi_schema, world, path, component):
    """These three said "an array" while answering ``{"count", "next", "previous", "results"}``."""
    get = openapi_schema["paths"][path]["get"]
    assert get["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": f"#/components/schemas/{component}"
    }
    properties = openapi_schema["components"]["schemas"][component]["properties"]
    assert {"count", "next", "previous", "results"} <= set(properties)
    assert {"page", "page_size"} <= {p["name"] for p in get["parameters"]}
    offender = OffenderFactory(force=world.a.force)
    url = path.replace("{offender_id}", str(offender.pk))
    assert set(client_for(world.a.admin).get(url).json()) == {"count", "count_exact", "next", "previous", "results"}


def test_get_responses_match_the_schema(openapi_schema, world):
    """The fuzzer found ``retailer_name: null`` where the schema said a string, and lists documented as arrays."""
    a = world.a
    offender, order, _ = offender_barred_from(a.store)  # premises: no retailer
    photo = ReferencePhotoFactory(offender=offender)
    ids = {"offender_id": offender.pk, "photo_id": photo.pk, "order_id": order.pk}
    urls = {
        "/api/offenders/": {},
        "/api/offenders/{offender_id}/": {},
        "/api/offenders/{offender_id}/photos/": {},
        "/api/offenders/{offender_id}/photos/{photo_id}/": {},
        "/api/orders/": {},
        "/api/orders/{order_id}/": {},
        "/api/orders/prohibited-at/": {"store": a.store.pk, "at": "2026-03-02T14:30:00Z"},
    }
    assert_gets_match_the_schema(openapi_schema, client_for(a.admin), urls, ids)


# Dates at the edge of the calendar ---------------------------------------------------------------------


def test_order_dates_outside_a_sane_range_are_400_and_save_nothing(world):
    a = world.a
    offender = OffenderFactory(force=a.force)
    client = client_for(a.admin)
    body = {**_order_payload(offender, kind="premises", stores=[a.store.pk]), "ends_on": "9999-12-31"}
    r = client.post("/api/orders/", body, "json")
    assert assert_error(r, 400, "ends_on")["code"] == "date_out_of_range"
    body["prohibitions"][0]["ends_on"] = "9999-12-31"
    body["ends_on"] = "2027-01-04"
    r = client.post("/api/orders/", body, "json")
    assert assert_error(r, 400, "prohibitions[0].ends_on")["code"] == "date_out_of_range"
    assert not Order.objects.filter(offender=offender).exists()

    order = offender_barred_from(a.store)[1]
    events = OrderEvent.objects.count()
    r = client.patch(f"/api/orders/{order.pk}/", {"made_on": "0001-01-01", "reason": "typo"}, "json")
    assert assert_error(r, 400, "made_on")["code"] == "date_out_of_range"
    r = client.post(f"/api/orders/{order.pk}/discharge/", {"discharged_on": "9999-12-31", "reason": "x"}, "json")
    assert assert_error(r, 400, "discharged_on")["code"] == "date_out_of_range"
    order.refresh_from_db()
    assert order.made_on.year > 1 and order.discharged_on is None
    assert OrderEvent.objects.count() == events


def test_varying_an_order_saved_with_the_last_possible_end_is_not_a_500(world):
    """Such an order (accepted before the date bound) made last_day + 1 day overflow: 500 on vary."""
    a = world.a
    order = offender_barred_from(a.store)[1]
    Order.objects.filter(pk=order.pk).update(ends_on=datetime.date.max)
    r = client_for(a.admin).post(
        f"/api/orders/{order.pk}/vary/",
        {"varied_on": order.made_on.isoformat(), "reason": "Court varied it.", "ends_on": "2030-01-01"},
        "json",
    )
    assert r.status_code == 200, r.content
    order.refresh_from_db()
    ends_on, events = order.ends_on, OrderEvent.objects.count()
    r = client_for(a.admin).post(
        f"/api/orders/{order.pk}/vary/", {"varied_on": "9999-12-31", "reason": "Court varied it."}, "json"
    )
    assert assert_error(r, 400, "varied_on")["code"] == "date_out_of_range"
    order.refresh_from_db()
    assert order.ends_on == ends_on and OrderEvent.objects.count() == events


# NUL characters in free-text query parameters ----------------------------------------------------------


def test_nul_in_a_delete_reason_is_400_and_deletes_nothing(world):
    """``?reason=a%00b`` went straight into an audit row: PostgreSQL refuses NUL, a 500."""
    a = world.a
    offender, order, prohibition = offender_barred_from(a.store)
    client = client_for(a.admin)
    r = client.delete(f"/api/orders/{order.pk}/prohibitions/{prohibition.pk}/?reason=a%00b")
    assert_error(r, 400, "reason")
    photo = possible_match(evidence_on(incident_at(a.store, a.worker)), offender).reference_photo
    r = client.delete(f"/api/offenders/{offender.pk}/photos/{photo.pk}/?reason=a%00b")
    assert_error(r, 400, "reason")
    assert ReferencePhoto.objects.filter(pk=photo.pk).exists()
    assert Prohibition.objects.filter(pk=prohibition.pk).exists()
    assert not OrderEvent.objects.exists() and not OffenderEvent.objects.exists()


def test_premises_csv_with_a_cell_over_the_csv_field_limit_is_400(world):
    """csv.Error ("field larger than field limit") escaped the import as a 500."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    a = world.a
    order = offender_barred_from(a.store)[1]
    content = b'store_code,postcode\n"' + b"x" * 200_000 + b'",ST7 2EW\n'
    upload = SimpleUploadedFile("premises.csv", content, content_type="text/csv")
    r = client_for(a.admin).post(
        f"/api/orders/{order.pk}/premises-import/", {"file": upload, "dry_run": "true"}, format="multipart"
    )
    body = assert_error(r, 400, "file")
    assert body["code"] == "csv_malformed" and "Line 2" in body["message"]
    assert order.prohibitions.count() == 1
