"""Retention: photos and templates of people whose last order ended more than N days ago are deleted."""

import datetime
import logging

import numpy as np
import pytest
from django.conf import settings as django_settings

from orders import services
from orders.models import OffenderEvent, Order, ReferencePhoto
from orders.tasks import orders_retention_task
from recognition.models import FaceTemplate
from tests.orders.factories import OffenderFactory, OrderFactory, ReferencePhotoFactory

pytestmark = pytest.mark.django_db
D = datetime.date
NOW = datetime.datetime(2027, 3, 1, 12, tzinfo=datetime.UTC)  # cutoff with 30 days: last day before 30 January


def person(force, *orders: dict, photos: int = 1):
    offender = OffenderFactory(force=force)
    for fields in orders:
        OrderFactory(offender=offender, **fields)
    for _ in range(photos):
        photo = ReferencePhotoFactory(offender=offender)
        FaceTemplate.objects.create(
            reference_photo=photo,
            offender=offender,
            force_id=offender.force_id,
            embedding=np.zeros(128, dtype="float32").tobytes(),
            model_name="Dlib",
            model_version="test",
            face_box=[0, 0, 10, 10],
            face_size_px=10,
            sharpness=1.0,
        )
    return offender


def photos_of(offender) -> int:
    return ReferencePhoto.objects.filter(offender=offender).count()


def test_retention_straddles_the_limit(world, caplog, django_capture_on_commit_callbacks):
    f = world.a.force
    ended_31_days_ago = person(f, {"ends_on": D(2027, 1, 29)}, photos=2)
    ended_30_days_ago = person(f, {"ends_on": D(2027, 1, 30)})
    discharged_long_ago = person(f, {"ends_on": D(2028, 1, 4), "discharged_on": D(2026, 12, 1)})
    one_ended_one_running = person(f, {"ends_on": D(2026, 6, 1)}, {"made_on": D(2026, 5, 1), "ends_on": D(2027, 6, 1)})
    indefinite = person(f, {"ends_on": None, "indefinite": True})
    never_ordered = person(f)
    replaced_interim_only = person(world.b.force, {"kind": "interim", "ends_on": D(2026, 12, 31),
                                                   "superseded_on": D(2026, 3, 1)})  # fmt: skip
    files = list(ReferencePhoto.objects.filter(offender=ended_31_days_ago).values_list("image", flat=True))
    storage = ReferencePhoto._meta.get_field("image").storage
    assert all(storage.exists(name) for name in files)

    with caplog.at_level(logging.INFO, logger="orders.services"):
        with django_capture_on_commit_callbacks(execute=True):
            deleted = services.retention_purge(now=NOW)

    assert sorted({d["offender_id"] for d in deleted}) == sorted(
        [ended_31_days_ago.pk, discharged_long_ago.pk, replaced_interim_only.pk]
    )
    for gone in (ended_31_days_ago, discharged_long_ago, replaced_interim_only):
        assert photos_of(gone) == 0
        assert not FaceTemplate.objects.filter(offender=gone).exists()
    for kept in (ended_30_days_ago, one_ended_one_running, indefinite, never_ordered):
        assert photos_of(kept) == 1
        assert FaceTemplate.objects.filter(offender=kept).count() == 1
    assert not any(storage.exists(name) for name in files)
    # What and why: an event per photo and a log line per photo.
    events = OffenderEvent.objects.filter(offender=ended_31_days_ago, kind="retention")
    assert events.count() == 2 and events.first().actor is None
    assert "Last order ended on 2027-01-29, more than 30 days before 2027-03-01" in events.first().reason
    assert events.first().old["source"] == "Custody, Crewe suite"
    logged = [r.getMessage() for r in caplog.records if "retention: deleted reference photo" in r.getMessage()]
    assert len(logged) == 4 and "2027-01-29" in logged[0]
    # The people stay on file (their orders are history); only images and templates go.
    assert Order.objects.filter(offender=ended_31_days_ago).exists()


def test_retention_days_setting(world, settings):
    settings.ORDERS_RETENTION_DAYS = 60
    offender = person(world.a.force, {"ends_on": D(2027, 1, 1)})  # 59 days before NOW
    assert services.retention_purge(now=NOW) == []
    assert photos_of(offender) == 1
    assert services.retention_purge(now=NOW + datetime.timedelta(days=1)) == []  # 60 days: not more than 60
    assert len(services.retention_purge(now=NOW + datetime.timedelta(days=2))) == 1  # 61 days
    assert photos_of(offender) == 0


def test_retention_runs_as_a_celery_task_on_beat(world):
    person(world.a.force, {"ends_on": D(2020, 1, 1), "made_on": D(2019, 1, 1)})
    assert orders_retention_task.delay().get() == 1
    entry = django_settings.CELERY_BEAT_SCHEDULE["orders-retention"]
    assert entry["task"] == orders_retention_task.name
    assert entry["schedule"] == datetime.timedelta(hours=24)
