"""An incident's status moves by one set of rules (``incidents.services.incident_status_set``), whoever asks:
the incident page, the admin. A forbidden move is a 409 ``invalid_status_transition`` and writes nothing."""

import pytest

from core.exceptions import ApplicationError
from incidents.errors import IncidentErrorCode
from incidents.models import Incident, IncidentEvent
from incidents.services import STATUS_TRANSITIONS, incident_status_set
from tests.conftest import client_for, signed_in
from tests.incidents.conftest import nothing_written
from tests.incidents.factories import IncidentFactory

pytestmark = pytest.mark.django_db

RECEIVED, WITH_POLICE, CLOSED = Incident.Status.RECEIVED, Incident.Status.WITH_POLICE, Incident.Status.CLOSED
ALLOWED = [(RECEIVED, WITH_POLICE), (RECEIVED, CLOSED), (WITH_POLICE, CLOSED)]
FORBIDDEN = [
    (old, new) for old in Incident.Status.values for new in Incident.Status.values if (old, new) not in ALLOWED
]


def test_the_rules_are_the_ones_the_page_always_had():
    assert {(old, new) for old, targets in STATUS_TRANSITIONS.items() for new in targets} == set(ALLOWED)
    assert len(FORBIDDEN) == 6  # nothing goes back, a closed incident stays closed, no move to the same status


# Service ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("old", "new"), ALLOWED)
def test_allowed_moves_are_recorded(world, old, new):
    incident = IncidentFactory(store=world.a.store, status=old)
    incident_status_set(incident=incident, status=new, actor=world.a.officer, reason="Attended, all done")
    incident.refresh_from_db()
    assert incident.status == new
    event = IncidentEvent.objects.get()
    assert (event.kind, event.actor, event.details) == (
        "status_changed",
        world.a.officer,
        {"old": old, "new": new, "reason": "Attended, all done"},
    )


@pytest.mark.parametrize(("old", "new"), FORBIDDEN)
def test_forbidden_moves_are_a_409_and_write_nothing(world, old, new):
    incident = IncidentFactory(store=world.a.store, status=old)
    with nothing_written(), pytest.raises(ApplicationError) as err:
        incident_status_set(incident=incident, status=new, actor=world.a.admin, reason="Because I say so")
    assert (err.value.code, err.value.status_code) == ("invalid_status_transition", 409)
    assert err.value.code == IncidentErrorCode.INVALID_STATUS_TRANSITION
    assert err.value.message.startswith(incident.reference)
    incident.refresh_from_db()
    assert incident.status == old


def test_the_refusal_says_where_the_incident_is(world):
    closed = IncidentFactory(store=world.a.store, status=CLOSED)
    taken = IncidentFactory(store=world.a.store, status=WITH_POLICE)
    messages = []
    for incident, new in ((closed, WITH_POLICE), (taken, WITH_POLICE), (taken, RECEIVED)):
        with pytest.raises(ApplicationError) as err:
            incident_status_set(incident=incident, status=new, actor=world.a.admin)
        messages.append(err.value.message)
    assert messages == [
        f"{closed.reference} is already closed.",
        f"{taken.reference} is already with police.",
        f"{taken.reference} is with police: it cannot go back to received.",
    ]


@pytest.mark.parametrize("reason", ["", "no", "  no   ", "a\n b"])
@pytest.mark.parametrize("old", [RECEIVED, WITH_POLICE])
def test_closing_needs_a_reason(world, old, reason):
    incident = IncidentFactory(store=world.a.store, status=old)
    with nothing_written(), pytest.raises(ApplicationError) as err:
        incident_status_set(incident=incident, status=CLOSED, actor=world.a.officer, reason=reason)
    assert (err.value.code, err.value.status_code) == ("closing_reason_required", 400)
    assert err.value.fields == {"reason": [err.value.message]}


def test_the_reason_is_kept_on_one_line_and_taking_on_names_who(world):
    world.a.officer.first_name, world.a.officer.last_name = "Sam", "Jones"
    world.a.officer.save()
    incident = IncidentFactory(store=world.a.store)
    incident_status_set(incident=incident, status=WITH_POLICE, actor=world.a.officer)
    incident_status_set(incident=incident, status=CLOSED, actor=world.a.officer, reason="  Attended,\n  arrested ")
    assert [e.details["reason"] for e in IncidentEvent.objects.order_by("pk")] == [
        "Taken on by Sam Jones",
        "Attended, arrested",
    ]


# The incident page --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "buttons"),
    [(RECEIVED, {"take_on", "close"}), (WITH_POLICE, {"close"}), (CLOSED, set())],
)
def test_the_page_offers_the_moves_the_rules_allow(world, old, buttons):
    incident = IncidentFactory(store=world.a.store, status=old)
    page = signed_in(world.a.officer).get(f"/incidents/{incident.pk}/").content.decode()
    assert {b for b in ("take_on", "close") if f'value="{b}"' in page} == buttons
    assert ("Police action" in page) is bool(buttons)


