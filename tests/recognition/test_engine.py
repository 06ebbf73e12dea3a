"""The engine on real photographs (real model), and its failure modes."""

import io

import numpy as np
import pytest
from PIL import Image

from recognition import engine
from recognition.weights import WeightsMissing
from tests.recognition.factories import face_bytes

pytestmark = pytest.mark.deepface


def _embedding(eng, name):
    image = engine.load_image(face_bytes(name))
    faces = eng.faces(image)
    assert len(faces) == 1
    return faces[0]


def test_same_person_close_other_person_far(face_engine, settings):
    a, b, other = (_embedding(face_engine, n) for n in ("img1.jpg", "img2.jpg", "img17.jpg"))
    threshold = settings.RECOGNITION_DEFAULT_THRESHOLD
    assert engine.compare(a.embedding, b.embedding, threshold=threshold).verified
    assert not engine.compare(a.embedding, other.embedding, threshold=threshold).verified
    assert a.embedding.dtype == np.float32 and a.embedding.shape == (128,)
    assert abs(float(np.linalg.norm(a.embedding)) - 1.0) < 1e-5


def test_results_are_frozen_dataclasses(face_engine):
    face = _embedding(face_engine, "img1.jpg")
    with pytest.raises(AttributeError):
        face.sharpness = 0  # type: ignore[misc]
    assert face.detection.box.size > 200 and len(face.detection.landmarks) == 5


def test_several_faces_found_in_a_group_photo(face_engine):
    image = engine.load_image(face_bytes("couple.jpg"))
    assert len(face_engine.detect_image(image)) == 2


def test_model_version_names_the_library_weights_and_alignment(face_engine):
    assert face_engine.model_name == "Dlib"
    assert face_engine.model_version.startswith("deepface-0.0.103/dlib-resnet-v1-")
    assert face_engine.model_version.endswith("/chip150-5pt")


def test_huge_image_refused_from_its_header(settings):
    settings.RECOGNITION_MAX_IMAGE_PIXELS = 1_000_000
    out = io.BytesIO()
    Image.new("RGB", (2000, 1000)).save(out, format="PNG")
    with pytest.raises(engine.EngineError) as exc:
        engine.load_image(out.getvalue())
    assert exc.value.code == "image_too_large"


def test_not_an_image():
    with pytest.raises(engine.EngineError) as exc:
        engine.load_image(b"this is not an image at all")
    assert exc.value.code == "unreadable_image"


def test_missing_weights_fail_with_what_to_run(settings, tmp_path):
    settings.DEEPFACE_HOME = tmp_path
    with pytest.raises(WeightsMissing, match="install_face_weights"):
        engine.Engine()


def test_worker_refuses_to_start_without_weights(settings, tmp_path, monkeypatch, face_engine):
    from recognition.tasks import _load_face_model

    settings.DEEPFACE_HOME = tmp_path
    monkeypatch.setattr(engine, "_engine", None)
    with pytest.raises(SystemExit, match="install_face_weights"):
        _load_face_model()
