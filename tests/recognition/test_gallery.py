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
    with django_assert_num_queries(1):  # the signature only
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
    assert list(g.offender_ids) == [under_order.pk]
    before = datetime.datetime(2025, 3, 2, 12, tzinfo=datetime.UTC)  # before the order
    assert len(gallery.incident_gallery(force_id=world.a.force.pk, at=before, model_version="v1")) == 0
