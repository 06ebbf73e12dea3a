"""Downloads of S3 media: never public; an authorised, audited download is a redirect to a signed link that
expires after S3_SIGNED_URL_SECONDS. The links are checked as S3 checks them (``SigningGateway``: moto itself
accepts any link); the permission checks and the audit rows are the local storage's."""

import time
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from cases.models import CaseAccess
from cases.services import case_justify, case_raise_for_match
from config.settings.components.storage import s3_origins
from incidents.models import IncidentEvent
from tests.cases.factories import evidence_on, incident_at, offender_barred_from, possible_match
from tests.conftest import client_for, signed_in
from tests.incidents.conftest import image_bytes

pytestmark = pytest.mark.django_db
EXHIBIT = image_bytes("JPEG", size=(320, 240), color=(20, 120, 220))


@pytest.fixture
def case(world, gateway):
    """A breach case whose exhibit, face crop and reference photo are in the bucket (reached through the
    gateway); force A's officer has opened it with a justification, its admin has not."""
    a = world.a
    offender, _, _ = offender_barred_from(a.store)
    found = case_raise_for_match(match=possible_match(evidence_on(incident_at(a.store, a.worker), EXHIBIT), offender))
    case_justify(case=found, user=a.officer, justification="Triage of my beat's retail cases")
    return found


def signed_link(response, gateway) -> str:
    assert response.status_code == 302, getattr(response, "content", b"")[:300]
    location = response["Location"]
    assert location.startswith(f"{gateway.endpoint}/") and "X-Amz-Signature=" in location
    assert response["Cache-Control"] == "private, no-store"
    return location


def test_exhibit_download_is_audited_then_redirected_to_a_signed_link_that_expires(
    world, case, gateway, bucket, settings
):
    settings.S3_SIGNED_URL_SECONDS = 2
    evidence = case.best_match.evidence
    assert requests.get(bucket.url(evidence.file.name), timeout=10).status_code == 403  # never public
    url = f"/cases/{case.pk}/evidence/{evidence.pk}/"

    link = signed_link(signed_in(world.a.officer).get(url), gateway)
    got = requests.get(link, timeout=10)
    assert got.status_code == 200 and got.content == EXHIBIT
    assert got.headers["Content-Type"] == "image/jpeg"
    assert got.headers["Content-Disposition"] == 'inline; filename="cctv.jpg"'
    seek = requests.get(link, headers={"Range": "bytes=10-19"}, timeout=10)  # a player seeks on the link itself
    assert seek.status_code == 206 and seek.content == EXHIBIT[10:20]
    assert parse_qs(urlsplit(link).query)["X-Amz-Expires"] == ["2"]
    views = CaseAccess.objects.filter(case=case, user=world.a.officer, kind=CaseAccess.Kind.VIEW_EVIDENCE)
    assert list(views.values_list("detail", flat=True)) == ["cctv.jpg"]

    time.sleep(3.1)
    expired = requests.get(link, timeout=10)
    assert expired.status_code == 403 and b"Request has expired" in expired.content
    assert gateway.refused == ["Request has expired"]
    fresh = signed_link(signed_in(world.a.officer).get(url), gateway)
    forged = fresh.replace(evidence.file.name, evidence.file.name.replace(".jpg", "x.jpg"))
    assert requests.get(fresh, timeout=10).content == EXHIBIT  # a new opening: a new link, logged again
    assert requests.get(forged, timeout=10).status_code == 403  # a link is for its own object only
    assert gateway.refused == ["Request has expired", "SignatureDoesNotMatch"]
    assert views.count() == 2


def test_default_link_lifetime_is_five_minutes_on_an_origin_the_pages_allow(world, case, gateway, bucket):
    evidence = case.best_match.evidence
    link = signed_link(signed_in(world.a.officer).get(f"/cases/{case.pk}/evidence/{evidence.pk}/"), gateway)
    parts = urlsplit(link)
    assert parse_qs(parts.query)["X-Amz-Expires"] == ["300"]
    # The page's <img>/<video> follow the redirect: its origin must be one MEDIA_ORIGINS names for the CSP.
    assert f"{parts.scheme}://{parts.netloc}" in s3_origins(bucket_name=bucket.name, endpoint_url=gateway.endpoint)


def test_no_link_without_the_same_permission_and_justification(world, case, gateway):
    evidence = case.best_match.evidence
    url = f"/cases/{case.pk}/evidence/{evidence.pk}/"
    assert signed_in(world.a.admin).get(url).status_code == 403  # in scope, but no justification given
    assert signed_in(world.a.admin).get(url, headers={"Range": "bytes=10-"}).status_code == 403
    assert signed_in(world.b.officer).get(url).status_code == 404  # another force's case
    assert signed_in(world.a.worker).get(url).status_code == 403  # shop staff never see cases
    assert client_for(world.a.admin).get(f"/api/cases/{case.pk}/images/cctv/").status_code == 403
    assert not CaseAccess.objects.exclude(kind=CaseAccess.Kind.JUSTIFIED).exists()


def test_face_images_are_audited_then_signed(world, case, gateway, bucket):
    match = case.best_match
    for which, field in (("cctv", match.crop), ("reference", match.reference_photo.image)):
        response = client_for(world.a.officer).get(f"/api/cases/{case.pk}/images/{which}/")
        got = requests.get(signed_link(response, gateway), timeout=10)
        assert got.status_code == 200 and got.content == bucket.read(field.name)
        assert got.headers["Content-Type"] == "image/jpeg"
        assert requests.get(bucket.url(field.name), timeout=10).status_code == 403
    views = CaseAccess.objects.filter(case=case, user=world.a.officer, kind=CaseAccess.Kind.VIEW_IMAGE)
    assert sorted(views.values_list("detail", flat=True)) == ["cctv", "reference"]


def test_incident_exhibit_download_for_police_is_recorded_and_signed_as_an_attachment(world, case, gateway):
    evidence = case.best_match.evidence
    url = f"/incidents/{evidence.incident_id}/exhibits/{evidence.pk}/?download=1"
    assert signed_in(world.a.worker).get(url).status_code == 403  # shop staff do not open exhibits here
    assert not IncidentEvent.objects.filter(kind=IncidentEvent.Kind.EXHIBIT_VIEWED).exists()
    got = requests.get(signed_link(signed_in(world.a.officer).get(url), gateway), timeout=10)
    assert got.status_code == 200 and got.content == EXHIBIT
    assert got.headers["Content-Disposition"] == 'attachment; filename="cctv.jpg"'
    (viewed,) = IncidentEvent.objects.filter(kind=IncidentEvent.Kind.EXHIBIT_VIEWED)
    assert viewed.actor == world.a.officer