@pytest.mark.parametrize(
    ("old", "button", "message"),
    [
        (WITH_POLICE, "take_on", "is already with police."),
        (CLOSED, "take_on", "is already closed."),
        (CLOSED, "close", "is already closed."),
    ],
)
def test_the_page_refuses_a_forbidden_move_with_the_services_words(world, old, button, message):
    incident = IncidentFactory(store=world.a.store, status=old)
    officer = signed_in(world.a.officer)
    with nothing_written():
        response = officer.post(f"/incidents/{incident.pk}/", {"status_change": button, "reason": "Seen to, done"})
    assert (response.status_code, response.url) == (302, f"/incidents/{incident.pk}/")
    page = officer.get(response.url).content.decode()
    assert f"{incident.reference} {message}" in page


def test_the_page_refuses_an_unknown_button(world):
    incident = IncidentFactory(store=world.a.store)
    officer = signed_in(world.a.officer)
    with nothing_written():
        response = officer.post(f"/incidents/{incident.pk}/", {"status_change": "reopen"})
    assert "Choose to take the incident on or to close it." in officer.get(response.url).content.decode()


# The admin ----------------------------------------------------------------------------------------


def admin_action(client, action: str, *incidents, **data):
    return client.post(
        "/admin/incidents/incident/", {"action": action, "_selected_action": [i.pk for i in incidents], **data}
    )


@pytest.mark.parametrize("old", [WITH_POLICE, CLOSED])
def test_the_admin_cannot_move_an_incident_back_to_with_police(world, old):
    incident = IncidentFactory(store=world.a.store, status=old)
    admin = signed_in(world.a.admin)
    with nothing_written():
        response = admin_action(admin, "mark_with_police", incident)
    assert response.status_code == 302
    listed = admin.get(response.url).content.decode()
    assert f"Not changed: {incident.reference} is already {Incident.Status(old).label.lower()}." in listed
    assert "marked with_police" not in listed


def test_the_admin_moves_what_the_rules_allow_and_names_the_rest(world):
    received = IncidentFactory(store=world.a.store)
    closed = IncidentFactory(store=world.a.store, status=CLOSED)
    admin = signed_in(world.a.admin)
    response = admin_action(admin, "mark_with_police", received, closed)
    listed = admin.get(response.url).content.decode()
    assert "1 incident(s) marked with_police." in listed and f"{closed.reference} is already closed." in listed
    received.refresh_from_db()
    closed.refresh_from_db()
    assert (received.status, closed.status) == (WITH_POLICE, CLOSED)
    event = IncidentEvent.objects.get()
    assert (event.incident, event.actor, event.details["reason"]) == (received, world.a.admin, "admin action")


def test_closing_in_the_admin_asks_why_then_closes(world):
    incident = IncidentFactory(store=world.a.store, status=WITH_POLICE)
    admin = signed_in(world.a.admin)
    with nothing_written():
        asked = admin_action(admin, "mark_closed", incident)
    assert asked.status_code == 200
    html = asked.content.decode()
    assert 'name="reason"' in html and incident.reference in html and 'value="mark_closed"' in html
    with nothing_written():
        short = admin_action(admin, "mark_closed", incident, reason="no")
    assert "Say why the incident is closed" in admin.get(short.url).content.decode()
    done = admin_action(admin, "mark_closed", incident, reason="Attended; words of advice given")
    assert "1 incident(s) marked closed." in admin.get(done.url).content.decode()
    incident.refresh_from_db()
    assert incident.status == CLOSED
    assert IncidentEvent.objects.get().details == {
        "old": "with_police",
        "new": "closed",
        "reason": "Attended; words of advice given",
    }


def test_the_admin_cannot_edit_the_status_field(world):
    incident = IncidentFactory(store=world.a.store, status=CLOSED)
    admin = signed_in(world.a.admin)
    page = admin.get(f"/admin/incidents/incident/{incident.pk}/change/").content.decode()
    assert 'name="status"' not in page
    IncidentEvent.objects.all().delete()  # the view of the page is audited
    with nothing_written():
        response = admin.post(f"/admin/incidents/incident/{incident.pk}/change/", {"status": "with_police"})
    assert response.status_code == 403


# The API ------------------------------------------------------------------------------------------


def test_the_api_has_no_way_to_change_the_status(world):
    incident = IncidentFactory(store=world.a.store, status=CLOSED)
    client = client_for(world.a.admin)
    with nothing_written():
        for method in ("put", "patch"):
            response = getattr(client, method)(f"/api/incidents/{incident.pk}/", {"status": "with_police"}, "json")
            assert response.status_code == 405
