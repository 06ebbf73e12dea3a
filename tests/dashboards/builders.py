"""Rows for home-page tests: incidents at a given age, cases in a given state, failed files."""

import datetime

from django.utils import timezone

from cases.models import Case, CaseDecision
from incidents.models import Incident
from recognition.models import EvidenceProcessing
from tests.cases.factories import evidence_on
from tests.incidents.factories import IncidentFactory
from tests.orders.factories import OffenderFactory


def incident(store, reporter, *, priority="P3", status=Incident.Status.RECEIVED, minutes_ago=0, **kwargs) -> Incident:
    target = {"P1": 15, "P2": 240, "P3": 2880}[priority]
    made = IncidentFactory(
        store=store, reported_by=reporter, priority=priority, status=status, response_target_minutes=target, **kwargs
    )
    if minutes_ago:
        when = timezone.now() - datetime.timedelta(minutes=minutes_ago)
        Incident.objects.filter(pk=made.pk).update(created_at=when, occurred_at=when)
        made.refresh_from_db()
    return made


def case(
    store,
    reporter,
    *,
    status=Case.Status.AWAITING_REVIEW,
    breach=False,
    hours_ago=0,
    reviewed_hours_ago=None,
    offender=None,
    order=None,
    reviewer=None,
) -> Case:
    """A case row at ``store`` raised ``hours_ago``; a review decision when its status is past review."""
    inc = incident(store, reporter, minutes_ago=int(hours_ago * 60) + 5)
    made = Case.objects.create(
        incident=inc,
        offender=offender or OffenderFactory(force=store.beat.force),
        force=store.beat.force,
        beat=store.beat,
        store=store,
        incident_priority=inc.priority,
        status=status,
        is_breach=breach,
        breach_order=order,
        best_similarity=0.95,
        threshold=0.07,
    )
    Case.objects.filter(pk=made.pk).update(
        created_at=timezone.now() - datetime.timedelta(hours=hours_ago), reference=f"CASE-2026-{made.pk:06d}"
    )
    if status != Case.Status.AWAITING_REVIEW:
        outcome = CaseDecision.Outcome.REJECTED if status == Case.Status.REJECTED else CaseDecision.Outcome.CONFIRMED
        decision = CaseDecision.objects.create(
            case=made,
            stage=CaseDecision.Stage.REVIEW,
            outcome=outcome,
            reason="Same face, same scar",
            decided_by=reviewer or reporter,
        )
        ago = hours_ago if reviewed_hours_ago is None else reviewed_hours_ago
        CaseDecision.objects.filter(pk=decision.pk).update(decided_at=timezone.now() - datetime.timedelta(hours=ago))
    made.refresh_from_db()
    return made


def failed_file(store, reporter) -> EvidenceProcessing:
    evidence = evidence_on(incident(store, reporter))
    return EvidenceProcessing.objects.create_for(
        evidence, status=EvidenceProcessing.Status.FAILED, reason_code="corrupt_video", reason="Unreadable"
    )
