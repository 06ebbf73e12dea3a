"""The orphan sweep: what a killed or restarted upload leaves behind is deleted once it is a day
old, and nothing a row refers to, nor anything younger, ever is."""

import logging
import os
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from incidents.housekeeping import orphans_sweep
from incidents.models import Evidence
from tests.conftest import client_for
from tests.incidents.conftest import image_bytes, stored_files, upload
from tests.incidents.factories import IncidentFactory

pytestmark = pytest.mark.django_db

DAY = 24 * 3600


def aged(path: Path, seconds: float) -> Path:
    """Make ``path`` look last written ``seconds`` ago."""
    then = time.time() - seconds
    os.utime(path, (then, then))
    return path


def write(path: Path, data: bytes = b"\xff\xd8\xff partial", age: float = 2 * DAY) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return aged(path, age)


@pytest.fixture
def upload_tmp(settings, tmp_path):
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "upload-tmp")
    return Path(settings.FILE_UPLOAD_TEMP_DIR)


@pytest.fixture
def exhibit(world, media_root):
    """A real exhibit, stored by the API, made to look a week old: a row refers to it."""
    incident = IncidentFactory(store=world.a.store, reported_by=world.a.worker)
    files = {"files": [upload("till.jpg", image_bytes("JPEG"), "image/jpeg")]}
    response = client_for(world.a.worker).post(f"/api/incidents/{incident.pk}/evidence/", files, format="multipart")
    assert response.status_code == 201
    return aged(Path(Evidence.objects.get().file.path), 7 * DAY)


def test_the_sweep_deletes_only_old_orphans(world, media_root, upload_tmp, exhibit, caplog):
    folder = exhibit.parent
    old_partial = write(folder / "0123abcd.mp4.partial")
    young_partial = write(folder / "4567cdef.mp4.partial", age=3600)  # an upload still being written
    old_orphan = write(media_root / "recognition" / "matches" / "2026" / "01" / "match-1-2.jpg")
    young_orphan = write(folder / "89abcdef.jpg", age=600)  # renamed, its upload not committed yet
    old_temp = write(upload_tmp / "tmpab12cd34.upload.mp4", age=3 * DAY)
    young_temp = write(upload_tmp / "tmpef56gh78.upload.mp4", age=60)
    not_ours = write(upload_tmp / "notes.txt", age=30 * DAY)

    with caplog.at_level(logging.INFO, logger="incidents.housekeeping"):
        result = orphans_sweep()

    assert result.counts() == {"partial": 1, "unreferenced": 1, "upload_temp": 1}
    assert result.partial == [str(old_partial.relative_to(media_root))]
    assert result.unreferenced == [str(old_orphan.relative_to(media_root))]
    assert result.upload_temp == [str(old_temp)]
    assert stored_files(media_root) == sorted([exhibit, young_partial, young_orphan])
    assert exhibit.read_bytes() == Path(Evidence.objects.get().file.path).read_bytes()  # never touched
    assert sorted(upload_tmp.iterdir()) == sorted([young_temp, not_ours])
    log = caplog.text
    assert f"deleted {result.partial[0]} (half-written exhibit" in log
    assert "deleted recognition/matches/2026/01/match-1-2.jpg (no row refers to it" in log
    assert f"deleted {old_temp} (temporary upload file" in log


def test_a_file_any_row_refers_to_is_never_deleted(world, media_root, upload_tmp, exhibit):
    """Every file field of every model counts: here a custody photo (orders), found through the models."""
    from tests.orders.factories import ReferencePhotoFactory

    photo = aged(Path(ReferencePhotoFactory().image.path), 30 * DAY)
    result = orphans_sweep(now=timezone.now() + timedelta(days=365))
    assert result.counts() == {"partial": 0, "unreferenced": 0, "upload_temp": 0}
    assert stored_files(media_root) == sorted([exhibit, photo])


def test_the_age_is_a_setting(media_root, upload_tmp, settings):
    orphan = write(media_root / "evidence" / "x.jpg", age=3 * 3600)
    assert orphans_sweep().counts()["unreferenced"] == 0
    settings.ORPHAN_FILE_MIN_AGE_HOURS = 2
    assert orphans_sweep().counts()["unreferenced"] == 1
    assert not orphan.exists()


def test_nothing_to_sweep_before_anything_was_stored(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "never-made"
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "never-made-either")
    assert orphans_sweep().counts() == {"partial": 0, "unreferenced": 0, "upload_temp": 0}


def test_the_periodic_task_runs_the_sweep_by_its_name(media_root, upload_tmp):
    from config.celery import app
    from incidents import tasks  # noqa: F401 - registers the task, as the worker's autodiscovery does

    write(media_root / "evidence" / "y.jpg.partial")
    result = app.tasks["incidents.housekeeping_orphans"].apply().get()
    assert result == {"partial": 1, "unreferenced": 0, "upload_temp": 0}
