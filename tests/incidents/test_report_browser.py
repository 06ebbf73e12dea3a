"""The report and incident pages in Chromium: Back and send again files no second incident; the browser checks
files before any upload; the good files are kept; axe-core on the report, list, detail and statement pages for
both roles, with screenshots at phone and desktop sizes (with RETRACE_SCREENSHOTS set)."""

from pathlib import Path

import pytest
from django.utils import timezone

from incidents.models import Incident, WitnessStatement
from incidents.services import evidence_add, incident_status_set, witness_statement_create
from tests.a11y import assert_accessible, save_screenshots
from tests.conftest import FACES, browser_login, require
from tests.incidents.conftest import image_bytes, upload, video_bytes
from tests.incidents.factories import IncidentFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

PHONE, DESKTOP = {"width": 390, "height": 844}, {"width": 1280, "height": 800}


def _photo() -> Path:
    photo = FACES / "img1.jpg"
    require(photo.exists(), f"face dataset missing: {photo}")
    return photo


def _fill(page, photo: Path, description: str = "Took a crate of lager and ran.") -> None:
    page.fill("#id_description", description)
    page.set_input_files("#id_files", str(photo))


def _posts(page) -> list[str]:
    sent: list[str] = []
    page.on("request", lambda r: sent.append(r.url) if r.method == "POST" else None)
    return sent


def test_back_and_send_again_files_one_incident(world, browser_page, media_root, enqueued):
    """Send a report, press Back, send the same again: still one incident, and the reporter lands on it."""
    photo = _photo()
    page = browser_page
    browser_login(page, "A-worker")
    page.goto(f"{page.base_url}/incidents/")
    page.click("text=Report an incident")
    _fill(page, photo)
    page.click("#report-form button[type=submit]")
    page.wait_for_url("**/incidents/*/?new=1")
    first = Incident.objects.get()

    page.go_back()
    page.wait_for_load_state()
    if "/incidents/new/" not in page.url:  # the receipt replaced the report page in the history
        page.click("text=Report an incident")
    assert page.input_value("#id_description") in ("", "Took a crate of lager and ran.")
    _fill(page, photo)
    page.click("#report-form button[type=submit]")
    warning = page.wait_for_selector("[data-duplicate-warning]")
    assert first.reference in warning.inner_text() and "This CCTV has been sent already" in warning.inner_text()
    assert page.eval_on_selector("#id_files", "e => e.files.length") == 1  # kept, should they go on
    assert page.inner_text("#report-form button[type=submit]") == "Send as a new incident"
    assert_accessible(page, "report page with the duplicate warning")
    _shoot(page, "report-duplicate-warning")
    page.click(f"[data-duplicate-warning] a:has-text('{first.reference}')")
    page.wait_for_url(f"**/incidents/{first.pk}/")
    assert Incident.objects.count() == 1
    assert first.reference in page.inner_text("h1")


def test_back_and_send_again_without_javascript_files_one_incident(world, browser_page, media_root, enqueued):
    photo = _photo()
    context = browser_page.context.browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.base_url = browser_page.base_url
    try:
        browser_login(page, "A-worker")
        page.goto(f"{page.base_url}/incidents/new/")
        _fill(page, photo)
        page.click("#report-form button[type=submit]")
        page.wait_for_url("**/incidents/*/?new=1")
        first = Incident.objects.get()
        page.go_back()
        page.wait_for_load_state()
        assert "/incidents/new/" in page.url
        assert page.input_value("#id_description") == ""  # the sent answers are not restored from history
        _fill(page, photo)
        page.click("#report-form button[type=submit]")
        page.wait_for_selector("text=This CCTV has been sent already")
        page.click(f"[data-duplicate-warning] a:has-text('{first.reference}')")
        page.wait_for_url(f"**/incidents/{first.pk}/")
        assert Incident.objects.count() == 1
    finally:
        context.close()


