"""The gallery: templates of offenders under an order in force, searched in memory.

Each worker keeps one normalised float32 matrix per force (all of the force's templates of the
current model version), and checks a cheap signature of the templates table (count, last id, last
change) before each use, so enrolling or forgetting a photo invalidates it everywhere without any
messaging. An incident's gallery is a row mask over that matrix (never a copy): the offenders
``orders.selectors.gallery_offender_ids`` says were under an order in force at the incident's time.
A search is one matrix-vector product over every row, then a filter of the few hits by the mask:
memory-bandwidth bound.
"""

from __future__ import annotations

import itertools
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
    """Templates as rows: ``matrix`` (n, 128) float32 unit rows, with parallel id arrays.

    ``rows``, when set, is a boolean mask of the rows in this gallery (an incident's offenders): the
    matrix is the force's, shared and never copied, and a search reads every row and then drops the
    few hits outside the mask (measured at 1M templates: copying the rows out cost 690 ms and 488 MB
    per evidence file, more than ten times the search)."""

    matrix: np.ndarray = field(repr=False)
    offender_ids: np.ndarray = field(repr=False)
    photo_ids: np.ndarray = field(repr=False)
    template_ids: np.ndarray = field(repr=False)
    rows: np.ndarray | None = field(default=None, repr=False)

    def __len__(self) -> int:
        return len(self.template_ids) if self.rows is None else int(np.count_nonzero(self.rows))

    def offenders(self) -> set[int]:
        """The offenders with a template in this gallery."""
        ids = self.offender_ids if self.rows is None else self.offender_ids[self.rows]
        return {int(i) for i in np.unique(ids)}

    def restricted_to(self, offender_ids) -> Gallery:
        """The rows of these offenders only (an incident's gallery): a row mask over the same matrix."""
        mask = np.isin(self.offender_ids, np.fromiter(offender_ids, dtype=np.int64))
        if self.rows is not None:
            mask &= self.rows
        return Gallery(self.matrix, self.offender_ids, self.photo_ids, self.template_ids, rows=mask)

    def search(self, probe: np.ndarray, *, k: int = 3, max_distance: float | None = None) -> list[Candidate]:
        """The ``k`` nearest offenders (best template each) to a unit-length probe, nearest first;
        with ``max_distance``, only those within it (the pipeline stops at its threshold anyway, and a
        threshold filter is a hundred times cheaper than ranking every row)."""
        if not len(self):
            return []
        similarities = similarities_to(self.matrix, probe)
        if max_distance is not None:
            top = np.flatnonzero(similarities >= np.float32(1.0 - max_distance))
            if self.rows is not None:
                top = top[self.rows[top]]
            return self._candidates(similarities, top, k)
        if self.rows is not None:
            similarities[~self.rows] = -np.inf
        n = len(self)
        # A few more rows than k, so that k distinct offenders survive when one has several photos;
        # more if not (many templates of one person near the probe).
        take = min(n, k * 4)
        while True:
            found = self._candidates(similarities, _top_rows(similarities, take), k)
            if len(found) == k or take == n:
                return found
            take = min(n, take * 4)

    def _candidates(self, similarities: np.ndarray, rows: np.ndarray, k: int) -> list[Candidate]:
        # Stable, from rows in index order: ties rank as they would in a gallery of these rows only.
        rows = np.sort(rows)
        rows = rows[np.argsort(-similarities[rows], kind="stable")]
        found: list[Candidate] = []
        seen: set[int] = set()
        for row in rows:
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


def _top_rows(similarities: np.ndarray, take: int) -> np.ndarray:
    """The ``take`` most similar rows that are in the gallery (masked rows are -inf), unordered."""
    if take < len(similarities):
        top = np.argpartition(-similarities, take - 1)[:take]
    else:
        top = np.arange(len(similarities))
    return top[np.isfinite(similarities[top])]


def similarities_to(matrix: np.ndarray, probe: np.ndarray) -> np.ndarray:
    """Cosine similarity of every row to the probe (rows and probe unit length): one pass over memory.

    OpenBLAS's matrix-vector product on one thread (``config/__init__.py`` sets OPENBLAS_NUM_THREADS=1
    before numpy loads): measured at 1M templates, 38 ms against 51 ms for numpy's own einsum loop and
    43 ms for faiss's flat index on one thread, near one read of the matrix. With several BLAS threads
    each wake-up on a busy two-core machine can cost a scheduler tick (median 0.8-92 ms for 100k rows)."""
    return matrix @ np.ascontiguousarray(probe, dtype=np.float32)


_CHUNK = 8_192


def build(rows, *, count: int = 0) -> Gallery:
    """A gallery from (template id, offender id, photo id, embedding bytes) rows, read in chunks.

    The matrix is allocated once (``count`` rows, the expected number; it grows if more come) and
    filled and normalised in place, so a build peaks near the matrix's own size, not at a list of
    every row plus a stacked copy."""
    matrix = np.empty((max(count, 0), 128), dtype=np.float32)
    ids = np.empty((max(count, 0), 3), dtype=np.int64)
    n = 0
    rows = iter(rows)
    while chunk := list(itertools.islice(rows, _CHUNK)):
        if n + len(chunk) > len(matrix):
            size = max(n + len(chunk), 2 * len(matrix))
            matrix, ids = np.resize(matrix, (size, 128)), np.resize(ids, (size, 3))
        for i, (template_id, offender_id, photo_id, embedding) in enumerate(chunk, start=n):
            matrix[i] = np.frombuffer(embedding, dtype=np.float32)
            ids[i] = (template_id, offender_id, photo_id)
        block = matrix[n : n + len(chunk)]
        block /= np.maximum(np.linalg.norm(block, axis=1, keepdims=True), 1e-12)
        n += len(chunk)
    if n < len(matrix):  # fewer rows than expected (deleted since the count): trim, a copy, rare
        matrix, ids = matrix[:n].copy(), ids[:n].copy()
    return Gallery(matrix=matrix, offender_ids=ids[:, 1], photo_ids=ids[:, 2], template_ids=ids[:, 0])


_cache: dict[tuple[int, str], tuple[tuple, Gallery]] = {}
_lock = threading.Lock()


def _templates(force_id: int, model_version: str):
    return FaceTemplate.objects.filter(force_id=force_id, model_version=model_version)


def signature(force_id: int, model_version: str) -> tuple:
    """How many templates the force has of this model version, the last id and the last change: read from the
    table's indexes alone (a few milliseconds at 55,000 templates), before every use of a cached gallery."""
    templates = _templates(force_id, model_version)
    # Three reads, each one index's alone (the count a range of it, each maximum its last entry); asked in one
    # query the database reads every row instead (110 ms against 8 ms at 55,000 templates).
    return (
        templates.aggregate(n=Count("*"))["n"],
        templates.aggregate(last=Max("id"))["last"],
        templates.aggregate(changed=Max("updated_at"))["changed"],
    )


def force_gallery(force_id: int, model_version: str) -> Gallery:
    """All of a force's templates of this model version, cached in this process until they change."""
    key = (force_id, model_version)
    current = signature(force_id, model_version)
    with _lock:
        cached = _cache.get(key)
        if cached and cached[0] == current:
            return cached[1]
    rows = _templates(force_id, model_version).values_list("id", "offender_id", "reference_photo_id", "embedding")
    gallery = build(rows.order_by("id").iterator(chunk_size=_CHUNK), count=current[0] or 0)
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
