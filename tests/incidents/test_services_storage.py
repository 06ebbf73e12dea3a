"""Storing exhibits: each is written under a temporary name and renamed once hashed and
its row saved; a full disk is a 507 that says so and leaves no file, partial or empty, on the API and the pages."""

import errno
import hashlib
import os
from pathlib import Path

import pytest

from incidents import services
from incidents.models import Evidence, Incident
from incidents.uploads import TemporaryFileUploadHandler
from tests.conftest import client_for, signed_in
from tests.incidents.conftest import image_bytes, nothing_written, stored_files, upload
from tests.incidents.factories import IncidentFactory
from tests.incidents.test_views import form_data

pytestmark = pytest.mark.django_db

STORAGE_FULL = "The CCTV could not be stored: the server has no room left for files. Nothing was kept."


@pytest.fixture
def incident(world):
    return IncidentFactory(store=world.a.store, reported_by=world.a.worker)


def two_files():
    return [upload("till.jpg", image_bytes("JPEG"), "image/jpeg"), upload("door.png", image_bytes("PNG"), "image/png")]


def post_files(user, incident, files):
    return client_for(user).post(f"/api/incidents/{incident.pk}/evidence/", {"files": files}, format="multipart")


def test_an_exhibit_is_written_under_a_temporary_name_then_renamed(world, incident, full_disk, media_root):
    full_disk.room = 10**9
    files = two_files()
    response = post_files(world.a.worker, incident, files)
    assert response.status_code == 201, response.json()
    assert len(full_disk.names) == 2 and all(name.endswith(".partial") for name in full_disk.names)
    rows = list(Evidence.objects.order_by("pk"))
    assert [row.file.name + ".partial" for row in rows] == full_disk.names
    assert stored_files(media_root) == sorted(Path(row.file.path) for row in rows)  # no temporary name left
    for row, sent in zip(rows, files, strict=True):
        sent.seek(0)
        data = sent.read()
        assert Path(row.file.path).read_bytes() == data
        assert row.sha256 == hashlib.sha256(data).hexdigest()
        assert oct(Path(row.file.path).stat().st_mode & 0o777) == "0o440"


@pytest.mark.parametrize(
    "room",
    [
        pytest.param(0, id="nothing-fits: no empty file left"),
        pytest.param("half", id="first-file-cut-short: no partial file left"),
        pytest.param("first+half", id="second-file-cut-short: the first file is deleted too"),
    ],
)
@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EDQUOT], ids=["ENOSPC", "EDQUOT"])
def test_a_full_disk_is_a_507_and_leaves_no_file(world, incident, full_disk, media_root, room, code, caplog):
    files = two_files()
    full_disk.room = {"half": files[0].size // 2, "first+half": files[0].size + files[1].size // 2}.get(room, room)
    full_disk.errno = code
    with nothing_written(media_root):
        response = post_files(world.a.worker, incident, files)
    assert response.status_code == 507
    body = response.json()
    assert body["code"] == "storage_full"
    assert body["message"].startswith(STORAGE_FULL)
    assert body["fields"] == {"files": [body["message"]]}
    assert len(full_disk.names) == (2 if room == "first+half" else 1)  # the fault was met where the test says
    assert stored_files(media_root) == []
    assert "No room to store an exhibit" in caplog.text


def test_a_report_with_files_on_a_full_disk_is_a_507_and_files_nothing(world, full_disk, media_root):
    from tests.incidents.test_apis import payload

    full_disk.room = 100
    data = {**payload(world.a.store), "files": two_files()}
    with nothing_written(media_root):
        response = client_for(world.a.worker).post("/api/incidents/", data, format="multipart")
    assert (response.status_code, response.json()["code"]) == (507, "storage_full")
    assert not Incident.objects.exists()
    assert stored_files(media_root) == []


def test_the_report_page_on_a_full_disk_keeps_the_form_and_says_why(world, full_disk, media_root):
    full_disk.room = 100
    data = form_data(world.a.store, description="Took a crate of lager and ran.")
    with nothing_written(media_root):
        response = signed_in(world.a.worker).post("/incidents/new/", {**data, "files": two_files()})
    assert response.status_code == 507
    html = response.content.decode()
    assert STORAGE_FULL in html
    assert "Took a crate of lager and ran." in html  # the answers are still in the form
    assert 'id="report-form"' in html
    assert stored_files(media_root) == []


def test_the_evidence_page_on_a_full_disk_says_why(world, incident, full_disk, media_root):
    full_disk.room = 100
    with nothing_written(media_root):
        response = signed_in(world.a.worker).post(f"/incidents/{incident.pk}/evidence/", {"files": two_files()})
    assert response.status_code == 507
    assert STORAGE_FULL in response.content.decode()
    assert 'id="evidence-form"' in response.content.decode()


def test_an_error_other_than_a_full_disk_is_not_a_507(world, incident, full_disk, media_root):
    full_disk.room, full_disk.errno = 100, errno.EIO
    with nothing_written(media_root), pytest.raises(OSError):
        services.evidence_add(incident=incident, files=two_files(), uploaded_by=world.a.worker)
    assert stored_files(media_root) == []


def test_a_failure_after_the_rename_deletes_the_final_file(world, incident, media_root, monkeypatch):
    real = services._publish
    published = []

    def publish_then_fail(**kwargs):
        real(**kwargs)
        published.append(kwargs["final"])
        if len(published) == 2:
            raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(services, "_publish", publish_then_fail)
    with nothing_written(media_root), pytest.raises(services.ApplicationError) as refused:
        services.evidence_add(incident=incident, files=two_files(), uploaded_by=world.a.worker)
    assert refused.value.status_code == 507
    assert len(published) == 2
    assert stored_files(media_root) == []


class _FullTemporaryFile:
    """The temporary file Django spools an upload to, on a full disk: a write keeps what fits (100 bytes) and
    fails with ENOSPC."""

    def __init__(self, file):
        self._file = file

    def __getattr__(self, name):
        return getattr(self._file, name)

    def write(self, data):
        self._file.write(data[:100])
        raise OSError(errno.ENOSPC, "No space left on device")


class FullDiskUploadHandler(TemporaryFileUploadHandler):
    """The project's temporary-file upload handler with its temporary file on a full disk."""

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.file.file = _FullTemporaryFile(self.file.file)


@pytest.fixture
def full_upload_temp_dir(settings, tmp_path):
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "upload-tmp")
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 0
    settings.FILE_UPLOAD_HANDLERS = [f"{__name__}.FullDiskUploadHandler"]
    return Path(settings.FILE_UPLOAD_TEMP_DIR)


def test_no_room_for_the_temporary_upload_file_is_a_507_on_the_api(world, incident, full_upload_temp_dir, media_root):
    with nothing_written(media_root):
        response = post_files(world.a.worker, incident, two_files())
    assert response.status_code == 507
    assert response.json()["code"] == "storage_full"
    assert "no room left to store files" in response.json()["message"]
    assert os.listdir(full_upload_temp_dir) == []  # the file cut short was deleted at once


def test_no_room_for_the_temporary_upload_file_is_a_507_page(world, full_upload_temp_dir, media_root):
    with nothing_written(media_root):
        response = signed_in(world.a.worker).post("/incidents/new/", {**form_data(world.a.store), "files": two_files()})
    assert response.status_code == 507
    html = response.content.decode()
    assert "Your files could not be stored" in html and "no room left to store files" in html
    assert "call 999" in html
    assert os.listdir(full_upload_temp_dir) == []
