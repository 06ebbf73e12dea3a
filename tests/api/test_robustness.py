"""Robustness of the REST API under bad input, found by fuzzing (schemathesis) and by hand.

Each test names the defect it pins: a 500 on a bad query value, an error message that was a Python
repr, an answer that told a user which ids exist in another force, a page parameter ignored or
answered as "not found"."""

import datetime
from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone

from incidents.models import Incident
from orders.models import Order, ReferencePhoto
from tests.cases.factories import evidence_on, incident_at, offender_barred_from, possible_match
from tests.conftest import client_for
from tests.orders.factories import OffenderFactory

pytestmark = pytest.mark.django_db

SUPERSCRIPT_TWO = "\u00b2"  # "²".isdigit() is True, but int("²") raises ValueError


def assert_error(r, status: int, field: str | None = None) -> dict:
    assert r.status_code == status, (r.status_code, r.content[:300])
    body = r.json()
    assert set(body) == {"message", "code", "fields"}
    assert body["message"] and "ErrorDetail" not in body["message"]
    if field is not None:
        assert field in body["fields"], body
    for messages in body["fields"].values():
        assert all("ErrorDetail" not in m and not m.startswith("{") for m in messages), body
    return body


# 500s on query values ----------------------------------------------------------------------------


def test_case_queue_beat_that_is_not_a_number_is_400_not_500(world):
    client = client_for(world.a.officer)
    assert_error(client.get("/api/cases/", {"beat": SUPERSCRIPT_TWO}), 400, "beat")
    assert_error(client.get("/api/cases/", {"beat": "abc"}), 400, "beat")  # was silently ignored
    assert_error(client.get("/api/cases/", {"breach": "maybe"}), 400, "breach")  # was silently ignored
    assert client.get("/api/cases/", {"beat": world.a.beat.pk, "breach": "true"}).status_code == 200
    assert client.get("/api/cases/", {"beat": "", "breach": ""}).status_code == 200


def test_processing_incident_filter_that_is_not_a_number_is_400_not_500(world):
    client = client_for(world.a.officer)
    assert_error(client.get("/api/recognition/processing/", {"incident": SUPERSCRIPT_TWO}), 400, "incident")
    assert_error(client.get("/api/recognition/processing/", {"incident": "1.5"}), 400, "incident")
    r = client.get("/api/recognition/processing/", {"incident": "99999999999999999999"})
    assert r.status_code == 200 and r.json()["count"] == 0


# Another force's ids must look exactly like ids that do not exist ---------------------------------


@pytest.mark.parametrize(
    ("url", "param", "who"),
    [
        ("/api/recognition/matches/", "offender", "officer"),
        ("/api/recognition/matches/", "evidence", "officer"),
        ("/api/recognition/processing/", "evidence", "officer"),
        ("/api/access-logs/", "case", "admin"),
        ("/api/access-logs/", "user", "admin"),
        ("/api/stores/", "beat", "worker"),
    ],
)
def test_filter_by_another_forces_id_answers_like_a_missing_id(world, url, param, who):
    b = world.b
    offender, order, _ = offender_barred_from(b.store)
    evidence = evidence_on(incident_at(b.store, b.worker))
    from cases.services import case_raise_for_match

    case = case_raise_for_match(match=possible_match(evidence, offender))
    other_force_id = {"offender": offender.pk, "evidence": evidence.pk, "case": case.pk, "user": b.officer.pk}.get(
        param, b.beat.pk
    )
    client = client_for(getattr(world.a, who))
    theirs = client.get(url, {param: other_force_id})
    missing = client.get(url, {param: 987654321})
    assert theirs.status_code == missing.status_code == 200
    assert theirs.json()["count"] == missing.json()["count"] == 0
    assert_error(client.get(url, {param: "abc"}), 400, param)


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

    r = client_for(a.admin).post(
        "/api/offenders/", {"given_names": "A", "family_name": "B", "aliases": ["ok", {"x": 1}]}, "json"
    )
    assert assert_error(r, 400, "aliases[1]")["fields"]["aliases[1]"] == ["Not a valid string."]


