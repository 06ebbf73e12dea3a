"""The people models' own rules: a link names exactly one person, one active link per incident and person, an
application one subject; ages and the under-18 marker."""

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from people.models import CBOApplication, IncidentLink, PersonOfInterest
from tests.incidents.factories import IncidentFactory
from tests.orders.factories import OffenderFactory

pytestmark = pytest.mark.django_db


def _person(force, **kwargs) -> PersonOfInterest:
    return PersonOfInterest.objects.create(force=force, given_names="Jamie", family_name="Reid", **kwargs)


def test_age_and_under_18_on_a_day():
    person = PersonOfInterest(given_names="Jamie", family_name="Reid", date_of_birth=datetime.date(2009, 6, 15))
    assert person.name == "Jamie Reid"
    assert person.age_on(datetime.date(2027, 6, 14)) == 17
    assert person.is_under_18(datetime.date(2027, 6, 14))
    assert person.age_on(datetime.date(2027, 6, 15)) == 18
    assert not person.is_under_18(datetime.date(2027, 6, 15))
    unknown = PersonOfInterest(given_names="A", family_name="B")
    assert unknown.age_on(datetime.date(2027, 1, 1)) is None
    assert not unknown.is_under_18(datetime.date(2027, 1, 1))


def test_a_link_names_exactly_one_person(world):
    incident = IncidentFactory(store=world.a.store, reported_by=world.a.worker)
    person, offender = _person(world.a.force), OffenderFactory(force=world.a.force)
    for kwargs in ({}, {"person": person, "offender": offender}):
        with pytest.raises(IntegrityError), transaction.atomic():
            IncidentLink.objects.create(
                incident=incident, force=world.a.force, identified_by="staff_knowledge", **kwargs
            )
    link = IncidentLink.objects.create(
        incident=incident, force=world.a.force, person=person, identified_by="staff_knowledge"
    )
    assert link.subject == person and link.is_active


def test_one_active_link_per_incident_and_person_a_withdrawn_one_may_be_made_again(world):
    incident = IncidentFactory(store=world.a.store, reported_by=world.a.worker)
    person = _person(world.a.force)
    first = IncidentLink.objects.create(
        incident=incident, force=world.a.force, person=person, identified_by="staff_knowledge"
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        IncidentLink.objects.create(incident=incident, force=world.a.force, person=person, identified_by="cctv_viewed")
    IncidentLink.objects.filter(pk=first.pk).update(withdrawn_at=timezone.now(), withdrawal_reason="Wrong person")
    again = IncidentLink.objects.create(
        incident=incident, force=world.a.force, person=person, identified_by="cctv_viewed"
    )
    assert again.is_active
    offender = OffenderFactory(force=world.a.force)
    IncidentLink.objects.create(
        incident=incident, force=world.a.force, offender=offender, identified_by="arrested_at_scene"
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        IncidentLink.objects.create(
            incident=incident, force=world.a.force, offender=offender, identified_by="cctv_viewed"
        )


def test_an_application_is_for_one_person_and_a_period_in_order(world):
    person, offender = _person(world.a.force), OffenderFactory(force=world.a.force)
    day = datetime.date(2026, 1, 1)
    for kwargs in ({}, {"person": person, "offender": offender}):
        with pytest.raises(IntegrityError), transaction.atomic():
            CBOApplication.objects.create(force=world.a.force, period_from=day, period_to=day, **kwargs)
    with pytest.raises(IntegrityError), transaction.atomic():
        CBOApplication.objects.create(
            force=world.a.force, person=person, period_from=day, period_to=day - datetime.timedelta(days=1)
        )
    application = CBOApplication.objects.create(force=world.a.force, person=person, period_from=day, period_to=day)
    assert application.subject == person and application.status == CBOApplication.Status.DRAFT
