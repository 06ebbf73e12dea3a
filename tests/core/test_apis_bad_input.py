"""The API as a whole under bad input, found by fuzzing (schemathesis) and by hand: pagination, addresses
that match no route, request bodies Django or DRF cannot parse, and what the schema documents for
every operation (core's pagination, middleware, exception handler and schema hooks).

Each test names the defect it pins. Bad input to one app's endpoints is in that app's
``test_apis_bad_input.py``."""

import pytest

from incidents.models import Incident
from orders.models import Order
from tests.api_helpers import SUPERSCRIPT_TWO, assert_error
from tests.cases.factories import incident_at
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


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


def test_write_to_an_address_without_its_trailing_slash_is_a_308_that_keeps_the_body(world):
    """It was a 301 (the client re-sends a GET: the report is lost) or, with DEBUG on, a RuntimeError."""
    r = client_for(world.a.admin).post("/api/orders?dry=1", {"x": 1}, "json")
    assert r.status_code == 308 and r["Location"] == "/api/orders/?dry=1"
    assert r.json()["message"] == "API addresses end with a slash: use /api/orders/?dry=1"
    assert client_for(world.a.admin).get("/api/orders").status_code == 301  # a GET loses nothing
    assert_error(client_for(world.a.admin).post("/api/nothing", {}, "json"), 404)
    assert not Order.objects.exists()  # redirected, not handled


# The schema says what the API answers --------------------------------------------------------------


def test_gets_with_query_parameters_document_their_400(openapi_schema):
    """A bad filter or page is a 400, which the schema left undocumented for every GET."""
    for path, item in openapi_schema["paths"].items():
        get = item.get("get")
        if get and any(p["in"] == "query" for p in get.get("parameters", [])):
            assert "400" in get["responses"], path
    assert "400" not in openapi_schema["paths"]["/api/me/"]["get"]["responses"]


def test_conflicts_and_media_type_errors_are_documented(openapi_schema):
    """Writes answer 409 (a duplicate, a case already reviewed, an order already served) and bodies in
    the wrong media type 415; the schema documented neither, nor the body of a 409/503 declared in words."""
    error = {"$ref": "#/components/schemas/Error"}
    components = openapi_schema["components"]["schemas"]
    error_fields = set(components["Error"]["properties"])

    def error_shaped(schema: dict) -> bool:
        """The Error shape itself, or one that extends it (a 409 that also lists the earlier incidents)."""
        if schema == error:
            return True
        ref = schema.get("$ref", "").rsplit("/", 1)[-1]
        return bool(ref) and error_fields <= set(components.get(ref, {}).get("properties", {}))

    for path, item in openapi_schema["paths"].items():
        for method, operation in item.items():
            responses = operation["responses"]
            if method in ("post", "put", "patch", "delete"):
                assert "409" in responses, (method, path)
            if "requestBody" in operation:
                assert "415" in responses, (method, path)
            for status, response in responses.items():
                if str(status)[0] in "45":
                    assert error_shaped(response["content"]["application/json"]["schema"]), (method, path, status)
    photo = openapi_schema["paths"]["/api/offenders/{offender_id}/photos/"]["post"]["responses"]
    assert "503" in photo


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
