"""A full disk on the worker's side: "no space" is transient. A run that meets a full disk (ENOSPC)
while writing a match's crop leaves the file queued again with a back-off, never failed for good; it
leaves no partial crop and no match row behind; once space returns, the sweep sends it and the match is
stored, with its one case. The disk is a storage that really writes part of the file, then fails as a
full filesystem does."""

import datetime
import errno
import os

import pytest
from django.core.files.storage import FileSystemStorage
from django.utils import timezone

from cases.models import Case
from recognition.models import EvidenceProcessing, EvidenceProcessingEvent, PossibleMatch
from recognition.services import reference_photo_enrol
from tests.incidents.factories import IncidentFactory
from tests.recognition.factories import evidence_for, face_bytes, offender_with_order, reference_photo
from workflows.evidence import evidence_matching_run, requeue_stale

pytestmark = [pytest.mark.django_db, pytest.mark.deepface]
Status = EvidenceProcessing.Status


class FillingDisk(FileSystemStorage):
    """Media on a filesystem that fills up: after ``writes_left`` more files, a write stores its first
    bytes and then fails with ENOSPC, as a full disk does; ``None``: room for everything."""

    writes_left: int | None = None

    def _save(self, name, content):
        if FillingDisk.writes_left is not None:
            if FillingDisk.writes_left <= 0:
                path = self.path(name)
                os.makedirs(os.path.dirname(path), exist_ok=True)
                with open(path, "wb") as partial:
                    partial.write(content.read(64))
                raise OSError(errno.ENOSPC, "No space left on device", path)
            FillingDisk.writes_left -= 1
        return super()._save(name, content)


@pytest.fixture
def disk(settings, media_root):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": f"{__name__}.FillingDisk", "OPTIONS": {"location": str(media_root)}},
    }
    FillingDisk.writes_left = None
    yield FillingDisk
    FillingDisk.writes_left = None


def _crops(media_root) -> list[str]:
    folder = media_root / "recognition"
    return sorted(str(p.relative_to(media_root)) for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def _back_off_over(processing):
    EvidenceProcessing.objects.filter(pk=processing.pk).update(
        next_attempt_at=timezone.now() - datetime.timedelta(seconds=1),
        updated_at=timezone.now() - datetime.timedelta(hours=1),
    )


def test_a_full_disk_queues_the_file_again_with_a_back_off_and_the_match_is_stored_once_space_returns(
    world, disk, media_root, face_engine, settings, django_capture_on_commit_callbacks
):
    settings.RECOGNITION_NO_SPACE_RETRY_S, settings.RECOGNITION_MAX_ATTEMPTS = 60, 3
    offender = offender_with_order(world.a.force)
    reference_photo_enrol(photo=reference_photo(offender, "img1.jpg"))
    incident = IncidentFactory(store=world.a.store, reported_by=world.a.worker, in_order_period=True)
    evidence = evidence_for(incident, face_bytes("img2.jpg"), "till.jpg")
    EvidenceProcessing.objects.create_for(evidence)
    disk.writes_left = 0  # the disk is full from now on

    processing = evidence_matching_run(evidence_id=evidence.pk)

    assert (processing.status, processing.reason_code, processing.attempts) == ("queued", "storage_full", 1)
    assert "No space left" in processing.reason and processing.no_space_retries == 1
    wait = (processing.next_attempt_at - timezone.now()).total_seconds()
    assert 50 < wait <= 60
    assert not PossibleMatch.objects.exists() and not Case.objects.exists()
    assert _crops(media_root) == []  # the partial crop was deleted
    assert requeue_stale()["requeued"] == 0  # not before its back-off

    _back_off_over(processing)  # still full: queued again, the back-off doubled, never failed
    with django_capture_on_commit_callbacks(execute=True):
        assert requeue_stale()["requeued"] == 1
    processing.refresh_from_db()
    assert (processing.status, processing.attempts, processing.no_space_retries) == ("queued", 2, 2)
    assert 110 < (processing.next_attempt_at - timezone.now()).total_seconds() <= 120

    disk.writes_left = None  # space is back
    _back_off_over(processing)
    with django_capture_on_commit_callbacks(execute=True):
        assert requeue_stale()["requeued"] == 1
    processing.refresh_from_db()
    assert (processing.status, processing.result, processing.attempts) == ("done", "match", 3)
    assert processing.reason_code == "" and processing.next_attempt_at is None
    match = PossibleMatch.objects.get(evidence=evidence)
    assert match.offender == offender and _crops(media_root) == [match.crop.name]
    assert match.crop.size > 1000  # a whole JPEG, not a partial one
    assert Case.objects.filter(offender=offender, incident=incident).count() == 1
    failed = EvidenceProcessingEvent.objects.filter(processing=processing, kind="failed")
    assert [e.details["code"] for e in failed] == ["storage_full", "storage_full"]


def test_a_disk_that_fills_between_two_crops_keeps_neither(
    world, disk, media_root, face_engine, django_capture_on_commit_callbacks
):
    """Two offenders match the same face; the first crop is written, the second meets the full disk:
    the run's transaction is rolled back and the first crop deleted with it (no orphan file)."""
    first, second = offender_with_order(world.a.force), offender_with_order(world.a.force)
    reference_photo_enrol(photo=reference_photo(first, "img1.jpg"))
    reference_photo_enrol(photo=reference_photo(second, "img4.jpg"))  # the same person, recorded twice
    incident = IncidentFactory(store=world.a.store, reported_by=world.a.worker, in_order_period=True)
    evidence = evidence_for(incident, face_bytes("img2.jpg"), "till.jpg")
    EvidenceProcessing.objects.create_for(evidence)
    disk.writes_left = 1

    processing = evidence_matching_run(evidence_id=evidence.pk)

    assert (processing.status, processing.reason_code) == ("queued", "storage_full")
    assert not PossibleMatch.objects.exists() and not Case.objects.exists()
    assert _crops(media_root) == []

    disk.writes_left = None
    _back_off_over(processing)
    with django_capture_on_commit_callbacks(execute=True):
        assert requeue_stale()["requeued"] == 1
    processing.refresh_from_db()
    assert (processing.status, processing.matches) == ("done", 2)
    assert len(_crops(media_root)) == 2 and Case.objects.count() == 2
