"""The people API for CBO applications: an officer starts one for a person, sets the summary and the proposed
prohibitions, builds the bundle and downloads the PDF and the zip (each download logged as the portal's);
shop workers and other forces get 404 on every endpoint; bad input is a 400 in the project's error shape;
answers match the OpenAPI schema."""

import datetime
import io
import zipfile

import pytest
from django.utils import timezone

from people import services
from people.models import CBOApplication, PeopleEvent, PersonOfInterest
from tests.api_helpers import assert_error, assert_gets_match_the_schema
from tests.conftest import client_for
from tests.incidents.factories import IncidentFactory
from tests.orders.conftest import SQUARE

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_root")]
URL = "/api/people/applications/"


@pytest.fixture
def person(world):
    """Three incidents in the last months at two stores of the officer's beat, linked to a person of interest."""
    a = world.a
    person = PersonOfInterest.objects.create(force=a.force, given_names="Jay", family_name="Corran")
    now = timezone.now()
    for days, store in ((100, a.store), (40, a.other_retailer_store), (5, a.store)):
        incident = IncidentFactory(store=store, reported_by=a.worker, occurred_at=now - datetime.timedelta(days=days))
        services.link_add(actor=a.officer, incident=incident, person=person, identified_by="staff_knowledge")
    return person


def _proposals(a) -> list[dict]:
    return [
        {"kind": "premises", "stores": [a.store.pk], "duration_months": 24, "reason": "Two of three incidents."},
        {"kind": "zone", "polygon": SQUARE, "duration_months": 12, "reason": "The high street."},
    ]


def test_an_officer_starts_sets_builds_and_downloads_an_application(world, person):
    a = world.a
    officer = client_for(a.officer)
    r = officer.post(URL, {"subject": f"person-{person.pk}"}, format="json")
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["status"] == "draft" and body["reference"].startswith("CBO-") and len(body["chronology"]) == 3
    assert body["period_to"] == timezone.localdate().isoformat()
    pk = body["id"]
    r = officer.patch(
        f"{URL}{pk}/", {"summary": "Three thefts.", "proposed_prohibitions": _proposals(a)}, format="json"
    )
    assert r.status_code == 200, r.content
    assert [p["kind"] for p in r.json()["proposed_prohibitions"]] == ["premises", "zone"]
    assert r.json()["proposed_prohibitions"][0]["text"].startswith("Entering ")
    # Downloads wait for the build.
    assert_error(officer.get(f"{URL}{pk}/bundle.pdf"), 409)
    r = officer.post(f"{URL}{pk}/build/")
    assert r.status_code == 200, r.content
    built = r.json()
    assert built["status"] == "built" and len(built["incident_ids"]) == 3 and len(built["pdf_sha256"]) == 64
    pdf = officer.get(f"{URL}{pk}/bundle.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert f"{built['reference']}-application.pdf" in pdf["Content-Disposition"]
    archive = officer.get(f"{URL}{pk}/bundle.zip")
    assert archive.status_code == 200 and archive["Content-Type"] == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(b"".join(archive.streaming_content))).namelist()
    assert "manifest.json" in names and f"{built['reference']}.pdf" in names
    downloads = PeopleEvent.objects.filter(kind=PeopleEvent.Kind.APPLICATION_DOWNLOADED, application_id=pk)
    assert sorted(e.details["format"] for e in downloads) == ["pdf", "zip"]
    assert {e.actor for e in downloads} == {a.officer}
    assert PeopleEvent.objects.filter(kind=PeopleEvent.Kind.APPLICATION_BUILT, application_id=pk).count() == 1
    listed = officer.get(URL, {"subject": f"person-{person.pk}"}).json()
    assert [row["id"] for row in listed["results"]] == [pk]


