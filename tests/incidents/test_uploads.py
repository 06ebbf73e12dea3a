"""Files past their size limit stop being stored while they upload, and are still refused plainly."""

import pytest
from django.test import Client

from incidents.files import megabytes
from incidents.models import Evidence, Incident
from incidents.uploads import EvidenceSizeLimitHandler, OversizeUpload
from tests.conftest import client_for
from tests.incidents.conftest import image_bytes, stored_files, upload, video_bytes
from tests.incidents.factories import IncidentFactory

pytestmark = pytest.mark.django_db


def feed(handler, data: bytes, chunk: int = 1000):
    handler.new_file("files", "x.bin", "application/octet-stream", None)
    passed = 0
    for start in range(0, len(data), chunk):
        out = handler.receive_data_chunk(data[start : start + chunk], start)
        passed += len(out) if out is not None else 0
    return passed, handler.file_complete(len(data))


def test_handler_passes_files_within_their_limit(settings, jpeg):
    settings.INCIDENT_IMAGE_MAX_BYTES = len(jpeg)
    passed, result = feed(EvidenceSizeLimitHandler(), jpeg)
    assert (passed, result) == (len(jpeg), None)


def test_handler_drops_bytes_past_the_limit(settings, tmp_path):
    data = video_bytes(tmp_path, frames=30)
    settings.INCIDENT_VIDEO_MAX_BYTES = 3000
    settings.INCIDENT_IMAGE_MAX_BYTES = 10**9  # a video gets the video limit
    passed, result = feed(EvidenceSizeLimitHandler(), data)
    assert passed == 3000
    assert isinstance(result, OversizeUpload)
    assert result.size == len(data)
    assert result.read() == data[:8192]


def test_an_oversize_video_is_refused_with_its_real_size(world, settings, media_root, tmp_path):
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1000  # a temporary file, as for real CCTV
    data = video_bytes(tmp_path, frames=40)
    settings.INCIDENT_VIDEO_MAX_BYTES = len(data) // 3
    incident = IncidentFactory(store=world.a.store)
    response = client_for(world.a.worker).post(
        f"/api/incidents/{incident.pk}/evidence/", {"files": [upload("big.mp4", data, "video/mp4")]}, format="multipart"
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "file_too_large"
    assert f"big.mp4: this video is {megabytes(len(data))}; the limit" in body["message"]
    assert not Evidence.objects.exists() and stored_files(media_root) == []


def test_portal_form_refuses_an_oversize_image(world, settings, media_root):
    settings.INCIDENT_IMAGE_MAX_BYTES = 1024
    big = image_bytes("PNG", size=(400, 400), color=(1, 2, 3)) + b"\0" * 5000  # trailing bytes: still a PNG
    client = Client()
    client.force_login(world.a.worker)
    from tests.incidents.test_views import form_data

    files = [upload("big.png", big, "image/png")]
    response = client.post("/incidents/new/", form_data(world.a.store, files=files), follow=True)
    assert "big.png: this image is" in response.content.decode()  # the report is kept, the file is not
    assert not Incident.objects.get().evidence.exists() and stored_files(media_root) == []


def test_portal_forms_still_check_csrf(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.a.worker)
    from tests.incidents.test_views import form_data

    assert client.post("/incidents/new/", form_data(world.a.store)).status_code == 403
    incident = IncidentFactory(store=world.a.store)
    assert client.post(f"/incidents/{incident.pk}/evidence/", {}).status_code == 403
    assert Incident.objects.count() == 1
