"""In Chromium: an officer confirms a match through the second step and is refused corroborating their own
confirmation; the queue and the case pages pass axe-core (WCAG 2.2 AA); on a phone the queue is a list of
cards and the two faces sit side by side. With ``RETRACE_SCREENSHOTS=<folder>`` the pages are saved there
at phone (390x844) and desktop (1280x800) sizes, to be looked at."""

import datetime
import os
from pathlib import Path

import pytest
from django.core.files.base import ContentFile

from cases.models import Case
from cases.services import case_raise_for_match
from orders.models import ReferencePhoto
from tests.a11y import assert_accessible
from tests.cases.factories import evidence_on, incident_at, offender_barred_from, possible_match
from tests.conftest import FACES, browser_login, require
from tests.orders.factories import OffenderFactory, OrderFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
SAME_OFFICER = "You confirmed this match; another officer must corroborate it."


def shot(page, name: str) -> None:
    if folder := os.environ.get("RETRACE_SCREENSHOTS"):
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def face_case(side, *, face="img2.jpg", reference="img1.jpg", priority="P3", offender=None) -> Case:
    offender = offender or offender_barred_from(side.store)[0]
    photo = ReferencePhoto.objects.create(
        offender=offender,
        image=ContentFile((FACES / reference).read_bytes(), name=reference),
        source="Custody",
        taken_on=datetime.date(2025, 6, 1),
    )
    evidence = evidence_on(incident_at(side.store, side.worker, priority=priority), (FACES / face).read_bytes())
    return case_raise_for_match(
        match=possible_match(evidence, offender, crop=(FACES / face).read_bytes(), photo=photo, frame_time_s=3.2)
    )


def no_sideways_scroll(page) -> bool:
    return page.evaluate("() => document.scrollingElement.scrollWidth <= window.innerWidth")


def test_officer_confirms_through_the_second_step_and_may_not_corroborate_it(world, browser_page):
    require(FACES.is_dir(), f"face dataset missing at {FACES}")
    a = world.a
    case = face_case(a)
    plain = OffenderFactory(force=a.force)
    OrderFactory(offender=plain)
    face_case(a, face="img3.jpg", reference="img4.jpg", priority="P1", offender=plain)
    page = browser_page
    browser_login(page, a.officer.username)

    # The queue: accessible; cards on a phone.
    page.goto(f"{page.base_url}/cases/")
    assert page.locator("table.queue").get_by_text("Possible CBO breach").count() == 1
    assert_accessible(page, "cases queue (desktop)")
    shot(page, "queue-desktop")
    page.set_viewport_size(PHONE)
    assert_accessible(page, "cases queue (phone)")
    assert page.eval_on_selector("table.queue tbody tr", "el => getComputedStyle(el).display") == "block"
    assert page.eval_on_selector("table.queue thead", "el => getComputedStyle(el).display") == "none"
    assert no_sideways_scroll(page)
    shot(page, "queue-phone")

    # The case: justified, then both faces side by side, on a phone too.
    page.click(f"text={case.reference}")
    page.fill("#id_justification", "Triage of breach cases on my beat")
    page.click("main button[type=submit]")
    page.wait_for_selector("#cctv-face")
    for img in ("#cctv-face", "#reference-face"):
        page.wait_for_function(f"() => document.querySelector('{img}').complete")
        assert page.eval_on_selector(img, "el => el.naturalWidth") > 100
    cctv = page.locator("#cctv-face").bounding_box()
    ref = page.locator("#reference-face").bounding_box()
    assert abs(cctv["y"] - ref["y"]) < 2 and ref["x"] >= cctv["x"] + cctv["width"]  # side by side
    assert ref["x"] + ref["width"] <= PHONE["width"] and cctv["width"] >= 120
    assert no_sideways_scroll(page)
    assert "the store is covered by this order if the match is confirmed" in page.content()
    assert_accessible(page, "case page (phone)")
    shot(page, "case-phone")
    page.set_viewport_size(DESKTOP)
    assert_accessible(page, "case page (desktop)")
    shot(page, "case-desktop")

    # Confirm: the second step states the consequence; nothing is recorded until it is accepted.
    page.fill("#id_reason", "Same person: face shape, eyebrows and hairline match")
    page.click("button[value=confirm]")
    consequence = page.locator("#consequence").inner_text()
    assert consequence.startswith(f"Confirm: this records that the person in the CCTV is {case.offender.full_name}.")
    assert "The case goes to corroboration: another officer records" in consequence
    case.refresh_from_db()
    assert case.status == Case.Status.AWAITING_REVIEW and not case.decisions.exists()
    assert_accessible(page, "review second step")
    shot(page, "review-confirm-desktop")
    page.set_viewport_size(PHONE)
    shot(page, "review-confirm-phone")
    page.set_viewport_size(DESKTOP)
    page.click("text=Confirm: the same person")
    page.wait_for_selector("text=Decision recorded.")
    case.refresh_from_db()
    assert case.status == Case.Status.CONFIRMED and case.decisions.get().decided_by == a.officer

    # Corroborating their own confirmation is refused, and the page says why.
    assert page.locator("#corroboration-refusal").inner_text() == SAME_OFFICER
    assert page.locator("form[action$='/corroborate/']").count() == 0
    assert '<span class="badge breach nowrap">CBO breach</span>' in page.content()
    assert_accessible(page, "confirmed case page")
    shot(page, "case-confirmed-desktop")


def test_access_log_and_a_rejected_case_pass_axe_at_both_sizes(world, browser_page):
    require(FACES.is_dir(), f"face dataset missing at {FACES}")
    a = world.a
    case = face_case(a)
    page = browser_page
    browser_login(page, a.admin.username)
    page.goto(f"{page.base_url}/cases/{case.pk}/")
    page.fill("#id_justification", "Checking the force's breach cases")
    page.click("main button[type=submit]")
    page.fill("#id_reason", "Different nose, ears and hairline")
    page.click("button[value=reject]")
    assert (
        page.locator("#consequence")
        .inner_text()
        .startswith("Reject: this closes the case; the match will not be used.")
    )
    page.click("text=Reject: close the case")
    page.wait_for_selector("text=Decision recorded.")
    assert "badge breach" not in page.content()
    assert_accessible(page, "rejected case")
    page.goto(f"{page.base_url}/cases/?status=rejected")
    assert case.reference in page.content() and "badge breach" not in page.content()
    for size, label in ((PHONE, "phone"), (DESKTOP, "desktop")):
        page.set_viewport_size(size)
        page.goto(f"{page.base_url}/cases/access-log/")
        assert_accessible(page, f"access log ({label})")
        assert no_sideways_scroll(page)
        shot(page, f"access-log-{label}")