def test_multipart_files_field_sent_as_text_gets_a_readable_error(world):
    a = world.a
    data = {
        "store": a.store.pk,
        "occurred_at": (timezone.now() - timedelta(minutes=5)).isoformat(),
        "category": "theft",
        "ongoing": "false",
        "injured": "false",
        "weapon": "false",
        "description": "Took gin.",
        "files": "not-a-file",
    }
    r = client_for(a.worker).post("/api/incidents/", data, format="multipart")
    body = assert_error(r, 400, "files[0]")
    assert "not a file" in body["fields"]["files[0]"][0]
    assert not Incident.objects.exists()


# Pagination parameters -----------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["abc", "0", "-1", "1.5", SUPERSCRIPT_TWO])
@pytest.mark.parametrize("param", ["page", "page_size"])
def test_bad_page_parameters_are_400_naming_the_parameter(world, param, value):
    r = client_for(world.a.admin).get("/api/stores/", {param: value})
    body = assert_error(r, 400, param)
    assert "whole number" in body["fields"][param][0]


def test_page_past_the_end_is_404_saying_how_many_pages(world):
    client = client_for(world.a.admin)
    body = assert_error(client.get("/api/stores/", {"page": 7, "page_size": 2}), 404)
    assert body["message"] == "There is no page 7: these results have 2 pages."
    assert_error(client.get("/api/stores/", {"page": "9" * 5000}), 404)
    last = client.get("/api/stores/", {"page": "last", "page_size": 2}).json()
    assert last["previous"] and len(last["results"]) == 1
    assert len(client.get("/api/stores/", {"page_size": 100000}).json()["results"]) == 3  # capped, not refused


# Operational faults are not 500s ---------------------------------------------------------------------


def test_reference_photo_without_face_model_installed_is_503_and_keeps_nothing(world):
    from recognition import engine
    from recognition.weights import WeightsMissing
    from tests.cases.factories import jpeg

    a = world.a
    offender = OffenderFactory(force=a.force)
    from django.core.files.uploadedfile import SimpleUploadedFile

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

HUGE = "9" * 25


@pytest.mark.parametrize(
    "url",
    [
        f"/api/incidents/{HUGE}/",
        f"/api/incidents/{HUGE}/evidence/",
        f"/api/offenders/{HUGE}/",
        f"/api/offenders/{HUGE}/photos/",
        f"/api/offenders/{HUGE}/photos/{HUGE}/",
        f"/api/offenders/{HUGE}/photos/{HUGE}/image/",
        f"/api/orders/{HUGE}/",
        f"/api/cases/{HUGE}/",
        f"/api/cases/{HUGE}/images/cctv/",
        f"/api/cases/{HUGE}/evidence-pack/",
        f"/api/recognition/processing/{HUGE}/",
        f"/api/stores/{HUGE}/",
        f"/api/users/{HUGE}/",
    ],
)
def test_path_id_too_large_for_the_database_is_404(world, url):
    assert_error(client_for(world.a.admin).get(url), 404)


def test_post_to_path_id_too_large_is_404(world):
    client = client_for(world.a.admin)
    assert_error(client.post(f"/api/recognition/processing/{HUGE}/retry/", {}, "json"), 404)
    assert_error(client.post(f"/api/orders/{HUGE}/serve/", {"served_on": "2026-01-01"}, "json"), 404)
    assert_error(client.post(f"/api/cases/{HUGE}/close/", {"reason": "x"}, "json"), 404)


@pytest.mark.parametrize(
    ("url", "params", "who"),
    [
        ("/api/orders/", {"offender": HUGE}, "admin"),
        ("/api/incidents/", {"store": HUGE}, "admin"),
        ("/api/cases/", {"beat": HUGE}, "admin"),
        ("/api/recognition/processing/", {"incident": HUGE}, "admin"),
        ("/api/recognition/processing/", {"evidence": HUGE}, "admin"),
        ("/api/recognition/matches/", {"offender": HUGE}, "admin"),
        ("/api/access-logs/", {"case": HUGE}, "admin"),
        ("/api/stores/", {"beat": HUGE}, "admin"),
        ("/api/stores/", {"retailer": HUGE}, "admin"),
        ("/api/orders/prohibited-at/", {"store": HUGE, "at": "2026-03-01T10:00:00Z"}, "admin"),
    ],
)
def test_filter_id_too_large_for_the_database_is_never_a_500(world, url, params, who):
    r = client_for(getattr(world.a, who)).get(url, params)
    assert r.status_code in (200, 400, 404), (r.status_code, r.content[:300])
    if r.status_code != 200:
        assert_error(r, r.status_code)


