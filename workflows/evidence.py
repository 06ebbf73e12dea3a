"""Evidence: from an upload to its cases.

    upload (incidents.services) --same transaction--> processing record queued (recognition.processing)
      --on commit--> task sent (recognition.queue) --worker--> recognition.processing.evidence_process
      --same transaction as the matches--> CASES: a case per match, the s.62 log row (cases.services)

The queued record is written inside the upload's transaction, and only the send waits for the commit
(bounded: a hung broker costs seconds, not the request): an exhibit whose send failed (a broker down
or hung) is still queued, "waiting for the task queue", and the sweep (``requeue_stale``, run by beat
every RECOGNITION_SWEEP_EVERY_S on the housekeeping queue) sends it once the broker is back; it also
re-queues a file whose worker died. The same ``CASES`` hand-off serves a re-search after late paperwork
and an officer's boxed face.

Officers hear of the news here too (``notifications.queue``, each sent once committed): a reported incident
(a P1 emails its beat's officers), a case a match raised (a possible breach emails its beat's officers) and
a case moved to another beat (``case_reassign``: the new beat's officers).
"""

from __future__ import annotations

from django.db import transaction

from cases import services as case_services
from cases.models import Case
from incidents import services as incident_services
from incidents.models import Evidence, Incident
from notifications import queue as notifications
from recognition import processing, region, research
from recognition import queue as recognition_queue
from recognition.handoff import CaseRef
from recognition.models import EvidenceProcessing


class _Cases:
    """``recognition.handoff.Handoff`` for the cases app."""

    def case_for_match(self, match) -> CaseRef:
        existed = self.case_id_for(incident_id=match.evidence.incident_id, offender_id=match.offender_id)
        case = case_services.case_raise_for_match(match=match)
        raised = existed is None
        if raised:
            notifications.breach_case_raised(case)
        return CaseRef(case_id=case.pk, raised=raised)

    def case_id_for(self, *, incident_id: int, offender_id: int) -> int | None:
        return (
            Case.objects.filter(incident_id=incident_id, offender_id=offender_id).values_list("pk", flat=True).first()
        )

    def file_searched(self, *, evidence, processing) -> None:
        case_services.search_log(evidence=evidence, processing=processing)

    def evidence_accessed(self, *, evidence, justification, detail, kind="search", user=None, case_id=None) -> int:
        row = case_services.evidence_access_log(
            evidence=evidence, justification=justification, detail=detail, kind=kind, user=user, case_id=case_id
        )
        return row.pk


CASES = _Cases()


def _queue_matching(evidence: list[Evidence]) -> None:
    """Inside the upload's transaction: each file's queued record now, its task once committed; urgent
    (a P1, or a store an order in force prohibits: ahead of the backlog) decided once for the upload."""
    if not evidence:
        return
    urgent = recognition_queue.evidence_urgent(incident_id=evidence[0].incident_id)
    for item in evidence:
        if processing.evidence_processing_queue(evidence_id=item.pk):
            processing.evidence_processing_send(evidence_id=item.pk, urgent=urgent)


@transaction.atomic
def incident_create(**kwargs) -> Incident:
    """Report an incident (``incidents.services.incident_create``), queue its CCTV for matching and tell the
    officers of a P1. (The same report sent again returns the incident filed: nobody is emailed twice.)"""
    incident = incident_services.incident_create(**kwargs)
    _queue_matching(list(incident.evidence.all()))
    notifications.incident_reported(incident)
    return incident


@transaction.atomic
def evidence_add(**kwargs) -> list[Evidence]:
    """Add CCTV to an incident (``incidents.services.evidence_add``) and queue it for matching."""
    created = incident_services.evidence_add(**kwargs)
    _queue_matching(created)
    return created


def evidence_matching_run(*, evidence_id: int) -> EvidenceProcessing | None:
    """What the worker runs for one file: match it, store the matches and raise their cases."""
    return processing.evidence_process(evidence_id=evidence_id, handoff=CASES)


def research_job_run(*, job_id: int, budget_s: float | None = None):
    """A re-search job (late paperwork, or a force admin's request): its matches raise cases too."""
    return research.research_job_run(job_id=job_id, handoff=CASES, budget_s=budget_s)


def region_search(**kwargs) -> region.SearchResult:
    """An officer's boxed face: searched, and a match raises its case."""
    return region.region_search(handoff=CASES, **kwargs)


def frame_view_log(**kwargs) -> int:
    """s.62: an officer looked at a frame of an exhibit to choose a face."""
    return region.frame_view_log(handoff=CASES, **kwargs)


def case_reassign(**kwargs) -> Case:
    """A force admin moves a case to another beat (``cases.services.case_reassign``): a possible breach's new
    officers are told once it is committed."""
    case = case_services.case_reassign(**kwargs)
    notifications.breach_case_reassigned(case)
    return case


def requeue_stale() -> dict:
    """The sweep (beat): evidence files not sent, lost, or whose worker died are sent again; so are
    re-search jobs whose message was lost."""
    return {**processing.evidence_requeue_stale(), "research_jobs_resent": research.research_requeue_stale()}
