"""Evidence on S3 end to end, against moto's server: uploaded through the API and the portal page, read back
by the recognition worker through storage (never a local path), and read back again by the evidence pack,
which recomputes each exhibit's SHA-256 and refuses an object changed in the bucket, as it refuses a changed
file on local disk."""

import hashlib
import io
import json
import zipfile

import pytest
import requests

from cases.models import Case, CaseAccess, CaseEvent
from cases.services import case_justify, case_review
from incidents.models import Evidence
from recognition.models import EvidenceProcessing, PossibleMatch
from recognition.services import reference_photo_enrol
from tests.cases.factories import evidence_on, incident_at, offender_barred_from, possible_match
from tests.conftest import client_for, signed_in
from tests.incidents.conftest import image_bytes, video_bytes
from tests.recognition.factories import face_bytes, reference_photo
from workflows.evidence import evidence_matching_run

pytestmark = pytest.mark.django_db


@pytest.fixture
def no_local_media(settings, tmp_path):
    """An empty local media folder: anything written there instead of to the bucket shows."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ROOT.mkdir()
    return settings.MEDIA_ROOT


def local_files(root) -> list:
    return [p for p in root.rglob("*") if p.is_file()]


def post_evidence(user, incident, *files):
    return client_for(user).post(f"/api/incidents/{incident.pk}/evidence/", {"files": list(files)}, format="multipart")


def named(name: str, data: bytes, content_type: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type=content_type)


def confirm(case, user):
    case_justify(case=case, user=user, justification="Reviewing my beat's breach cases")
    return case_review(
        case=case, reviewer=user, same_person=True, reason="Same person on comparison", consequence_acknowledged=True
    )


def test_api_and_portal_uploads_land_in_the_bucket_private_and_hashed(world, bucket, no_local_media, tmp_path):
    incident = incident_at(world.a.store, world.a.worker)
    jpeg, mp4 = image_bytes("JPEG"), video_bytes(tmp_path)
    response = post_evidence(world.a.worker, incident, named("till.jpg", jpeg, "image/jpeg"))
    assert response.status_code == 201, response.json()
    page = signed_in(world.a.worker).post(
        f"/incidents/{incident.pk}/evidence/", {"files": [named("door.mp4", mp4, "")]}
    )
    assert page.status_code == 302, page.content[:500]
    image, video = Evidence.objects.get(original_name="till.jpg"), Evidence.objects.get(original_name="door.mp4")
    assert bucket.keys() == sorted([image.file.name, video.file.name])  # the final names: no ".partial" left
    for evidence, data in ((image, jpeg), (video, mp4)):
        assert bucket.read(evidence.file.name) == data
        assert evidence.sha256 == hashlib.sha256(data).hexdigest() and evidence.size == len(data)
        acl = bucket.client.get_object_acl(Bucket=bucket.name, Key=evidence.file.name)
        assert [g["Permission"] for g in acl["Grants"]] == ["FULL_CONTROL"]  # the owner only
        assert requests.get(bucket.url(evidence.file.name), timeout=10).status_code == 403  # not public
        with pytest.raises(NotImplementedError):
            evidence.file.path  # noqa: B018 - an object has no local path
    assert local_files(no_local_media) == []


def test_refused_upload_leaves_nothing_in_the_bucket(world, bucket, tmp_path):
    incident = incident_at(world.a.store, world.a.worker)
    jpeg = image_bytes("JPEG")
    assert post_evidence(world.a.worker, incident, named("till.jpg", jpeg, "image/jpeg")).status_code == 201
    before = bucket.keys()
    again = post_evidence(world.a.worker, incident, named("copy.jpg", jpeg, "image/jpeg"))  # the same file
    assert again.status_code == 400 and again.json()["code"] == "duplicate_file"
    assert bucket.keys() == before and Evidence.objects.count() == 1


@pytest.mark.deepface
def test_worker_reads_s3_evidence_and_the_pack_verifies_and_refuses_a_tampered_object(
    world, bucket, no_local_media, face_engine, caplog
):
    offender, _, _ = offender_barred_from(world.a.store)
    photo = reference_photo(offender, "img1.jpg")  # the custody photo goes to the bucket too
    assert photo.image.name in bucket.keys()
    reference_photo_enrol(photo=photo)  # read back from S3 to enrol
    incident = incident_at(world.a.store, world.a.worker)
    response = post_evidence(world.a.worker, incident, named("till.jpg", face_bytes("img2.jpg"), "image/jpeg"))
    assert response.status_code == 201, response.json()
    evidence = Evidence.objects.get(pk=response.json()[0]["id"])

    evidence_matching_run(evidence_id=evidence.pk)  # what the worker runs: reads the exhibit through storage

    processing = EvidenceProcessing.objects.get(evidence=evidence)
    assert (processing.status, processing.result, processing.faces_embedded) == ("done", "match", 1)
    match = PossibleMatch.objects.get(evidence=evidence)
    assert match.offender == offender and match.crop.name in bucket.keys()  # the face crop was written to S3
    assert local_files(no_local_media) == []  # nothing went through the local media folder
    case = Case.objects.get(best_match=match)
    confirm(case, world.a.officer)

    pack = client_for(world.a.officer).get(f"/api/cases/{case.pk}/evidence-pack/")
    assert pack.status_code == 200, pack.content[:300]
    zf = zipfile.ZipFile(io.BytesIO(b"".join(pack.streaming_content)))
    manifest = json.loads(zf.read("manifest.json"))
    (exhibit,) = manifest["exhibits"]
    assert exhibit["sha256"] == evidence.sha256 == hashlib.sha256(zf.read(exhibit["zip_name"])).hexdigest()
    assert zf.read(exhibit["zip_name"]) == bucket.read(evidence.file.name)

    bucket.client.put_object(Bucket=bucket.name, Key=evidence.file.name, Body=face_bytes("img3.jpg"))
    exports, events = CaseAccess.objects.filter(kind="export").count(), CaseEvent.objects.count()
    refused = client_for(world.a.officer).get(f"/api/cases/{case.pk}/evidence-pack/")
    assert refused.status_code == 409 and refused.json()["code"] == "evidence_integrity"
    assert "till.jpg" in refused.json()["message"]
    assert any("integrity failure" in r.message for r in caplog.records if r.levelname == "ERROR")
    assert CaseAccess.objects.filter(kind="export").count() == exports and CaseEvent.objects.count() == events


@pytest.mark.parametrize("as_pdf", [False, True])
def test_pack_of_s3_exhibits_refuses_a_tampered_object_as_the_local_one_does(world, bucket, as_pdf, settings):
    a = world.a
    offender, _, _ = offender_barred_from(a.store)
    case_id = _confirmed_case(a, offender)
    query = "?as=pdf" if as_pdf else ""
    assert client_for(a.officer).get(f"/api/cases/{case_id}/evidence-pack/{query}").status_code == 200
    evidence = Case.objects.get(pk=case_id).incident.evidence.get()
    stored = bucket.read(evidence.file.name)
    bucket.client.put_object(Bucket=bucket.name, Key=evidence.file.name, Body=stored + b"tampered")
    on_s3 = client_for(a.officer).get(f"/api/cases/{case_id}/evidence-pack/{query}")

    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}}
    settings.MEDIA_ROOT = settings.MEDIA_ROOT  # the local folder, as before
    local_id = _confirmed_case(a, offender)
    local = Case.objects.get(pk=local_id).incident.evidence.get()
    with open(local.file.path, "ab") as fh:
        fh.write(b"tampered")
    on_disk = client_for(a.officer).get(f"/api/cases/{local_id}/evidence-pack/{query}")

    assert on_s3.status_code == on_disk.status_code == 409
    assert on_s3.json()["code"] == on_disk.json()["code"] == "evidence_integrity"
    assert on_s3.json()["message"].split(" (recorded")[0] == on_disk.json()["message"].split(" (recorded")[0]


def _confirmed_case(side, offender) -> int:
    match = possible_match(evidence_on(incident_at(side.store, side.worker)), offender)
    from cases.services import case_raise_for_match

    case = case_raise_for_match(match=match)
    confirm(case, side.officer)
    return case.pk