def test_body_ids_too_large_are_400(world):
    a = world.a
    client = client_for(a.admin)
    offender = OffenderFactory(force=a.force)
    order = offender_barred_from(a.store)[1]
    r = client.post(
        "/api/orders/", {**_order_payload(offender, kind="premises", stores=[a.store.pk]), "offender": HUGE}, "json"
    )
    assert_error(r, 400, "offender")
    r = client.post("/api/orders/", {**_order_payload(offender, kind="premises", stores=[HUGE])}, "json")
    assert_error(r, 400)
    r = client.post(
        f"/api/orders/{order.pk}/vary/",
        {"varied_on": "2026-03-01", "reason": "Court varied it.", "remove_prohibitions": [int(HUGE)]},
        "json",
    )
    assert_error(r, 400)
    r = client_for(a.worker).post(
        "/api/incidents/",
        {
            "store": int(HUGE),
            "occurred_at": "2026-01-01T10:00:00Z",
            "category": "theft",
            "ongoing": False,
            "injured": False,
            "weapon": False,
            "description": "x",
        },
        "json",
    )
    assert_error(r, 400, "store")


# Django's own error pages under /api/ ------------------------------------------------------------


@pytest.mark.parametrize("url", ["/api/orders/abc/", "/api/incidents/null,null/", "/api/nothing-here/"])
def test_api_address_that_matches_no_route_is_a_json_404(world, url):
    """``/api/orders/abc/`` matched no route (ids are ``<int:...>``) and Django answered with an HTML page."""
    r = client_for(world.a.admin).get(url)
    assert r["Content-Type"].startswith("application/json")
    assert assert_error(r, 404)["code"] == "not_found"


def test_portal_404_is_still_a_page(world):
    r = client_for(world.a.admin).get("/no-such-page/")
    assert r.status_code == 404 and not r["Content-Type"].startswith("application/json")


# The schema says what the API answers --------------------------------------------------------------


@pytest.fixture(scope="module")
def schema():
    from drf_spectacular.generators import SchemaGenerator

    return SchemaGenerator().get_schema(request=None, public=True)


@pytest.mark.parametrize(
    ("path", "component"),
    [
        ("/api/offenders/", "OffenderPageOutput"),
        ("/api/orders/", "OrderPageOutput"),
        ("/api/offenders/{offender_id}/photos/", "ReferencePhotoPageOutput"),
    ],
)
def test_paginated_lists_are_documented_as_pages(schema, world, path, component):
    """These three said "an array" while answering ``{"count", "next", "previous", "results"}``."""
    get = schema["paths"][path]["get"]
    assert get["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": f"#/components/schemas/{component}"
    }
    assert {"count", "next", "previous", "results"} <= set(schema["components"]["schemas"][component]["properties"])
    assert {"page", "page_size"} <= {p["name"] for p in get["parameters"]}
    offender = OffenderFactory(force=world.a.force)
    url = path.replace("{offender_id}", str(offender.pk))
    assert set(client_for(world.a.admin).get(url).json()) == {"count", "next", "previous", "results"}


def test_gets_with_query_parameters_document_their_400(schema):
    """A bad filter or page is a 400, which the schema left undocumented for every GET."""
    for path, item in schema["paths"].items():
        get = item.get("get")
        if get and any(p["in"] == "query" for p in get.get("parameters", [])):
            assert "400" in get["responses"], path
    assert "400" not in schema["paths"]["/api/me/"]["get"]["responses"]


# Bodies nested too deeply to parse ------------------------------------------------------------------


@pytest.mark.parametrize("body", ["[" * 100_000 + "]" * 100_000, '{"a":' * 50_000 + "1" + "}" * 50_000])
def test_json_nested_too_deeply_is_a_400_parse_error_not_a_500(world, body):
    """json.loads raised RecursionError, which DRF does not treat as a parse error."""
    r = client_for(world.a.worker).post("/api/incidents/", body, content_type="application/json")
    assert assert_error(r, 400)["code"] == "parse_error"
    assert not Incident.objects.exists()


def test_a_recursion_error_in_our_own_code_is_still_a_500():
    from rest_framework.test import APIRequestFactory

    from core.exception_handlers import api_exception_handler

    def recurse():
        return recurse()

    try:
        recurse()
    except RecursionError as exc:
        r = api_exception_handler(exc, {"request": APIRequestFactory().get("/"), "view": None})
    assert r.status_code == 500