def test_going_on_after_the_warning_files_a_second_incident(world, browser_page, media_root, enqueued):
    photo = _photo()
    page = browser_page
    browser_login(page, "A-worker")
    page.goto(f"{page.base_url}/incidents/new/")
    _fill(page, photo)
    page.click("#report-form button[type=submit]")
    page.wait_for_url("**/incidents/*/?new=1")
    page.goto(f"{page.base_url}/incidents/new/")
    _fill(page, photo, "Came back an hour later; the same camera still.")
    page.click("#report-form button[type=submit]")
    page.wait_for_selector("[data-duplicate-warning]")
    page.click("#report-form button[type=submit]")  # now "Send as a new incident"
    page.wait_for_url("**/incidents/*/?new=1")
    assert Incident.objects.count() == 2
    second = Incident.objects.latest("pk")
    assert second.description.startswith("Came back") and second.evidence.count() == 1


def test_a_too_large_file_is_refused_in_the_browser_before_any_upload(world, browser_page, settings, media_root):
    settings.INCIDENT_IMAGE_MAX_BYTES = 2000
    settings.INCIDENT_MAX_FILES_PER_UPLOAD = 3
    page = browser_page
    browser_login(page, "A-worker")
    page.goto(f"{page.base_url}/incidents/new/")
    limits = page.inner_text("#files-limits")
    assert "Photos: JPEG, PNG or WebP, up to 2 KB each." in limits and "up to 1 GB each" in limits
    assert "Up to 3 files at a time." in limits
    posts = _posts(page)
    page.fill("#id_description", "Took a crate of lager and ran.")
    big = {"name": "big.jpg", "mimeType": "image/jpeg", "buffer": b"\xff\xd8\xff" + b"\0" * 5000}
    page.set_input_files("#id_files", [big])
    errors = page.wait_for_selector("[data-file-errors]:not([hidden])")
    assert "big.jpg: this photo is 5 KB; a photo may be up to 2 KB." in errors.inner_text()
    page.click("#report-form button[type=submit]")
    page.wait_for_timeout(500)
    assert posts == [] and not Incident.objects.exists()
    assert page.url.endswith("/incidents/new/")
    assert_accessible(page, "report page with a file refused in the browser")
    _shoot(page, "report-file-refused-in-browser")

    notes = {"name": "notes.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4"}
    page.set_input_files("#id_files", [notes])
    assert "notes.pdf: not a type we accept" in page.inner_text("[data-file-errors]")
    many = [{"name": f"p{i}.jpg", "mimeType": "image/jpeg", "buffer": b"\xff\xd8\xff\0"} for i in range(4)]
    page.set_input_files("#id_files", many)
    assert "You chose 4 files: send up to 3 at a time" in page.inner_text("[data-file-errors]")
    page.click("#report-form button[type=submit]")
    page.wait_for_timeout(300)
    assert posts == []
    page.set_input_files("#id_files", [])
    assert page.is_hidden("[data-file-errors]")


def test_a_form_error_keeps_the_chosen_files_and_the_good_files_are_kept(
    world, browser_page, media_root, enqueued, tmp_path
):
    photo = _photo()
    bad = tmp_path / "till.jpg"
    bad.write_bytes(b"%PDF-1.4 not a photo")
    page = browser_page
    browser_login(page, "A-worker")
    page.goto(f"{page.base_url}/incidents/new/")
    page.set_input_files("#id_files", [str(photo), str(bad)])
    page.click("#report-form button[type=submit]")  # no description: refused, nothing sent but the answers
    page.wait_for_selector(".error-summary")
    assert "The files you chose are still chosen." in page.inner_text(".error-summary")
    assert page.eval_on_selector("#id_files", "e => e.files.length") == 2
    page.fill("#id_description", "Pushed past staff with a basket of meat.")
    page.click("#report-form button[type=submit]")
    page.wait_for_url("**/incidents/*/?new=1")
    incident = Incident.objects.get()
    assert list(incident.evidence.values_list("original_name", flat=True)) == ["img1.jpg"]
    assert "Not added to" in page.inner_text(".messages") and "till.jpg" in page.inner_text(".messages")


# --- pages for each role: axe and screenshots ----------------------------------------------------------


