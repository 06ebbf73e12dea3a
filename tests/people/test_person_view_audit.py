"""Every view of a person's record by the police is audited (``person_viewed``): the person's page in the portal
and the API's details, of a person of interest or an offender. A refused request writes nothing, and no event
names the person."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from people.events import describe
from people.models import PeopleEvent, PersonOfInterest
from tests.conftest import client_for, signed_in
from tests.orders.factories import OffenderFactory

pytestmark = pytest.mark.django_db

VIEWED = PeopleEvent.Kind.PERSON_VIEWED


def _viewed():
    return PeopleEvent.objects.filter(kind=VIEWED)


@pytest.fixture
def person(world):
    return PersonOfInterest.objects.create(force=world.a.force, given_names="Jay", family_name="Corran")


def test_the_person_page_writes_one_row_per_view(world, person):
    url = reverse("people-person", args=[f"person-{person.pk}"])
    client = signed_in(world.a.officer)
    assert client.get(url).status_code == 200
    event = _viewed().get()
    assert (event.actor, event.person_id, event.offender_id) == (world.a.officer, person.pk, None)
    assert event.details == {"subject": "person", "subject_id": person.pk, "via": "page"}
    assert "Corran" not in str(event.details) and "Jay" not in str(event.details)
    assert describe(event) == f"Person of interest's record {person.pk} viewed (their page)"
    assert signed_in(world.a.admin).get(url).status_code == 200
    assert list(_viewed().values_list("actor", flat=True)) == [world.a.officer.pk, world.a.admin.pk]


def test_an_offenders_page_is_audited_against_the_offender(world):
    offender = OffenderFactory(force=world.a.force)
    assert signed_in(world.a.officer).get(reverse("people-person", args=[f"offender-{offender.pk}"])).status_code == 200
    event = _viewed().get()
    assert (event.actor, event.offender_id, event.person_id) == (world.a.officer, offender.pk, None)
    assert describe(event) == f"Offender's record {offender.pk} viewed (their page)"


def test_a_page_sent_back_with_an_error_is_a_view_and_a_started_application_is_not(world, person):
    url = reverse("people-person", args=[f"person-{person.pk}"])
    client = signed_in(world.a.officer)
    assert client.post(url, {"period_from": "not a date", "period_to": ""}).status_code == 400
    assert _viewed().count() == 1
    today = timezone.localdate()
    r = client.post(url, {"period_from": (today - datetime.timedelta(days=30)).isoformat(), "period_to": today})
    assert r.status_code == 302
    assert _viewed().count() == 1


def test_the_api_details_write_one_row_each(world, person):
    offender = OffenderFactory(force=world.a.force)
    api = client_for(world.a.officer)
    assert api.get(f"/api/people/{person.pk}/").status_code == 200
    assert api.get(f"/api/people/offender-{offender.pk}/").status_code == 200
    rows = list(_viewed().order_by("pk"))
    assert [(e.person_id, e.offender_id, e.details["via"]) for e in rows] == [
        (person.pk, None, "api"),
        (None, offender.pk, "api"),
    ]
    assert all(e.actor == world.a.officer for e in rows)
    assert describe(rows[1]) == f"Offender's record {offender.pk} viewed (the API)"
    # The list is not a view of one record.
    assert api.get("/api/people/").status_code == 200
    assert _viewed().count() == 2


def test_refused_views_write_nothing(world, person):
    page = reverse("people-person", args=[f"person-{person.pk}"])
    offender = OffenderFactory(force=world.a.force)
    for user in (world.a.worker, world.b.officer, world.b.admin):
        assert signed_in(user).get(page).status_code == 404, user
        assert client_for(user).get(f"/api/people/{person.pk}/").status_code == 404, user
        assert client_for(user).get(f"/api/people/offender-{offender.pk}/").status_code == 404, user
    assert signed_in(world.a.officer).get(reverse("people-person", args=["person-999999999"])).status_code == 404
    assert client_for(world.norole).get(f"/api/people/{person.pk}/").status_code in (403, 404)
    assert not _viewed().exists()
