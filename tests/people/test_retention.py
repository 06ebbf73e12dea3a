"""The nightly review of persons of interest on real PostgreSQL (and the task through the broker): a person
with no linked incident for PEOPLE_REVIEW_AFTER_DAYS and no order is flagged, then deleted
PEOPLE_REVIEW_GRACE_DAYS later unless an officer keeps the record; the deletion leaves an audit row without
the name."""

import datetime
import json

import pytest
from django.conf import settings
from django.utils import timezone

from people import services
from people.models import CBOApplication, IncidentLink, PeopleEvent, PersonOfInterest
from tests.incidents.factories import IncidentFactory
from tests.orders.factories import OffenderFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2027, 6, 1)


def days_before(day: datetime.date, days: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day - datetime.timedelta(days=days), datetime.time(12)))


def person(world, family="Reid", *, created_days_ago=400) -> PersonOfInterest:
    made = services.person_create(actor=world.a.officer, given_names="Jamie", family_name=family)
    PersonOfInterest.objects.filter(pk=made.pk).update(created_at=days_before(TODAY, created_days_ago))
    return PersonOfInterest.objects.get(pk=made.pk)


def linked(world, subject, *, days_ago: int) -> IncidentLink:
    inc = IncidentFactory(store=world.a.store, reported_by=world.a.worker, occurred_at=days_before(TODAY, days_ago))
    made = services.link_add(actor=world.a.officer, incident=inc, person=subject, identified_by="staff_knowledge")
    IncidentLink.objects.filter(pk=made.pk).update(created_at=days_before(TODAY, days_ago))
    return made


def test_the_review_flags_only_the_inactive_without_an_order_and_not_kept(world):
    idle = person(world, "Idle")
    old_link = person(world, "OldLink")
    linked(world, old_link, days_ago=380)
    recent = person(world, "Recent")
    linked(world, recent, days_ago=20)
    new = person(world, "New", created_days_ago=10)
    with_order = person(world, "Ordered")
    PersonOfInterest.objects.filter(pk=with_order.pk).update(offender=OffenderFactory(force=world.a.force))
    kept = person(world, "Kept")
    PersonOfInterest.objects.filter(pk=kept.pk).update(kept_until=TODAY + datetime.timedelta(days=5))
    withdrawn_only = person(world, "Withdrawn")
    services.link_withdraw(link=linked(world, withdrawn_only, days_ago=10), actor=world.a.officer, reason="Wrong")

    assert services.people_review(today=TODAY) == {"deleted": 0, "flagged": 3}

    due = TODAY + datetime.timedelta(days=settings.PEOPLE_REVIEW_GRACE_DAYS)
    flagged = dict(PersonOfInterest.objects.values_list("family_name", "review_due_on"))
    assert flagged == {
        "Idle": due,
        "OldLink": due,
        "Withdrawn": due,  # a withdrawn link is no linked incident
        "Recent": None,
        "New": None,
        "Ordered": None,
        "Kept": None,
    }
    assert {idle.pk, old_link.pk, withdrawn_only.pk} == set(
        PersonOfInterest.objects.filter(review_due_on=due).values_list("pk", flat=True)
    )
    assert services.people_review(today=TODAY) == {"deleted": 0, "flagged": 0}  # flagged once
    assert recent.pk and new.pk and kept.pk


def test_flagged_and_not_kept_is_deleted_after_the_grace_with_its_links_and_an_audit_row_without_the_name(world):
    idle = person(world, "Zebedee-Idle")
    old = linked(world, idle, days_ago=400)
    keep = person(world, "Keepme")
    assert services.people_review(today=TODAY)["flagged"] == 2
    services.person_keep(person=keep, actor=world.a.officer, reason="Suspect in an open investigation")
    day_before_due = TODAY + datetime.timedelta(days=settings.PEOPLE_REVIEW_GRACE_DAYS - 1)
    assert services.people_review(today=day_before_due)["deleted"] == 0

    due = TODAY + datetime.timedelta(days=settings.PEOPLE_REVIEW_GRACE_DAYS)
    assert services.people_review(today=due) == {"deleted": 1, "flagged": 0}

    assert not PersonOfInterest.objects.filter(pk=idle.pk).exists()
    assert not IncidentLink.objects.filter(pk=old.pk).exists()
    assert PersonOfInterest.objects.filter(pk=keep.pk, review_due_on=None).exists()  # kept
    event = PeopleEvent.objects.get(kind=PeopleEvent.Kind.PERSON_DELETED)
    assert event.person is None and event.actor is None
    assert event.details["person_id"] == idle.pk and event.details["links_deleted"] == 1
    assert "Zebedee" not in json.dumps(event.details)
    assert not any("Zebedee" in json.dumps(e.details) for e in PeopleEvent.objects.all())
    # The link's events outlive the person, without a name.
    assert PeopleEvent.objects.filter(kind=PeopleEvent.Kind.LINK_ADDED, incident=old.incident).exists()


