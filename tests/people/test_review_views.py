"""The retention review in the portal: the force's persons of interest (search, "due for review", paged), the
person's page saying when a flagged record is deleted unless kept, and keeping it with a reason (the API's
service, audited). Shop workers and other forces get 404."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from people.models import PeopleEvent, PersonOfInterest
from tests.conftest import signed_in
from tests.orders.factories import OffenderFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def flagged(world):
    a = world.a
    due = timezone.localdate() + datetime.timedelta(days=12)
    person = PersonOfInterest.objects.create(
        force=a.force, given_names="Rory", family_name="Vance", pnc_id="", review_due_on=due
    )
    calm = PersonOfInterest.objects.create(force=a.force, given_names="Ann", family_name="Abbot")
    other = PersonOfInterest.objects.create(force=world.b.force, given_names="Rory", family_name="Other")
    return world, person, calm, other


def _key(person) -> str:
    return f"person-{person.pk}"


def test_the_list_searches_filters_due_for_review_and_stays_in_the_force(flagged):
    world, person, calm, other = flagged
    officer = signed_in(world.a.officer)
    page = officer.get(reverse("people-persons")).content.decode()
    assert "Rory Vance" in page and "Ann Abbot" in page and "Rory Other" not in page
    assert f"Deleted on {person.review_due_on:%-d %b %Y} unless kept" in page
    assert "1 record due for review" in page
    due = officer.get(reverse("people-persons"), {"due": "on"}).content.decode()
    assert "Rory Vance" in due and "Ann Abbot" not in due
    found = officer.get(reverse("people-persons"), {"q": "abbot"}).content.decode()
    assert "Ann Abbot" in found and "Rory Vance" not in found
    # The persistent-offender list points at the review.
    assert "1 due for review" in officer.get(reverse("people-persistent")).content.decode()


def test_the_list_is_paged_with_the_filters_kept(world):
    a = world.a
    due = timezone.localdate() + datetime.timedelta(days=3)
    for n in range(27):
        PersonOfInterest.objects.create(force=a.force, given_names=f"P{n:02d}", family_name="Zed", review_due_on=due)
    page = signed_in(a.admin).get(reverse("people-persons"), {"due": "on", "page": 2}).content.decode()
    assert "26–27 of 27 people" in page and "due=on" in page


def test_the_person_page_says_when_the_record_is_deleted_and_keeping_it_needs_a_reason(flagged):
    world, person, _calm, _other = flagged
    officer = signed_in(world.a.officer)
    page = officer.get(reverse("people-person", args=[_key(person)])).content.decode()
    assert f"This record will be deleted on <strong>{person.review_due_on:%-d %b %Y}</strong> (in 12 days)" in page
    assert "Keep this record" in page
    keep = reverse("people-person-keep", args=[_key(person)])
    refused = officer.post(keep, {"reason": "  "})
    assert refused.status_code == 400 and "the reason is required" in refused.content.decode()
    person.refresh_from_db()
    assert person.review_due_on is not None and not PeopleEvent.objects.filter(kind="person_kept").exists()

    response = officer.post(keep, {"reason": "Investigation into the March thefts still open"})
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.review_due_on is None and person.keep_reason == "Investigation into the March thefts still open"
    event = PeopleEvent.objects.get(kind="person_kept", person=person)
    assert event.actor == world.a.officer and event.details["reason"] == person.keep_reason
    page = officer.get(reverse("people-person", args=[_key(person)])).content.decode()
    assert f"Kept after review until {person.kept_until:%-d %b %Y}" in page and "Keep this record" not in page


def test_keep_is_404_for_shop_workers_other_forces_and_offender_records(flagged):
    world, person, _calm, other = flagged
    keep = reverse("people-person-keep", args=[_key(person)])
    for user in (world.a.worker, world.b.officer, world.b.admin):
        client = signed_in(user)
        assert client.post(keep, {"reason": "Keep"}).status_code == 404, user.username
    assert signed_in(world.a.worker).get(reverse("people-persons")).status_code == 404
    assert "Rory Vance" not in signed_in(world.b.officer).get(reverse("people-persons")).content.decode()
    offender = OffenderFactory(force=world.a.force)
    response = signed_in(world.a.admin).post(
        reverse("people-person-keep", args=[f"offender-{offender.pk}"]), {"reason": "x"}
    )
    assert response.status_code == 404
    person.refresh_from_db()
    assert person.review_due_on is not None and not PeopleEvent.objects.filter(kind="person_kept").exists()
