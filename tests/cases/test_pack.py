"""The breach evidence pack: contents, hashes recomputed from storage, and the loud failure."""

import hashlib
import io
import json
import zipfile

import pytest

from cases.events import describe
from cases.models import Case, CaseAccess, CaseEvent
from cases.pack import _continuity, pack_availability, pack_available
from cases.services import case_justify, case_review
from orders.models import Prohibition
from tests.cases.factories import evidence_on, incident_at, possible_match
from tests.conftest import client_for, signed_in
from tests.orders.factories import OffenderFactory, OrderFactory, ProhibitionFactory

pytestmark = pytest.mark.django_db


def confirm(case, user):
    return case_review(
        case=case, reviewer=user, same_person=True, reason="Same person on comparison", consequence_acknowledged=True
    )


def test_pack_for_confirmed_breach_holds_pdf_images_and_verified_hashes(world, justified):
    type(justified.breach_order).objects.filter(pk=justified.breach_order_id).update(served_by="PC 1234 Smith")
    confirm(justified, world.a.admin)
    r = client_for(world.a.officer).get(f"/api/cases/{justified.pk}/evidence-pack/")
    assert r.status_code == 200 and r["Content-Type"] == "application/zip"
    zf = zipfile.ZipFile(io.BytesIO(b"".join(r.streaming_content)))
    assert {"evidence-pack.pdf", "cctv-face.jpg", "reference-photo.jpg", "manifest.json"} <= set(zf.namelist())
    manifest = json.loads(zf.read("manifest.json"))
    evidence = justified.incident.evidence.get()
    assert manifest["exhibits"][0]["sha256"] == evidence.sha256
    assert manifest["order"]["served_by"] == "PC 1234 Smith" and manifest["order"]["served_on"] == "2026-01-05"
    assert manifest["files"]["evidence-pack.pdf"] == hashlib.sha256(zf.read("evidence-pack.pdf")).hexdigest()
    assert zf.read("evidence-pack.pdf").startswith(b"%PDF")
    assert CaseAccess.objects.filter(case=justified, user=world.a.officer, kind="export").count() == 1
    pdf = client_for(world.a.officer).get(f"/api/cases/{justified.pk}/evidence-pack/?as=pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_tampered_exhibit_stops_the_pack_loudly(world, justified, caplog):
    confirm(justified, world.a.admin)
    events_before = CaseEvent.objects.count()
    evidence = justified.incident.evidence.get()
    with open(evidence.file.path, "ab") as fh:
        fh.write(b"tampered")
    r = client_for(world.a.officer).get(f"/api/cases/{justified.pk}/evidence-pack/")
    assert r.status_code == 409
    assert r.json()["code"] == "evidence_integrity"
    assert evidence.original_name in r.json()["message"]
    assert any("integrity failure" in rec.message for rec in caplog.records if rec.levelname == "ERROR")
    assert not CaseAccess.objects.filter(kind="export").exists()
    assert CaseEvent.objects.count() == events_before  # no "pack built"


def test_no_pack_before_review_or_for_non_breach(world, justified):
    events_before = CaseEvent.objects.count()
    r = client_for(world.a.officer).get(f"/api/cases/{justified.pk}/evidence-pack/")
    assert r.status_code == 409 and r.json()["code"] == "pack_not_available"
    assert not CaseAccess.objects.filter(kind="export").exists()
    assert CaseEvent.objects.count() == events_before


@pytest.mark.parametrize(
    ("is_breach", "status", "available", "reason"),
    [
        (True, Case.Status.AWAITING_REVIEW, False, "once a reviewer has confirmed the match"),
        (True, Case.Status.REJECTED, False, "the reviewer found this is not the same person"),
        (True, Case.Status.CONFIRMED, True, ""),
        (True, Case.Status.ACTIONED, True, ""),
        (True, Case.Status.CLOSED, True, ""),
        (False, Case.Status.AWAITING_REVIEW, False, "not a CBO breach"),
        (False, Case.Status.CONFIRMED, False, "not a CBO breach"),
        (False, Case.Status.CLOSED, False, "not a CBO breach"),
    ],
)
def test_one_rule_says_when_a_pack_is_available_for_the_page_and_the_builder(
    world, breach_case, is_breach, status, available, reason
):
    """The case page showed the pack's links by its own rule (any status but awaiting review and rejected)
    while the builder had another; both now ask ``pack_availability``."""
    Case.objects.filter(pk=breach_case.pk).update(is_breach=is_breach, status=status)
    case = Case.objects.get(pk=breach_case.pk)
    verdict = pack_availability(case)
    assert verdict.available is available and bool(verdict) is available and pack_available(case) is available
    assert reason in verdict.reason and (verdict.reason == "") is available
    case_justify(case=case, user=world.a.officer, justification="Checking the evidence pack")
    r = client_for(world.a.officer).get(f"/api/cases/{case.pk}/evidence-pack/")
    assert r.status_code == (200 if available else 409)
    if is_breach:  # the page's pack section is shown for breach cases only
        html = signed_in(world.a.officer).get(f"/cases/{case.pk}/").content.decode()
        assert ("pack.zip" in html) is available
        assert verdict.reason in html


def test_continuity_log_words_case_events_as_the_admin_does(world, justified):
    confirm(justified, world.a.admin)
    rows = _continuity(Case.objects.get(pk=justified.pk))
    whats = [what for _, _, what in rows]
    raised = CaseEvent.objects.get(case=justified, kind=CaseEvent.Kind.RAISED)
    changed = CaseEvent.objects.get(case=justified, kind=CaseEvent.Kind.STATUS_CHANGED)
    assert describe(raised) in whats and describe(changed) in whats
    assert "Status changed from 'Awaiting review' to 'Match confirmed, awaiting corroboration'" in whats
    assert [who for _, who, what in rows if what == describe(changed)] == [world.a.admin.get_username()]


def test_zone_breach_pack_includes_a_map(world):
    from cases.services import case_raise_for_match

    a = world.a
    offender = OffenderFactory(force=a.force)
    order = OrderFactory(offender=offender)
    lat, lon = float(a.store.latitude), float(a.store.longitude)
    ring = [[lon - 0.01, lat - 0.01], [lon + 0.01, lat - 0.01], [lon + 0.01, lat + 0.01], [lon - 0.01, lat + 0.01]]
    ProhibitionFactory(
        order=order, kind=Prohibition.Kind.ZONE, polygon={"type": "Polygon", "coordinates": [[*ring, ring[0]]]}
    )
    case = case_raise_for_match(match=possible_match(evidence_on(incident_at(a.store, a.worker)), offender))
    assert case.is_breach and case.breach_prohibition.kind == "zone"
    case_justify(case=case, user=a.officer, justification="Investigating the zone breach")
    confirm(case, a.admin)
    r = client_for(a.officer).get(f"/api/cases/{case.pk}/evidence-pack/")
    assert r.status_code == 200
    zf = zipfile.ZipFile(io.BytesIO(b"".join(r.streaming_content)))
    assert zf.read("zone-map.png").startswith(b"\x89PNG")


def test_pack_survives_markup_in_free_text_and_writes_a_readable_pdf(world, justified, tmp_path):
    from incidents.models import Incident

    Incident.objects.filter(pk=justified.incident_id).update(description="Said <b>'I'll be back'</b> & left <3")
    case_review(
        case=justified,
        reviewer=world.a.admin,
        same_person=True,
        reason="Scar <left cheek> & build",
        consequence_acknowledged=True,
    )
    r = client_for(world.a.officer).get(f"/api/cases/{justified.pk}/evidence-pack/?as=pdf")
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
    (tmp_path / "pack.pdf").write_bytes(r.content)


def test_pack_says_how_the_face_was_found(world, justified):
    from recognition.models import PossibleMatch

    PossibleMatch.objects.filter(pk=justified.best_match_id).update(source=PossibleMatch.Source.OFFICER)
    confirm(justified, world.a.admin)
    r = client_for(world.a.officer).get(f"/api/cases/{justified.pk}/evidence-pack/")
    assert r.status_code == 200
    manifest = json.loads(zipfile.ZipFile(io.BytesIO(b"".join(r.streaming_content))).read("manifest.json"))
    assert manifest["found_by"] == "officer"  # and the PDF says "Found by: face selected by an officer."


def test_continuity_log_words_incident_events_as_the_incident_admin_does(world, justified):
    from incidents import events as incident_events
    from incidents.models import IncidentEvent

    incident_events.incident_status_changed_event(
        incident=justified.incident, actor=world.a.officer, old="received", new="with_police", reason="Attending"
    )
    events = list(IncidentEvent.objects.filter(incident=justified.incident))
    assert events, "the incident has events to log"
    whats = [what for _, _, what in _continuity(Case.objects.get(pk=justified.pk))]
    for event in events:
        assert incident_events.describe(event) in whats
        assert f"incident {event.kind}" not in whats  # the raw kind was shown before
