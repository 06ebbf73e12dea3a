"""Incident events: one writer per kind (the rows' details as they always were) and one wording for people,
used by the admin's history (and the evidence pack's continuity log)."""

import hashlib

import pytest
from django.utils import timezone

from core.models import AuditEvent
from incidents import events
from incidents.models import IncidentEvent
from incidents.services import evidence_add, incident_create, incident_status_set, incident_view_record
from tests.conftest import signed_in
from tests.incidents.conftest import image_bytes, upload
from tests.incidents.factories import IncidentFactory

pytestmark = pytest.mark.django_db


def test_incident_event_is_an_audit_event():
    assert issubclass(IncidentEvent, AuditEvent)
    assert IncidentEvent._meta.ordering == ["created_at", "id"]
    assert {f.name for f in IncidentEvent._meta.fields} == {"id", "kind", "actor", "created_at", "incident", "details"}


def test_each_service_writes_its_event_with_the_same_details_as_before(world, media_root):
    world.a.officer.first_name, world.a.officer.last_name = "Sam", "Jones"
    world.a.officer.save()
    incident = incident_create(
        reported_by=world.a.worker,
        store=world.a.store,
        occurred_at=timezone.now(),
        category="physical_assault",
        ongoing=True,
        injured=False,
        weapon=False,
        description="Pushed a colleague.",
    )
    data = image_bytes()
    [evidence] = evidence_add(
        incident=incident, files=[upload("till.jpg", data, "image/jpeg")], uploaded_by=world.a.worker
    )
    incident_view_record(incident=incident, viewer=world.a.worker)  # shop staff views are not audited
    incident_view_record(incident=incident, viewer=world.a.officer, what="evidence")
    incident_status_set(incident=incident, status="with_police", actor=world.a.officer)
    rows = [(e.kind, e.actor, e.details) for e in IncidentEvent.objects.filter(incident=incident)]
    assert rows == [
        ("created", world.a.worker, {"priority": "P1"}),
        (
            "evidence_added",
            world.a.worker,
            {
                "evidence_id": evidence.pk,
                "name": "till.jpg",
                "sha256": hashlib.sha256(data).hexdigest(),
                "size": len(data),
            },
        ),
        ("viewed", world.a.officer, {"what": "evidence"}),
        (
            "status_changed",
            world.a.officer,
            {"old": "received", "new": "with_police", "reason": "Taken on by Sam Jones"},
        ),
    ]
    assert [events.describe(e) for e in IncidentEvent.objects.filter(incident=incident)] == [
        "Incident reported; assessed P1",
        f"CCTV file added to the incident: till.jpg, {len(data)} bytes, SHA-256 {hashlib.sha256(data).hexdigest()}",
        "Viewed by police: its list of CCTV files",
        "Incident status changed from 'Received' to 'With police': Taken on by Sam Jones",
    ]


@pytest.mark.parametrize(
    ("kind", "details", "words"),
    [
        ("viewed", {"what": "incident"}, "Viewed by police: the incident"),
        ("viewed", {"what": "admin"}, "Viewed by police: the incident in the admin"),
        ("status_changed", {"old": "with_police", "new": "closed", "reason": ""}, "Incident status changed from "
         "'With police' to 'Closed'"),
        ("evidence_added", {"name": "a.mp4", "sha256": "ab", "size": 1}, "CCTV file added to the incident: a.mp4, "
         "1 byte, SHA-256 ab"),
        ("created", {}, "Incident reported; assessed ?"),
        ("something_new", {}, "something_new"),
    ],
)  # fmt: skip
def test_describe_each_kind(world, kind, details, words):
    event = events.IncidentEvent(incident=IncidentFactory(store=world.a.store), kind=kind, details=details)
    assert events.describe(event) == words


def test_the_admin_history_is_worded_by_describe(world):
    incident = IncidentFactory(store=world.a.store)
    incident_status_set(incident=incident, status="closed", actor=world.a.officer, reason="Attended, no crime")
    html = signed_in(world.a.admin).get(f"/admin/incidents/incident/{incident.pk}/change/").content.decode()
    assert "Incident status changed from &#x27;Received&#x27; to &#x27;Closed&#x27;: Attended, no crime" in html
