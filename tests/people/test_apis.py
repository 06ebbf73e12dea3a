"""The people API on real PostgreSQL: an officer's whole path (a person, three incidents at two stores linked,
the ranking, the chronology, a withdrawal), 404 for shop workers on every endpoint and for another force, the
error shape on bad input, and answers that match the OpenAPI schema."""

import datetime
from decimal import Decimal

import pytest

from incidents.models import Incident
from people import services
from people.models import IncidentLink, PeopleEvent
from tests.api_helpers import HUGE, assert_error, assert_gets_match_the_schema
from tests.conftest import client_for
from tests.incidents.factories import IncidentFactory
from tests.orders.factories import OffenderFactory

pytestmark = pytest.mark.django_db


def at(month: int, day: int) -> datetime.datetime:
    return datetime.datetime(2026, month, day, 15, 0, tzinfo=datetime.UTC)


@pytest.fixture
def linked(world):
    """Force A: a person of interest with an active and a withdrawn link, an offender with a link."""
    a = world.a
    person = services.person_create(actor=a.officer, given_names="Jamie", family_name="Reid")
    offender = OffenderFactory(force=a.force)
    incidents = [IncidentFactory(store=a.store, reported_by=a.worker, occurred_at=at(3, d)) for d in (1, 2, 3)]
    active = services.link_add(actor=a.officer, incident=incidents[0], person=person, identified_by="cctv_viewed")
    withdrawn = services.link_add(actor=a.officer, incident=incidents[1], person=person, identified_by="cctv_viewed")
    services.link_withdraw(link=withdrawn, actor=a.officer, reason="Not him")
    services.link_add(actor=a.officer, incident=incidents[2], offender=offender, identified_by="arrested_at_scene")
    return {"person": person, "offender": offender, "active": active, "withdrawn": withdrawn, "incidents": incidents}


def every_endpoint(ids: dict) -> list[tuple[str, str, dict]]:
    p, o, link, inc = ids["person"], ids["offender"], ids["link"], ids["incident"]
    return [
        ("get", "/api/people/", {}),
        ("post", "/api/people/", {"given_names": "A", "family_name": "B"}),
        ("get", f"/api/people/{p}/", {}),
        ("patch", f"/api/people/{p}/", {"description": "changed"}),
        ("post", f"/api/people/{p}/keep/", {"reason": "Open investigation"}),
        ("get", f"/api/people/{p}/links/", {}),
        ("get", f"/api/people/offender-{o}/", {}),
        ("get", f"/api/people/offender-{o}/links/", {}),
        ("post", "/api/people/links/", {"incident": inc, "person": p, "identified_by": "staff_knowledge"}),
        ("get", f"/api/people/links/{link}/", {}),
        ("post", f"/api/people/links/{link}/withdraw/", {"reason": "Wrong person"}),
        ("get", "/api/people/persistent/", {}),
    ]


def _ids(linked) -> dict:
    return {
        "person": linked["person"].pk,
        "offender": linked["offender"].pk,
        "link": linked["active"].pk,
        "incident": linked["incidents"][1].pk,
    }


def _call(client, method, url, body):
    return getattr(client, method)(url, body, format="json") if method != "get" else client.get(url)


def test_a_shop_worker_gets_404_on_every_people_endpoint(world, linked):
    endpoints = every_endpoint(_ids(linked))
    assert len(endpoints) == 12
    for worker in (world.a.worker, world.b.worker):
        client = client_for(worker)
        for method, url, body in endpoints:
            r = _call(client, method, url, body)
            assert_error(r, 404)
            assert r.json()["code"] == "not_found", (method, url)
    # Nothing was written for them.
    assert IncidentLink.objects.count() == 3 and not PeopleEvent.objects.filter(actor__role="shop_worker").exists()


def test_another_forces_officer_and_admin_get_404(world, linked):
    for user in (world.b.officer, world.b.admin):
        client = client_for(user)
        for method, url, body in every_endpoint(_ids(linked)):
            r = _call(client, method, url, body)
            if url in ("/api/people/", "/api/people/persistent/"):
                if method == "get":
                    assert r.status_code == 200, (user, url)
                    results = r.json()["results"]
                    assert all(x["subject"] != f"person-{linked['person'].pk}" for x in results), (user, url)
                    assert url == "/api/people/" or results == [], (user, url)
                else:
                    assert r.status_code == 201  # their own force's person
                continue
            assert_error(r, 404)
    linked["active"].refresh_from_db()
    assert linked["active"].is_active


def test_not_signed_in_is_401_and_without_a_role_403(world, linked):
    from rest_framework.test import APIClient

    assert APIClient().get("/api/people/").status_code == 401
    assert_error(client_for(world.norole).get("/api/people/persistent/"), 403)


