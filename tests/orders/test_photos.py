"""Reference photos through the workflow (stored, then enrolled), the API and the admin, with the real face
model on real photos."""

import datetime
import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from core.exceptions import ApplicationError
from orders import services
from orders.models import Offender, OffenderEvent, ReferencePhoto
from recognition.models import FaceTemplate
from tests.conftest import FACES, client_for
from tests.orders.conftest import face_file
from tests.orders.factories import OffenderFactory, OrderFactory
from workflows import orders as order_workflows

pytestmark = [pytest.mark.django_db, pytest.mark.deepface]
D = datetime.date


def media_files() -> set[str]:
    root = Path(settings.MEDIA_ROOT) / "reference_photos"
    return {str(p) for p in root.rglob("*") if p.is_file()} if root.exists() else set()


def jpeg(image: Image.Image, name: str = "x.jpg") -> SimpleUploadedFile:
    out = io.BytesIO()
    image.save(out, format="JPEG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def small_face() -> SimpleUploadedFile:
    small = Image.open(FACES / "img1.jpg").convert("RGB")
    small.thumbnail((150, 150))  # the face ends up about 60 px across
    canvas = Image.new("RGB", (640, 480), (90, 90, 90))
    canvas.paste(small, (200, 150))
    return jpeg(canvas)


def add(offender, actor, image):
    return order_workflows.reference_photo_add(
        offender=offender, actor=actor, image=image, source="Custody, Crewe suite", taken_on=D(2025, 11, 2)
    )


def test_photo_with_one_face_is_enrolled_and_audited(world, face_engine):
    offender = OffenderFactory(force=world.a.force)
    photo = add(offender, world.a.admin, face_file("img1.jpg"))
    assert FaceTemplate.objects.filter(reference_photo=photo, offender=offender).count() == 1
    assert len(photo.sha256) == 64 and photo.uploaded_by == world.a.admin
    event = offender.events.get(kind="photo_added")
    assert event.actor == world.a.admin and event.photo_id == photo.pk and event.new["taken_on"] == "2025-11-02"


@pytest.mark.parametrize(
    "make, code",
    [
        (lambda: face_file("couple.jpg"), "multiple_faces"),
        (lambda: jpeg(Image.new("RGB", (400, 300), (120, 160, 200))), "no_face"),
        (small_face, "face_too_small"),
    ],
)
def test_photo_without_exactly_one_usable_face_is_refused_and_nothing_kept(world, face_engine, make, code):
    offender = OffenderFactory(force=world.a.force)
    before = media_files()
    with pytest.raises(ApplicationError) as exc:
        add(offender, world.a.admin, make())
    assert exc.value.code == code and exc.value.fields["image"]
    assert not ReferencePhoto.objects.exists() and not FaceTemplate.objects.exists()
    assert not OffenderEvent.objects.filter(kind="photo_added").exists()
    assert media_files() == before  # the file was removed too


def test_same_photo_twice_is_refused(world, face_engine):
    offender = OffenderFactory(force=world.a.force)
    add(offender, world.a.admin, face_file("img1.jpg"))
    with pytest.raises(ApplicationError) as exc:
        add(offender, world.a.admin, face_file("img1.jpg"))
    assert exc.value.code == "duplicate_photo"


def test_remove_photo_forgets_templates_and_deletes_file(world, face_engine, django_capture_on_commit_callbacks):
    offender = OffenderFactory(force=world.a.force)
    photo = add(offender, world.a.admin, face_file("img2.jpg"))
    name, photo_id = photo.image.name, photo.pk
    with django_capture_on_commit_callbacks(execute=True):
        order_workflows.reference_photo_remove(photo=photo, actor=world.a.admin, reason="Wrong person")
    assert not ReferencePhoto.objects.filter(pk=photo_id).exists()
    assert not FaceTemplate.objects.filter(reference_photo_id=photo_id).exists()
    assert not ReferencePhoto._meta.get_field("image").storage.exists(name)
    event = offender.events.get(kind="photo_removed")
    assert event.old["source"] == "Custody, Crewe suite" and event.reason == "Wrong person"


def test_photo_metadata_correction_is_audited(world, face_engine):
    offender = OffenderFactory(force=world.a.force)
    photo = add(offender, world.a.admin, face_file("img1.jpg"))
    services.reference_photo_update(photo=photo, actor=world.a.admin, taken_on=D(2025, 10, 1))
    event = offender.events.get(kind="photo_changed")
    assert event.old == {"taken_on": "2025-11-02"} and event.new == {"taken_on": "2025-10-01"}


def test_retention_deletes_real_templates(world, face_engine):
    offender = OffenderFactory(force=world.a.force)
    OrderFactory(offender=offender, made_on=D(2024, 1, 1), ends_on=D(2024, 12, 31))
    add(offender, world.a.admin, face_file("img1.jpg"))
    assert FaceTemplate.objects.filter(offender=offender).count() == 1
    assert len(services.retention_purge()) == 1
    assert not FaceTemplate.objects.filter(offender=offender).exists()


# API -------------------------------------------------------------------------------------------


def test_api_photo_upload_view_and_delete(world, face_engine):
    offender = OffenderFactory(force=world.a.force)
    admin = client_for(world.a.admin)
    url = f"/api/offenders/{offender.pk}/photos/"
    body = {"image": face_file("img1.jpg"), "source": "Custody, Crewe suite", "taken_on": "2025-11-02"}
    r = admin.post(url, body, format="multipart")
    assert r.status_code == 201, r.json()
    photo_id = r.json()["id"]
    image = client_for(world.a.officer).get(r.json()["image_url"])
    assert image.status_code == 200 and b"".join(image.streaming_content)[:3] == b"\xff\xd8\xff"
    assert client_for(world.b.admin).get(r.json()["image_url"]).status_code == 404
    assert client_for(world.a.worker).get(r.json()["image_url"]).status_code == 403
    r = admin.post(url, {"image": face_file("couple.jpg"), "source": "Custody", "taken_on": "2025-11-02"},
                   format="multipart")  # fmt: skip
    assert r.status_code == 400 and r.json()["code"] == "multiple_faces"
    r = client_for(world.a.officer).post(
        url, {"image": face_file("img2.jpg"), "source": "x", "taken_on": "2025-11-02"}, format="multipart"
    )
    assert r.status_code == 403
    assert admin.delete(f"{url}{photo_id}/").status_code == 204
    assert not FaceTemplate.objects.exists() and not ReferencePhoto.objects.exists()


# Admin -----------------------------------------------------------------------------------------


def _offender_form(photo: SimpleUploadedFile) -> dict:
    return {
        "given_names": "Jason",
        "family_name": "Smith",
        "aliases": "",
        "pnc_id": "",
        "notes": "",
        "photos-TOTAL_FORMS": "1",
        "photos-INITIAL_FORMS": "0",
        "photos-MIN_NUM_FORMS": "0",
        "photos-MAX_NUM_FORMS": "1000",
        "photos-0-image": photo,
        "photos-0-source": "Custody, Crewe suite",
        "photos-0-taken_on": "02/11/2025",
        "orders-TOTAL_FORMS": "0",
        "orders-INITIAL_FORMS": "0",
        "orders-MIN_NUM_FORMS": "0",
        "orders-MAX_NUM_FORMS": "1000",
        "events-TOTAL_FORMS": "0",
        "events-INITIAL_FORMS": "0",
        "events-MIN_NUM_FORMS": "0",
        "events-MAX_NUM_FORMS": "1000",
    }


def test_admin_creates_offender_with_photo(world, face_engine):
    c = Client()
    c.force_login(world.a.admin)
    r = c.post("/admin/orders/offender/add/", _offender_form(face_file("img1.jpg")))
    assert r.status_code == 302, r.content.decode()[:3000]
    offender = Offender.objects.get()
    assert FaceTemplate.objects.filter(offender=offender).count() == 1
    assert list(offender.events.values_list("kind", flat=True)) == ["created", "photo_added"]
    html = c.get(f"/admin/orders/offender/{offender.pk}/change/").content.decode()
    assert f"/api/offenders/{offender.pk}/photos/" in html  # the photo is shown


def test_admin_photo_with_two_faces_saves_nothing(world, face_engine):
    c = Client()
    c.force_login(world.a.admin)
    r = c.post("/admin/orders/offender/add/", _offender_form(face_file("couple.jpg")), follow=True)
    assert "Nothing was saved: The photo shows 2 faces" in r.content.decode()
    assert not Offender.objects.exists() and not ReferencePhoto.objects.exists()
