"""The two-stage review: every allowed transition, every forbidden one, and what each leaves behind."""

import pytest

from cases.models import Case, CaseDecision, CaseEvent, MatchFeedback
from cases.services import case_close, case_corroborate, case_review
from core.exceptions import ApplicationError
from incidents.models import Incident

pytestmark = pytest.mark.django_db


def review(case, user, same=True):
    return case_review(
        case=case, reviewer=user, same_person=same, reason="Same face shape and scar", consequence_acknowledged=True
    )


def corroborate(case, user, action="arrest"):
    return case_corroborate(
        case=case, officer=user, action=action, corroboration="Till receipt and staff ID", reason="Breach of CBO"
    )


def close(case, user):
    return case_close(case=case, officer=user, reason="Charged; file passed to CPS")


def test_confirm_corroborate_close_records_each_decision(world, breach_case):
    officer, admin = world.a.officer, world.a.admin
    case = review(breach_case, admin)
    assert case.status == Case.Status.CONFIRMED
    case = corroborate(case, officer)
    assert case.status == Case.Status.ACTIONED
    case = close(case, officer)
    assert case.status == Case.Status.CLOSED and case.closed_at
    decisions = list(case.decisions.values_list("stage", "outcome", "decided_by"))
    assert decisions == [
        ("review", "confirmed", admin.pk),
        ("corroboration", "arrest", officer.pk),
        ("closure", "closed", officer.pk),
    ]
    assert CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.STATUS_CHANGED).count() == 3
    # Closing a case does not close the incident: police do that on the incident page.
    assert Incident.objects.get(pk=case.incident_id).status == Incident.Status.RECEIVED


def test_reject_closes_the_case_and_keeps_feedback_without_images(world, breach_case):
    case = review(breach_case, world.a.officer, same=False)
    assert case.status == Case.Status.REJECTED and case.closed_at
    feedback = MatchFeedback.objects.get(case=case)
    assert feedback.same_person is False
    assert feedback.similarity == pytest.approx(case.best_similarity)
    assert {f.name for f in MatchFeedback._meta.fields}.isdisjoint({"crop", "image", "embedding"})


@pytest.mark.parametrize(
    "steps, attempt",
    [
        ([], "corroborate"),
        ([], "close"),
        (["review"], "review"),
        (["review"], "close"),
        (["review", "corroborate"], "review"),
        (["review", "corroborate"], "corroborate"),
        (["review", "corroborate", "close"], "review"),
        (["review", "corroborate", "close"], "corroborate"),
        (["review", "corroborate", "close"], "close"),
        (["reject"], "review"),
        (["reject"], "corroborate"),
        (["reject"], "close"),
    ],
)
def test_forbidden_transitions_are_409_and_change_nothing(world, breach_case, steps, attempt):
    user = world.a.officer
    do = {
        "review": lambda c: review(c, user),
        "reject": lambda c: review(c, user, same=False),
        "corroborate": lambda c: corroborate(c, world.a.admin),  # not the officer who confirmed
        "close": lambda c: close(c, user),
    }
    case = breach_case
    for step in steps:
        case = do[step](case)
    before = (case.status, CaseDecision.objects.count(), CaseEvent.objects.count())
    with pytest.raises(ApplicationError) as err:
        do[attempt](case)
    assert err.value.status_code == 409 and err.value.code == "invalid_transition"
    case.refresh_from_db()
    assert (case.status, CaseDecision.objects.count(), CaseEvent.objects.count()) == before


def test_decision_needs_a_reason(world, breach_case):
    events = CaseEvent.objects.count()
    with pytest.raises(ApplicationError) as err:
        case_review(
            case=breach_case, reviewer=world.a.officer, same_person=True, reason="  ", consequence_acknowledged=True
        )
    assert "reason" in err.value.fields
    assert not CaseDecision.objects.exists() and not MatchFeedback.objects.exists()
    assert CaseEvent.objects.count() == events


def test_unknown_action_is_refused(world, breach_case):
    case = review(breach_case, world.a.officer)
    before = (CaseDecision.objects.count(), CaseEvent.objects.count())
    with pytest.raises(ApplicationError) as err:
        corroborate(case, world.a.officer, action="caution_by_text")
    assert "action" in err.value.fields
    assert Case.objects.get(pk=case.pk).status == Case.Status.CONFIRMED
    assert (CaseDecision.objects.count(), CaseEvent.objects.count()) == before


def test_a_stage_cannot_be_decided_twice_even_bypassing_the_service(world, breach_case):
    from django.db import IntegrityError, transaction

    review(breach_case, world.a.officer)
    with pytest.raises(IntegrityError), transaction.atomic():
        CaseDecision.objects.create(
            case=breach_case, stage="review", outcome="rejected", reason="overwrite", decided_by=world.a.admin
        )


def test_rejected_match_crop_is_deleted_after_retention_but_feedback_stays(world, breach_case, settings):
    from datetime import timedelta

    from django.utils import timezone

    from cases.services import rejected_crops_purge

    settings.CASES_REJECTED_CROP_RETENTION_DAYS = 30
    case = review(breach_case, world.a.officer, same=False)
    crop_path = case.best_match.crop.path
    assert rejected_crops_purge(now=timezone.now() + timedelta(days=29)) == 0  # inside the limit
    assert rejected_crops_purge(now=timezone.now() + timedelta(days=31)) == 1
    case.best_match.refresh_from_db()
    assert not case.best_match.crop
    import os

    assert not os.path.exists(crop_path)
    assert MatchFeedback.objects.filter(case=case, same_person=False).count() == 1
    assert CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.CROP_PURGED).count() == 1


def test_confirmed_case_crop_is_kept(world, breach_case):
    from datetime import timedelta

    from django.utils import timezone

    from cases.services import rejected_crops_purge

    review(breach_case, world.a.officer)
    assert rejected_crops_purge(now=timezone.now() + timedelta(days=400)) == 0


def test_retention_task_runs_the_purge(world, breach_case, settings):
    from datetime import timedelta

    from django.utils import timezone

    from cases.tasks import cases_retention_task

    settings.CASES_REJECTED_CROP_RETENTION_DAYS = 0
    case = review(breach_case, world.a.officer, same=False)
    Case.objects.filter(pk=case.pk).update(closed_at=timezone.now() - timedelta(days=1))
    assert cases_retention_task.delay().get() == 1