def test_a_link_made_after_the_flag_saves_the_record(world):
    jamie = person(world)
    services.people_review(today=TODAY)
    jamie.refresh_from_db()
    assert jamie.review_due_on is not None
    services.link_add(
        actor=world.a.officer,
        incident=IncidentFactory(store=world.a.store, reported_by=world.a.worker),
        person=jamie,
        identified_by="cctv_viewed",
    )
    jamie.refresh_from_db()
    assert jamie.review_due_on is None
    due = TODAY + datetime.timedelta(days=settings.PEOPLE_REVIEW_GRACE_DAYS)
    assert services.people_review(today=due)["deleted"] == 0
    assert PersonOfInterest.objects.filter(pk=jamie.pk).exists()


def test_a_kept_record_comes_up_again_once_the_keep_runs_out(world, settings):
    jamie = person(world)
    services.person_keep(person=jamie, actor=world.a.officer, reason="Open investigation")
    jamie.refresh_from_db()
    assert services.people_review(today=jamie.kept_until)["flagged"] == 0
    assert services.people_review(today=jamie.kept_until + datetime.timedelta(days=1))["flagged"] == 1


def test_the_review_works_in_bounded_batches_and_deletes_draft_applications(world):
    people = [person(world, f"Batch{i}") for i in range(5)]
    CBOApplication.objects.create(
        force=world.a.force,
        person=people[0],
        period_from=TODAY - datetime.timedelta(days=800),
        period_to=TODAY - datetime.timedelta(days=500),
        created_at=days_before(TODAY, 500),
    )
    CBOApplication.objects.filter(person=people[0]).update(created_at=days_before(TODAY, 500))
    assert services.people_review_flag(today=TODAY, batch_size=2) == 5
    due = TODAY + datetime.timedelta(days=settings.PEOPLE_REVIEW_GRACE_DAYS)
    assert services.people_review_delete(today=due, batch_size=2) == 5
    assert not PersonOfInterest.objects.exists() and not CBOApplication.objects.exists()
    assert PeopleEvent.objects.filter(kind=PeopleEvent.Kind.PERSON_DELETED).count() == 5


def test_a_recent_application_is_activity(world):
    jamie = person(world)
    CBOApplication.objects.create(
        force=world.a.force, person=jamie, period_from=TODAY, period_to=TODAY
    )  # created now: after TODAY's cutoff
    assert services.people_review(today=TODAY)["flagged"] == 0


def test_the_nightly_task_runs_the_review_by_its_name_on_the_housekeeping_queue(world, settings):
    from celery.schedules import crontab

    from config.celery import app
    from people import tasks  # noqa: F401 - registers the task, as the worker's autodiscovery does

    settings.PEOPLE_REVIEW_AFTER_DAYS = 30
    settings.PEOPLE_REVIEW_GRACE_DAYS = 0
    jamie = services.person_create(actor=world.a.officer, given_names="Jamie", family_name="Reid")
    PersonOfInterest.objects.filter(pk=jamie.pk).update(created_at=timezone.now() - datetime.timedelta(days=40))
    kept = services.person_create(actor=world.a.officer, given_names="Kim", family_name="Kept")
    PersonOfInterest.objects.filter(pk=kept.pk).update(created_at=timezone.now() - datetime.timedelta(days=40))
    services.person_keep(person=kept, actor=world.a.officer, reason="Open investigation")

    name = "people.housekeeping_review"
    assert app.amqp.router.route({}, name)["queue"].name == "housekeeping"
    entry = settings.CELERY_BEAT_SCHEDULE["people-housekeeping-review"]
    assert entry["task"] == name and isinstance(entry["schedule"], crontab)
    assert entry["options"]["queue"] == "housekeeping"
    assert app.tasks[name].apply().get() == {"deleted": 0, "flagged": 1}
    assert app.tasks[name].apply().get() == {"deleted": 1, "flagged": 0}  # the grace is 0 days
    assert list(PersonOfInterest.objects.values_list("family_name", flat=True)) == ["Kept"]
