"""Face matching of evidence files, the services around the pure matching: queue a file, claim it,
search it (``recognition.matching``), store its matches with its ``done`` state, and hand them on.

- ``evidence_processing_queue(evidence_id=...)`` writes the ``queued`` record inside the upload's
  transaction; ``workflows.evidence`` sends the task once the upload commits, and a send that succeeds
  is recorded (``sent_at``). A file whose send failed (broker down or hung) is "waiting for the task
  queue" until the sweep sends it.
- ``evidence_process(evidence_id=..., handoff=...)`` is what the task runs. Idempotent: claiming the
  file and writing its matches happen in transactions that check its state, and the matches (one per
  file and offender) are written with the ``done`` state and handed on (``recognition.handoff``: a case
  per match, the s.62 log row) in the same transaction. The claim names the worker ("host:pid"), which
  refreshes the file's heartbeat while it runs. A full disk (ENOSPC) queues the file again with a
  back-off: it never fails it, and nothing of the run is kept (no match row, no crop file).
- ``evidence_requeue_stale()`` is the sweep (beat, every RECOGNITION_SWEEP_EVERY_S, housekeeping queue):
  it re-queues files whose worker stopped beating, sends files waiting for the task queue, and re-sends
  files whose message was lost. An urgent file (``queue.evidence_urgent``) goes to the urgent queue again.

Privacy (DESIGN.md): a face that matches nobody is dropped as soon as it has been searched: no crop
and no embedding is ever written for it. The processing record keeps counts, timings and the model.
"""

from __future__ import annotations

import errno
import logging
import os
import secrets
import socket
import threading
import time
from datetime import datetime, timedelta

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import DatabaseError, connections, transaction
from django.db.models import Q
from django.utils import timezone

from core.exceptions import ApplicationError, ErrorCode
from core.files import local_path
from incidents.models import Evidence
from recognition import engine, events, gallery, matching, queue, video
from recognition.errors import RecognitionErrorCode
from recognition.handoff import CaseRef, Handoff
from recognition.models import EvidenceProcessing, PossibleMatch
from recognition.selectors import threshold_for

logger = logging.getLogger(__name__)
Status = EvidenceProcessing.Status


# Queueing -----------------------------------------------------------------------------------------


def evidence_processing_queue(*, evidence_id: int) -> bool:
    """The ``queued`` record of a newly stored file (call inside the transaction that stores it).
    True when the file needs its task sent; False when it is already done."""
    processing, created = EvidenceProcessing.objects.get_or_create(
        evidence_id=evidence_id, defaults=EvidenceProcessing.objects.placed(evidence_id)
    )
    if created:
        events.processing_queued_event(processing=processing)
    return processing.status != Status.DONE


def evidence_processing_send(*, evidence_id: int, urgent: bool | None = None) -> None:
    """Send the file's task once the current transaction commits, and record the send. A send that
    fails leaves the file waiting for the task queue: the sweep sends it once the broker is back.
    ``urgent`` (decided once per upload by the caller, else here) sends it ahead of the backlog."""
    task_name = _evidence_task(evidence_id) if urgent is None else queue.evidence_task(urgent=urgent)
    queue.send_on_commit(task_name, evidence_id, on_sent=lambda: _mark_sent(evidence_id))


def _evidence_task(evidence_id: int) -> str:
    """The file's task, urgent or not, as decided now (the sweep's sends keep an urgent file urgent)."""
    incident_id = Evidence.objects.filter(pk=evidence_id).values_list("incident_id", flat=True).first()
    return queue.evidence_task(urgent=incident_id is not None and queue.evidence_urgent(incident_id=incident_id))


def _mark_sent(evidence_id: int) -> None:
    """Record a send on commit (a file deferred meanwhile for want of space keeps waiting for the sweep)."""
    unfinished = EvidenceProcessing.objects.filter(
        evidence_id=evidence_id, status__in=[Status.QUEUED, Status.RUNNING], next_attempt_at__isnull=True
    )
    unfinished.update(sent_at=timezone.now())


