"""Retention at scale: people read a page at a time, photos deleted in bounded batches (each its own
transaction), a photo held by another transaction skipped and taken by the next run, and a run that stops
half way finished by the next."""

import datetime

import psycopg
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from orders.models import OffenderEvent, ReferencePhoto
from orders.services import retention
from orders.services.retention import reference_photos_purge
from recognition.models import FaceTemplate
from tests.conftest import require
from tests.orders.test_retention import NOW, D, person

ENDED = {"ends_on": D(2026, 6, 1), "made_on": D(2026, 1, 1)}  # long before NOW's cutoff
RUNNING = {"ends_on": D(2028, 1, 1)}


def people(world, photos: list[int]):
    return [person(world.a.force, ENDED, photos=n) for n in photos]


def files_of(offenders) -> list[str]:
    return list(ReferencePhoto.objects.filter(offender__in=offenders).values_list("image", flat=True))


def photo_batch_selects(queries) -> list[str]:
    table = ReferencePhoto._meta.db_table
    return [q["sql"] for q in queries if q["sql"].startswith(f'SELECT "{table}"."id"') and "LIMIT" in q["sql"]]


@pytest.mark.django_db
def test_more_photos_than_a_batch_are_all_deleted_in_several_batches(world, django_capture_on_commit_callbacks):
    gone = people(world, [2, 1, 3, 1, 1])  # 8 photos of 5 people
    kept = person(world.a.force, RUNNING, photos=2)
    storage = ReferencePhoto._meta.get_field("image").storage
    files = files_of(gone)
    assert len(files) == 8 and all(storage.exists(name) for name in files)

    with CaptureQueriesContext(connection) as captured, django_capture_on_commit_callbacks(execute=True):
        summary = reference_photos_purge(now=NOW, batch_size=3, page_size=2)

    # Pages of 2 people: (2+1 photos) (3+1) (1): batches of 3 | 3, 1 | 1.
    assert (summary.deleted, summary.batches) == (8, 4)
    assert 0 < summary.longest_batch_ms < 60_000
    selects = photo_batch_selects(captured.captured_queries)
    assert selects and all("LIMIT 3" in sql for sql in selects)  # never more than a batch in memory
    assert not ReferencePhoto.objects.filter(offender__in=gone).exists()
    assert not FaceTemplate.objects.filter(offender__in=gone).exists()
    assert not any(storage.exists(name) for name in files)
    events = OffenderEvent.objects.filter(offender__in=gone, kind="retention")
    assert events.count() == 8 and {e.actor for e in events} == {None}
    assert all(e.old["image"] in files and e.photo_id for e in events)
    assert all("Last order ended on 2026-06-01" in e.reason for e in events)
    assert ReferencePhoto.objects.filter(offender=kept).count() == 2
    again = reference_photos_purge(now=NOW, batch_size=3, page_size=2)
    assert (again.deleted, again.batches) == (0, 0)


@pytest.mark.django_db
def test_a_run_stopped_half_way_is_finished_by_the_next(world, monkeypatch, django_capture_on_commit_callbacks):
    gone = people(world, [1, 1, 1, 1, 1, 1])
    storage = ReferencePhoto._meta.get_field("image").storage
    files = files_of(gone)
    real_events, calls = retention.photo_retention_events, []

    def dies_in_the_second_batch(*, photos, reasons):
        calls.append(len(photos))
        if len(calls) == 2:
            raise SystemExit("worker killed")
        return real_events(photos=photos, reasons=reasons)

    monkeypatch.setattr(retention, "photo_retention_events", dies_in_the_second_batch)
    with pytest.raises(SystemExit), django_capture_on_commit_callbacks(execute=True):
        reference_photos_purge(now=NOW, batch_size=2)
    assert calls == [2, 2]
    assert ReferencePhoto.objects.filter(offender__in=gone).count() == 4  # the first batch only
    assert sum(storage.exists(name) for name in files) == 4
    monkeypatch.setattr(retention, "photo_retention_events", real_events)

    with django_capture_on_commit_callbacks(execute=True):
        summary = reference_photos_purge(now=NOW, batch_size=2)

    assert (summary.deleted, summary.batches) == (4, 2)
    assert not ReferencePhoto.objects.filter(offender__in=gone).exists()
    assert not any(storage.exists(name) for name in files)
    events = OffenderEvent.objects.filter(offender__in=gone, kind="retention")
    assert sorted(e.old["image"] for e in events) == sorted(files)  # one event per photo, none twice


@pytest.mark.django_db(transaction=True)
def test_a_photo_held_by_another_transaction_is_skipped_and_taken_by_the_next_run(world):
    require(connection.vendor == "postgresql", "row locks and SKIP LOCKED need PostgreSQL")
    gone = people(world, [2, 1])
    held = ReferencePhoto.objects.filter(offender=gone[0]).order_by("pk").first()
    s = connection.settings_dict
    dsn = {"host": s["HOST"] or "127.0.0.1", "port": s["PORT"] or 5432, "user": s["USER"], "dbname": s["NAME"]}
    with psycopg.connect(**dsn, password=s["PASSWORD"] or None) as other:
        # As a desk edit holds it (select_for_update).
        other.execute(f"SELECT id FROM {ReferencePhoto._meta.db_table} WHERE id = %s FOR UPDATE", [held.pk])
        started = datetime.datetime.now(datetime.UTC)
        first = reference_photos_purge(now=NOW, batch_size=2)
        assert (datetime.datetime.now(datetime.UTC) - started).total_seconds() < 10  # never waited
        assert first.deleted == 2
        assert list(ReferencePhoto.objects.filter(offender__in=gone).values_list("pk", flat=True)) == [held.pk]
        other.rollback()

    second = reference_photos_purge(now=NOW, batch_size=2)

    assert second.deleted == 1
    assert not ReferencePhoto.objects.filter(offender__in=gone).exists()
    assert OffenderEvent.objects.filter(offender__in=gone, kind="retention").count() == 3
