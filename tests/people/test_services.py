"""People services and selectors on real PostgreSQL: persons of interest, links made and withdrawn by officers
(each audited), the access rules, the persistent ranking and the chronology."""

import datetime
from decimal import Decimal

import pytest

from cases.services import case_raise_for_match, case_review
from core.exceptions import ApplicationError
from incidents.models import Incident
from people import selectors, services
from people.models import IncidentLink, PeopleEvent, PersonOfInterest
from tests.cases.factories import evidence_on, incident_at, offender_barred_from, possible_match
from tests.incidents.factories import IncidentFactory
from tests.orders.factories import OffenderFactory, valid_pnc

pytestmark = pytest.mark.django_db

SINCE, UNTIL = datetime.date(2026, 1, 1), datetime.date(2026, 6, 30)


def at(month: int, day: int) -> datetime.datetime:
    return datetime.datetime(2026, month, day, 15, 0, tzinfo=datetime.UTC)


def incident(store, reporter, when, **kwargs) -> Incident:
    return IncidentFactory(store=store, reported_by=reporter, occurred_at=when, **kwargs)


def person(actor, given="Jamie", family="Reid", **kwargs) -> PersonOfInterest:
    return services.person_create(actor=actor, given_names=given, family_name=family, **kwargs)


def link(actor, inc, subject, how="staff_knowledge", **kwargs) -> IncidentLink:
    key = "offender" if subject.__class__.__name__ == "Offender" else "person"
    return services.link_add(actor=actor, incident=inc, identified_by=how, **{key: subject}, **kwargs)


@pytest.fixture
def three_at_two_stores(world):
    """An officer of force A links three incidents at two stores (two retailers) of their beat to a person."""
    a = world.a
    jamie = person(a.officer)
    incidents = [
        incident(a.store, a.worker, at(2, 10), goods_value=Decimal("25.50")),
        incident(a.other_retailer_store, a.worker, at(4, 20), category=Incident.Category.PHYSICAL_ASSAULT),
        incident(a.store, a.worker, at(5, 15), weapon=True, goods_value=Decimal("100.00")),
    ]
    links = [link(a.officer, inc, jamie, role="suspect") for inc in incidents]
    return jamie, incidents, links


def test_an_officer_links_three_incidents_at_two_stores_and_the_ranking_ranks_them(world, three_at_two_stores):
    a = world.a
    jamie, incidents, _ = three_at_two_stores
    once = person(a.officer, "Sam", "Other")
    link(a.officer, incident(a.store, a.worker, at(3, 1), goods_value=Decimal("999")), once, how="cctv_viewed")
    twice = person(a.officer, "Alex", "Twice")
    for when in (at(1, 5), at(1, 6)):
        link(a.officer, incident(a.store, a.worker, when), twice, how="arrested_at_scene")

    rows = selectors.persistent_ranking(a.officer, since=SINCE, until=UNTIL)

    assert [row.subject for row in rows] == [jamie, twice, once]
    top = rows[0]
    assert (top.incidents, top.violent_or_threatening, top.stores, top.retailers) == (3, 2, 2, 2)
    assert top.goods_value == Decimal("125.50")
    assert (top.earlier_half, top.later_half, top.trend) == (1, 2, "up")
    assert top.persistent and not rows[1].persistent and not rows[2].persistent
    assert top.subject_key == f"person-{jamie.pk}"
    assert rows[1].trend == "down"
    assert top.first_incident_at == incidents[0].occurred_at and top.last_incident_at == incidents[2].occurred_at
    # A period that leaves out the first incident counts two.
    later = selectors.persistent_ranking(a.officer, since=datetime.date(2026, 3, 1), until=UNTIL)
    assert [(r.subject, r.incidents) for r in later][:1] == [(jamie, 2)]


