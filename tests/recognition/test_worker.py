"""End to end with a real Celery worker process (Redis in CI): an uploaded photo of an offender under
an order is matched by the worker, and a corrupt file next to it fails cleanly."""

import pytest

from recognition.models import EvidenceProcessing, PossibleMatch
from recognition.processing import evidence_processing_queue, evidence_processing_send
from recognition.services import reference_photo_enrol
from tests.conftest import wait_for
from tests.incidents.factories import IncidentFactory
from tests.recognition.factories import evidence_for, face_bytes, offender_with_order, reference_photo

pytestmark = [pytest.mark.worker, pytest.mark.deepface]


def test_worker_matches_an_uploaded_photo(world, face_engine, celery_worker_process):
    offender = offender_with_order(world.a.force)
    reference_photo_enrol(photo=reference_photo(offender, "img1.jpg"))
    incident = IncidentFactory(store=world.a.store, reported_by=world.a.worker, in_order_period=True)
    good = evidence_for(incident, face_bytes("img2.jpg"), "till.jpg")
    bad = evidence_for(incident, b"\x00\x01 not a video", "door.mp4", kind="video")
    for evidence in (bad, good):
        evidence_processing_queue(evidence_id=evidence.pk)
        evidence_processing_send(evidence_id=evidence.pk)  # outside a transaction: sent at once

    def finished():
        rows = EvidenceProcessing.objects.filter(evidence__in=[good, bad])
        return {r.evidence_id: r for r in rows if r.status in ("done", "failed")}

    rows = wait_for(lambda: len(finished()) == 2 and finished(), timeout=120, what="the worker to process both files")
    assert (rows[good.pk].status, rows[good.pk].result) == ("done", "match"), rows[good.pk].reason
    assert (rows[bad.pk].status, rows[bad.pk].reason_code) == ("failed", "corrupt_video")
    match = PossibleMatch.objects.get(evidence=good)
    assert match.offender_id == offender.pk and match.crop.name
