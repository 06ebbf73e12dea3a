"""In Chromium: a beat officer walks from the persistent-offender list to a downloaded CBO application bundle:
the list ranks the person linked to three incidents at two stores, their page shows the timeline and starts an
application, the application page takes the summary and a proposed prohibition and builds the bundle, and the
PDF and the zip download. Each page passes axe-core (WCAG 2.2 AA) at desktop and phone sizes. Screenshots go
to RETRACE_SCREENSHOTS when it is set."""

import datetime
import hashlib
import io
import zipfile
from pathlib import Path

import pytest
from django.utils import timezone

from people import services as people_services
from people.models import CBOApplication, IncidentLink, PeopleEvent
from tests.a11y import assert_accessible, save_screenshot
from tests.conftest import browser_login
from tests.incidents.factories import IncidentFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}


def _check(page, name: str) -> None:
    """axe at both sizes, no sideways scroll on a phone, and the screenshots."""
    for label, size in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(size)
        assert_accessible(page, f"{name} ({label})")
        save_screenshot(page, f"{name}-{label}")
    assert page.evaluate("() => document.scrollingElement.scrollWidth <= window.innerWidth"), name
    page.set_viewport_size(DESKTOP)


def _linked_person(side):
    """A person of interest an officer linked to three incidents at two stores of their beat, one with threats."""
    officer = side.officer
    person = people_services.person_create(
        actor=officer, given_names="Jay", family_name="Corran", date_of_birth=datetime.date(1997, 3, 14),
        description="Tall, shaved head, grey hooded top.",
    )  # fmt: skip
    now = timezone.now()
    incidents = []
    for days, store, category in ((80, side.store, "theft"), (40, side.other_retailer_store, "threats"),
                                  (10, side.store, "theft")):  # fmt: skip
        incident = IncidentFactory(store=store, reported_by=side.worker, category=category,
                                   occurred_at=now - datetime.timedelta(days=days))  # fmt: skip
        people_services.link_add(actor=officer, incident=incident, person=person,
                                 identified_by=IncidentLink.Identification.STAFF_KNOWLEDGE)  # fmt: skip
        incidents.append(incident)
    return person, incidents


def test_officer_walks_from_the_persistent_list_to_a_downloaded_bundle(world, browser_page, media_root):
    a = world.a
    person, incidents = _linked_person(a)
    page = browser_page
    browser_login(page, a.officer.username)

    # The persistent-offender list ranks him.
    page.goto(f"{page.base_url}/people/")
    row = page.locator("table.people-ranking tbody tr").first
    assert "Jay Corran" in row.inner_text() and "Persistent" in row.inner_text()
    _check(page, "bundle-walk-1-persistent")

    # His page: the timeline of the three incidents; start an application.
    page.click("table.people-ranking a:text('Jay Corran')")
    page.wait_for_load_state()
    main = page.inner_text("main")
    assert all(incident.reference in main for incident in incidents)
    _check(page, "bundle-walk-2-person")
    today = timezone.localdate()
    page.fill("#id_period_from", (today - datetime.timedelta(days=365)).isoformat())
    page.fill("#id_period_to", today.isoformat())
    page.click("main button[type=submit]:text('Start an application')")
    page.wait_for_load_state()
    application = CBOApplication.objects.get()
    assert page.url.endswith(f"/people/applications/{application.pk}/")

    # The application: the summary and one proposed prohibition (the two stores), then build the bundle.
    _check(page, "bundle-walk-3-application")
    page.fill("#id_summary", "Three incidents in three months at two stores, one with threats to a supervisor.")
    page.select_option("#id_p-0-kind", "premises")
    page.check(f"input[name='p-0-stores'][value='{a.store.pk}']")
    page.check(f"input[name='p-0-stores'][value='{a.other_retailer_store.pk}']")
    page.fill("#id_p-0-reason", "All three incidents were at these two stores.")
    page.click("main button[type=submit]:text('Save and build the bundle')")
    page.wait_for_load_state()
    application.refresh_from_db()
    assert application.status == CBOApplication.Status.BUILT and application.pdf_sha256
    assert application.incident_ids == [i.pk for i in incidents]
    _check(page, "bundle-walk-4-built")

    # Both downloads, each logged with the hash of the PDF it carried (made again from the frozen chronology).
    with page.expect_download() as pdf_download:
        page.click("a:text('Download the PDF')")
    pdf = Path(pdf_download.value.path()).read_bytes()
    assert (
        pdf.startswith(b"%PDF") and pdf_download.value.suggested_filename == f"{application.reference}-application.pdf"
    )
    with page.expect_download() as zip_download:
        page.click("a:text('Download the zip')")
    with zipfile.ZipFile(io.BytesIO(Path(zip_download.value.path()).read_bytes())) as bundle:
        zipped_pdfs = [bundle.read(name) for name in bundle.namelist() if name.endswith(".pdf")]
    assert len(zipped_pdfs) == 1 and zipped_pdfs[0].startswith(b"%PDF")
    downloads = PeopleEvent.objects.filter(kind=PeopleEvent.Kind.APPLICATION_DOWNLOADED, application=application)
    assert [(e.actor, e.details["format"]) for e in downloads.order_by("pk")] == [
        (a.officer, "pdf"),
        (a.officer, "zip"),
    ]
    logged = [e.details["pdf_sha256"] for e in downloads.order_by("pk")]
    assert logged == [hashlib.sha256(pdf).hexdigest(), hashlib.sha256(zipped_pdfs[0]).hexdigest()]
    assert "Jay Corran" in page.inner_text("main")  # still on the application page after both downloads
