"""Threshold evaluation on labelled pairs (``file_x,file_y,decision``): accuracy, true/false match
rates at a threshold, the best threshold and the ROC AUC. Used by ``manage.py evaluate_recognition``
and shown to force admins next to their threshold."""

from __future__ import annotations

import csv
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from recognition import engine


@dataclass(frozen=True)
class Evaluation:
    pairs_file: str
    pairs: int
    same_pairs: int
    different_pairs: int
    unusable_pairs: int  # an image with no detectable face (counted as "no match")
    threshold: float
    accuracy: float
    true_match_rate: float
    false_match_rate: float
    missed_matches: int
    false_matches: int
    best_threshold: float
    best_accuracy: float
    roc_auc: float
    model_name: str
    model_version: str

    def as_dict(self) -> dict:
        return asdict(self)


def read_pairs(path: Path) -> list[tuple[str, str, bool]]:
    """Rows of (file_x, file_y, same). Paths keep only their file name (the pivot file's prefix)."""
    with open(path, newline="") as handle:
        reader = csv.reader(handle)
        header = [h.strip().lower() for h in next(reader)]
        ix, iy, idec = header.index("file_x"), header.index("file_y"), header.index("decision")
        return [
            (Path(row[ix]).name, Path(row[iy]).name, row[idec].strip().lower() in ("yes", "true", "1"))
            for row in reader
            if row
        ]


def embed_file(path: Path) -> np.ndarray | None:
    """The largest face's embedding, or None when the image has no face."""
    eng = engine.get_engine()
    image = engine.load_image(path)
    detections = eng.detect_image(image)
    if not detections:
        return None
    largest = max(detections, key=lambda d: d.box.w * d.box.h)
    return eng.faces(image, [largest])[0].embedding


def roc_auc(scores: np.ndarray, labels: np.ndarray) -> float:
    """Area under the ROC curve for similarity ``scores`` (higher = same), by the rank statistic."""
    positives, negatives = scores[labels], scores[~labels]
    if not len(positives) or not len(negatives):
        return float("nan")
    greater = (positives[:, None] > negatives[None, :]).sum()
    ties = (positives[:, None] == negatives[None, :]).sum()
    return float((greater + 0.5 * ties) / (len(positives) * len(negatives)))


def pair_distances(pairs_path: Path, images_dir: Path) -> tuple[list[float], list[bool], int]:
    """Cosine distance of each labelled pair (2.0, never a match, when an image has no face)."""
    pairs = read_pairs(pairs_path)
    embeddings = {name: embed_file(images_dir / name) for name in sorted({n for x, y, _ in pairs for n in (x, y)})}
    distances, labels, unusable = [], [], 0
    for x, y, same in pairs:
        ex, ey = embeddings[x], embeddings[y]
        if ex is None or ey is None:
            unusable += 1
            distances.append(2.0)
        else:
            distances.append(round(engine.cosine_distance(ex, ey), 6))
        labels.append(same)
    return distances, labels, unusable


def evaluate(pairs_path: Path, images_dir: Path, *, threshold: float) -> tuple[Evaluation, list[float], list[bool]]:
    distances, labels, unusable = pair_distances(pairs_path, images_dir)
    eng = engine.get_engine()
    figures = summarise(
        distances,
        labels,
        threshold=threshold,
        pairs_file=Path(pairs_path).name,
        unusable=unusable,
        model_name=eng.model_name,
        model_version=eng.model_version,
    )
    return figures, distances, labels


def summarise(
    distances, labels, *, threshold: float, pairs_file: str, unusable: int, model_name: str, model_version: str
) -> Evaluation:
    """The figures at ``threshold`` for pairs whose distances are already known."""
    distances, labels = np.asarray(distances, dtype=float), np.asarray(labels, dtype=bool)
    predicted = distances <= threshold
    same, different = int(labels.sum()), int((~labels).sum())
    candidates = np.unique(np.concatenate([distances, [threshold]]))
    accuracies = [float(((distances <= t) == labels).mean()) for t in candidates]
    best = int(np.argmax(accuracies))
    # Report the middle of the gap to the next distance, not a threshold sitting on a pair's distance.
    best_threshold = (candidates[best] + candidates[best + 1]) / 2 if best + 1 < len(candidates) else candidates[best]
    return Evaluation(
        pairs_file=pairs_file,
        pairs=len(labels),
        same_pairs=same,
        different_pairs=different,
        unusable_pairs=unusable,
        threshold=threshold,
        accuracy=round(float((predicted == labels).mean()), 4),
        true_match_rate=round(float((predicted & labels).sum() / same), 4) if same else 0.0,
        false_match_rate=round(float((predicted & ~labels).sum() / different), 4) if different else 0.0,
        missed_matches=int((~predicted & labels).sum()),
        false_matches=int((predicted & ~labels).sum()),
        best_threshold=round(float(best_threshold), 4),
        best_accuracy=round(accuracies[best], 4),
        roc_auc=round(roc_auc(1.0 - distances, labels), 4),
        model_name=model_name,
        model_version=model_version,
    )
