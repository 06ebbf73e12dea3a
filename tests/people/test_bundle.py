"""The CBO application bundle: the chronology of exactly the linked incidents (active links, in time order) with
their exhibits' hashes and witness statements, read back from the PDF (pypdf) and the zip's manifest; a withdrawn
link leaves the next bundle; the youth-offending-team marker for an under-18; build and downloads logged; a changed
exhibit stops the build."""

import datetime
import hashlib
import io
import json
import zipfile

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.services import case_raise_for_match
from incidents.models import Incident, WitnessStatement
from orders.models import Prohibition
from people import bundle
from people.models import CBOApplication, PeopleEvent, PersonOfInterest, ProposedProhibition
from people.services import link_add
from tests.cases.factories import evidence_on, incident_at, jpeg, offender_barred_from, possible_match
from tests.conftest import signed_in
from tests.incidents.factories import IncidentFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_root")]
UTC = datetime.UTC


def pdf_pages(data: bytes) -> list[str]:
    from pypdf import PdfReader

    return [page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages]


def _incident(store, reporter, when, **kwargs) -> Incident:
    return IncidentFactory(store=store, reported_by=reporter, occurred_at=when, **kwargs)


@pytest.fixture
def scene(world):
    """A person of interest of force A linked by the beat officer to three incidents at two stores of the beat the
    officer covers (made out of time order), each with a CCTV exhibit; a witness statement on the second."""
    a = world.a
    person = PersonOfInterest.objects.create(
        force=a.force, given_names="Jay", family_name="Corran", date_of_birth=datetime.date(1990, 5, 1),
        created_by=a.officer,
    )  # fmt: skip
    third = _incident(a.store, a.worker, datetime.datetime(2026, 9, 3, 10, 0, tzinfo=UTC), goods_value=40)
    first = _incident(a.store, a.worker, datetime.datetime(2026, 3, 1, 16, 20, tzinfo=UTC), weapon=True)
    second = _incident(
        a.other_retailer_store, a.worker, datetime.datetime(2026, 6, 14, 12, 5, tzinfo=UTC),
        category=Incident.Category.THREATS, priority="P2", priority_reason="Threats to staff.",
    )  # fmt: skip
    incidents = [first, second, third]
    for n, incident in enumerate(incidents):
        evidence_on(incident, jpeg((10 * n, 90, 60)), name=f"cctv-{n}.jpg")
        link_add(actor=a.officer, incident=incident, identified_by="staff_knowledge", person=person)
    statement = WitnessStatement.objects.create(
        incident=second, witness_name="Priya Shah", occupation="Store manager",
        statement="He said he would come back and hurt me.\nI was frightened.", truth_declaration=True,
        signature="Priya Shah", signed_on=datetime.date(2026, 6, 14), contact_address="1 High Street, Crewe",
        contact_phone="07700 900123", contact_email="priya@example.com", created_by=a.worker,
    )  # fmt: skip
    application = bundle.application_create(
        subject=person, user=a.officer, period_from=datetime.date(2026, 1, 1), period_to=datetime.date(2026, 12, 31)
    )
    application.summary = "Three incidents in six months, one with threats to the manager."
    application.save()
    premises = ProposedProhibition.objects.create(
        application=application, kind=Prohibition.Kind.PREMISES, duration_months=24,
        reason="Two of the three incidents were at this store.",
    )  # fmt: skip
    premises.stores.set([a.store])
    return world, person, incidents, statement, application


def _build_and_zip(client, application) -> tuple[dict, zipfile.ZipFile]:
    r = client.post(reverse("people-application", args=[application.pk]), _form(application) | {"build": "1"})
    assert r.status_code == 302, r.content.decode()[:2000]
    r = client.get(reverse("people-application-download", args=[application.pk, "zip"]))
    assert r.status_code == 200 and r["Content-Type"] == "application/zip"
    zf = zipfile.ZipFile(io.BytesIO(b"".join(r.streaming_content)))
    return json.loads(zf.read("manifest.json")), zf


def _form(application) -> dict:
    """The application page's form as the browser sends it back unchanged."""
    data = {
        "period_from": application.period_from.isoformat(),
        "period_to": application.period_to.isoformat(),
        "summary": application.summary,
        "p-TOTAL_FORMS": "0",
        "p-INITIAL_FORMS": "0",
        "p-MIN_NUM_FORMS": "0",
        "p-MAX_NUM_FORMS": "30",
    }
    rows = list(application.proposed_prohibitions.order_by("pk"))
    data["p-TOTAL_FORMS"] = data["p-INITIAL_FORMS"] = str(len(rows))
    for i, p in enumerate(rows):
        data |= {
            f"p-{i}-id": str(p.pk),
            f"p-{i}-kind": p.kind,
            f"p-{i}-stores": [str(s.pk) for s in p.stores.all()],
            f"p-{i}-retailer": str(p.retailer_id or ""),
            f"p-{i}-beats": [str(b.pk) for b in p.beats.all()],
            f"p-{i}-centre_latitude": "" if p.centre_latitude is None else str(p.centre_latitude),
            f"p-{i}-centre_longitude": "" if p.centre_longitude is None else str(p.centre_longitude),
            f"p-{i}-radius_m": "" if p.radius_m is None else str(p.radius_m),
            f"p-{i}-polygon": json.dumps(p.polygon) if p.polygon else "",
            f"p-{i}-duration_months": str(p.duration_months),
            f"p-{i}-reason": p.reason,
        }
    return data


