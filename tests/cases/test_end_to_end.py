"""End to end with the real model on real photographs: a shop worker's CCTV upload becomes a case
for the right officer, a CBO breach only where the order covers the store, and no case for a
stranger. Photos: img1/img2/img4 are one person, img17 another (../shared/datasets/faces/master.csv)."""

import datetime

import numpy as np
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from bench import synthetic
from cases.models import Case, CaseAccess
from tests.conftest import FACES, client_for, require
from tests.orders.factories import OffenderFactory, OrderFactory, ProhibitionFactory
from workflows import orders as order_workflows

pytestmark = [pytest.mark.django_db, pytest.mark.deepface]


@pytest.fixture
def barred_from_store_a(world, face_engine):
    """Enrol img1.jpg of a person under an order (in force, served) naming world.a.store only."""
    require(FACES.is_dir(), f"face dataset missing at {FACES}")
    a = world.a
    offender = OffenderFactory(force=a.force)
    order = OrderFactory(offender=offender, made_on=datetime.date(2026, 1, 5), ends_on=datetime.date(2028, 1, 4))
    ProhibitionFactory(order=order, stores=[a.store])
    image = SimpleUploadedFile("custody.jpg", (FACES / "img1.jpg").read_bytes(), content_type="image/jpeg")
    order_workflows.reference_photo_add(  # stores the photo and enrols its face (the orders service only stores)
        offender=offender, actor=a.admin, image=image, source="Custody", taken_on=datetime.date(2025, 6, 1)
    )
    return offender


def report(worker, store, upload: SimpleUploadedFile, django_capture_on_commit_callbacks):
    """File an incident through the API; matching runs when the evidence commits (eager Celery here)."""
    with django_capture_on_commit_callbacks(execute=True):
        r = client_for(worker).post(
            "/api/incidents/",
            {
                "store": store.pk,
                "occurred_at": (timezone.now() - datetime.timedelta(hours=1)).isoformat(),
                "category": "theft",
                "ongoing": "false",
                "injured": "false",
                "weapon": "false",
                "description": "Filled a bag with coffee and walked out.",
                "files": [upload],
            },
            format="multipart",
        )
    assert r.status_code == 201, r.content
    return r.json()


def photo(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, (FACES / name).read_bytes(), content_type="image/jpeg")


def queue_ids(user) -> list[int]:
    return [row["id"] for row in client_for(user).get("/api/cases/").json()["results"]]


def test_photo_at_prohibited_store_raises_one_breach_case_for_that_beat_only(
    world, barred_from_store_a, django_capture_on_commit_callbacks
):
    a = world.a
    report(a.worker, a.store, photo("img2.jpg"), django_capture_on_commit_callbacks)
    case = Case.objects.get()
    assert case.offender == barred_from_store_a and case.is_breach
    assert case.best_match.reference_photo.offender == barred_from_store_a
    assert case.best_similarity >= case.threshold
    assert queue_ids(a.officer) == [case.pk]
    other_beat_officer = client_for(a.officer)  # same force, but make an officer of the other beat
    from tests.factories import UserFactory

    other = UserFactory(role="beat_officer", force=a.force, beats=[a.other_beat])
    assert queue_ids(other) == []
    assert queue_ids(world.b.officer) == []
    assert other_beat_officer.get(f"/api/cases/{case.pk}/images/cctv/").status_code == 403  # not yet justified


def test_video_made_from_the_photo_raises_the_breach_case(
    world, barred_from_store_a, django_capture_on_commit_callbacks, tmp_path
):
    a = world.a
    still = np.asarray(Image.open(FACES / "img2.jpg").convert("RGB"))
    clip = tmp_path / "till.mp4"
    synthetic.stills_clip(clip, [still], seconds_each=2.0)
    upload = SimpleUploadedFile("till.mp4", clip.read_bytes(), content_type="video/mp4")
    report(a.worker, a.store, upload, django_capture_on_commit_callbacks)
    case = Case.objects.get()
    assert case.is_breach and case.best_match.frame_time_s is not None


def test_same_person_at_a_store_the_order_does_not_cover_is_a_plain_case(
    world, barred_from_store_a, django_capture_on_commit_callbacks
):
    a = world.a
    a.worker.stores.add(a.sibling_store)  # same retailer, a store the order does not name
    report(a.worker, a.sibling_store, photo("img4.jpg"), django_capture_on_commit_callbacks)
    case = Case.objects.get()
    assert case.offender == barred_from_store_a and not case.is_breach


def test_someone_not_in_the_gallery_raises_no_case(world, barred_from_store_a, django_capture_on_commit_callbacks):
    a = world.a
    report(a.worker, a.store, photo("img17.jpg"), django_capture_on_commit_callbacks)
    assert not Case.objects.exists()
    # The search itself is logged all the same (DPA 2018 s.62), with no face kept.
    search = CaseAccess.objects.get(kind=CaseAccess.Kind.SEARCH)
    assert search.force == a.force and search.user is None and search.case is None
    assert "1 face(s) searched" in search.detail and "0 possible match(es)" in search.detail
