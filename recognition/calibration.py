"""Pair distances measured on ../shared/datasets/faces, shipped with the code so that a force admin
sees the threshold's figures before anyone has run ``evaluate_recognition`` on their installation.
Written by ``manage.py evaluate_recognition --write-calibration``."""

from __future__ import annotations

import json
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "calibration_data"


def write(*, pairs_file: str, distances, labels, unusable: int, model_name: str, model_version: str) -> Path:
    DATA_DIR.mkdir(exist_ok=True)
    path = DATA_DIR / f"{Path(pairs_file).stem}.json"
    record = {
        "pairs_file": pairs_file,
        "model_name": model_name,
        "model_version": model_version,
        "unusable_pairs": unusable,
        "distances": list(distances),
        "labels": list(labels),
    }
    path.write_text(json.dumps(record) + "\n")
    return path


def shipped(*, model_version: str | None) -> list[tuple]:
    """(pairs_file, distances, labels, unusable, model_name, model_version) of the shipped files for
    this model version (any version when None)."""
    found = []
    for path in sorted(DATA_DIR.glob("*.json")):
        r = json.loads(path.read_text())
        if model_version is None or r["model_version"] == model_version:
            found.append(
                (r["pairs_file"], r["distances"], r["labels"], r["unusable_pairs"], r["model_name"], r["model_version"])
            )
    return found
