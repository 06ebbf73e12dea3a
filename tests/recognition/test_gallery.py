"""Gallery search (no model: synthetic unit vectors) and its per-worker cache."""

import numpy as np
import pytest

from recognition import engine, gallery
from recognition.models import FaceTemplate
from tests.orders.factories import OffenderFactory, ReferencePhotoFactory
from tests.recognition.factories import offender_with_order


def _unit(seed):
    return engine.normalise(np.random.default_rng(seed).standard_normal(128).astype(np.float32))


def test_search_returns_best_template_per_offender_nearest_first():
    a1, a2, b = _unit(1), _unit(2), _unit(3)
    probe = engine.normalise(a2 + 0.1 * _unit(9))
    g = gallery.build([(10, 1, 100, a1.tobytes()), (11, 1, 101, a2.tobytes()), (12, 2, 102, b.tobytes())])
    found = g.search(probe, k=3)
    assert [c.offender_id for c in found] == [1, 2]
    assert found[0].template_id == 11 and found[0].reference_photo_id == 101
    assert found[0].distance < found[1].distance and abs(found[0].similarity + found[0].distance - 1) < 1e-6
    assert [c.offender_id for c in g.restricted_to({2}).search(probe, k=3)] == [2]
    assert gallery.build([]).search(probe) == []


def test_search_over_many_chunks_finds_the_planted_template():
    rng = np.random.default_rng(0)
    n = 30_005
    matrix = engine.normalise(rng.standard_normal((n, 128)).astype(np.float32))
    ids = np.arange(n, dtype=np.int64)
    g = gallery.Gallery(matrix=matrix, offender_ids=ids, photo_ids=ids, template_ids=ids)
    assert g.search(matrix[n - 2], k=1)[0].offender_id == n - 2


def _template(offender, vector, version="v1"):
    photo = ReferencePhotoFactory(offender=offender)
    return FaceTemplate.objects.create(
        reference_photo=photo,
        offender=offender,
        force_id=offender.force_id,
        embedding=vector.tobytes(),
        model_name="Dlib",
        model_version=version,
        face_box=[0, 0, 100, 100],
        face_size_px=100,
        sharpness=100,
    )


@pytest.mark.django_db
def test_cache_is_reused_and_invalidated_when_templates_change(world, django_assert_num_queries):
    offender = offender_with_order(world.a.force)
    first = _template(offender, _unit(1))
    _template(OffenderFactory(force=world.b.force), _unit(2))  # another force
    _template(offender, _unit(3), version="v0")  # another model version
    g1 = gallery.force_gallery(world.a.force.pk, "v1")
    assert len(g1) == 1
    with django_assert_num_queries(3):  # the signature only (a count and two maxima, each from an index)
        assert gallery.force_gallery(world.a.force.pk, "v1") is g1
    second = _template(offender, _unit(4))
    assert len(gallery.force_gallery(world.a.force.pk, "v1")) == 2
    first.delete()
    g3 = gallery.force_gallery(world.a.force.pk, "v1")
    assert list(g3.template_ids) == [second.pk]


@pytest.mark.django_db
def test_incident_gallery_is_offenders_under_an_order_at_that_time(world):
    import datetime

    under_order = offender_with_order(world.a.force)
    _template(under_order, _unit(1))
    _template(OffenderFactory(force=world.a.force), _unit(2))  # no order
    at = datetime.datetime(2026, 3, 2, 12, tzinfo=datetime.UTC)
    g = gallery.incident_gallery(force_id=world.a.force.pk, at=at, model_version="v1")
    assert g.offenders() == {under_order.pk}
    before = datetime.datetime(2025, 3, 2, 12, tzinfo=datetime.UTC)  # before the order
    assert len(gallery.incident_gallery(force_id=world.a.force.pk, at=before, model_version="v1")) == 0


def _old_restricted_search(g, eligible, probe, k):
    """Yesterday's incident gallery: copy the eligible rows out, then search them."""
    mask = np.isin(g.offender_ids, np.fromiter(eligible, dtype=np.int64))
    copied = gallery.Gallery(g.matrix[mask], g.offender_ids[mask], g.photo_ids[mask], g.template_ids[mask])
    return copied.search(probe, k=k)