def test_evidence_pack_in_an_unknown_format_is_400_not_a_zip(world):
    from cases.models import CaseAccess
    from cases.services import case_justify, case_raise_for_match

    a = world.a
    offender, _, _ = offender_barred_from(a.store)
    case = case_raise_for_match(match=possible_match(evidence_on(incident_at(a.store, a.worker)), offender))
    case_justify(case=case, user=a.officer, justification="Triage of my beat's retail cases")
    logged = CaseAccess.objects.count()
    r = client_for(a.officer).get(f"/api/cases/{case.pk}/evidence-pack/", {"as": "docx"})
    assert assert_error(r, 400, "as")["message"] == "Unknown format 'docx': use as=zip or as=pdf."
    assert CaseAccess.objects.count() == logged  # nothing exported, nothing logged as an export


# Django's limits on a request body --------------------------------------------------------------------


def test_form_with_too_many_fields_is_a_400_not_a_500(world, settings):
    """Django raises TooManyFieldsSent while DRF parses the form; DRF let it through as a 500."""
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    body = "&".join(f"f{i}=1" for i in range(50))
    r = client_for(world.a.worker).post("/api/incidents/", body, content_type="application/x-www-form-urlencoded")
    assert assert_error(r, 400)["message"] == "Too many form fields: at most 10 in one request."
    assert not Incident.objects.exists()


