"""Need to know: a beat officer opens only the cases of the beats they cover, a force admin every case of
the force, and a force admin reassigns a case to another beat (a reason, a case event; the admin's action)."""

import pytest

from accounts.models import Beat
from cases import selectors
from cases.models import Case, CaseEvent
from cases.services import case_justify, case_raise_for_match, case_reassign
from core.exceptions import ApplicationError
from tests.cases.factories import evidence_on, incident_at, offender_barred_from, possible_match
from tests.conftest import client_for, signed_in
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def south_officer(world):
    """An officer of force A who covers only A South (the breach case is in A North)."""
    return UserFactory(username="A-south-officer", role="beat_officer", force=world.a.force, beats=[world.a.other_beat])


def opens(user, case: Case) -> int:
    client = client_for(user)
    client.post(f"/api/cases/{case.pk}/justification/", {"justification": "Triage of retail crime on my beat"})
    return client.get(f"/api/cases/{case.pk}/").status_code


def test_officer_of_another_beat_of_the_force_cannot_open_the_case(world, breach_case, south_officer):
    assert opens(world.a.officer, breach_case) == 200
    assert opens(world.a.admin, breach_case) == 200
    assert opens(south_officer, breach_case) == 404  # as a case that does not exist
    assert not breach_case.accesses.filter(user=south_officer).exists()  # not even a justification
    assert signed_in(south_officer).get(f"/cases/{breach_case.pk}/").status_code == 404
    assert list(selectors.cases_for(south_officer)) == []


def test_officer_covering_both_beats_opens_both(world, south_officer):
    a = world.a
    offender, _, _ = offender_barred_from(a.sibling_store)
    south_case = case_raise_for_match(
        match=possible_match(evidence_on(incident_at(a.sibling_store, a.worker)), offender)
    )
    both = UserFactory(role="beat_officer", force=a.force, beats=[a.beat, a.other_beat])
    assert opens(both, south_case) == 200
    assert opens(south_officer, south_case) == 200
    assert opens(a.officer, south_case) == 404


def test_queue_and_cases_for_agree(world, breach_case, south_officer):
    for user in (world.a.officer, world.a.admin, south_officer, world.b.officer, world.b.admin, world.a.worker):
        assert set(selectors.queue_scope(user)) == set(selectors.cases_for(user)), user


def test_admin_reassigns_a_case_with_a_reason_and_the_beats_follow(world, breach_case, south_officer):
    a = world.a
    case_reassign(case=breach_case, actor=a.admin, beat=a.other_beat, reason="Suspect lives in A South")
    breach_case.refresh_from_db()
    assert breach_case.beat == a.other_beat
    assert opens(south_officer, breach_case) == 200
    assert opens(a.officer, breach_case) == 404
    event = breach_case.events.get(kind=CaseEvent.Kind.REASSIGNED)
    assert event.actor == a.admin
    assert event.details == {
        "from": a.beat.pk,
        "from_name": "A North",
        "to": a.other_beat.pk,
        "to_name": "A South",
        "reason": "Suspect lives in A South",
    }
    ids = [row["id"] for row in client_for(south_officer).get("/api/cases/").json()["results"]]
    assert ids == [breach_case.pk]


@pytest.mark.parametrize("who", ["officer", "worker", "b_admin"])
def test_only_a_force_admin_of_the_case_force_reassigns(world, breach_case, who):
    actor = world.b.admin if who == "b_admin" else getattr(world.a, who)
    with pytest.raises(ApplicationError) as refused:
        case_reassign(case=breach_case, actor=actor, beat=world.a.other_beat, reason="I want this case")
    assert refused.value.status_code == 403
    breach_case.refresh_from_db()
    assert breach_case.beat == world.a.beat
    assert not breach_case.events.filter(kind=CaseEvent.Kind.REASSIGNED).exists()