def _random_gallery(seed, n_offenders=60):
    rng = np.random.default_rng(seed)
    per = rng.integers(1, 4, n_offenders)  # one to three templates each
    offender_ids = np.repeat(np.arange(1, n_offenders + 1), per)
    rng.shuffle(offender_ids)
    rows = [
        (t, int(o), 1000 + t, engine.normalise(rng.standard_normal(128).astype(np.float32)).tobytes())
        for t, o in enumerate(offender_ids, start=1)
    ]
    return gallery.build(rows), rng


@pytest.mark.parametrize("seed", range(20))
def test_masked_incident_gallery_finds_what_restricting_first_found(seed):
    g, rng = _random_gallery(seed)
    eligible = set(rng.choice(np.arange(1, 61), size=int(rng.integers(1, 20)), replace=False).tolist())
    ineligible_row = int(np.flatnonzero(~np.isin(g.offender_ids, list(eligible)))[0])
    probe = engine.normalise(g.matrix[ineligible_row] + 0.05 * rng.standard_normal(128).astype(np.float32))
    restricted = g.restricted_to(eligible)
    assert g.search(probe, k=1)[0].offender_id not in eligible  # an ineligible offender is nearest
    for k in (1, 3, len(eligible), len(eligible) + 5):  # k beyond the eligible count too
        assert restricted.search(probe, k=k) == _old_restricted_search(g, eligible, probe, k)
        within = [c for c in _old_restricted_search(g, eligible, probe, k) if c.distance <= 0.9]
        assert restricted.search(probe, k=k, max_distance=0.9) == within
    assert restricted.offenders() == eligible & set(g.offender_ids.tolist())
    assert len(restricted) == int(np.isin(g.offender_ids, list(eligible)).sum())
    # A gallery restricted again (research: one person of the incident's gallery) is the intersection.
    one = sorted(eligible)[:1]
    assert restricted.restricted_to(one).search(probe, k=3) == _old_restricted_search(g, one, probe, 3)


def test_restricting_to_nobody_finds_nobody():
    g, _ = _random_gallery(1)
    probe = g.matrix[0]
    assert len(g.restricted_to(set())) == 0
    assert g.restricted_to(set()).search(probe, k=3) == [] == g.restricted_to(set()).search(probe, max_distance=2)


def test_incident_gallery_shares_the_force_matrix(monkeypatch):
    g, _ = _random_gallery(2)
    monkeypatch.setattr(gallery, "force_gallery", lambda force_id, model_version: g)
    monkeypatch.setattr(gallery, "gallery_offender_ids", lambda force_id, at: {1, 2, 3})
    incident = gallery.incident_gallery(force_id=1, at=None, model_version="v1")
    assert incident.matrix is g.matrix and np.shares_memory(incident.matrix, g.matrix)
    assert incident.offenders() == {1, 2, 3} and len(incident) < len(g)


def _old_build(rows):
    rows = list(rows)
    matrix = np.vstack([np.frombuffer(bytes(r[3]), dtype=np.float32) for r in rows])
    matrix /= np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-12)
    ids = np.asarray([r[:3] for r in rows], dtype=np.int64)
    return matrix, ids


@pytest.mark.parametrize("count", [0, 50, 20_000, 20_001, 15_000])  # none, too few, exact, spare, one chunk short
def test_chunked_build_equals_building_from_a_list(count):
    rng = np.random.default_rng(3)
    n = 20_000  # three chunks
    vectors = rng.standard_normal((n, 128)).astype(np.float32) * 3
    rows = [(i + 10, i % 977, i + 20, memoryview(vectors[i].tobytes())) for i in range(n)]
    g = gallery.build(iter(rows), count=count)
    matrix, ids = _old_build(rows)
    assert np.array_equal(g.matrix, matrix) and g.matrix.flags.c_contiguous and len(g) == n
    assert np.array_equal(g.template_ids, ids[:, 0]) and np.array_equal(g.offender_ids, ids[:, 1])
    assert np.array_equal(g.photo_ids, ids[:, 2])
