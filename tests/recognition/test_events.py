"""Face-matching events: one writer per kind, written by the services that change a processing record,
and each worded once for people (the admin's history of a file, the threshold page's history)."""

import datetime

import pytest
from django.utils import timezone

from recognition import events
from recognition.models import EvidenceProcessing, EvidenceProcessingEvent, ThresholdChange
from recognition.processing import evidence_processing_queue, evidence_processing_retry, evidence_requeue_stale
from recognition.services import force_threshold_set
from tests.conftest import signed_in
from tests.incidents.factories import IncidentFactory
from tests.recognition.factories import evidence_for

pytestmark = pytest.mark.django_db
Kind, Status = EvidenceProcessingEvent.Kind, EvidenceProcessing.Status


def _processing(world, **fields) -> EvidenceProcessing:
    incident = IncidentFactory(store=world.a.store, reported_by=world.a.worker)
    evidence = evidence_for(incident, b"not really a video", "door.mp4", kind="video")
    return EvidenceProcessing.objects.create_for(evidence, **fields)


def test_each_writer_records_its_kind_status_actor_and_details(world):
    processing = _processing(world, attempts=2)
    admin = world.a.admin
    written = [events.processing_queued_event(processing=processing)]
    processing.status = Status.RUNNING
    written.append(events.processing_attempt_started_event(processing=processing))
    processing.status, processing.result, processing.matches = Status.DONE, EvidenceProcessing.Result.MATCH, 1
    written.append(events.processing_done_event(processing=processing))
    processing.status, processing.reason_code, processing.reason = Status.FAILED, "corrupt_video", "Damaged."
    written.append(events.processing_failed_event(processing=processing))
    processing.status = Status.QUEUED
    written.append(events.processing_resent_event(processing=processing))
    written.append(events.processing_retried_event(processing=processing, actor=admin, reason="codec fixed"))
    assert [e.kind for e in written] == list(Kind.values)
    assert [e.status for e in written] == ["queued", "running", "done", "failed", "queued", "queued"]
    assert [e.actor for e in written] == [None] * 5 + [admin]
    assert [e.details for e in written] == [
        {"via": "upload"},
        {"attempt": 2},
        {"result": "match", "matches": 1, "faces_embedded": 0},
        {"code": "corrupt_video", "message": "Damaged.", "attempts": 2},
        {"was": "queued"},
        {"reason": "codec fixed"},
    ]
    assert [e.note for e in written] == [
        "queued on upload",
        "attempt 2",
        "match: 1 match(es)",
        "corrupt_video: Damaged.",
        "re-sent: queued too long",
        "retry: codec fixed",
    ]


def test_describe_words_every_kind(world):
    processing = _processing(world, attempts=1)
    for kind, details in [
        (Kind.QUEUED, {"via": "upload"}),
        (Kind.ATTEMPT_STARTED, {"attempt": 1}),
        (Kind.DONE, {"result": "no_match", "matches": 0}),
        (Kind.DONE, {"result": "match", "matches": 2}),
        (Kind.FAILED, {"code": "corrupt_video", "message": "The video cannot be opened."}),
        (Kind.RESENT, {"was": "running"}),
        (Kind.RETRIED, {"reason": "codec fixed"}),
        (Kind.RETRIED, {"reason": ""}),
    ]:
        EvidenceProcessingEvent.objects.create(processing=processing, kind=kind, status="queued", details=details)
    # A row written before events had details is worded from its note.
    EvidenceProcessingEvent.objects.create(processing=processing, kind=Kind.FAILED, status="failed", note="timeout: x")
    assert [events.describe(e) for e in processing.events.all()] == [
        "Queued for face matching: on upload",
        "Attempt started: attempt 1",
        "Searched: Faces, no match, 0 possible matches",
        "Searched: Possible match, 2 possible matches",
        "Failed: The video cannot be opened. (corrupt_video)",
        "Sent again by the safety net: running for too long",
        "Retried by an admin: codec fixed",
        "Retried by an admin",
        "Failed: timeout: x",
    ]


def test_threshold_change_is_worded_as_the_page_always_showed_it(world):
    change = events.threshold_changed_event(
        force=world.a.force, old=0.07, new=0.05, reason="Stricter", actor=world.a.admin
    )
    assert (change.old_threshold, change.new_threshold, change.changed_by) == (0.07, 0.05, world.a.admin)
    assert events.describe(change) == "0.07 → 0.05 by A-admin: Stricter"


def test_the_services_write_one_event_per_change(world, monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setattr("recognition.tasks.evidence_process_task.delay", lambda evidence_id: None)
    incident = IncidentFactory(store=world.a.store, reported_by=world.a.worker)
    evidence = evidence_for(incident, b"x", "till.jpg")
    with django_capture_on_commit_callbacks(execute=True):
        assert evidence_processing_queue(evidence_id=evidence.pk)
    processing = EvidenceProcessing.objects.get(evidence=evidence)
    # The worker died on it three times: the safety net gives up.
    EvidenceProcessing.objects.filter(pk=processing.pk).update(
        status=Status.RUNNING, attempts=3, updated_at=timezone.now() - datetime.timedelta(hours=2)
    )
    assert evidence_requeue_stale() == {"requeued": 0, "failed": 1}
    with django_capture_on_commit_callbacks(execute=True):
        evidence_processing_retry(processing=processing, actor=world.a.admin, reason="worker memory raised")
    EvidenceProcessing.objects.filter(pk=processing.pk).update(updated_at=timezone.now() - datetime.timedelta(hours=7))
    with django_capture_on_commit_callbacks(execute=True):
        assert evidence_requeue_stale() == {"requeued": 1, "failed": 0}
    written = list(processing.events.all())
    assert [(e.kind, e.status) for e in written] == [
        (Kind.QUEUED, "queued"),
        (Kind.FAILED, "failed"),
        (Kind.RETRIED, "queued"),
        (Kind.RESENT, "queued"),
    ]
    assert written[1].details["code"] == "worker_lost" and written[2].actor == world.a.admin
    force_threshold_set(force=world.a.force, threshold=0.06, reason="Calibrated", actor=world.a.admin)
    assert ThresholdChange.objects.get().reason == "Calibrated"


def test_the_admin_shows_a_files_history_in_those_words(world):
    processing = _processing(world, status=Status.FAILED, reason_code="corrupt_video", reason="Damaged.")
    events.processing_queued_event(processing=processing)
    failed = events.processing_failed_event(processing=processing)
    page = signed_in(world.a.admin).get(f"/admin/recognition/evidenceprocessing/{processing.pk}/change/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Queued for face matching: on upload" in html and events.describe(failed) in html


def test_the_threshold_page_lists_the_changes_in_those_words(world):
    client = signed_in(world.a.admin)
    client.post("/recognition/threshold/", {"threshold": "0.06", "reason": "Calibrated on our data"})
    html = client.get("/recognition/threshold/").content.decode()
    assert "0.07 → 0.06 by A-admin: Calibrated on our data</li>" in html