@transaction.atomic
def evidence_processing_retry(*, processing: EvidenceProcessing, actor, reason: str = "") -> EvidenceProcessing:
    """An admin re-queues a failed file (a done file is not re-run: its matches already stand)."""
    processing = EvidenceProcessing.objects.select_for_update().get(pk=processing.pk)
    if processing.status != Status.FAILED:
        raise ApplicationError(
            f"Only a failed file can be retried; this one is {processing.status}.",
            code=ErrorCode.CONFLICT,
            status_code=409,
        )
    processing.status = Status.QUEUED
    processing.reason_code = processing.reason = ""
    processing.sent_at = processing.next_attempt_at = None
    processing.save(update_fields=["status", "reason_code", "reason", "sent_at", "next_attempt_at", "updated_at"])
    events.processing_retried_event(processing=processing, actor=actor, reason=reason)
    evidence_processing_send(evidence_id=processing.evidence_id)
    return processing


# The sweep ----------------------------------------------------------------------------------------


def evidence_requeue_stale() -> dict[str, int]:
    """The sweep (beat, every RECOGNITION_SWEEP_EVERY_S, on the housekeeping queue). Re-sending is safe:
    the task is idempotent, and a file another live worker runs is not run twice.

    1. A running file whose heartbeat is older than RECOGNITION_HEARTBEAT_STALE_S (its worker was killed)
       is queued and sent again, or failed once it has had RECOGNITION_MAX_ATTEMPTS attempts.
    2. A queued file whose send failed (broker down or hung) is sent once it has waited
       RECOGNITION_SEND_GRACE_S (and, deferred for want of disk space, once its back-off is over).
    3. A queued file sent longer than RECOGNITION_REQUEUE_AFTER_S ago (its message lost) is sent again.

    Returns ``requeued`` (files sent again, or queued again for the next sweep to send) and ``failed``
    (given up), and ``unsent`` when the broker refused a send: sending stops there, and the files left
    wait for the next sweep."""
    now = timezone.now()
    counts = {"requeued": 0, "failed": 0}
    unsent = 0
    broker_ok = True
    for processing_id in _first_ids(EvidenceProcessing.objects.filter(_dead_run(now))):
        outcome, sent = _requeue_dead_run(processing_id, now, send=broker_ok)
        if outcome != "skipped":
            counts[outcome] += 1
        broker_ok = broker_ok and sent is not False
    for still in (_unsent(now), _lost(now)):
        for processing_id in _first_ids(EvidenceProcessing.objects.filter(still)):
            outcome = _send_one(processing_id, still) if broker_ok else "unsent"
            counts["requeued"] += outcome == "sent"
            unsent += outcome == "unsent"
            broker_ok = outcome != "unsent"
    if unsent or not broker_ok:
        logger.warning("recognition: the broker refused the sweep's sends; %s file(s) wait for the next sweep", unsent)
        counts["unsent"] = unsent
    return counts


def _first_ids(qs) -> list[int]:
    return list(qs.order_by("id").values_list("id", flat=True)[:500])


def _dead_run(now: datetime) -> Q:
    """Running, and its worker has not beaten for RECOGNITION_HEARTBEAT_STALE_S (or, for a run claimed
    before heartbeats, has run past the time limit)."""
    stale = now - timedelta(seconds=settings.RECOGNITION_HEARTBEAT_STALE_S)
    legacy = now - timedelta(seconds=settings.RECOGNITION_TASK_SOFT_TIME_LIMIT + 600)
    return Q(status=Status.RUNNING) & (Q(heartbeat_at__lt=stale) | Q(heartbeat_at__isnull=True, updated_at__lt=legacy))


def _unsent(now: datetime) -> Q:
    """Queued, never sent since (the broker was down or hung), past the grace a send on commit may take
    and past any back-off."""
    grace = now - timedelta(seconds=settings.RECOGNITION_SEND_GRACE_S)
    return Q(status=Status.QUEUED, sent_at__isnull=True, updated_at__lt=grace) & (
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    )


def _lost(now: datetime) -> Q:
    """Queued, sent long ago and never started: its message was lost."""
    cutoff = now - timedelta(seconds=settings.RECOGNITION_REQUEUE_AFTER_S)
    return Q(status=Status.QUEUED, sent_at__isnull=False, updated_at__lt=cutoff)


