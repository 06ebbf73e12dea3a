"""Management commands: evaluate_recognition (real model on master.csv) and enrol_reference_photos."""

import json
from io import StringIO

import pytest
from django.core.management import call_command

from recognition import calibration
from recognition.models import FaceTemplate, RecognitionEvaluation
from tests.conftest import FACES
from tests.orders.factories import OffenderFactory
from tests.recognition.factories import reference_photo

pytestmark = [pytest.mark.django_db, pytest.mark.deepface]


def test_evaluate_recognition_on_master_csv(face_engine, settings):
    out = StringIO()
    call_command("evaluate_recognition", "--pairs", str(FACES / "master.csv"), "--images", str(FACES), stdout=out)
    figures = json.loads(out.getvalue())
    assert figures["pairs"] == 300 and figures["threshold"] == settings.RECOGNITION_DEFAULT_THRESHOLD
    assert figures["accuracy"] >= 0.99 and figures["false_match_rate"] <= 0.01
    assert figures["roc_auc"] >= 0.99 and 0 < figures["best_threshold"] < 0.2
    saved = RecognitionEvaluation.objects.get()
    assert len(saved.distances) == 300 and saved.model_version == face_engine.model_version


def test_shipped_calibration_is_for_the_current_model_and_meets_the_targets(face_engine, settings):
    from recognition.selectors import evaluations_at

    figures = {e.pairs_file: e for e in evaluations_at(threshold=0.07, model_version=face_engine.model_version)}
    assert set(figures) == {"master.csv", "face-recognition-pivot.csv"}
    assert calibration.shipped(model_version=face_engine.model_version)
    assert figures["master.csv"].accuracy >= 0.99 and figures["master.csv"].false_match_rate <= 0.01
    pivot = figures["face-recognition-pivot.csv"]
    assert pivot.accuracy >= 0.97 and pivot.false_match_rate <= 0.01


def test_evaluate_recognition_rejects_a_missing_file(tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No pairs file"):
        call_command("evaluate_recognition", "--pairs", str(tmp_path / "x.csv"), "--images", str(tmp_path))


def test_enrol_reference_photos_re_enrols_after_a_model_change(face_engine, monkeypatch):
    photo = reference_photo(OffenderFactory(), "img1.jpg")
    FaceTemplate.objects.create(
        reference_photo=photo,
        offender=photo.offender,
        force_id=photo.offender.force_id,
        embedding=b"\x00" * 512,
        model_name="Dlib",
        model_version="an-old-version",
        face_box=[0, 0, 1, 1],
        face_size_px=1,
        sharpness=1,
    )
    out = StringIO()
    call_command("enrol_reference_photos", "--prune", stdout=out)
    assert "1 photo(s) enrolled" in out.getvalue()
    assert list(FaceTemplate.objects.values_list("model_version", flat=True)) == [face_engine.model_version]