def test_an_officer_links_three_incidents_at_two_stores_ranks_and_withdraws_through_the_api(world):
    a = world.a
    client = client_for(a.officer)
    r = client.post(
        "/api/people/",
        {"given_names": "Jamie", "family_name": "Reid", "date_of_birth": "2010-05-01", "pnc_id": "09/12345E"},
        format="json",
    )
    assert r.status_code == 201, r.content
    person = r.json()
    assert person["subject"] == f"person-{person['id']}" and person["under_18"] is True
    incidents = [
        IncidentFactory(store=a.store, reported_by=a.worker, occurred_at=at(2, 1), goods_value=Decimal("40")),
        IncidentFactory(
            store=a.other_retailer_store,
            reported_by=a.worker,
            occurred_at=at(5, 1),
            category=Incident.Category.THREATS,
        ),
        IncidentFactory(store=a.store, reported_by=a.worker, occurred_at=at(4, 1), injured=True),
    ]
    links = []
    for inc in incidents:
        r = client.post(
            "/api/people/links/",
            {"incident": inc.pk, "person": person["id"], "identified_by": "staff_knowledge", "role": "suspect"},
            format="json",
        )
        assert r.status_code == 201, r.content
        links.append(r.json())
    assert links[0]["incident_reference"] == incidents[0].reference and links[0]["active"] is True
    assert links[0]["subject"] == person["subject"] and links[0]["subject_name"] == "Jamie Reid"
    duplicate = client.post(
        "/api/people/links/",
        {"incident": incidents[0].pk, "person": person["id"], "identified_by": "cctv_viewed"},
        format="json",
    )
    assert assert_error(duplicate, 409)["code"] == "duplicate_link"

    r = client.get("/api/people/persistent/", {"since": "2026-01-01", "until": "2026-06-30"})
    assert r.status_code == 200
    body = r.json()
    assert body["count"] == 1 and body["since"] == "2026-01-01" and body["min_incidents"] == 3
    (row,) = body["results"]
    assert row["subject"] == person["subject"] and row["name"] == "Jamie Reid"
    assert (row["incidents"], row["violent_or_threatening"], row["stores"], row["retailers"]) == (3, 2, 2, 2)
    assert row["goods_value"] == "40.00" and row["persistent"] is True and row["trend"] == "up"

    r = client.get(f"/api/people/{person['id']}/links/", {"active": "true"})
    assert [x["incident"] for x in r.json()["results"]] == [incidents[0].pk, incidents[2].pk, incidents[1].pk]

    r = client.post(f"/api/people/links/{links[2]['id']}/withdraw/", {"reason": "Wrong man"}, format="json")
    assert r.status_code == 200 and r.json()["active"] is False and r.json()["withdrawal_reason"] == "Wrong man"
    assert r.json()["withdrawn_by"]
    assert assert_error(
        client.post(f"/api/people/links/{links[2]['id']}/withdraw/", {"reason": "x"}, format="json"), 409
    )["code"] == ("already_withdrawn")
    r = client.get(f"/api/people/{person['id']}/links/", {"active": "true"})
    assert [x["incident"] for x in r.json()["results"]] == [incidents[0].pk, incidents[1].pk]
    r = client.get(f"/api/people/{person['id']}/links/")
    assert r.json()["count"] == 3
    assert PeopleEvent.objects.filter(kind=PeopleEvent.Kind.LINK_WITHDRAWN, actor=a.officer).count() == 1
    r = client.get("/api/people/persistent/", {"since": "2026-01-01", "until": "2026-06-30"})
    assert r.json()["results"][0]["incidents"] == 2 and r.json()["results"][0]["persistent"] is False


def test_an_officer_may_not_link_outside_their_beats_a_force_admin_may(world, linked):
    a = world.a
    uncovered = IncidentFactory(store=a.sibling_store, reported_by=a.worker)
    body = {"incident": uncovered.pk, "offender": linked["offender"].pk, "identified_by": "cctv_viewed"}
    assert_error(client_for(a.officer).post("/api/people/links/", body, format="json"), 404)
    r = client_for(a.admin).post("/api/people/links/", body, format="json")
    assert r.status_code == 201 and r.json()["subject"] == f"offender-{linked['offender'].pk}"
    # The officer does not see that link, even through the offender's links.
    assert assert_error(client_for(a.officer).get(f"/api/people/links/{r.json()['id']}/"), 404)
    got = client_for(a.officer).get(f"/api/people/offender-{linked['offender'].pk}/links/").json()
    assert [x["incident"] for x in got["results"]] == [linked["incidents"][2].pk]