def test_another_forces_beat_is_refused_as_one_that_does_not_exist(world, breach_case):
    answers = []
    for beat in (world.b.beat, Beat(pk=world.b.beat.pk + 10_000, force_id=None)):
        with pytest.raises(ApplicationError) as refused:
            case_reassign(case=breach_case, actor=world.a.admin, beat=beat, reason="Move it over there")
        answers.append((refused.value.status_code, refused.value.code, refused.value.fields))
        assert str(beat.pk) in refused.value.message
    assert answers[0] == answers[1]
    assert not breach_case.events.filter(kind=CaseEvent.Kind.REASSIGNED).exists()


@pytest.mark.parametrize(
    ("beat_attr", "reason", "field"),
    [("other_beat", "", "reason"), ("other_beat", "why", "reason"), ("beat", "Already there though", "beat")],
)
def test_reassign_needs_a_reason_and_another_beat(world, breach_case, beat_attr, reason, field):
    with pytest.raises(ApplicationError) as refused:
        case_reassign(case=breach_case, actor=world.a.admin, beat=getattr(world.a, beat_attr), reason=reason)
    assert refused.value.status_code == 400 and field in refused.value.fields
    assert not breach_case.events.filter(kind=CaseEvent.Kind.REASSIGNED).exists()


def test_justifications_stay_with_the_officer_but_open_nothing_after_a_reassignment(world, breach_case):
    a = world.a
    case_justify(case=breach_case, user=a.officer, justification="Triage of my beat's retail cases")
    case_reassign(case=breach_case, actor=a.admin, beat=a.other_beat, reason="Suspect lives in A South")
    assert client_for(a.officer).get(f"/api/cases/{breach_case.pk}/images/cctv/").status_code == 404


# The admin's action ---------------------------------------------------------------------------------


def reassign_post(case: Case, beat_id, reason: str = "Suspect lives in A South") -> dict:
    return {"action": "reassign", "_selected_action": [case.pk], "beat": beat_id, "reason": reason, "index": 0}


def test_admin_action_reassigns_and_offers_only_the_forces_beats(world, breach_case):
    a, client = world.a, signed_in(world.a.admin)
    page = client.get("/admin/cases/case/").content.decode()
    assert 'name="beat"' in page and "A South" in page and "B South" not in page and "B North" not in page
    response = client.post("/admin/cases/case/", reassign_post(breach_case, a.other_beat.pk), follow=True)
    assert "Reassigned to beat A South: case" in response.content.decode()
    breach_case.refresh_from_db()
    assert breach_case.beat == a.other_beat
    assert breach_case.events.get(kind=CaseEvent.Kind.REASSIGNED).details["reason"] == "Suspect lives in A South"


def test_admin_action_refuses_another_forces_beat_as_an_unknown_one(world, breach_case):
    client = signed_in(world.a.admin)
    answers = [
        client.post("/admin/cases/case/", reassign_post(breach_case, beat_id), follow=True).content.decode()
        for beat_id in (world.b.beat.pk, 999_999, "9" * 40, "x")
    ]
    assert all("Choose the beat to reassign the cases to." in html for html in answers)
    breach_case.refresh_from_db()
    assert breach_case.beat == world.a.beat
    assert not breach_case.events.filter(kind=CaseEvent.Kind.REASSIGNED).exists()


def test_admin_action_without_a_reason_changes_nothing_and_says_why(world, breach_case):
    response = signed_in(world.a.admin).post(
        "/admin/cases/case/", reassign_post(breach_case, world.a.other_beat.pk, reason=""), follow=True
    )
    assert f"Case {breach_case.pk} not reassigned: Give the reason for this decision." in response.content.decode()
    breach_case.refresh_from_db()
    assert breach_case.beat == world.a.beat


def test_admin_beat_filter_lists_only_beats_of_the_forces_cases(world, breach_case):
    for side in (world.a, world.b):
        offender, _, _ = offender_barred_from(side.sibling_store)
        incident = incident_at(side.sibling_store, side.worker)
        case_raise_for_match(match=possible_match(evidence_on(incident), offender))
    html = signed_in(world.a.admin).get("/admin/cases/case/").content.decode()
    assert f"beat__id__exact={world.a.beat.pk}" in html and f"beat__id__exact={world.a.other_beat.pk}" in html
    assert f"beat__id__exact={world.b.other_beat.pk}" not in html
