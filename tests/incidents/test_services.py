"""Services: incident_create details, incident_status_set, and the admin screen."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from core.exceptions import ApplicationError
from incidents.models import IncidentEvent
from incidents.selectors import incidents_for
from incidents.services import incident_create, incident_status_set
from tests.incidents.conftest import nothing_written
from tests.incidents.factories import IncidentFactory

pytestmark = pytest.mark.django_db


def report(world, **overrides):
    data = {
        "reported_by": world.a.worker,
        "store": world.a.store,
        "occurred_at": timezone.now(),
        "category": "theft",
        "ongoing": False,
        "injured": False,
        "weapon": False,
        "description": "Took a crate of beer.",
    }
    data.update(overrides)
    return incident_create(**data)


def test_reference_and_assessment_are_stored(world):
    incident = report(world, category="threats", weapon=True)
    incident.refresh_from_db()
    assert incident.reference == f"INC-{timezone.localdate().year}-{incident.pk:06d}"
    assert (incident.priority, incident.response_target_minutes) == ("P2", 240)
    assert incident.priority_reason == "Weapon and threats, no longer happening."


def test_small_clock_skew_is_tolerated(world):
    report(world, occurred_at=timezone.now() + timedelta(minutes=2))
    with nothing_written(), pytest.raises(ApplicationError) as err:
        report(world, occurred_at=timezone.now() + timedelta(minutes=10))
    assert err.value.code == "occurred_in_future"


def test_an_incident_older_than_the_oldest_day_taken_is_refused(world, settings):
    """A mistyped year (1900) is refused like a date in the future; within
    INCIDENT_OLDEST_DAYS (five years by default) is taken."""
    assert settings.INCIDENT_OLDEST_DAYS == 5 * 365 + 1
    report(world, occurred_at=timezone.now() - timedelta(days=5 * 365 - 1))
    for occurred_at in (timezone.now() - timedelta(days=5 * 365 + 2), timezone.now().replace(year=1900)):
        with nothing_written(), pytest.raises(ApplicationError) as err:
            report(world, occurred_at=occurred_at)
        assert err.value.code == "occurred_too_long_ago"
        assert err.value.message.startswith("When it happened cannot be more than 5 years ago (before ")
        assert err.value.fields == {"occurred_at": [err.value.message]}
    settings.INCIDENT_OLDEST_DAYS = 30
    with pytest.raises(ApplicationError) as err:
        report(world, occurred_at=timezone.now() - timedelta(days=31))
    assert "cannot be more than 30 days ago" in err.value.message


def test_service_refuses_other_stores_and_police(world):
    with nothing_written(), pytest.raises(ApplicationError) as err:
        report(world, store=world.b.store)
    assert err.value.code == "store_not_yours"
    with nothing_written(), pytest.raises(ApplicationError) as err:
        report(world, reported_by=world.a.officer)
    assert (err.value.status_code, err.value.code) == (403, "permission_denied")


def test_status_set_records_who_and_why(world):
    incident = IncidentFactory(store=world.a.store)
    incident_status_set(incident=incident, status="with_police", actor=world.a.officer, reason="case raised")
    incident.refresh_from_db()
    assert incident.status == "with_police"
    event = IncidentEvent.objects.get()
    assert (event.kind, event.actor, event.details) == (
        "status_changed",
        world.a.officer,
        {"old": "received", "new": "with_police", "reason": "case raised"},
    )


def test_status_set_refuses_unknown_status(world):
    incident = IncidentFactory(store=world.a.store)
    with nothing_written(), pytest.raises(ApplicationError) as err:
        incident_status_set(incident=incident, status="lost", actor=world.a.officer)
    assert err.value.code == "invalid_status"


def test_incidents_for(world):
    mine = IncidentFactory(store=world.a.store)
    sibling = IncidentFactory(store=world.a.sibling_store)
    other = IncidentFactory(store=world.b.store)
    assert set(incidents_for(world.a.worker)) == {mine}
    assert set(incidents_for(world.a.officer)) == {mine, sibling}
    assert set(incidents_for(world.a.admin)) == {mine, sibling}
    assert set(incidents_for(world.b.admin)) == {other}
    assert list(incidents_for(world.norole)) == []


def test_admin_is_scoped_and_read_only(world):
    mine = IncidentFactory(store=world.a.store)
    other = IncidentFactory(store=world.b.store)
    client = Client()
    client.force_login(world.a.admin)
    html = client.get("/admin/incidents/incident/").content.decode()
    assert mine.reference in html and other.reference not in html
    assert client.get(f"/admin/incidents/incident/{other.pk}/change/").status_code == 302  # not found: redirected
    assert client.get(f"/admin/incidents/incident/{mine.pk}/change/").status_code == 200
    viewed = IncidentEvent.objects.get(kind="viewed")  # admin views are audited too
    assert (viewed.incident, viewed.actor, viewed.details) == (mine, world.a.admin, {"what": "admin"})
    viewed.delete()
    response = client.post(
        "/admin/incidents/incident/",
        {"action": "mark_closed", "_selected_action": [mine.pk, other.pk], "reason": "Attended, no offence"},
    )
    assert response.status_code == 302
    mine.refresh_from_db()
    other.refresh_from_db()
    assert (mine.status, other.status) == ("closed", "received")
    assert IncidentEvent.objects.get().actor == world.a.admin


def test_a_submission_key_used_by_someone_else_is_refused(world):
    import uuid

    key = uuid.uuid4()
    report(world, submission_key=key)
    other = world.a.worker.__class__.objects.create(username="w2", role="shop_worker", force=world.a.force)
    other.stores.add(world.a.store)
    with nothing_written(), pytest.raises(ApplicationError) as err:
        report(world, reported_by=other, submission_key=key)
    assert (err.value.code, err.value.status_code) == ("duplicate_submission", 409)


def test_portal_maps_model_validation_errors_to_the_form(world, monkeypatch):
    from django.core.exceptions import ValidationError

    from incidents import services
    from tests.incidents.test_views import browser, form_data

    def refuse(**kwargs):
        raise ValidationError({"description": ["Too odd."]})

    monkeypatch.setattr(services, "incident_create", refuse)
    response = browser(world.a.worker).post("/incidents/new/", form_data(world.a.store))
    assert response.status_code == 400 and "Too odd." in response.content.decode()