def test_bad_input_is_a_clear_400(world, linked):
    client = client_for(world.a.officer)
    p = linked["person"].pk
    inc = linked["incidents"][1].pk
    cases = [
        ("get", "/api/people/persistent/", {"since": "2026-06-01", "until": "2026-01-01"}, "since"),
        ("get", "/api/people/persistent/", {"since": "01/06/2026"}, "since"),
        ("get", "/api/people/persistent/", {"until": "0001-01-01"}, "until"),
        ("get", "/api/people/", {"flagged": "maybe"}, "flagged"),
        ("post", "/api/people/", {"given_names": "A", "family_name": "B", "pnc_id": "12345"}, "pnc_id"),
        ("post", "/api/people/", {"given_names": "A\x00", "family_name": "B"}, "given_names"),
        ("post", "/api/people/", {"family_name": "B"}, "given_names"),
        ("patch", f"/api/people/{p}/", {"date_of_birth": "2999-01-01"}, "date_of_birth"),
        ("post", f"/api/people/{p}/keep/", {"reason": ""}, "reason"),
        ("post", "/api/people/links/", {"incident": inc, "identified_by": "staff_knowledge"}, "person"),
        ("post", "/api/people/links/", {"incident": inc, "person": p, "identified_by": "face_search"}, "identified_by"),
        ("post", "/api/people/links/", {"incident": HUGE, "person": p, "identified_by": "cctv_viewed"}, "incident"),
        (
            "post",
            "/api/people/links/",
            {"incident": inc, "person": p, "identified_by": "confirmed_case"},
            "case",
        ),
        ("post", f"/api/people/links/{linked['active'].pk}/withdraw/", {}, "reason"),
    ]
    for method, url, body, field in cases:
        if method == "get":
            r = client.get(url, body)
        else:
            r = getattr(client, method)(url, body, format="json")
        assert_error(r, 400, field)
    assert_error(client.get("/api/people/999999999/"), 404)
    assert_error(
        client.post("/api/people/links/", {"incident": 999999999, "person": p, "identified_by": "cctv_viewed"}),
        404,
    )


def test_keep_and_the_flagged_filter(world, linked):
    from people.models import PersonOfInterest

    client = client_for(world.a.officer)
    person = linked["person"]
    PersonOfInterest.objects.filter(pk=person.pk).update(review_due_on=datetime.date(2027, 1, 1))
    assert [p["id"] for p in client.get("/api/people/", {"flagged": "true"}).json()["results"]] == [person.pk]
    r = client.post(f"/api/people/{person.pk}/keep/", {"reason": "Open investigation"}, format="json")
    assert r.status_code == 200 and r.json()["flagged_for_review"] is False and r.json()["kept_until"]
    assert client.get("/api/people/", {"flagged": "true"}).json()["count"] == 0
    assert client.get("/api/people/", {"q": "reid"}).json()["count"] == 1
    assert client.get("/api/people/", {"q": "nobody"}).json()["count"] == 0


def test_answers_match_the_schema(world, linked, openapi_schema):
    client = client_for(world.a.admin)
    period = {"since": "2026-01-01", "until": "2026-12-31"}
    assert_gets_match_the_schema(openapi_schema, client, {"/api/people/": {}, "/api/people/persistent/": period}, {})
    person = {"/api/people/{id}/": {}, "/api/people/{id}/links/": {}}
    assert_gets_match_the_schema(openapi_schema, client, person, {"id": linked["person"].pk})
    offender = {"/api/people/offender-{id}/": {}, "/api/people/offender-{id}/links/": {}}
    assert_gets_match_the_schema(openapi_schema, client, offender, {"id": linked["offender"].pk})
    assert_gets_match_the_schema(
        openapi_schema, client, {"/api/people/links/{id}/": {}}, {"id": linked["withdrawn"].pk}
    )


def test_linking_by_a_confirmed_case_through_the_api(world):
    from cases.services import case_raise_for_match, case_review
    from tests.cases.factories import evidence_on, incident_at, offender_barred_from, possible_match

    a, b = world.a, world.b
    offender, _, _ = offender_barred_from(a.store)
    inc = incident_at(a.store, a.worker)
    case = case_raise_for_match(match=possible_match(evidence_on(inc), offender))
    other_offender, _, _ = offender_barred_from(b.store)
    other_case = case_raise_for_match(match=possible_match(evidence_on(incident_at(b.store, b.worker)), other_offender))
    client = client_for(a.officer)
    body = {"incident": inc.pk, "offender": offender.pk, "identified_by": "confirmed_case", "case": case.pk}
    assert assert_error(client.post("/api/people/links/", body, format="json"), 400, "case")["code"] == (
        "case_not_confirmed"
    )
    assert_error(client.post("/api/people/links/", {**body, "case": other_case.pk}, format="json"), 404)
    case_review(case=case, reviewer=a.admin, same_person=True, reason="Same scar", consequence_acknowledged=True)
    r = client.post("/api/people/links/", body, format="json")
    assert r.status_code == 201 and r.json()["case_reference"] == case.reference
    assert r.json()["identified_by"] == "confirmed_case"