def _requeue_dead_run(processing_id: int, now: datetime, *, send: bool) -> tuple[str, bool | None]:
    """A dead worker's file: failed after RECOGNITION_MAX_ATTEMPTS attempts, else queued and (``send``)
    sent at once. Returns the outcome and whether the send worked (None: not tried)."""
    with transaction.atomic():
        processing = _locked(processing_id, _dead_run(now))
        if processing is None:
            return "skipped", None
        if processing.attempts - processing.no_space_retries >= settings.RECOGNITION_MAX_ATTEMPTS:
            processing.status, processing.reason_code = Status.FAILED, RecognitionErrorCode.WORKER_LOST
            processing.reason = f"The worker stopped during each of {processing.attempts} attempts."
            processing.save(update_fields=["status", "reason_code", "reason", "updated_at"])
            events.processing_failed_event(processing=processing)
            return "failed", None
        events.processing_resent_event(processing=processing)  # "running for too long", before the change
        processing.status, processing.worker = Status.QUEUED, ""
        processing.sent_at = processing.heartbeat_at = None
        processing.save(update_fields=["status", "worker", "sent_at", "heartbeat_at", "updated_at"])
    if not send:
        return "requeued", None
    # Queued and committed first, so that a send the broker refuses leaves it for step 2.
    sent = _send_one(processing_id, Q(status=Status.QUEUED, sent_at__isnull=True), event=False)
    return "requeued", sent != "unsent"


@transaction.atomic
def _send_one(processing_id: int, still: Q, *, event: bool = True) -> str:
    """Send one waiting file's task, holding its row until the send is recorded (two sweeps never send
    it twice, and the worker claims it only after): "sent", "unsent" (the broker refused it: nothing
    recorded) or "skipped" (no longer waiting). The sweep tries the broker whatever an upload met just
    before: it runs because the broker works."""
    processing = _locked(processing_id, still)
    if processing is None:
        return "skipped"
    if event:
        events.processing_resent_event(processing=processing)
    processing.sent_at, processing.next_attempt_at = timezone.now(), None  # "lost" counts from now
    processing.save(update_fields=["sent_at", "next_attempt_at", "updated_at"])
    if not queue.try_send(_evidence_task(processing.evidence_id), processing.evidence_id, wait_out_pause=True):
        transaction.set_rollback(True)  # neither the send nor its event happened
        return "unsent"
    return "sent"


def _locked(processing_id: int, still: Q) -> EvidenceProcessing | None:
    """The row, locked, if it still matches ``still`` (None when another sweep holds it)."""
    return EvidenceProcessing.objects.select_for_update(skip_locked=True).filter(still, pk=processing_id).first()


# The run ------------------------------------------------------------------------------------------


def worker_name() -> str:
    """Who runs a file: this host and process ("host:pid"), recorded by the claim."""
    return f"{socket.gethostname()}:{os.getpid()}"[:200]


def evidence_process(*, evidence_id: int, handoff: Handoff) -> EvidenceProcessing | None:
    """Process one evidence file to done or failed (or queued again when the disk is full). Only
    database errors (transient) escape."""
    evidence = Evidence.objects.select_related("incident__store__beat").filter(pk=evidence_id).first()
    if evidence is None:
        return None
    me = worker_name()
    processing = _claim(evidence_id, me)
    if processing is None:
        return None
    started = time.monotonic()
    with _Heartbeat(processing.pk, me):
        try:
            return _process(evidence, processing, started, handoff)
        except engine.EngineError as exc:
            return _fail(processing, exc.code, exc.message, started)
        except SoftTimeLimitExceeded:
            message = "Processing took longer than the time limit."
            return _fail(processing, RecognitionErrorCode.TIMEOUT, message, started)
        except DatabaseError:
            raise  # transient: the task retries
        except Exception as exc:  # noqa: BLE001 - a bad file must never take the worker down
            if _no_space(exc):
                logger.warning("recognition: evidence %s: no space left on the storage; queued again", evidence_id)
                return _defer_no_space(processing, started)
            logger.exception("recognition: evidence %s failed", evidence_id)
            message = f"Unexpected error ({exc.__class__.__name__})."
            return _fail(processing, RecognitionErrorCode.ERROR, message, started)