def test_chronology_lists_exactly_the_linked_incidents_in_order_with_hashes_and_statements(scene):
    world, person, incidents, statement, application = scene
    # An incident of the same store linked to somebody else is not in it.
    other = PersonOfInterest.objects.create(force=world.a.force, given_names="Sam", family_name="Other")
    stranger = _incident(world.a.store, world.a.worker, datetime.datetime(2026, 4, 1, 9, 0, tzinfo=UTC))
    link_add(actor=world.a.officer, incident=stranger, identified_by="cctv_viewed", person=other)

    manifest, zf = _build_and_zip(signed_in(world.a.officer), application)

    refs = [i.reference for i in incidents]
    assert [i["reference"] for i in manifest["incidents"]] == refs
    for entry, incident in zip(manifest["incidents"], incidents, strict=True):
        evidence = incident.evidence.get()
        assert [e["sha256"] for e in entry["exhibits"]] == [evidence.sha256]
        assert zf.read(entry["exhibits"][0]["zip_name"]) == evidence.file.open("rb").read()
    assert manifest["incidents"][1]["witness_statements"] == [statement.pk]
    assert manifest["incidents"][0]["witness_statements"] == []
    pdf = zf.read(f"{application.reference}.pdf")
    assert manifest["files"][f"{application.reference}.pdf"] == hashlib.sha256(pdf).hexdigest()
    application.refresh_from_db()
    assert application.status == CBOApplication.Status.BUILT
    assert application.incident_ids == [i.pk for i in incidents]

    pages = pdf_pages(pdf)
    text = "\n".join(pages)
    positions = [text.index(ref) for ref in refs]
    assert positions == sorted(positions) and stranger.reference not in text
    for incident in incidents:
        assert incident.evidence.get().sha256 in text.replace("\n", "")
    assert "Priya Shah" in text and "hurt me" in text and "Threats to staff." in text
    flat = " ".join(text.split())
    assert "Jay Corran" in flat and application.summary in flat
    assert "Two of the three incidents were at this store." in flat
    assert bundle.YOUTH_MARKER not in text.replace("\n", " ")
    for number, page in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in page and "OFFICIAL-SENSITIVE" in page
        assert f"Application {application.reference}" in page
    # The witness's contact details only on the page marked not for disclosure.
    contact_pages = [p for p in pages if "07700 900123" in p]
    assert len(contact_pages) == 1 and "NOT FOR DISCLOSURE" in contact_pages[0]
    assert all("07700 900123" not in p for p in pages if "NOT FOR DISCLOSURE" not in p)


def test_build_and_each_download_are_logged(scene):
    world, person, incidents, statement, application = scene
    client = signed_in(world.a.officer)
    _build_and_zip(client, application)
    assert client.get(reverse("people-application-download", args=[application.pk, "pdf"])).content.startswith(b"%PDF")
    built = PeopleEvent.objects.filter(kind="application_built", application=application)
    assert built.count() == 1 and built.get().actor == world.a.officer
    assert built.get().details["incidents"] == 3
    downloads = PeopleEvent.objects.filter(kind="application_downloaded", application=application).order_by("id")
    assert [(e.actor, e.details["format"]) for e in downloads] == [(world.a.officer, "zip"), (world.a.officer, "pdf")]


def test_download_before_build_is_refused_and_not_logged(scene):
    world, person, incidents, statement, application = scene
    r = signed_in(world.a.officer).get(reverse("people-application-download", args=[application.pk, "pdf"]))
    assert r.status_code == 302
    assert not PeopleEvent.objects.filter(kind="application_downloaded").exists()


def test_withdrawing_a_link_removes_the_incident_from_the_next_bundle(scene):
    world, person, incidents, statement, application = scene
    client = signed_in(world.a.officer)
    _build_and_zip(client, application)
    link = person.incident_links.get(incident=incidents[1])
    r = client.post(reverse("people-link-withdraw", args=[link.pk]), {"reason": "Staff named the wrong man."})
    assert r.status_code == 302
    event = PeopleEvent.objects.get(kind="link_withdrawn", incident=incidents[1])
    assert event.actor == world.a.officer and "wrong man" in json.dumps(event.details)
    # The bundle built before is not downloaded any more: it holds a withdrawn link.
    r = client.get(reverse("people-application-download", args=[application.pk, "pdf"]))
    assert r.status_code == 302
    manifest, zf = _build_and_zip(client, application)
    assert [i["reference"] for i in manifest["incidents"]] == [incidents[0].reference, incidents[2].reference]
    text = "\n".join(pdf_pages(zf.read(f"{application.reference}.pdf")))
    assert incidents[1].reference not in text and "Priya Shah" not in text


