"""The incident list: every incident in scope, a page at a time (nothing cut), with search (q) and
filters (priority, status, from, to, beat, store, taken, reporter), as query parameters others link to."""

from datetime import timedelta

import pytest
from django.utils import timezone

from incidents.services import incident_status_set
from tests.conftest import client_for, signed_in
from tests.factories import UserFactory
from tests.incidents.factories import IncidentFactory

pytestmark = pytest.mark.django_db


def refs(response) -> set[str]:
    html = response.content.decode()
    return {part.split("<", 1)[0] for part in html.split('/">')[1:] if part.startswith("INC-")}


def test_every_incident_is_on_some_page(world, settings):
    settings.INCIDENT_LIST_PAGE_SIZE = 10
    made = {IncidentFactory(store=world.a.store).reference for _ in range(23)}
    client = signed_in(world.a.officer)
    first = client.get("/incidents/")
    assert "Incidents 1 to 10 of 23" in first.content.decode() and "Page 1 of 3" in first.content.decode()
    seen = set()
    for page in (1, 2, 3):
        seen |= refs(client.get("/incidents/", {"page": page}))
    assert seen == made
    third = client.get("/incidents/", {"page": 3, "status": "received"}).content.decode()
    assert "Incidents 21 to 23 of 23" in third
    assert 'href="?status=received&amp;page=2"' in third  # the filters stay on the page links


@pytest.fixture
def spread(world):
    now = timezone.now()
    reporter = UserFactory(
        role="shop_worker", force=world.a.force, stores=[world.a.store], first_name="Ann", last_name="Reed"
    )
    return {
        "p1": IncidentFactory(store=world.a.store, priority="P1", description="Punched the security guard."),
        "old": IncidentFactory(store=world.a.store, occurred_at=now - timedelta(days=20), description="Old theft."),
        "sibling": IncidentFactory(store=world.a.sibling_store, description="Took batteries."),  # other beat
        "closed": IncidentFactory(store=world.a.store, status="closed", description="Closed one."),
        "by_ann": IncidentFactory(store=world.a.store, reported_by=reporter, description="Ann's report."),
        "other_force": IncidentFactory(store=world.b.store, priority="P1", description="Punched in B."),
    }


def _only(response, *incidents) -> None:
    assert response.status_code == 200
    assert refs(response) == {i.reference for i in incidents}


def test_each_filter(world, spread):
    s = spread
    client = signed_in(world.a.officer)
    taken = s["p1"]
    incident_status_set(incident=taken, status="with_police", actor=world.a.officer)
    _only(client.get("/incidents/", {"priority": "P1"}), s["p1"])
    _only(client.get("/incidents/", {"status": "closed"}), s["closed"])
    _only(client.get("/incidents/", {"beat": world.a.other_beat.pk}), s["sibling"])
    _only(client.get("/incidents/", {"store": world.a.sibling_store.pk}), s["sibling"])
    _only(client.get("/incidents/", {"reporter": s["by_ann"].reported_by_id}), s["by_ann"])
    _only(client.get("/incidents/", {"taken": "yes"}), s["p1"])
    _only(client.get("/incidents/", {"taken": "no"}), s["old"], s["sibling"], s["by_ann"])
    day = timezone.localdate()
    _only(client.get("/incidents/", {"to": (day - timedelta(days=10)).isoformat()}), s["old"])
    _only(
        client.get(
            "/incidents/",
            {"from": (day - timedelta(days=21)).isoformat(), "to": (day - timedelta(days=19)).isoformat()},
        ),
        s["old"],
    )
    recent = {s[k] for k in ("p1", "sibling", "closed", "by_ann")}
    _only(client.get("/incidents/", {"from": day.isoformat()}), *recent)
    _only(client.get("/incidents/", {"from": day.isoformat(), "to": day.isoformat()}), *recent)


def test_search(world, spread):
    client = signed_in(world.a.officer)
    _only(client.get("/incidents/", {"q": "punched"}), spread["p1"])  # the other force's is never found
    _only(client.get("/incidents/", {"q": spread["old"].reference}), spread["old"])
    _only(client.get("/incidents/", {"q": world.a.sibling_store.name}), spread["sibling"])
    _only(client.get("/incidents/", {"q": "guard punched"}), spread["p1"])  # every word, anywhere


def test_a_bad_filter_is_named_and_the_others_still_apply(world, spread):
    response = signed_in(world.a.officer).get("/incidents/", {"from": "yesterday", "priority": "P1"})
    html = response.content.decode()
    assert "Some filters were not applied" in html and "From: Enter a valid date." in html
    assert refs(response) == {spread["p1"].reference}
    backwards = signed_in(world.a.officer).get("/incidents/", {"from": "2026-03-02", "to": "2026-03-01"})
    assert "The end date is before the start date." in backwards.content.decode()


def test_shop_staff_filter_their_own_stores_without_priority_or_beat(world, spread):
    response = signed_in(world.a.worker).get("/incidents/")
    html = response.content.decode()
    assert 'name="beat"' not in html and 'name="priority"' not in html
    assert refs(response) == {spread[k].reference for k in ("p1", "old", "closed", "by_ann")}
    _only(signed_in(world.a.worker).get("/incidents/", {"q": "batteries"}))  # another store: not found


def test_the_api_filters_by_the_same_rule(world, spread):
    client = client_for(world.a.officer)

    def got(**params):
        return {row["reference"] for row in client.get("/api/incidents/", params).json()["results"]}

    assert got(q="punched") == {spread["p1"].reference}
    assert got(beat=world.a.other_beat.pk) == {spread["sibling"].reference}
    assert got(reporter=spread["by_ann"].reported_by_id) == {spread["by_ann"].reference}
    assert spread["closed"].reference not in got(taken="no")
    assert client.get("/api/incidents/", {"taken": "maybe"}).status_code == 400


def test_a_reference_shaped_word_is_looked_up_by_the_reference_start_in_any_case(world):
    a = world.a
    wanted = IncidentFactory(store=a.store, reported_by=a.worker, reference="INC-2026-004321")
    IncidentFactory(store=a.store, reported_by=a.worker, reference="INC-2026-005555")
    mention = IncidentFactory(store=a.store, reported_by=a.worker, description="Same man as INC-2026-004321.")
    client = client_for(a.officer)
    for q in ("INC-2026-004321", "inc-2026-0043", "INC-2026-00432"):
        found = {r["reference"] for r in client.get("/api/incidents/", {"q": q}).json()["results"]}
        assert found == {wanted.reference}, q
    assert mention.reference not in found  # a reference is searched as a reference, not in descriptions


def test_past_the_choices_limit_store_and_reporter_are_kept_as_hidden_filters(world, settings):
    a = world.a
    at_store = IncidentFactory(store=a.store, reported_by=a.worker)
    IncidentFactory(store=a.other_retailer_store, reported_by=a.worker)
    client = signed_in(a.officer)
    html = client.get("/incidents/").content.decode()
    assert '<select name="store"' in html  # a few stores: a list to choose from
    settings.INCIDENT_FILTER_CHOICES_MAX = 1
    response = client.get("/incidents/", {"store": a.store.pk})
    html = response.content.decode()
    assert '<select name="store"' not in html and f'type="hidden" name="store" value="{a.store.pk}"' in html
    assert refs(response) == {at_store.reference}