def _claim(evidence_id: int, worker: str) -> EvidenceProcessing | None:
    """Mark the file running by ``worker`` (one more attempt), unless it is done, gone, or running in
    another worker that is alive (a duplicate message)."""
    with transaction.atomic():
        processing = EvidenceProcessing.objects.select_for_update().filter(evidence_id=evidence_id).first()
        if processing is None:  # a file whose record was never made: made now (its store and force looked up)
            EvidenceProcessing.objects.get_or_create(
                evidence_id=evidence_id, defaults=EvidenceProcessing.objects.placed(evidence_id)
            )
            processing = EvidenceProcessing.objects.select_for_update().get(evidence_id=evidence_id)
        if processing.status == Status.DONE:
            return None
        if processing.status == Status.RUNNING and _alive_elsewhere(processing, worker):
            logger.info("recognition: evidence %s is running in %s; not run twice", evidence_id, processing.worker)
            return None
        now = timezone.now()
        processing.status, processing.attempts = Status.RUNNING, processing.attempts + 1
        processing.started_at, processing.finished_at = now, None
        processing.worker, processing.heartbeat_at, processing.next_attempt_at = worker, now, None
        processing.reason_code = processing.reason = ""
        fields = ["status", "attempts", "started_at", "finished_at", "worker", "heartbeat_at", "next_attempt_at"]
        processing.save(update_fields=[*fields, "reason_code", "reason", "updated_at"])
        events.processing_attempt_started_event(processing=processing)
    return processing


def _alive_elsewhere(processing: EvidenceProcessing, worker: str) -> bool:
    """Another worker claimed the file and beat recently, and is not a dead process of this host."""
    if not processing.worker or processing.worker == worker or processing.heartbeat_at is None:
        return False
    if processing.heartbeat_at < timezone.now() - timedelta(seconds=settings.RECOGNITION_HEARTBEAT_STALE_S):
        return False
    host, _, pid = processing.worker.rpartition(":")
    if host == socket.gethostname() and pid.isdigit():
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            return False  # a process of this host that is gone (killed, or stopped mid-file)
        except PermissionError:
            pass
    return True


class _Heartbeat:
    """While a file runs, a thread refreshes its ``heartbeat_at`` every RECOGNITION_HEARTBEAT_S, for as
    long as this worker holds the claim. A killed worker stops beating, and the sweep queues its file
    again. The thread has its own database connection, closed when it stops."""

    def __init__(self, processing_id: int, worker: str) -> None:
        self.processing_id, self.worker = processing_id, worker
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"heartbeat-{processing_id}", daemon=True)

    def __enter__(self) -> _Heartbeat:
        if settings.RECOGNITION_HEARTBEAT_S > 0:
            self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)

    def _run(self) -> None:
        try:
            while not self._stop.wait(settings.RECOGNITION_HEARTBEAT_S):
                self.beat()
        finally:
            connections.close_all()  # this thread's connections only

    def beat(self) -> bool:
        """One heartbeat; False when this worker no longer holds the file (or the database failed)."""
        try:
            return bool(
                EvidenceProcessing.objects.filter(
                    pk=self.processing_id, status=Status.RUNNING, worker=self.worker
                ).update(heartbeat_at=timezone.now())
            )
        except DatabaseError:
            logger.warning("recognition: heartbeat of processing %s not written", self.processing_id, exc_info=True)
            return False


NO_SPACE = frozenset({errno.ENOSPC, errno.EDQUOT})


def _no_space(exc: BaseException | None) -> bool:
    """The error, or one it was raised from, is a full disk or quota."""
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, OSError) and exc.errno in NO_SPACE:
            return True
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return False


