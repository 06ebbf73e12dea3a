"""A shop worker files an incident with a photo in Chromium and sees the receipt."""

import pytest

from incidents.models import Incident
from tests.conftest import FACES, browser_login, require

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def test_worker_reports_an_incident_with_a_photo(world, browser_page, media_root, enqueued):
    photo = FACES / "img1.jpg"
    require(photo.exists(), f"face dataset missing: {photo}")
    page = browser_page
    browser_login(page, "A-worker")
    page.goto(f"{page.base_url}/incidents/")
    page.click("text=Report an incident")
    page.select_option("#id_category", "physical_assault")
    page.check("#id_ongoing_1")  # yes
    page.fill("#id_description", "Pushed a colleague over and ran out with a bag of meat.")
    page.fill("#id_goods_value", "62.40")
    page.fill("#id_offender_description", "Grey hoodie, black cap.")
    page.set_input_files("#id_files", str(photo))
    page.click("#report-form button[type=submit]")
    page.wait_for_url("**/incidents/*/?new=1")  # sent by the upload script, which then follows the redirect
    text = page.inner_text("main")
    check_receipt(text, photo, enqueued)


def check_receipt(text, photo, enqueued):
    incident = Incident.objects.get()
    assert "Incident reported" in text
    assert incident.reference in text
    assert "Received" in text
    assert "call 999 now" in text
    assert "img1.jpg" in text
    assert incident.priority == "P1"
    evidence = incident.evidence.get()
    assert (evidence.kind, evidence.size) == ("image", photo.stat().st_size)
    assert enqueued == [evidence.pk]


def test_a_refused_file_is_explained_and_the_report_still_sent(world, browser_page, media_root, tmp_path):
    """The server refuses a file the browser could not judge (its contents are a PDF); the report is
    filed without it and the receipt says which file and why."""
    fake = tmp_path / "cctv.mp4"
    fake.write_bytes(b"%PDF-1.4\nnot a video\n%%EOF\n")
    page = browser_page
    browser_login(page, "A-worker")
    page.goto(f"{page.base_url}/incidents/new/")
    page.fill("#id_description", "Shouted at staff.")
    page.set_input_files("#id_files", str(fake))
    page.click("#report-form button[type=submit]")
    page.wait_for_url("**/incidents/*/?new=1")
    incident = Incident.objects.get()
    assert f"Not added to {incident.reference}: cctv.mp4: the file's contents are application/pdf" in page.inner_text(
        ".messages"
    )
    assert incident.description == "Shouted at staff." and not incident.evidence.exists()


def _fill_report(page, photo):
    page.goto(f"{page.base_url}/incidents/new/")
    page.fill("#id_description", "Took a crate of lager and ran.")
    page.set_input_files("#id_files", str(photo))


def test_a_moment_of_unavailability_is_retried_after_the_pause_the_server_asks(
    world, browser_page, media_root, enqueued
):
    """A 503 with Retry-After (the database down) is retried after that pause, and the report
    is filed once."""
    photo = FACES / "img1.jpg"
    require(photo.exists(), f"face dataset missing: {photo}")
    page = browser_page
    browser_login(page, "A-worker")
    refused = []

    def unavailable_once(route):
        if route.request.method == "POST" and not refused:
            refused.append(route.request.url)
            route.fulfill(status=503, headers={"Retry-After": "3"}, body="<p>unavailable</p>")
        else:
            route.continue_()

    page.route("**/incidents/new/", unavailable_once)
    _fill_report(page, photo)
    page.click("#report-form button[type=submit]")
    page.wait_for_selector("text=The service is unavailable for a moment. Trying again in 3 s (attempt 2 of 5).")
    page.wait_for_url("**/incidents/*/?new=1", timeout=15_000)
    assert len(refused) == 1
    assert Incident.objects.count() == 1
    assert Incident.objects.get().evidence.count() == 1


def test_a_full_disk_keeps_the_answers_and_the_files_on_the_page(world, browser_page, full_disk, media_root, enqueued):
    """The server has no room for the CCTV (507): the page says so, and keeps the answers and
    the chosen files, to send again once there is room."""
    photo = FACES / "img1.jpg"
    require(photo.exists(), f"face dataset missing: {photo}")
    page = browser_page
    browser_login(page, "A-worker")
    _fill_report(page, photo)
    page.click("#report-form button[type=submit]")
    page.wait_for_selector("text=The CCTV could not be stored: the server has no room left for files.")
    assert "Your answers and files are still on this page" in page.inner_text("[data-upload-status]")
    assert page.url.endswith("/incidents/new/")
    assert page.input_value("#id_description") == "Took a crate of lager and ran."
    assert page.eval_on_selector("#id_files", "e => e.files.length") == 1
    assert not Incident.objects.exists()
    assert not [p for p in media_root.rglob("*") if p.is_file()]

    full_disk.room = 10**9  # room again: the same page sends it
    page.click("#report-form button[type=submit]")
    page.wait_for_url("**/incidents/*/?new=1")
    assert Incident.objects.get().evidence.count() == 1