def _shoot(page, name: str) -> None:
    save_screenshots(page, name)


@pytest.fixture
def furnished(world, media_root, tmp_path):
    """An incident with a photo, a video and a witness statement, taken on by the officer; and a few more."""
    store = world.a.store
    store.name, store.address, store.postcode, store.phone = (
        "Alsager",
        "12 Crewe Road, Alsager",
        "ST7 2AA",
        "01270 555012",
    )
    store.save()
    for user, first, last in ((world.a.worker, "Kim", "Lowe"), (world.a.officer, "Dev", "Shah")):
        user.first_name, user.last_name = first, last
        user.save()
    world.a.officer.collar_number = "PC 4411"
    world.a.officer.save()
    for n in range(3):
        IncidentFactory(store=store, reported_by=world.a.worker, description=f"Earlier theft number {n}.")
    incident = IncidentFactory(
        store=store, reported_by=world.a.worker, category="physical_assault", priority="P2",
        description="Man filled a bag with spirits; when challenged he pushed a colleague.",
        offender_description="Grey hoodie, black cap, red trainers.",
    )  # fmt: skip
    files = [
        upload("door.jpg", image_bytes("JPEG", size=(320, 240), color=(90, 110, 130)), "image/jpeg"),
        upload("till.mp4", video_bytes(tmp_path, frames=10), "video/mp4"),
    ]
    evidence_add(incident=incident, files=files, uploaded_by=world.a.worker)
    witness_statement_create(
        incident=incident, created_by=world.a.worker, witness_name="Kim Lowe", occupation="Store manager",
        statement="At about 14:00 I saw a man in a grey hoodie put six bottles of vodka in a bag. When my colleague "
        "stood in the doorway he pushed her aside and ran towards the car park.",
        truth_declaration=True, signature="Kim Lowe", signed_on=timezone.localdate(),
        contact_phone="07700 900123", contact_email="kim@example.org",
    )  # fmt: skip
    incident_status_set(incident=incident, status="with_police", actor=world.a.officer)
    return incident


def test_shop_worker_pages_are_accessible(world, browser_page, furnished):
    page = browser_page
    browser_login(page, "A-worker")
    for name, path in (
        ("report", "/incidents/new/"),
        ("list-worker", "/incidents/"),
        ("detail-worker", f"/incidents/{furnished.pk}/"),
        ("statement-form", f"/incidents/{furnished.pk}/statements/new/"),
        ("evidence-add", f"/incidents/{furnished.pk}/evidence/"),
    ):
        page.goto(page.base_url + path)
        assert_accessible(page, name)
        _shoot(page, name)
    page.goto(f"{page.base_url}/incidents/{furnished.pk}/statements/new/")
    page.fill("#id_statement", "")
    page.click("#statement-form button[type=submit]")
    page.wait_for_selector(".error-summary")
    assert_accessible(page, "statement form with errors")
    _shoot(page, "statement-form-errors")
    page.goto(f"{page.base_url}/incidents/?q=theft&status=received")
    assert_accessible(page, "filtered list")
    assert WitnessStatement.objects.count() == 1


def test_officer_pages_are_accessible(world, browser_page, furnished):
    page = browser_page
    browser_login(page, "A-officer")
    page.goto(f"{page.base_url}/incidents/")
    assert_accessible(page, "officer list")
    _shoot(page, "list-officer")
    page.goto(f"{page.base_url}/incidents/{furnished.pk}/")
    page.wait_for_function("() => document.querySelector('img.exhibit-media').complete")
    assert page.eval_on_selector("img.exhibit-media", "e => e.naturalWidth") == 320
    assert page.eval_on_selector("video.exhibit-media", "e => e.controls") is True
    text = page.inner_text("main")
    assert "Dev Shah (PC 4411)" in text and "01270 555012" in text and "Contact details: not for disclosure" in text
    assert_accessible(page, "officer detail")
    _shoot(page, "detail-officer")
    page.goto(f"{page.base_url}/incidents/?taken=no&priority=P1")
    assert_accessible(page, "officer filtered list")