def _defer_no_space(processing: EvidenceProcessing, started: float) -> EvidenceProcessing:
    """A full disk is transient: the file is queued again after a back-off (doubled each time, up to
    RECOGNITION_NO_SPACE_RETRY_MAX_S), never failed for it; the sweep sends it when the back-off ends."""
    with transaction.atomic():
        locked = EvidenceProcessing.objects.select_for_update().get(pk=processing.pk)
        if locked.status == Status.DONE:
            return locked
        delay = min(
            settings.RECOGNITION_NO_SPACE_RETRY_S * 2**locked.no_space_retries,
            settings.RECOGNITION_NO_SPACE_RETRY_MAX_S,
        )
        locked.next_attempt_at = timezone.now() + timedelta(seconds=delay)
        locked.no_space_retries += 1
        locked.status, locked.worker, locked.sent_at, locked.heartbeat_at = Status.QUEUED, "", None, None
        locked.reason_code = ErrorCode.STORAGE_FULL
        when = timezone.localtime(locked.next_attempt_at).strftime("%H:%M:%S")
        locked.reason = f"No space left on the server's storage: the file is tried again from {when}."
        locked.processing_seconds = round(time.monotonic() - started, 3)
        fields = ["status", "worker", "sent_at", "heartbeat_at", "next_attempt_at", "no_space_retries"]
        locked.save(update_fields=[*fields, "reason_code", "reason", "processing_seconds", "updated_at"])
        events.processing_failed_event(processing=locked)  # this attempt failed; the file is queued
    return locked


def _fail(
    processing: EvidenceProcessing, code: RecognitionErrorCode, message: str, started: float
) -> EvidenceProcessing:
    """Record the failure on the locked row, unless another run finished the file meanwhile."""
    with transaction.atomic():
        locked = EvidenceProcessing.objects.select_for_update().get(pk=processing.pk)
        if locked.status == Status.DONE:
            return locked
        locked.status, locked.reason_code, locked.reason = Status.FAILED, code, message[:500]
        locked.finished_at, locked.heartbeat_at = timezone.now(), None
        locked.processing_seconds = round(time.monotonic() - started, 3)
        fields = ["status", "reason_code", "reason", "finished_at", "heartbeat_at", "processing_seconds"]
        locked.save(update_fields=[*fields, "updated_at"])
        events.processing_failed_event(processing=locked)
    return locked


def search_file(
    evidence, *, gallery_: gallery.Gallery, threshold: float
) -> tuple[matching.Outcome, video.SamplingStats]:
    """Search one evidence file's frames against a gallery (the first search, and every re-search)."""
    stats = video.SamplingStats()
    with local_path(evidence.file) as path:
        outcome = matching.match_frames(
            video.frames(path, evidence.kind, stats), gallery_=gallery_, threshold=threshold
        )
    return outcome, stats


# What a run measured, copied onto the processing record when it finishes.
_COUNTS = ("faces_detected", "faces_too_small", "faces_blurred", "faces_tracked", "faces_embedded")


def _process(evidence, processing: EvidenceProcessing, started: float, handoff: Handoff) -> EvidenceProcessing:
    eng = engine.get_engine()
    incident = evidence.incident
    force_id = incident.store.beat.force_id
    threshold = threshold_for(force_id=force_id)
    gallery_ = gallery.incident_gallery(force_id=force_id, at=incident.occurred_at, model_version=eng.model_version)
    outcome, stats = search_file(evidence, gallery_=gallery_, threshold=threshold)
    counts = outcome.counts
    measured = {name: counts[name] for name in (*_COUNTS, "frames_skipped_still")}
    measured.update(
        media_seconds=stats.media_seconds,
        frames_decoded=stats.frames_decoded,
        frames_sampled=stats.frames_sampled,
        gallery_size=len(gallery_),
        model_name=eng.model_name,
        model_version=eng.model_version,
        threshold=threshold,
    )
    if not counts["faces_usable"]:
        result = EvidenceProcessing.Result.NO_FACE
    else:
        result = EvidenceProcessing.Result.MATCH if outcome.found else EvidenceProcessing.Result.NO_MATCH
    return _finish(evidence, processing, outcome, measured, result, started, handoff)