def test_an_under_18_gets_the_youth_offending_team_marker(scene):
    world, person, incidents, statement, application = scene
    today = timezone.localdate()
    person.date_of_birth = today.replace(year=today.year - 17)
    person.save()
    client = signed_in(world.a.officer)
    page = client.get(reverse("people-application", args=[application.pk]))
    assert bundle.YOUTH_MARKER in page.content.decode()
    manifest, zf = _build_and_zip(client, application)
    assert manifest["youth_offending_team_to_be_consulted"] is True
    text = " ".join(pdf_pages(zf.read(f"{application.reference}.pdf"))[0].split())
    assert bundle.YOUTH_MARKER in text
    assert PeopleEvent.objects.get(kind="application_built").details["youth"] is True


def test_eighteen_today_is_not_marked(scene):
    world, person, incidents, statement, application = scene
    today = timezone.localdate()
    person.date_of_birth = today.replace(year=today.year - 18)
    assert not bundle.is_youth(person, today)
    assert bundle.is_youth(person, today - datetime.timedelta(days=1))


def test_a_changed_exhibit_stops_the_build_and_nothing_is_logged(scene):
    world, person, incidents, statement, application = scene
    evidence = incidents[2].evidence.get()
    with open(evidence.file.path, "ab") as fh:
        fh.write(b"changed")
    r = signed_in(world.a.officer).post(
        reverse("people-application", args=[application.pk]), _form(application) | {"build": "1"}, follow=True
    )
    assert "no longer matches the SHA-256" in r.content.decode()
    application.refresh_from_db()
    assert application.status == CBOApplication.Status.DRAFT and application.incident_ids == []
    assert not PeopleEvent.objects.filter(kind="application_built").exists()


def test_the_map_numbers_stores_by_the_chronology(scene):
    world, person, incidents, statement, application = scene
    stores = bundle.map_stores(incidents)
    assert [(s.store, s.numbers) for s in stores] == [(world.a.store, [1, 3]), (world.a.other_retailer_store, [2])]
    svg = str(bundle.incidents_svg(stores))
    assert svg.startswith("<svg") and 'role="img"' in svg and ">1, 3<" in svg
    png = bundle.incidents_map_png(stores, list(application.proposed_prohibitions.all()))
    assert png.startswith(b"\x89PNG")


def test_an_offender_bundle_lists_previous_orders_and_their_breaches(world):
    a = world.a
    offender, order, _ = offender_barred_from(a.store)
    breach = case_raise_for_match(match=possible_match(evidence_on(incident_at(a.store, a.worker)), offender))
    assert breach.is_breach
    unreviewed = case_raise_for_match(
        match=possible_match(evidence_on(incident_at(a.sibling_store, a.worker)), offender)
    )
    type(breach).objects.filter(pk=breach.pk).update(status="confirmed")
    later = _incident(a.other_retailer_store, a.worker, datetime.datetime(2026, 5, 2, 11, 0, tzinfo=UTC))
    link_add(actor=a.officer, incident=later, identified_by="arrested_at_scene", offender=offender, role="suspect")
    application = bundle.application_create(
        subject=offender, user=a.admin, period_from=datetime.date(2026, 1, 1), period_to=datetime.date(2026, 12, 31)
    )
    manifest, zf = _build_and_zip(signed_in(a.admin), application)
    assert [i["reference"] for i in manifest["incidents"]] == [later.reference]
    assert manifest["previous_orders"] == [order.pk] and manifest["breach_cases"] == [breach.reference]
    text = " ".join(" ".join(pdf_pages(zf.read(f"{application.reference}.pdf"))).split())
    assert order.case_reference in text and breach.reference in text and "Arrested at the scene" in text
    assert "role: suspect" in text and unreviewed.reference not in text


def test_a_beat_officer_bundles_only_the_links_of_the_beats_they_cover(scene):
    """An incident in a beat the officer does not cover, linked by the admin, is in the admin's bundle only."""
    world, person, incidents, statement, application = scene
    elsewhere = _incident(world.a.sibling_store, world.a.worker, datetime.datetime(2026, 7, 1, 9, 0, tzinfo=UTC))
    link_add(actor=world.a.admin, incident=elsewhere, identified_by="cctv_viewed", person=person)
    officer_links = bundle.chronology_links(application, world.a.officer)
    admin_links = bundle.chronology_links(application, world.a.admin)
    assert elsewhere.pk not in [link.incident_id for link in officer_links]
    assert [link.incident.reference for link in admin_links][2] == elsewhere.reference