def test_the_threshold_is_a_setting(world, three_at_two_stores, settings):
    settings.PEOPLE_PERSISTENT_MIN_INCIDENTS = 4
    (row,) = selectors.persistent_ranking(world.a.officer, since=SINCE, until=UNTIL)
    assert row.incidents == 3 and not row.persistent
    settings.PEOPLE_PERSISTENT_MIN_INCIDENTS = 3
    settings.PEOPLE_PERSISTENT_PERIOD_DAYS = 60  # only the last 60 days up to `until` count for the marker
    (row,) = selectors.persistent_ranking(world.a.officer, since=SINCE, until=UNTIL)
    assert row.incidents == 3 and not row.persistent


def test_the_ranking_counts_only_the_links_the_user_may_see(world, three_at_two_stores):
    a, b = world.a, world.b
    jamie = three_at_two_stores[0]
    # The force admin links an incident in the beat the officer does not cover.
    link(a.admin, incident(a.sibling_store, a.worker, at(6, 1)), jamie, how="cctv_viewed")
    (officer_row,) = selectors.persistent_ranking(a.officer, since=SINCE, until=UNTIL)
    (admin_row,) = selectors.persistent_ranking(a.admin, since=SINCE, until=UNTIL)
    assert (officer_row.incidents, admin_row.incidents) == (3, 4)
    assert selectors.persistent_ranking(b.officer, since=SINCE, until=UNTIL) == []
    assert selectors.persistent_ranking(b.admin, since=SINCE, until=UNTIL) == []
    assert selectors.persistent_ranking(a.worker, since=SINCE, until=UNTIL) == []
    assert list(selectors.chronology(jamie, a.officer)) == list(selectors.chronology(jamie, a.admin))[:3]


def test_withdrawing_a_link_leaves_an_audit_row_and_removes_it_from_chronology(world, three_at_two_stores):
    a = world.a
    jamie, incidents, links = three_at_two_stores
    assert [x.incident for x in selectors.chronology(jamie, a.officer)] == incidents

    services.link_withdraw(link=links[1], actor=a.officer, reason="CCTV shows a different man")

    assert [x.incident for x in selectors.chronology(jamie, a.officer)] == [incidents[0], incidents[2]]
    assert selectors.subject_links(jamie, a.officer).count() == 3  # still on record
    event = PeopleEvent.objects.get(kind=PeopleEvent.Kind.LINK_WITHDRAWN)
    assert (event.actor, event.incident, event.person) == (a.officer, incidents[1], jamie)
    assert event.details["reason"] == "CCTV shows a different man"
    assert PeopleEvent.objects.filter(kind=PeopleEvent.Kind.LINK_ADDED, person=jamie).count() == 3
    (row,) = selectors.persistent_ranking(a.officer, since=SINCE, until=UNTIL)
    assert row.incidents == 2
    with pytest.raises(ApplicationError) as err:
        services.link_withdraw(link=links[1], actor=a.officer, reason="again")
    assert err.value.status_code == 409 and err.value.code == "already_withdrawn"
    with pytest.raises(ApplicationError) as err:
        services.link_withdraw(link=links[0], actor=a.officer, reason="  ")
    assert err.value.code == "reason_required"
    # Withdrawn, the incident may be linked again.
    assert link(a.officer, incidents[1], jamie, how="cctv_viewed").is_active


def test_a_duplicate_active_link_is_refused_naming_the_first(world, three_at_two_stores):
    a = world.a
    jamie, incidents, links = three_at_two_stores
    with pytest.raises(ApplicationError) as err:
        link(a.admin, incidents[0], jamie, how="cctv_viewed")
    assert err.value.status_code == 409 and err.value.code == "duplicate_link"
    assert f"link {links[0].pk}" in err.value.message and incidents[0].reference in err.value.message