def test_multipart_with_too_many_files_is_a_400_not_a_500(world, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.DATA_UPLOAD_MAX_NUMBER_FILES = 2
    incident = incident_at(world.a.store, world.a.worker)
    files = [SimpleUploadedFile(f"f{i}.jpg", b"x", content_type="image/jpeg") for i in range(5)]
    r = client_for(world.a.worker).post(f"/api/incidents/{incident.pk}/evidence/", {"files": files}, format="multipart")
    assert assert_error(r, 400)["message"] == "Too many files: at most 2 in one request."
    assert not incident.evidence.exists()


def test_conflicts_and_media_type_errors_are_documented(schema):
    """Writes answer 409 (a duplicate, a case already reviewed, an order already served) and bodies in
    the wrong media type 415; the schema documented neither, nor the body of a 409/503 declared in words."""
    error = {"$ref": "#/components/schemas/Error"}
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            responses = operation["responses"]
            if method in ("post", "put", "patch", "delete"):
                assert "409" in responses, (method, path)
            if "requestBody" in operation:
                assert "415" in responses, (method, path)
            for status, response in responses.items():
                if str(status)[0] in "45":
                    assert response["content"]["application/json"]["schema"] == error, (method, path, status)
    photo = schema["paths"]["/api/offenders/{offender_id}/photos/"]["post"]["responses"]
    assert "503" in photo


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
    r = client.patch(f"/api/orders/{order.pk}/", {"made_on": "0001-01-01", "reason": "typo"}, "json")
    assert assert_error(r, 400, "made_on")["code"] == "date_out_of_range"
    r = client.post(f"/api/orders/{order.pk}/discharge/", {"discharged_on": "9999-12-31", "reason": "x"}, "json")
    assert assert_error(r, 400, "discharged_on")["code"] == "date_out_of_range"
    order.refresh_from_db()
    assert order.made_on.year > 1 and order.discharged_on is None


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
    r = client_for(a.admin).post(
        f"/api/orders/{order.pk}/vary/", {"varied_on": "9999-12-31", "reason": "Court varied it."}, "json"
    )
    assert assert_error(r, 400, "varied_on")["code"] == "date_out_of_range"


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
    from orders.models import Prohibition

    assert Prohibition.objects.filter(pk=prohibition.pk).exists()


def test_nul_in_a_case_justification_is_400_and_logs_nothing(world):
    from cases.models import CaseAccess
    from cases.services import case_raise_for_match

    a = world.a
    offender, _, _ = offender_barred_from(a.store)
    case = case_raise_for_match(match=possible_match(evidence_on(incident_at(a.store, a.worker)), offender))
    r = client_for(a.officer).get(f"/api/cases/{case.pk}/?justification=Triage%00of my beat's cases")
    assert_error(r, 400, "justification")
    assert not CaseAccess.objects.filter(case=case, user=a.officer).exists()


# Every GET answers what the schema says -------------------------------------------------------------------


def _json_schema(node):
    """OpenAPI 3.0 ``nullable: true`` as JSON Schema (``anyOf`` with null), recursively."""
    if isinstance(node, list):
        return [_json_schema(n) for n in node]
    if not isinstance(node, dict):
        return node
    node = {k: _json_schema(v) for k, v in node.items()}
    if node.pop("nullable", False):
        return {"anyOf": [node, {"type": "null"}]}
    return node


def test_get_responses_match_the_schema(schema, world):
    """The fuzzer found ``retailer_name: null`` where the schema said a string, and lists documented as arrays."""
    import jsonschema

    from cases.services import case_justify, case_raise_for_match
    from recognition.models import EvidenceProcessing

    a = world.a
    offender, order, prohibition = offender_barred_from(a.store)  # premises: no retailer
    evidence = evidence_on(incident_at(a.store, a.worker))
    EvidenceProcessing.objects.create(evidence=evidence)
    match = possible_match(evidence, offender)
    case = case_raise_for_match(match=match)
    case_justify(case=case, user=a.admin, justification="Triage of my beat's retail cases")
    ids = {
        "incident_id": evidence.incident_id,
        "offender_id": offender.pk,
        "photo_id": match.reference_photo_id,
        "order_id": order.pk,
        "evidence_id": evidence.pk,
        "id": case.pk,
    }
    urls = {
        "/api/incidents/": {},
        "/api/incidents/{incident_id}/": {},
        "/api/incidents/{incident_id}/evidence/": {},
        "/api/offenders/": {},
        "/api/offenders/{offender_id}/": {},
        "/api/offenders/{offender_id}/photos/": {},
        "/api/offenders/{offender_id}/photos/{photo_id}/": {},
        "/api/orders/": {},
        "/api/orders/{order_id}/": {},
        "/api/orders/prohibited-at/": {"store": a.store.pk, "at": "2026-03-02T14:30:00Z"},
        "/api/cases/": {},
        "/api/cases/{id}/": {},
        "/api/recognition/processing/": {},
        "/api/recognition/processing/{evidence_id}/": {},
        "/api/recognition/matches/": {},
        "/api/access-logs/": {},
        "/api/stores/": {},
        "/api/users/": {},
        "/api/me/": {},
    }
    components = _json_schema(schema["components"])
    client = client_for(a.admin)
    for path, params in urls.items():
        r = client.get(path.format(**ids), params)
        assert r.status_code == 200, (path, r.content[:300])
        body_schema = schema["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
        root = {**_json_schema(body_schema), "components": components}
        validator = jsonschema.Draft7Validator(root, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)
        errors = [e.message for e in validator.iter_errors(r.json())]
        assert not errors, (path, errors[:3])


def test_write_to_an_address_without_its_trailing_slash_is_a_308_that_keeps_the_body(world):
    """It was a 301 (the client re-sends a GET: the report is lost) or, with DEBUG on, a RuntimeError."""
    r = client_for(world.a.admin).post("/api/orders?dry=1", {"x": 1}, "json")
    assert r.status_code == 308 and r["Location"] == "/api/orders/?dry=1"
    assert r.json()["message"] == "API addresses end with a slash: use /api/orders/?dry=1"
    assert client_for(world.a.admin).get("/api/orders").status_code == 301  # a GET loses nothing
    assert_error(client_for(world.a.admin).post("/api/nothing", {}, "json"), 404)


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


def test_filters_by_own_ids_still_find_the_rows(world):
    from cases.services import case_justify, case_raise_for_match
    from recognition.models import EvidenceProcessing

    a = world.a
    offender, _, _ = offender_barred_from(a.store)
    evidence = evidence_on(incident_at(a.store, a.worker))
    EvidenceProcessing.objects.create(evidence=evidence)
    case = case_raise_for_match(match=possible_match(evidence, offender))
    case_justify(case=case, user=a.admin, justification="Triage of my beat's retail cases")
    admin = client_for(a.admin)
    count = lambda url, **params: admin.get(url, params).json()["count"]  # noqa: E731
    assert count("/api/recognition/matches/", offender=offender.pk, evidence=evidence.pk) == 1
    assert count("/api/recognition/processing/", incident=evidence.incident_id, evidence=evidence.pk) == 1
    assert count("/api/access-logs/", case=case.pk) >= 1
    assert count("/api/stores/", beat=a.beat.pk) == 2 and count("/api/stores/", retailer=a.retailer.pk) == 2
    assert count("/api/cases/", beat=case.beat_id, breach="true") == 1
