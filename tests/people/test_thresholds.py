"""The thresholds that mark someone as persistent are force settings: the environment's by default, set by
the force's admin on a small page (audited with who, when, old and new, in words), used by the list and the
API of that force only."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from people import services
from people.events import describe
from people.models import PeopleEvent, PeopleSettings, PersonOfInterest
from people.selectors import thresholds_for
from tests.conftest import client_for, signed_in
from tests.incidents.factories import IncidentFactory

pytestmark = pytest.mark.django_db
URL = "/people/settings/"


@pytest.fixture
def two_incidents(world):
    a = world.a
    person = PersonOfInterest.objects.create(force=a.force, given_names="Jay", family_name="Corran")
    now = timezone.now()
    for days in (30, 10):
        incident = IncidentFactory(store=a.store, reported_by=a.worker, occurred_at=now - datetime.timedelta(days=days))
        services.link_add(actor=a.officer, incident=incident, person=person, identified_by="staff_knowledge")
    return person


def test_defaults_come_from_the_environment(world, settings):
    settings.PEOPLE_PERSISTENT_MIN_INCIDENTS, settings.PEOPLE_PERSISTENT_PERIOD_DAYS = 4, 200
    t = thresholds_for(world.a.force.pk)
    assert (t.min_incidents, t.period_days, t.own_min_incidents, t.own_period_days) == (4, 200, False, False)


def test_a_force_admin_sets_the_thresholds_and_only_their_force_uses_them(world, two_incidents):
    a = world.a
    api = client_for(a.officer)
    assert api.get("/api/people/persistent/").json()["results"][0]["persistent"] is False  # 2 < 3 (default)
    admin = signed_in(a.admin)
    page = admin.get(URL).content.decode()
    assert "3 or more linked incidents within 365 days" in page and "the default (3)" in page
    r = admin.post(URL, {"persistent_min_incidents": "2", "persistent_period_days": "90"})
    assert r.status_code == 302
    body = api.get("/api/people/persistent/").json()
    assert (body["min_incidents"], body["period_days"]) == (2, 90)
    assert body["results"][0]["persistent"] is True
    assert body["since"] == (timezone.localdate() - datetime.timedelta(days=89)).isoformat()
    listed = signed_in(a.officer).get(reverse("people-persistent")).content.decode()
    assert "2 or more linked incidents in the last 90 days" in listed and "Persistent</span>" in listed
    # Another force keeps the defaults.
    other = client_for(world.b.officer).get("/api/people/persistent/").json()
    assert (other["min_incidents"], other["period_days"]) == (3, 365)
    # Audited, in words: who, when, old and new.
    event = PeopleEvent.objects.get(kind=PeopleEvent.Kind.THRESHOLDS_CHANGED)
    assert event.actor == a.admin and event.details["changes"]["persistent_min_incidents"] == {"old": None, "new": 2}
    words = describe(event)
    assert "linked incidents that mark someone persistent from the default to 2" in words
    assert "period they are counted in from the default to 90 days" in words
    history = admin.get(URL).content.decode()
    assert words in history
    # Saving the same values writes nothing; emptied, a threshold is the default again.
    admin.post(URL, {"persistent_min_incidents": "2", "persistent_period_days": "90"})
    assert PeopleEvent.objects.filter(kind=PeopleEvent.Kind.THRESHOLDS_CHANGED).count() == 1
    admin.post(URL, {"persistent_min_incidents": "", "persistent_period_days": "90"})
    assert thresholds_for(a.force.pk).min_incidents == 3
    assert "from 2 to the default" in describe(PeopleEvent.objects.filter(kind="thresholds_changed").last())


def test_only_the_force_admin_may_change_them_and_bad_values_are_refused(world):
    a = world.a
    assert signed_in(a.worker).get(URL).status_code == 404
    assert signed_in(a.officer).get(URL).status_code == 403
    assert signed_in(a.officer).post(URL, {"persistent_min_incidents": "1"}).status_code == 403
    r = signed_in(a.admin).post(URL, {"persistent_min_incidents": "0", "persistent_period_days": "5"})
    assert r.status_code == 400 and "greater than or equal to" in r.content.decode()
    with pytest.raises(Exception, match="Only force admins"):
        services.thresholds_set(actor=a.officer, persistent_min_incidents=2, persistent_period_days=None)
    assert not PeopleSettings.objects.exists() and not PeopleEvent.objects.filter(kind="thresholds_changed").exists()
