"""Model weights come from the face-recognition-models package; a missing file fails with advice."""

import pytest

from recognition.weights import WEIGHT_FILES, WeightsMissing, check_weights, install_weights


def test_missing_weights_fail_with_the_command_to_run(settings, tmp_path):
    settings.DEEPFACE_HOME = tmp_path
    with pytest.raises(WeightsMissing, match="install_face_weights"):
        check_weights()


def test_install_copies_from_the_package_once(settings, tmp_path):
    settings.DEEPFACE_HOME = tmp_path
    written = install_weights()
    assert sorted(p.name for p in written) == sorted(WEIGHT_FILES)
    check_weights()
    assert install_weights() == []  # already there: nothing copied again
    assert (tmp_path / ".deepface" / "weights" / WEIGHT_FILES[0]).stat().st_size > 1_000_000


def test_management_command_reports_where(settings, tmp_path, capsys):
    from django.core.management import call_command

    settings.DEEPFACE_HOME = tmp_path
    call_command("install_face_weights")
    assert str(tmp_path) in capsys.readouterr().out
