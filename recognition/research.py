"""Re-search of stored CCTV when paperwork arrives late (DESIGN.md, "Paperwork is often late").

An incident's gallery is the people whose order was in force at the incident's time, whenever the
order was recorded. So when an order is recorded, corrected, varied or served late, or a reference
photo is added, the footage that order makes relevant is searched again, for that person only:

- which incidents: those of the force at a store one of the order's prohibitions covers, while the
  order was in force and served (``orders.selectors.prohibitions_in_force``: the one rule, asked once
  per store and day), with at least one file whose first search is done (a queued or running file
  will be searched with the current gallery anyway); for a photo added, every order of the person;
- which files: those still held (retention may have removed some) where the person has not already
  matched (a match stands: it is never made twice, nor its crop replaced) and that no earlier
  re-search has searched for them since their latest photo was enrolled.

A force admin may also re-search one incident's files with a reason, against everyone whose order
was in force and served at its time, as a first search would.

Each file searched is written to the s.62 access log with the job's reason; matches go through
``processing.record_matches`` (source "research"), handed on (``recognition.handoff``) to raise cases
exactly as a first search does.
A face that matches nobody leaves nothing behind. The files are chosen once, when the job first
runs, and each is marked searched in the same transaction as its matches and its log row: a job
run again (a redelivered task, or a continuation after its time budget) goes on where it stopped.

Requests (``research_for_order``, ``research_for_photo``, ``research_for_incident``) create the job
inside the caller's transaction and send the task once it commits.
"""

from __future__ import annotations

import datetime
import logging
import time

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import DatabaseError, transaction
from django.db.models import F, Max, Q, QuerySet
from django.utils import timezone

from accounts import access
from core.exceptions import ApplicationError, ErrorCode
from core.filters import local_midnight
from incidents.models import Evidence, Incident
from orders.models import Order, Prohibition
from orders.selectors import local_day, prohibitions_in_force, stores_covered
from recognition import engine, gallery, queue
from recognition.errors import RecognitionErrorCode
from recognition.handoff import Handoff
from recognition.models import EvidenceProcessing, FaceTemplate, PossibleMatch, ResearchFile, ResearchJob
from recognition.processing import record_matches, search_file
from recognition.selectors import threshold_for

logger = logging.getLogger(__name__)
Trigger, Status, State = ResearchJob.Trigger, ResearchJob.Status, ResearchFile.State
ORDER_TRIGGERS = (Trigger.ORDER_RECORDED, Trigger.ORDER_CORRECTED, Trigger.ORDER_VARIED, Trigger.ORDER_SERVED)
MIN_REASON = 5


# Requests -----------------------------------------------------------------------------------------


def research_for_order(*, order, trigger: str, actor=None) -> ResearchJob | None:
    """Queue a re-search of the order's breach-relevant footage for its person (call inside the
    transaction that changed the order). None when the order cannot yet have made any footage
    relevant: not served, or no prohibition recorded (adding one calls this again)."""
    if trigger not in ORDER_TRIGGERS:
        raise ValueError(f"not an order trigger: {trigger!r}")
    if order.served_on is None or not order.prohibitions.exists():
        return None
    return _request(offender=order.offender, order=order, trigger=trigger, actor=actor)


def research_for_photo(*, photo, actor=None) -> ResearchJob | None:
    """Queue a re-search, for this person, of the footage any of their served orders makes relevant
    (a new photo can find them where the earlier ones could not). None when they have no such order."""
    served = Order.objects.filter(offender_id=photo.offender_id, served_on__isnull=False, prohibitions__isnull=False)
    if not served.exists():
        return None
    return _request(offender=photo.offender, order=None, trigger=Trigger.PHOTO_ADDED, actor=actor)


