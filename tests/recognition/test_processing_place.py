"""A processing record carries its evidence's store and force (the list reads that one table): the writer
copies them from the incident, the migration fills them for records made before, and the list's scope and
filters use them."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from recognition.models import EvidenceProcessing
from recognition.processing import evidence_processing_queue
from recognition.selectors import processing_filter, processing_for
from tests.incidents.factories import IncidentFactory
from tests.recognition.factories import evidence_for

pytestmark = pytest.mark.usefixtures("media_root")


def migrated_back_to(name: str):
    """Migrate the recognition app back to ``name``; the apps (models) as they were then."""
    executor = MigrationExecutor(connection)
    executor.migrate([("recognition", name)])
    return executor.loader.project_state([("recognition", name)]).apps


def migrated_forward() -> None:
    """Migrate every app to its latest migration again (the state the other tests expect)."""
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def _evidence(store, worker, name="till.jpg"):
    return evidence_for(IncidentFactory(store=store, reported_by=worker), name.encode(), name)


@pytest.mark.django_db
def test_the_writer_copies_the_incidents_store_and_force(world):
    evidence = _evidence(world.a.sibling_store, world.a.worker)
    evidence_processing_queue(evidence_id=evidence.pk)
    processing = EvidenceProcessing.objects.get(evidence=evidence)
    assert (processing.store_id, processing.force_id) == (world.a.sibling_store.pk, world.a.force.pk)


@pytest.mark.django_db
def test_scope_and_filters_read_the_records_store_and_force(world):
    mine = EvidenceProcessing.objects.create_for(_evidence(world.a.store, world.a.worker, "mine.jpg"))
    other_beat = EvidenceProcessing.objects.create_for(_evidence(world.a.sibling_store, world.a.worker, "south.jpg"))
    other_force = EvidenceProcessing.objects.create_for(_evidence(world.b.store, world.b.worker, "b.jpg"))
    assert list(processing_for(world.a.officer)) == [mine]  # the beat they cover only
    assert set(processing_for(world.a.admin)) == {mine, other_beat}  # the force, never force B's
    assert list(processing_for(world.b.admin)) == [other_force]
    assert list(processing_for(world.a.worker)) == []  # shop staff see no face matching
    admin = processing_for(world.a.admin)
    assert list(processing_filter(admin, beat_id=world.a.other_beat.pk)) == [other_beat]
    assert list(processing_filter(admin, store_id=world.a.store.pk)) == [mine]
    assert list(processing_filter(admin, store_id=world.b.store.pk)) == []


@pytest.mark.django_db(transaction=True)
def test_the_migration_fills_records_made_before_it(world):
    evidence = _evidence(world.a.sibling_store, world.a.worker)
    other = _evidence(world.b.store, world.b.worker, "b.jpg")
    old = migrated_back_to("0007_list_indexes").get_model("recognition", "EvidenceProcessing")
    old.objects.create(evidence_id=evidence.pk)
    old.objects.create(evidence_id=other.pk, status="failed")
    migrated_forward()
    placed = dict(EvidenceProcessing.objects.values_list("evidence_id", "store_id"))
    assert placed == {evidence.pk: world.a.sibling_store.pk, other.pk: world.b.store.pk}
    forces = set(EvidenceProcessing.objects.values_list("evidence_id", "force_id"))
    assert forces == {(evidence.pk, world.a.force.pk), (other.pk, world.b.force.pk)}


@pytest.mark.django_db(transaction=True)
def test_the_migration_gives_templates_made_before_it_their_offenders_force(world):
    from recognition.models import FaceTemplate
    from tests.orders.factories import OffenderFactory, ReferencePhotoFactory

    a, b = OffenderFactory(force=world.a.force), OffenderFactory(force=world.b.force)
    photos = {a.pk: ReferencePhotoFactory(offender=a), b.pk: ReferencePhotoFactory(offender=b)}
    old = migrated_back_to("0009_processing_scope_indexes").get_model("recognition", "FaceTemplate")
    for offender_id, photo in photos.items():
        old.objects.create(
            reference_photo_id=photo.pk, offender_id=offender_id, embedding=b"\x00" * 512, model_name="Dlib",
            model_version="v", face_box=[0, 0, 1, 1], face_size_px=1, sharpness=1,
        )  # fmt: skip
    migrated_forward()
    placed = set(FaceTemplate.objects.values_list("offender_id", "force_id"))
    assert placed == {(a.pk, world.a.force.pk), (b.pk, world.b.force.pk)}
