"""Raising cases from possible matches: one per incident and person, breach check, ordering."""

import datetime

import pytest

from cases.models import Case, CaseEvent
from cases.selectors import triage_queue
from cases.services import case_raise_for_match
from incidents.models import Incident
from tests.cases.factories import AT, evidence_on, incident_at, offender_barred_from, possible_match
from tests.orders.factories import OffenderFactory, OrderFactory

pytestmark = pytest.mark.django_db


def test_match_at_prohibited_store_raises_one_breach_case_naming_order_and_prohibition(world):
    a = world.a
    offender, order, prohibition = offender_barred_from(a.store)
    incident = incident_at(a.store, a.worker)
    case = case_raise_for_match(match=possible_match(evidence_on(incident), offender))
    assert case.is_breach
    assert (case.breach_order, case.breach_prohibition) == (order, prohibition)
    assert (case.force, case.beat, case.status) == (a.force, a.beat, Case.Status.AWAITING_REVIEW)
    assert CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.RAISED).count() == 1
    incident.refresh_from_db()
    assert incident.status == Incident.Status.RECEIVED  # staff must not learn from it that a face matched


def test_match_at_store_the_order_does_not_cover_is_not_a_breach(world):
    a = world.a
    offender, _, _ = offender_barred_from(a.sibling_store)
    case = case_raise_for_match(match=possible_match(evidence_on(incident_at(a.store, a.worker)), offender))
    assert not case.is_breach and case.breach_order is None and case.breach_prohibition is None


def test_order_not_yet_served_is_not_a_breach(world):
    a = world.a
    offender, _, _ = offender_barred_from(a.store, served_on=datetime.date(2026, 6, 1))
    case = case_raise_for_match(match=possible_match(evidence_on(incident_at(a.store, a.worker)), offender))
    assert not case.is_breach


def test_second_file_of_same_incident_adds_to_the_same_case(world):
    a = world.a
    offender, _, _ = offender_barred_from(a.store)
    incident = incident_at(a.store, a.worker)
    first = case_raise_for_match(match=possible_match(evidence_on(incident, name="a.jpg"), offender, similarity=0.94))
    better = possible_match(evidence_on(incident, data=b"\xff\xd8other", name="b.jpg"), offender, similarity=0.97)
    second = case_raise_for_match(match=better)
    assert first.pk == second.pk and Case.objects.count() == 1
    second.refresh_from_db()
    assert second.best_match == better and second.best_similarity == pytest.approx(0.97)
    assert CaseEvent.objects.filter(case=first, kind=CaseEvent.Kind.MATCH_ADDED).count() == 1


def test_rerunning_the_same_match_never_duplicates(world):
    a = world.a
    offender, _, _ = offender_barred_from(a.store)
    match = possible_match(evidence_on(incident_at(a.store, a.worker)), offender)
    for _ in range(3):
        case_raise_for_match(match=match)
    assert Case.objects.count() == 1
    assert CaseEvent.objects.count() == 1


def test_two_people_in_one_incident_are_two_cases(world):
    a = world.a
    evidence = evidence_on(incident_at(a.store, a.worker))
    for _ in range(2):
        offender = OffenderFactory(force=a.force)
        OrderFactory(offender=offender)
        case_raise_for_match(match=possible_match(evidence, offender))
    assert Case.objects.count() == 2


def test_queue_ranks_breaches_first_then_priority_then_age(world):
    a = world.a
    plain_p1 = OffenderFactory(force=a.force)
    OrderFactory(offender=plain_p1)
    barred, _, _ = offender_barred_from(a.store)
    old_p3 = case_raise_for_match(match=possible_match(evidence_on(incident_at(a.store, a.worker)), plain_p1))
    p1 = case_raise_for_match(
        match=possible_match(evidence_on(incident_at(a.store, a.worker, priority="P1")), plain_p1)
    )
    breach_p3 = case_raise_for_match(match=possible_match(evidence_on(incident_at(a.store, a.worker)), barred))
    newer_p3 = case_raise_for_match(
        match=possible_match(evidence_on(incident_at(a.store, a.worker, at=AT + datetime.timedelta(hours=1))), plain_p1)
    )
    assert list(triage_queue(a.admin)) == [breach_p3, p1, old_p3, newer_p3]


def test_queue_of_officer_covers_only_their_beats(world):
    a = world.a
    offender, _, _ = offender_barred_from(a.sibling_store)
    case = case_raise_for_match(match=possible_match(evidence_on(incident_at(a.sibling_store, a.worker)), offender))
    assert case.beat == a.other_beat
    assert list(triage_queue(a.officer)) == []  # covers a.beat only
    assert list(triage_queue(a.admin)) == [case]  # force-wide
    assert list(triage_queue(world.b.admin)) == []  # another force


def test_a_second_integrity_error_is_raised_not_an_unbound_case(world, monkeypatch):
    """After two integrity errors the retry loop fell through to ``return case`` with ``case`` never
    assigned: an UnboundLocalError instead of the database's error."""
    from django.db import IntegrityError

    import cases.services

    a = world.a
    offender, _, _ = offender_barred_from(a.store)
    match = possible_match(evidence_on(incident_at(a.store, a.worker)), offender)
    tries = []

    def collide(*, match, incident):
        tries.append(match)
        raise IntegrityError("duplicate key value violates unique constraint case_one_per_incident_person")

    monkeypatch.setattr(cases.services, "_raise_or_extend", collide)
    with pytest.raises(IntegrityError):
        case_raise_for_match(match=match)
    assert len(tries) == 2 and not Case.objects.exists() and not CaseEvent.objects.exists()


def test_one_integrity_error_is_tried_again(world, monkeypatch):
    """A concurrent worker raised the same case first: the first try's savepoint is rolled back and the
    second try finds (here: writes) the case."""
    from django.db import IntegrityError

    import cases.services

    a = world.a
    offender, _, _ = offender_barred_from(a.store)
    match = possible_match(evidence_on(incident_at(a.store, a.worker)), offender)
    real, tries = cases.services._raise_or_extend, []

    def collide_once(*, match, incident):
        tries.append(match)
        if len(tries) == 1:
            raise IntegrityError("duplicate key value violates unique constraint case_one_per_incident_person")
        return real(match=match, incident=incident)

    monkeypatch.setattr(cases.services, "_raise_or_extend", collide_once)
    case = case_raise_for_match(match=match)
    assert len(tries) == 2 and Case.objects.get() == case and case.best_match == match
    assert list(CaseEvent.objects.values_list("kind", flat=True)) == ["raised"]
