"""The order desk in Chromium: a force admin adds a person (the chosen photo previewed before upload, and kept
when the form comes back for a wrong PNC ID), then records an order step by step with named premises (stores
found by typing) and an exclusion zone drawn with the mouse on the zone step's map, which lists the stores the
zone covers; the saved prohibition covers exactly those stores. axe-core (WCAG 2.2 AA) runs on every page at
desktop and phone sizes, and no page scrolls sideways on a phone. Screenshots go to RETRACE_SCREENSHOTS when it
is set."""

import datetime
import io
import json
import os
from pathlib import Path

import pytest
from PIL import Image

from accounts.models import Store
from orders import selectors
from orders.models import Order, Prohibition
from tests.a11y import assert_accessible
from tests.conftest import browser_login
from tests.factories import StoreFactory
from tests.orders.factories import OffenderFactory
from tests.orders.test_map_browser import map_ready, point_of

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

PHONE, DESKTOP = {"width": 390, "height": 844}, {"width": 1280, "height": 800}
SHOTS = Path(os.environ["RETRACE_SCREENSHOTS"]) if os.environ.get("RETRACE_SCREENSHOTS") else None


def check(page, name: str) -> None:
    """axe at both sizes (with any message shown), no sideways scrolling on a phone, and the screenshots."""
    for size, label in ((DESKTOP, "desktop"), (PHONE, "phone")):
        page.set_viewport_size(size)
        page.wait_for_timeout(200)
        assert_accessible(page, where=f"{name} ({label})")
        if label == "phone":
            overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 1, f"{name} scrolls sideways on a phone by {overflow}px"
        if SHOTS is not None:
            SHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SHOTS / f"{name}-{label}.png"), full_page=True)
    page.set_viewport_size(DESKTOP)


def photo_file(tmp_path) -> Path:
    path = tmp_path / "custody.jpg"
    buf = io.BytesIO()
    Image.new("RGB", (320, 320), (190, 140, 110)).save(buf, format="JPEG")
    path.write_bytes(buf.getvalue())
    return path


@pytest.fixture
def enrolled(monkeypatch):
    """Enrolment without the face model (test_desk_wizard enrols with the real one)."""
    monkeypatch.setattr("recognition.services.reference_photo_enrol", lambda *, photo: [])