def test_who_may_link_what(world):
    a, b = world.a, world.b
    jamie = person(a.officer)
    uncovered = incident(a.sibling_store, a.worker, at(2, 2))  # force A, a beat the officer does not cover
    other_force = incident(b.store, b.worker, at(2, 2))
    for actor, inc, subject in (
        (a.officer, uncovered, jamie),
        (a.officer, other_force, jamie),
        (a.admin, other_force, jamie),
        (b.officer, other_force, jamie),  # B's incident, A's person
        (a.worker, incident(a.store, a.worker, at(2, 3)), jamie),
    ):
        with pytest.raises(ApplicationError) as err:
            link(actor, inc, subject)
        assert err.value.status_code == 404, (actor, inc)
    assert link(a.admin, uncovered, jamie).created_by == a.admin
    with pytest.raises(ApplicationError) as err:
        services.link_add(actor=a.officer, incident=uncovered, identified_by="staff_knowledge")
    assert err.value.code == "subject_required"
    with pytest.raises(ApplicationError) as err:
        person(a.worker)
    assert err.value.status_code == 404
    assert not IncidentLink.objects.filter(incident=other_force).exists()


def test_confirmed_case_needs_a_case_a_reviewer_confirmed_for_that_incident_and_offender(world):
    a = world.a
    offender, _, _ = offender_barred_from(a.store)
    inc = incident_at(a.store, a.worker)
    case = case_raise_for_match(match=possible_match(evidence_on(inc), offender))
    with pytest.raises(ApplicationError) as err:
        link(a.officer, inc, offender, how="confirmed_case")
    assert err.value.code == "case_required"
    with pytest.raises(ApplicationError) as err:
        link(a.officer, inc, offender, how="confirmed_case", case=case)
    assert err.value.code == "case_not_confirmed" and "No reviewer has confirmed" in err.value.message
    other = OffenderFactory(force=a.force)
    case_review(case=case, reviewer=a.admin, same_person=True, reason="Same scar", consequence_acknowledged=True)
    with pytest.raises(ApplicationError) as err:
        link(a.officer, inc, other, how="confirmed_case", case=case)
    assert err.value.code == "case_not_confirmed"
    with pytest.raises(ApplicationError) as err:
        link(a.officer, inc, offender, how="staff_knowledge", case=case)
    assert err.value.code == "invalid"
    made = link(a.officer, inc, offender, how="confirmed_case", case=case)
    assert made.case == case and made.subject == offender
    assert list(selectors.chronology(offender, a.officer)) == [made]


def test_a_person_and_the_offender_record_an_order_made_of_them_are_one_person(world):
    a = world.a
    jamie = person(a.officer)
    first = link(a.officer, incident(a.store, a.worker, at(2, 1)), jamie)
    offender = OffenderFactory(force=a.force)
    PersonOfInterest.objects.filter(pk=jamie.pk).update(offender=offender)
    jamie.refresh_from_db()
    second = link(a.officer, incident(a.store, a.worker, at(3, 1)), offender)
    assert list(selectors.chronology(offender, a.officer)) == [first, second]
    assert list(selectors.chronology(jamie, a.officer)) == [first, second]
    with pytest.raises(ApplicationError) as err:
        link(a.officer, first.incident, offender)  # already linked through the person-of-interest record
    assert err.value.code == "duplicate_link"
    (row,) = selectors.persistent_ranking(a.officer, since=SINCE, until=UNTIL)
    assert row.offender == offender and row.person is None and row.incidents == 2