def _request(*, offender, order, trigger: str, actor) -> ResearchJob:
    """A queued job of the same kind not yet started takes this request too (its files are chosen when
    it starts, so it sees this change): recording an order and then its prohibitions one by one, or a
    premises list imported, is one job, not one per row."""
    queued = ResearchJob.objects.select_for_update().filter(
        status=Status.QUEUED, offender=offender, order=order, trigger=trigger
    )
    job = queued.order_by("id").first()
    if job is not None:
        return job
    job = ResearchJob.objects.create(
        force_id=offender.force_id,
        offender=offender,
        order=order,
        trigger=trigger,
        reason=Trigger(trigger).label,
        requested_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    _send(job.pk)
    return job


def research_for_incident(*, incident, actor, reason: str) -> ResearchJob:
    """A force admin asks for one incident's files to be searched again, with a reason (s.62)."""
    force_id = incident.store.beat.force_id
    if not access.is_force_admin_of(actor, force_id):
        raise ApplicationError(
            "Only a force admin of this force may ask for a re-search.",
            code=ErrorCode.PERMISSION_DENIED,
            status_code=403,
        )
    reason = " ".join((reason or "").split())
    if len(reason) < MIN_REASON:
        raise ApplicationError(
            "Say why this incident's CCTV should be searched again: the reason is logged under DPA 2018 s.62.",
            code=RecognitionErrorCode.REASON_REQUIRED,
            fields={"reason": [f"At least {MIN_REASON} characters."]},
        )
    with transaction.atomic():
        _check_incident_searchable(incident)
        job = ResearchJob.objects.create(
            force_id=force_id, incident=incident, trigger=Trigger.ADMIN, reason=reason[:500], requested_by=actor
        )
        _send(job.pk)
    return job


def _check_incident_searchable(incident) -> None:
    Incident.objects.select_for_update().filter(pk=incident.pk).first()  # one request at a time per incident
    pending = ResearchJob.objects.filter(incident=incident, status__in=(Status.QUEUED, Status.RUNNING)).first()
    if pending is not None:
        raise ApplicationError(
            f"A re-search of this incident is already {pending.get_status_display().lower()} (job {pending.pk}).",
            code=RecognitionErrorCode.RESEARCH_PENDING,
            status_code=409,
        )
    if not _done_files().filter(incident=incident).exists():
        raise ApplicationError(
            "This incident has no CCTV file whose first search has finished: a file still queued or running "
            "is searched against the current gallery anyway, and a failed one can be retried.",
            code=RecognitionErrorCode.NOTHING_TO_SEARCH,
            status_code=409,
        )


def _send(job_id: int) -> None:
    queue.send_on_commit(queue.RESEARCH_JOB_RUN, job_id)


def research_requeue_stale() -> int:
    """Safety net (beat, with the evidence sweep): a job queued for longer than RECOGNITION_REQUEUE_AFTER_S
    (its message lost) or running longer than the task's time limit (its worker killed) is sent again.
    Safe: a job resumes at its first pending file, and each file is searched once."""
    now = timezone.now()
    queued_before = now - datetime.timedelta(seconds=settings.RECOGNITION_REQUEUE_AFTER_S)
    running_before = now - datetime.timedelta(seconds=settings.RECOGNITION_TASK_SOFT_TIME_LIMIT + 600)
    stale = ResearchJob.objects.filter(
        Q(status=Status.QUEUED, updated_at__lt=queued_before) | Q(status=Status.RUNNING, updated_at__lt=running_before)
    )
    sent = 0
    for job_id in stale.order_by("id").values_list("id", flat=True)[:500]:
        with transaction.atomic():
            ResearchJob.objects.filter(pk=job_id).update(updated_at=now)  # not picked up again until the next cut-off
            _send(job_id)
        sent += 1
    return sent


# Which footage --------------------------------------------------------------------------------------


def _done_files():
    return Evidence.objects.filter(processing__status=EvidenceProcessing.Status.DONE)


def breach_relevant_incidents(*, offender, orders) -> list:
    """Incidents with a finished file that happened at a store one of ``orders``' prohibitions covered
    while that order was in force and served: ``prohibitions_in_force`` decides, the store and date
    filters before it only narrow the candidates."""
    orders = [o for o in orders if o.served_on is not None]
    if not orders:
        return []
    prohibitions = Prohibition.objects.filter(order__in=orders).select_related("order__offender")
    store_ids = {s.pk for p in prohibitions.prefetch_related("stores", "beats") for s in stores_covered(p)}
    candidates = Incident.objects.filter(
        store_id__in=store_ids,
        occurred_at__gte=local_midnight(min(o.effective_from for o in orders)),
        evidence__in=_done_files(),
    )
    last_days = [o.last_day for o in orders]
    if None not in last_days:
        candidates = candidates.filter(occurred_at__lt=local_midnight(max(last_days) + datetime.timedelta(days=1)))
    order_ids, answers, relevant = {o.pk for o in orders}, {}, []
    for incident in candidates.distinct().select_related("store__beat").order_by("occurred_at", "id"):
        key = (incident.store_id, local_day(incident.occurred_at))  # the rule is per UK local day
        if key not in answers:
            hits = prohibitions_in_force(store=incident.store, at=incident.occurred_at, offender=offender)
            answers[key] = {p.order_id for p in hits}
        if answers[key] & order_ids:
            relevant.append(incident)
    return relevant


def job_evidence_ids(job: ResearchJob) -> list[int]:
    """The files a job searches: an incident's finished files, or for a person the finished files of the
    breach-relevant incidents in which they have not already matched."""
    if job.trigger == Trigger.ADMIN:
        qs = _done_files().filter(incident_id=job.incident_id) if job.incident_id else _done_files().none()
        return list(qs.order_by("id").values_list("id", flat=True))
    if job.offender_id is None:
        return []  # the person was deleted before the job ran
    orders = [job.order] if job.order_id else list(Order.objects.filter(offender_id=job.offender_id))
    incidents = breach_relevant_incidents(offender=job.offender, orders=orders)
    qs = _done_files().filter(incident__in=[i.pk for i in incidents])
    qs = qs.exclude(possible_matches__offender_id=job.offender_id)
    qs = qs.exclude(pk__in=_searched_since_last_photo(job.offender_id))
    return list(qs.order_by("id").values_list("id", flat=True))


def _searched_since_last_photo(offender_id: int):
    """Files an earlier re-search already searched for this person with the photos they have now: a
    variation or a correction does not search them again (proportionate); a photo added does."""
    latest = FaceTemplate.objects.filter(offender_id=offender_id).aggregate(at=Max("updated_at"))["at"]
    if latest is None:
        return []
    searched = ResearchFile.objects.filter(
        state=State.SEARCHED, job__offender_id=offender_id, searched_at__gt=latest, evidence__isnull=False
    )
    return searched.values("evidence_id")


# Running a job ----------------------------------------------------------------------------------


def research_job_run(*, job_id: int, handoff: Handoff, budget_s: float | None = None) -> ResearchJob | None:
    """Run a job until its files are all searched (done), or ``budget_s`` has passed (still running:
    the caller sends it again). A job done, failed or gone returns None. Only database errors escape."""
    job = _claim(job_id)
    if job is None:
        return None
    deadline = None if budget_s is None else time.monotonic() + budget_s
    try:
        if job.planned_at is None:
            _plan(job)
        finished = _search_pending(job, deadline, handoff)
    except DatabaseError:
        raise  # transient: the task retries, and carries on where it stopped
    except SoftTimeLimitExceeded:
        finished = False  # the file was marked failed; the rest go on in a fresh task
    except Exception as exc:  # noqa: BLE001 - a job must end in a state an admin can see
        logger.exception("recognition: re-search job %s failed", job_id)
        return _job_end(job, Status.FAILED, f"Unexpected error ({exc.__class__.__name__}).")
    return _job_end(job, Status.DONE) if finished else job


def _claim(job_id: int) -> ResearchJob | None:
    with transaction.atomic():
        job = ResearchJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status in (Status.DONE, Status.FAILED):
            return None
        job.status, job.attempts = Status.RUNNING, job.attempts + 1
        job.started_at = job.started_at or timezone.now()
        job.save(update_fields=["status", "attempts", "started_at", "updated_at"])
    return job


def _plan(job: ResearchJob) -> None:
    evidence_ids = job_evidence_ids(job)
    with transaction.atomic():
        locked = ResearchJob.objects.select_for_update().get(pk=job.pk)
        if locked.planned_at is None:  # another delivery may have planned it meanwhile
            ResearchFile.objects.bulk_create([ResearchFile(job=job, evidence_id=pk) for pk in evidence_ids])
            locked.files_total, locked.planned_at = len(evidence_ids), timezone.now()
            locked.save(update_fields=["files_total", "planned_at", "updated_at"])
        job.files_total, job.planned_at = locked.files_total, locked.planned_at


def _job_end(job: ResearchJob, status: str, reason: str = "") -> ResearchJob:
    with transaction.atomic():
        job = ResearchJob.objects.select_for_update().get(pk=job.pk)
        if job.status != Status.RUNNING:
            return job
        job.status, job.failure_reason, job.finished_at = status, reason[:500], timezone.now()
        job.save(update_fields=["status", "failure_reason", "finished_at", "updated_at"])
    return job


def _search_pending(job: ResearchJob, deadline: float | None, handoff: Handoff) -> bool:
    """Search each pending file in turn; False when the budget ran out first."""
    pending = job.files.filter(state=State.PENDING).select_related("evidence__incident__store__beat")
    for item in pending.order_by("id"):
        if deadline is not None and time.monotonic() > deadline:
            return False
        _search_file(job, item, handoff)
    return True


def _search_file(job: ResearchJob, item: ResearchFile, handoff: Handoff) -> None:
    evidence = item.evidence
    if evidence is None or not evidence.file.name or not evidence.file.storage.exists(evidence.file.name):
        return _mark(job, item, State.SKIPPED, "The file is no longer held.")
    if not _count_attempt(item):
        return _mark(job, item, State.FAILED, "The worker stopped while searching this file, each attempt.")
    try:
        _search_and_record(job, item, evidence, handoff)
    except engine.EngineError as exc:
        _mark(job, item, State.FAILED, exc.message)
    except SoftTimeLimitExceeded:
        _mark(job, item, State.FAILED, "Searching this file took longer than the time limit.")
        raise
    except DatabaseError:
        raise
    except Exception as exc:  # noqa: BLE001 - one bad file must not stop the others
        logger.exception("recognition: re-search job %s, evidence %s failed", job.pk, evidence.pk)
        _mark(job, item, State.FAILED, f"Unexpected error ({exc.__class__.__name__}).")


def _count_attempt(item: ResearchFile) -> bool:
    """One more attempt at this file; False once a worker has died on it too often (a file that kills
    the worker must not be redelivered for ever)."""
    ResearchFile.objects.filter(pk=item.pk).update(attempts=F("attempts") + 1)
    item.refresh_from_db(fields=["attempts"])
    return item.attempts <= settings.RECOGNITION_MAX_ATTEMPTS


def _gallery_for(job: ResearchJob, evidence, model_version: str):
    """Whom this file is searched for: the job's person, or everyone in the incident's gallery, less
    anyone already matched in the file (that match stands)."""
    incident = evidence.incident
    full = gallery.incident_gallery(force_id=job.force_id, at=incident.occurred_at, model_version=model_version)
    wanted = {job.offender_id} if job.trigger != Trigger.ADMIN else full.offenders()
    wanted -= _matched_offenders(evidence)
    return full.restricted_to(wanted)


def _matched_offenders(evidence) -> set[int]:
    return set(PossibleMatch.objects.filter(evidence=evidence).values_list("offender_id", flat=True))


def _search_and_record(job: ResearchJob, item: ResearchFile, evidence, handoff: Handoff) -> None:
    eng = engine.get_engine()
    gallery_ = _gallery_for(job, evidence, eng.model_version)
    if not len(gallery_):
        note = "Nobody to search for: no enrolled photo of the person, or already matched in this file."
        return _mark(job, item, State.SKIPPED, note)
    threshold = threshold_for(force_id=job.force_id)
    outcome, _ = search_file(evidence, gallery_=gallery_, threshold=threshold)
    _record(job, item, evidence, outcome, gallery_size=len(gallery_), threshold=threshold, eng=eng, handoff=handoff)


def _record(
    job: ResearchJob, item: ResearchFile, evidence, outcome, *, gallery_size: int, threshold, eng, handoff: Handoff
) -> None:
    """The file's matches, its s.62 log row and its searched state, together and once."""
    with transaction.atomic():
        locked = ResearchFile.objects.select_for_update().get(pk=item.pk)
        if locked.state != State.PENDING:
            return  # another delivery of this job searched it first
        matched = _matched_offenders(evidence)
        found = {k: v for k, v in outcome.found.items() if k not in matched}
        matches = record_matches(
            evidence,
            found,
            threshold=threshold,
            model_name=eng.model_name,
            model_version=eng.model_version,
            handoff=handoff,
            extra={"source": PossibleMatch.Source.RESEARCH},
        )
        faces = outcome.counts.get("faces_embedded", 0)
        handoff.evidence_accessed(
            evidence=evidence,
            user=job.requested_by,
            justification=f"Re-search of CCTV reported with incident {evidence.incident.reference}: {_log_reason(job)}",
            detail=(
                f"evidence {evidence.pk} ({evidence.original_name[:60]}): {faces} face(s) searched against "
                f"{gallery_size} template(s), {len(matches)} possible match(es); re-search job {job.pk}"
            ),
        )
        locked.state, locked.searched_at = State.SEARCHED, timezone.now()
        locked.gallery_size, locked.faces_searched, locked.matches = gallery_size, faces, len(matches)
        locked.save(update_fields=["state", "searched_at", "gallery_size", "faces_searched", "matches"])
        ResearchJob.objects.filter(pk=job.pk).update(
            files_searched=F("files_searched") + 1, matches=F("matches") + len(matches), updated_at=timezone.now()
        )


def _log_reason(job: ResearchJob) -> str:
    if job.trigger == Trigger.ADMIN:
        return f"{job.reason} (re-search requested by a force admin)"
    order = f", order {job.order.case_reference}" if job.order else ""
    return f"{job.reason}{order}; searched for offender {job.offender_id} only"


def _mark(job: ResearchJob, item: ResearchFile, state: str, note: str) -> None:
    counter = {str(State.SKIPPED): "files_skipped", str(State.FAILED): "files_failed"}[state]
    with transaction.atomic():
        if ResearchFile.objects.filter(pk=item.pk, state=State.PENDING).update(state=state, note=note[:255]):
            ResearchJob.objects.filter(pk=job.pk).update(**{counter: F(counter) + 1, "updated_at": timezone.now()})


# Reads --------------------------------------------------------------------------------------------


def research_jobs_for(user) -> QuerySet[ResearchJob]:
    """Re-search jobs of the user's force (police; the API and pages let force admins in)."""
    qs = ResearchJob.objects.select_related("offender", "order", "incident", "requested_by")
    return access.scope_to_police(qs, user, force_path="force").order_by("-created_at", "-id")


def research_files_of(job: ResearchJob) -> QuerySet[ResearchFile]:
    return job.files.select_related("evidence__incident").order_by("id")