def test_admin_adds_a_person_and_records_an_order_step_by_step(world, browser_page, media_root, tmp_path, enrolled):
    a = world.a
    inside = StoreFactory(beat=a.beat, retailer=a.retailer, name="Market Street", latitude="53.100000",
                          longitude="-2.300000")  # fmt: skip
    # Beside Market Street (about 45 m away, inside the zone drawn below) and up the road (about 280 m, outside).
    StoreFactory(beat=a.other_beat, retailer=a.other_retailer_store.retailer, name="Corner Shop", latitude="53.100400",
                 longitude="-2.299600")  # fmt: skip
    StoreFactory(beat=a.beat, retailer=a.retailer, name="Station Road", latitude="53.102500", longitude="-2.296000")
    page = browser_page
    page.set_viewport_size(DESKTOP)
    browser_login(page, "A-admin")

    # A person: the photo is previewed before upload, and kept when the form comes back for its PNC ID.
    page.goto(f"{page.base_url}/desk/offenders/new/")
    page.fill("#id_given_names", "Jo")
    page.fill("#id_family_name", "Bloggs")
    page.fill("#id_pnc_id", "2009/0012345X")
    page.set_input_files("#id_image", str(photo_file(tmp_path)))
    page.wait_for_function("() => document.querySelector('#photo-preview').src.startsWith('data:image/')")
    # The picture really shows (a broken image has no natural size).
    page.wait_for_function("() => document.querySelector('#photo-preview').naturalWidth === 320")
    assert page.is_visible("#photo-preview")
    page.fill("#id_source", "Custody, Crewe suite")
    page.fill("#id_taken_on", "2025-12-01")
    check(page, "desk-person-new")
    page.click("button[type=submit]:has-text('Add the person')")
    assert "it should end in E" in page.inner_text(".error-summary")
    assert page.is_visible("#photo-kept") and page.is_visible("#photo-preview")
    page.wait_for_function("() => document.querySelector('#photo-preview').naturalWidth === 320")  # the kept one
    check(page, "desk-person-new-error")
    page.fill("#id_pnc_id", "2009/0012345E")
    page.click("button[type=submit]:has-text('Add the person')")
    page.wait_for_url("**/desk/offenders/*/")
    assert "BLOGGS" in page.inner_text("h1") and page.locator(".photos img").count() == 1
    check(page, "desk-person")

    page.goto(f"{page.base_url}/desk/offenders/")
    check(page, "desk-people")

    # Step 1: the order.
    page.goto(f"{page.base_url}/desk/offenders/")
    page.click("a.name")
    page.click("a.button:has-text('Record an order')")
    page.check("input[name=kind][value=full]")
    page.fill("#id_court", "Crewe Magistrates' Court")
    page.fill("#id_case_reference", "CBO/2026/0200")
    for name, day in (("made_on", "2026-01-05"), ("effective_from", "2026-01-05"), ("ends_on", "2028-01-04"),
                      ("served_on", "2026-01-06")):  # fmt: skip
        page.fill(f"#id_{name}", day)
    page.fill("#id_served_by", "PC 1234 Jones")
    check(page, "desk-wizard-1-order")
    page.click("button:has-text('Next: the prohibitions')")
    page.wait_for_load_state()
    assert "/desk/orders/new/prohibition/" in page.url, page.inner_text("main")

    # Step 2 with JavaScript: choosing a kind shows only its fields; typing filters the stores.
    assert page.locator("[data-choose-kind]").count() == 0
    assert not page.is_visible("[data-kind=premises]") and not page.is_visible("[data-kind=zone]")
    check(page, "desk-wizard-2-choose")
    page.check("input[name=kind][value=premises]")
    assert page.is_visible("[data-kind=premises]") and not page.is_visible("[data-kind=zone]")
    page.fill("#id_store_q", "market")
    assert page.is_visible(f"label[for=id_store_{inside.pk}]")
    assert not page.is_visible(f"label[for=id_store_{a.sibling_store.pk}]")
    page.check(f"#id_store_{inside.pk}")
    page.fill("#id_description", "Northway Foods Market Street")
    check(page, "desk-wizard-2-premises")
    page.click("button:has-text('Add it and record another')")
    page.wait_for_url("**/desk/orders/new/prohibition/")
    assert "Prohibition 1 added" in page.inner_text(".messages")

    # The zone, drawn with the mouse on the map: a polygon clicked corner by corner around Market Street.
    page.check("input[name=kind][value=zone]")
    assert page.is_visible("[data-kind=zone]") and not page.is_visible("[data-kind=premises]")
    stores = Store.objects.filter(beat__force=a.force).count()
    map_ready(page, "zone-map", stores)
    assert "Stores this zone covers" in page.inner_text("#zone-map-covered-title")
    assert "Draw a zone to see the stores it covers." in page.inner_text("[data-map-covered]")
    page.evaluate("() => document.querySelector('#zone-map').scrollIntoView({block: 'center'})")
    page.evaluate("() => document.querySelector('[data-retrace-map]').retraceMap.map.setView([53.1003, -2.2998], 15)")
    page.click("button[data-tool=polygon]")
    assert page.get_attribute("button[data-tool=polygon]", "aria-pressed") == "true"
    for dx, dy in ((-45, -50), (50, -50), (50, 40), (-45, 40)):
        page.mouse.click(*point_of(page, 53.1002, -2.2998, dx, dy))
    page.click("button[data-action=finish]")
    drawn = json.loads(page.input_value("#id_polygon"))
    assert drawn["type"] == "Polygon" and len(drawn["coordinates"][0]) == 5  # four corners, closed
    page.wait_for_function("() => document.querySelector('[data-map-covered]').innerText.includes('Corner Shop')")
    listed = set(page.locator("[data-map-covered] li").all_inner_texts())
    names = {a.retailer.name + " Market Street", a.other_retailer_store.retailer.name + " Corner Shop"}
    assert {line.split(" (")[0] for line in listed} == names, listed  # not Station Road, nor the stores further off
    page.fill("#id_description", "Crewe town centre")
    check(page, "desk-wizard-2-zone")
    page.click("button:has-text('Add it, then check and save')")
    page.wait_for_url("**/desk/orders/new/review/")

    # Step 3: check and save.
    text = page.inner_text("main")
    assert "Northway Foods Market Street" in text and "Crewe town centre" in text
    check(page, "desk-wizard-3-review")
    page.click("button:has-text('Save the order')")
    page.wait_for_url("**/desk/orders/*/")
    order = Order.objects.get()
    # The saved zone is the one drawn, and it covers exactly the stores the map listed: as the desk shows it,
    # and as the matching reads it (the prohibitions in force at each store of the force).
    zone = order.prohibitions.get(kind=Prohibition.Kind.ZONE)
    assert zone.polygon == drawn
    label = "{0.retailer.name} {0.name} ({0.code}), {0.postcode}"
    assert {label.format(s) for s in selectors.stores_covered(zone)} == listed
    every = Store.objects.filter(beat__force=a.force).select_related("beat", "retailer")
    day = datetime.date(2026, 6, 1)
    assert {label.format(s) for s in every if zone in selectors.prohibitions_in_force(store=s, at=day)} == listed
    assert "In force until 4 Jan 2028" in page.inner_text(".status-line")
    assert "Prohibition added: Crewe town centre" in page.inner_text("main")
    assert page.inner_text("#order-map-covered-title") == "Stores this order covers"  # named stores and a zone
    page.click("summary:has-text('Record a variation')")
    check(page, "desk-order")

    # The discharge needs its reason: the page says so and keeps the form open.
    page.click("summary:has-text('Record a discharge')")
    page.fill("#id_discharge-discharged_on", "2026-06-01")
    page.click("button:has-text('Record the discharge')")
    assert "This field is required" in page.inner_text("#discharge")
    order.refresh_from_db()
    assert order.discharged_on is None

    page.goto(f"{page.base_url}/desk/orders/")
    assert "CBO/2026/0200" in page.inner_text("main")
    check(page, "desk-orders")