def test_person_create_checks_the_pnc_id_and_update_is_audited(world):
    a = world.a
    with pytest.raises(ApplicationError) as err:
        person(a.officer, pnc_id="2009/0012345X")
    assert err.value.code == "invalid_pnc_id" and "check letter" in err.value.message
    with pytest.raises(ApplicationError) as err:
        person(a.officer, given="  ")
    assert err.value.code == "required" and "given_names" in err.value.fields
    with pytest.raises(ApplicationError) as err:
        person(a.officer, date_of_birth=datetime.date(2999, 1, 1))
    assert err.value.code == "date_of_birth_invalid"
    pnc = valid_pnc(9, 12345)
    jamie = person(a.officer, pnc_id=pnc.replace("2009/00", "09/"), date_of_birth=datetime.date(2010, 1, 2))
    assert jamie.pnc_id == pnc and jamie.force == a.force and jamie.created_by == a.officer
    with pytest.raises(ApplicationError) as err:
        person(a.admin, "Other", "Person", pnc_id=pnc)
    assert err.value.status_code == 409 and err.value.code == "duplicate_pnc_id"
    offender = OffenderFactory(force=a.force, pnc_id=valid_pnc(11, 777))
    with pytest.raises(ApplicationError) as err:
        person(a.admin, "Other", "Person", pnc_id=offender.pnc_id)
    assert err.value.code == "duplicate_pnc_id" and f"Offender {offender.pk}" in err.value.message
    person(world.b.officer, pnc_id=pnc)  # another force may hold the same PNC ID
    services.person_update(person=jamie, actor=a.admin, description="Red cap, limps", family_name="Reid")
    event = PeopleEvent.objects.get(kind=PeopleEvent.Kind.PERSON_UPDATED)
    assert event.details == {"fields": ["description"]} and event.actor == a.admin
    assert PeopleEvent.objects.filter(kind=PeopleEvent.Kind.PERSON_CREATED, person=jamie).exists()
    with pytest.raises(ApplicationError) as err:
        services.person_update(person=jamie, actor=world.b.admin, description="x")
    assert err.value.status_code == 404


def test_keep_needs_a_reason_and_keeps_for_another_review_period(world, settings):
    from django.utils import timezone

    jamie = person(world.a.officer)
    PersonOfInterest.objects.filter(pk=jamie.pk).update(review_due_on=datetime.date(2026, 12, 1))
    with pytest.raises(ApplicationError) as err:
        services.person_keep(person=jamie, actor=world.a.officer, reason="")
    assert err.value.code == "reason_required"
    kept = services.person_keep(person=jamie, actor=world.a.officer, reason="Investigation still open")
    assert kept.review_due_on is None and kept.keep_reason == "Investigation still open"
    assert kept.kept_until == timezone.localdate() + datetime.timedelta(days=settings.PEOPLE_REVIEW_AFTER_DAYS)
    event = PeopleEvent.objects.get(kind=PeopleEvent.Kind.PERSON_KEPT)
    assert event.details["reason"] == "Investigation still open"


def test_the_ranking_is_aggregate_queries_not_one_per_person(world, django_assert_max_num_queries):
    a = world.a
    for i in range(12):
        subject = person(a.officer, "Many", f"Person{i}") if i % 2 else OffenderFactory(force=a.force)
        for day in range(1, 1 + i % 4 + 1):
            link(a.officer, incident(a.store, a.worker, at(3, day + i)), subject)
    with django_assert_max_num_queries(4):
        rows = selectors.persistent_ranking(a.admin, since=SINCE, until=UNTIL)
        names = [row.subject.family_name for row in rows]
    assert len(rows) == 12 and len(set(names)) == 12
    assert [row.incidents for row in rows] == sorted((row.incidents for row in rows), reverse=True)


def test_events_are_worded_for_people(world, three_at_two_stores):
    from people.events import describe

    jamie, incidents, links = three_at_two_stores
    services.link_withdraw(link=links[0], actor=world.a.officer, reason="Wrong man")
    services.person_keep(person=jamie, actor=world.a.officer, reason="Open investigation")
    words = [describe(e) for e in PeopleEvent.objects.order_by("created_at", "id")]
    assert words[0] == "Person of interest recorded"
    assert words[1] == f"Incident {incidents[0].reference} linked (Staff know them)"
    assert f"Link to incident {incidents[0].reference} withdrawn: Wrong man" in words
    assert words[-1].startswith("Kept after review until ") and words[-1].endswith(": Open investigation")
