"""Case events: one writer per kind, and each worded once for people (admin history, evidence pack)."""

import pytest

from cases import events
from cases.models import Case, CaseEvent
from cases.services import case_review

pytestmark = pytest.mark.django_db


def test_each_writer_records_its_kind_actor_and_details(world, breach_case):
    match, officer = breach_case.best_match, world.a.officer
    written = [
        events.case_raised_event(case=breach_case, match=match),
        events.match_added_event(case=breach_case, match=match),
        events.status_changed_event(case=breach_case, actor=officer, old="awaiting_review", new="confirmed"),
        events.pack_built_event(case=breach_case, actor=officer, exhibits=2),
        events.crop_purged_event(case=breach_case, match_id=match.pk),
        events.case_reassigned_event(
            case=breach_case, actor=world.a.admin, old_beat=world.a.beat, new_beat=world.a.other_beat, reason="Moved"
        ),
    ]
    assert [e.kind for e in written] == list(CaseEvent.Kind.values)
    assert [e.actor for e in written] == [None, None, officer, officer, None, world.a.admin]
    assert written[0].details == {
        "match": match.pk,
        "evidence": match.evidence_id,
        "similarity": round(match.similarity, 4),
        "frame_time_s": None,
    }
    assert written[3].details == {"exhibits": 2}
    assert written[5].details == {
        "from": world.a.beat.pk,
        "from_name": "A North",
        "to": world.a.other_beat.pk,
        "to_name": "A South",
        "reason": "Moved",
    }


def test_describe_words_every_kind(world, breach_case):
    match = breach_case.best_match
    CaseEvent.objects.all().delete()
    events.case_raised_event(case=breach_case, match=match)
    case_review(
        case=breach_case,
        reviewer=world.a.officer,
        same_person=True,
        reason="Same scar and build",
        consequence_acknowledged=True,
    )
    events.pack_built_event(case=breach_case, actor=world.a.officer, exhibits=1)
    events.crop_purged_event(case=breach_case, match_id=match.pk)
    events.case_reassigned_event(
        case=breach_case, actor=world.a.admin, old_beat=world.a.beat, new_beat=world.a.other_beat, reason="Shift"
    )
    words = [events.describe(e) for e in Case.objects.get(pk=breach_case.pk).events.all()]
    assert words == [
        f"Case raised from a possible match: similarity {match.similarity:.3f} in exhibit {match.evidence_id}",
        "Status changed from 'Awaiting review' to 'Match confirmed, awaiting corroboration'",
        "Evidence pack built (1 exhibit verified against their upload hashes)",
        f"Face crop of match {match.pk} deleted (rejected match)",
        "Reassigned from beat 'A North' to 'A South': Shift",
    ]


def test_case_admin_shows_the_history_in_those_words(world, breach_case, client):
    from django.contrib.admin.sites import site

    from cases.admin import CaseEventInline

    inline = CaseEventInline(Case, site)
    raised = breach_case.events.get()
    assert inline.what(raised) == events.describe(raised)