def test_without_javascript_the_kind_is_chosen_first(world, browser_page):
    person = OffenderFactory(force=world.a.force)
    context = browser_page.context.browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(20_000)
    base = browser_page.base_url
    page.base_url = base
    browser_login(page, "A-admin")
    page.goto(f"{base}/desk/orders/new/?offender={person.pk}")
    page.fill("#id_court", "Crewe Magistrates' Court")
    page.fill("#id_case_reference", "CBO/NOJS")
    page.fill("#id_made_on", "2026-01-05")
    page.fill("#id_effective_from", "2026-01-05")
    page.check("#id_indefinite")
    page.click("button:has-text('Next: the prohibitions')")
    assert page.is_visible("[data-choose-kind]") and not page.is_visible("[data-kind=zone]")
    page.check("input[name=kind][value=zone]")
    page.click("[data-choose-kind]")
    assert page.is_visible("[data-kind=zone]") and not page.is_visible("[data-kind=premises]")
    page.fill("#id_zone_latitude", "53.1")
    page.fill("#id_zone_longitude", "-2.3")
    page.fill("#id_zone_radius_m", "500")
    page.click("button:has-text('Add it, then check and save')")
    assert "/desk/orders/new/review/" in page.url
    assert "Covers" in page.inner_text("main")
    context.close()
