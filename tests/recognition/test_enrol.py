"""Enrolment of reference photos (real model) and the errors the orders app shows to admins."""

import datetime

import pytest
from django.core.files.base import ContentFile

from core.exceptions import ApplicationError
from orders.models import ReferencePhoto
from recognition.models import FaceTemplate
from recognition.services import reference_photo_enrol, reference_photo_forget
from tests.orders.factories import OffenderFactory
from tests.recognition.factories import reference_photo

pytestmark = [pytest.mark.django_db, pytest.mark.deepface]


def test_enrol_makes_one_template_with_model_name_and_version(face_engine):
    photo = reference_photo(OffenderFactory(), "img1.jpg")
    [template] = reference_photo_enrol(photo=photo)
    assert template.offender_id == photo.offender_id
    assert template.model_name == "Dlib" and template.model_version == face_engine.model_version
    assert template.vector.shape == (128,) and template.face_size_px >= 80
    # Enrolling again replaces, never duplicates.
    reference_photo_enrol(photo=photo)
    assert FaceTemplate.objects.filter(reference_photo=photo).count() == 1


def test_a_new_model_version_enrols_alongside(face_engine, monkeypatch):
    photo = reference_photo(OffenderFactory(), "img1.jpg")
    reference_photo_enrol(photo=photo)
    monkeypatch.setattr(face_engine, "model_version", "deepface-9/dlib-resnet-v2/chip150-5pt")
    reference_photo_enrol(photo=photo)
    assert FaceTemplate.objects.filter(reference_photo=photo).count() == 2


@pytest.mark.parametrize(
    ("name", "code"),
    [("couple.jpg", "multiple_faces"), ("selfie-many-people.jpg", "multiple_faces")],
)
def test_photos_that_cannot_be_enrolled(face_engine, name, code):
    photo = reference_photo(OffenderFactory(), name)
    with pytest.raises(ApplicationError) as exc:
        reference_photo_enrol(photo=photo)
    assert exc.value.code == code and "faces" in exc.value.message
    assert not FaceTemplate.objects.exists()


def _photo_from_image(image, name="x.jpg"):
    import io

    out = io.BytesIO()
    image.save(out, format="JPEG")
    return ReferencePhoto.objects.create(
        offender=OffenderFactory(),
        image=ContentFile(out.getvalue(), name=name),
        source="test",
        taken_on=datetime.date(2025, 1, 1),
    )


def test_no_face(face_engine):
    from PIL import Image

    photo = _photo_from_image(Image.new("RGB", (400, 300), (120, 160, 200)))
    with pytest.raises(ApplicationError) as exc:
        reference_photo_enrol(photo=photo)
    assert exc.value.code == "no_face"
    assert "No face" in exc.value.message
    assert not FaceTemplate.objects.exists()


def test_face_too_small(face_engine):
    from PIL import Image

    from tests.conftest import FACES

    small = Image.open(FACES / "img1.jpg").convert("RGB")
    small.thumbnail((150, 150))  # the face is about 60 px across
    canvas = Image.new("RGB", (640, 480), (90, 90, 90))
    canvas.paste(small, (200, 150))
    photo = _photo_from_image(canvas)
    with pytest.raises(ApplicationError) as exc:
        reference_photo_enrol(photo=photo)
    assert exc.value.code in ("face_too_small", "no_face")
    assert exc.value.code == "face_too_small", exc.value.message
    assert not FaceTemplate.objects.exists()


def test_unreadable_photo(face_engine):
    photo = ReferencePhoto.objects.create(
        offender=OffenderFactory(),
        image=ContentFile(b"not an image", name="x.jpg"),
        source="test",
        taken_on=datetime.date(2025, 1, 1),
    )
    with pytest.raises(ApplicationError) as exc:
        reference_photo_enrol(photo=photo)
    assert exc.value.code == "unreadable_image"
    assert not FaceTemplate.objects.exists()


def test_forget_deletes_the_templates(face_engine):
    photo = reference_photo(OffenderFactory(), "img2.jpg")
    reference_photo_enrol(photo=photo)
    assert reference_photo_forget(photo_id=photo.pk) == 1
    assert not FaceTemplate.objects.filter(reference_photo_id=photo.pk).exists()