def test_shop_workers_and_other_forces_get_404_on_every_application_endpoint(world, person):
    a = world.a
    r = client_for(a.officer).post(URL, {"subject": f"person-{person.pk}"}, format="json")
    pk = r.json()["id"]
    client_for(a.officer).post(f"{URL}{pk}/build/")
    before = PeopleEvent.objects.count()
    endpoints = [
        ("get", URL, None),
        ("post", URL, {"subject": f"person-{person.pk}"}),
        ("get", f"{URL}{pk}/", None),
        ("patch", f"{URL}{pk}/", {"summary": "x"}),
        ("post", f"{URL}{pk}/build/", {}),
        ("get", f"{URL}{pk}/bundle.pdf", None),
        ("get", f"{URL}{pk}/bundle.zip", None),
    ]
    for user in (a.worker, world.b.worker, world.norole):
        for method, url, body in endpoints:
            client = client_for(user)
            r = client.get(url) if method == "get" else getattr(client, method)(url, body, format="json")
            assert r.status_code in (403, 404), (user.username, method, url, r.status_code)
            if user.role == "shop_worker":
                assert_error(r, 404)
    other = client_for(world.b.officer)
    for method, url, body in endpoints[1:]:
        r = other.get(url) if method == "get" else getattr(other, method)(url, body, format="json")
        assert_error(r, 404)
    assert other.get(URL).json()["results"] == []
    assert PeopleEvent.objects.count() == before and CBOApplication.objects.count() == 1


def test_bad_input_is_a_400_in_the_error_shape_and_a_made_order_is_kept(world, person):
    a = world.a
    officer = client_for(a.officer)
    assert_error(officer.post(URL, {"subject": "nobody-1"}, format="json"), 400, "subject")
    assert_error(officer.post(URL, {"subject": "person-999999"}, format="json"), 404)
    reversed_period = {"subject": f"person-{person.pk}", "period_from": "2026-05-01", "period_to": "2026-04-01"}
    assert_error(officer.post(URL, reversed_period, format="json"), 400, "period_to")
    pk = officer.post(URL, {"subject": f"person-{person.pk}"}, format="json").json()["id"]
    no_stores = [{"kind": "premises", "duration_months": 24, "reason": "x"}]
    r = officer.patch(f"{URL}{pk}/", {"proposed_prohibitions": no_stores}, format="json")
    assert_error(r, 400, "proposed_prohibitions.0.stores")
    other_force = [{"kind": "premises", "stores": [world.b.store.pk], "reason": "x"}]
    assert_error(officer.patch(f"{URL}{pk}/", {"proposed_prohibitions": other_force}, format="json"), 400)
    bad_zone = [{"kind": "zone", "polygon": {"type": "Polygon", "coordinates": [[[0, 0]]]}, "reason": "x"}]
    assert_error(
        officer.patch(f"{URL}{pk}/", {"proposed_prohibitions": bad_zone}, format="json"),
        400,
        "proposed_prohibitions.0.polygon",
    )
    no_reason = [{"kind": "zone", "polygon": SQUARE, "reason": ""}]
    assert_error(officer.patch(f"{URL}{pk}/", {"proposed_prohibitions": no_reason}, format="json"), 400)
    assert_error(officer.patch(f"{URL}{pk}/", {"period_from": "2999-01-01"}, format="json"), 400)
    assert not CBOApplication.objects.get(pk=pk).proposed_prohibitions.exists()
    CBOApplication.objects.filter(pk=pk).update(status=CBOApplication.Status.ORDER_MADE)
    r = officer.patch(f"{URL}{pk}/", {"summary": "changed"}, format="json")
    assert_error(r, 409)
    assert r.json()["code"] == "application_closed" and CBOApplication.objects.get(pk=pk).summary == ""


def test_application_answers_match_the_schema(world, person, openapi_schema):
    a = world.a
    officer = client_for(a.officer)
    pk = officer.post(URL, {"subject": f"person-{person.pk}"}, format="json").json()["id"]
    officer.patch(f"{URL}{pk}/", {"proposed_prohibitions": _proposals(a)}, format="json")
    urls = {"/api/people/applications/": {}, "/api/people/applications/{id}/": {}}
    assert_gets_match_the_schema(openapi_schema, officer, urls, {"id": pk})
