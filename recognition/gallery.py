"""The gallery: templates of offenders under an order in force, searched in memory.

Each worker keeps one normalised float32 matrix per force (all of the force's templates of the
current model version), and checks a cheap signature of the templates table (count, last id, last
change) before each use, so enrolling or forgetting a photo invalidates it everywhere without any
messaging. An incident's gallery is a mask of that matrix: the offenders
``orders.selectors.gallery_offender_ids`` says were under an order in force at the incident's time.
A search is one matrix-vector product over the rows in the gallery: memory-bandwidth bound.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

import numpy as np
from django.db.models import Count, Max

from orders.selectors import gallery_offender_ids
from recognition.models import FaceTemplate


@dataclass(frozen=True)
class Candidate:
    offender_id: int
    reference_photo_id: int
    template_id: int
    distance: float
    similarity: float


@dataclass(frozen=True, eq=False)
class Gallery:
    """Templates as rows: ``matrix`` (n, 128) float32 unit rows, with parallel id arrays."""

    matrix: np.ndarray = field(repr=False)
    offender_ids: np.ndarray = field(repr=False)
    photo_ids: np.ndarray = field(repr=False)
    template_ids: np.ndarray = field(repr=False)

    def __len__(self) -> int:
        return len(self.template_ids)

    def restricted_to(self, offender_ids) -> Gallery:
        """The rows of these offenders only (an incident's gallery)."""
        mask = np.isin(self.offender_ids, np.fromiter(offender_ids, dtype=np.int64))
        return Gallery(
            matrix=self.matrix[mask],
            offender_ids=self.offender_ids[mask],
            photo_ids=self.photo_ids[mask],
            template_ids=self.template_ids[mask],
        )

    def search(self, probe: np.ndarray, *, k: int = 3) -> list[Candidate]:
        """The ``k`` nearest offenders (best template each) to a unit-length probe, nearest first."""
        if not len(self):
            return []
        similarities = similarities_to(self.matrix, probe)
        # A few more rows than k, so that k distinct offenders survive when one has several photos.
        take = min(len(similarities), k * 4)
        top = np.argpartition(-similarities, take - 1)[:take] if take < len(similarities) else np.arange(take)
        top = top[np.argsort(-similarities[top])]
        found: list[Candidate] = []
        seen: set[int] = set()
        for row in top:
            offender = int(self.offender_ids[row])
            if offender in seen:
                continue
            seen.add(offender)
            similarity = float(similarities[row])
            found.append(
                Candidate(
                    offender_id=offender,
                    reference_photo_id=int(self.photo_ids[row]),
                    template_id=int(self.template_ids[row]),
                    distance=round(1.0 - similarity, 6),
                    similarity=round(similarity, 6),
                )
            )
            if len(found) == k:
                break
        return found


def similarities_to(matrix: np.ndarray, probe: np.ndarray) -> np.ndarray:
    """Cosine similarity of every row to the probe (rows and probe unit length): one pass over memory.

    numpy's own single-threaded einsum loop, not BLAS: OpenBLAS wakes its threads for a product
    this size, and on a busy two-core machine each wake-up can cost a scheduler tick (measured:
    median 0.8-92 ms for 100k rows with BLAS, a steady 1.6 ms with einsum)."""
    return np.einsum("ij,j->i", matrix, np.ascontiguousarray(probe, dtype=np.float32))


def build(rows) -> Gallery:
    """A gallery from (template id, offender id, photo id, embedding bytes) rows."""
    rows = list(rows)
    if not rows:
        empty = np.zeros(0, dtype=np.int64)
        return Gallery(np.zeros((0, 128), dtype=np.float32), empty, empty, empty)
    matrix = np.vstack([np.frombuffer(bytes(r[3]), dtype=np.float32) for r in rows])
    matrix /= np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-12)
    ids = np.asarray([r[:3] for r in rows], dtype=np.int64)
    return Gallery(
        matrix=np.ascontiguousarray(matrix), offender_ids=ids[:, 1], photo_ids=ids[:, 2], template_ids=ids[:, 0]
    )


_cache: dict[tuple[int, str], tuple[tuple, Gallery]] = {}
_lock = threading.Lock()


def _templates(force_id: int, model_version: str):
    return FaceTemplate.objects.filter(offender__force_id=force_id, model_version=model_version)


def signature(force_id: int, model_version: str) -> tuple:
    agg = _templates(force_id, model_version).aggregate(n=Count("id"), last=Max("id"), changed=Max("updated_at"))
    return (agg["n"], agg["last"], agg["changed"])


def force_gallery(force_id: int, model_version: str) -> Gallery:
    """All of a force's templates of this model version, cached in this process until they change."""
    key = (force_id, model_version)
    current = signature(force_id, model_version)
    with _lock:
        cached = _cache.get(key)
        if cached and cached[0] == current:
            return cached[1]
    rows = _templates(force_id, model_version).values_list("id", "offender_id", "reference_photo_id", "embedding")
    gallery = build(rows.order_by("id"))
    with _lock:
        _cache[key] = (current, gallery)
    return gallery


def incident_gallery(*, force_id: int, at, model_version: str) -> Gallery:
    """The templates of offenders under an order in force (and served) in this force at ``at``."""
    offender_ids = gallery_offender_ids(force_id=force_id, at=at)
    if not offender_ids:
        return build([])
    return force_gallery(force_id, model_version).restricted_to(offender_ids)


def clear_cache() -> None:
    with _lock:
        _cache.clear()