def _finish(evidence, processing, outcome, measured: dict, result: str, started: float, handoff: Handoff):
    """Write the matches and the done state together, on the locked row; hand the matches on. If the
    transaction fails (a full disk while writing a crop), the crops it wrote are deleted with it."""
    written: list[str] = []
    try:
        return _finish_locked(evidence, processing, outcome, measured, result, started, handoff, written)
    except BaseException:
        _delete_stored(written)
        raise


def _finish_locked(evidence, processing, outcome, measured: dict, result: str, started: float, handoff, written):
    with transaction.atomic():
        locked = EvidenceProcessing.objects.select_for_update().get(pk=processing.pk)
        if locked.status == Status.DONE:
            return locked  # another run finished first
        for name, value in measured.items():
            setattr(locked, name, value)
        record_matches(
            evidence,
            outcome.found,
            threshold=float(measured["threshold"]),
            model_name=locked.model_name,
            model_version=locked.model_version,
            handoff=handoff,
            written=written,
        )
        locked.status, locked.result, locked.matches = Status.DONE, result, len(outcome.found)
        locked.reason_code = locked.reason = ""
        locked.finished_at, locked.heartbeat_at = timezone.now(), None
        locked.processing_seconds = round(time.monotonic() - started, 3)
        fields = [*measured, "status", "result", "matches", "reason_code", "reason", "finished_at", "heartbeat_at"]
        locked.save(update_fields=[*fields, "processing_seconds", "updated_at"])
        events.processing_done_event(processing=locked)
        handoff.file_searched(evidence=evidence, processing=locked)
    return locked


def record_matches(
    evidence,
    found: dict[int, matching.Found],
    *,
    threshold: float,
    model_name: str,
    model_version: str,
    handoff: Handoff,
    extra=None,
    written: list[str] | None = None,
) -> list[tuple[PossibleMatch, CaseRef]]:
    """Store each offender's best face as a PossibleMatch and hand it on (its case), best first:
    a list of (match, ``CaseRef``).

    Call inside a transaction. ``extra`` holds further PossibleMatch fields (how the face was found);
    ``written`` collects the names of the crop files written, for the caller to delete if its
    transaction fails. A second search finding the same offender in the same file updates the one
    match, never a second."""
    stored = []
    for offender_id, best in sorted(found.items(), key=lambda item: item[1].candidate.distance):
        match = _store_match(
            evidence,
            offender_id,
            best,
            threshold=threshold,
            model_name=model_name,
            model_version=model_version,
            extra=extra or {},
        )
        _save_crop(match, best.crop_jpeg, written)
        stored.append((match, handoff.case_for_match(match)))
    return stored


def _save_crop(match: PossibleMatch, jpeg: bytes, written: list[str] | None) -> None:
    """Write the match's face crop under a name of its own; a write that fails (a full disk) leaves no
    partial file behind."""
    field, storage = match.crop.field, match.crop.storage
    name = field.generate_filename(match, f"match-{match.evidence_id}-{match.offender_id}-{secrets.token_hex(4)}.jpg")
    try:
        name = storage.save(name, ContentFile(jpeg), max_length=field.max_length)
    except BaseException:
        _delete_stored([name])
        raise
    if written is not None:
        written.append(name)
    match.crop.name = name
    match.save(update_fields=["crop", "updated_at"])


def _delete_stored(names: list[str]) -> None:
    storage = PossibleMatch._meta.get_field("crop").storage
    for name in names:
        try:
            if storage.exists(name):
                storage.delete(name)
        except OSError:
            logger.warning("recognition: could not delete %s after a failed write", name, exc_info=True)


def _store_match(
    evidence, offender_id: int, found: matching.Found, *, threshold: float, model_name: str, model_version: str, extra
) -> PossibleMatch:
    box, candidate = found.box, found.candidate
    match, _ = PossibleMatch.objects.update_or_create(
        evidence=evidence,
        offender_id=offender_id,
        defaults={
            "reference_photo_id": candidate.reference_photo_id,
            "distance": candidate.distance,
            "similarity": candidate.similarity,
            "threshold": threshold,
            "frame_time_s": found.frame_time_s,
            "face_box": [box.x, box.y, box.w, box.h],
            "model_name": model_name,
            "model_version": model_version,
            **extra,
        },
    )
    return match
