"""In Chromium: a force admin records the order the court made from a CBO application, leaving out the zone the
court did not make and adding the custody photo; the page passes axe-core (WCAG 2.2 AA) at desktop and phone
sizes, without sideways scrolling, and the order's page follows. Screenshots go to RETRACE_SCREENSHOTS when
it is set."""

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.management.commands import seed_demo
from orders.models import Order
from people.models import CBOApplication
from tests.a11y import assert_accessible, save_screenshots
from tests.conftest import FACES, browser_login, require
from tests.people.test_order_from_application import _application, _rows

pytestmark = [pytest.mark.browser, pytest.mark.deepface, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}


def _shots(page, name: str) -> None:
    save_screenshots(page, name)


def _no_sideways_scroll(page) -> bool:
    return page.evaluate("() => document.scrollingElement.scrollWidth <= window.innerWidth")


def test_admin_records_the_order_from_the_application_in_a_browser(world, browser_page, media_root, face_engine):
    require((FACES / "img1.jpg").is_file(), f"face dataset missing at {FACES}")
    a = world.a
    application = _application(a)
    premises, zone = _rows(application)
    page = browser_page
    browser_login(page, a.admin.username)
    page.set_viewport_size(DESKTOP)
    page.goto(f"{page.base_url}/people/applications/{application.pk}/order/")
    assert "Record the order the court made" in page.inner_text("main")
    assert page.is_checked(f"#id_p{premises.pk}-made") and page.is_checked(f"#id_p{zone.pk}-made")
    assert_accessible(page, "order from application (desktop)")
    page.set_viewport_size(PHONE)
    assert_accessible(page, "order from application (phone)")
    assert _no_sideways_scroll(page)
    _shots(page, "order-from-application")
    # The row for a prohibition the court added, opened: every kind's fields, accessible too.
    page.click("details.court-added summary")
    assert page.is_checked("#id_added-kind_0")  # "None" until a kind is chosen
    assert_accessible(page, "order from application, the court's added prohibition open")
    _shots(page, "order-from-application-added-open")
    page.click("details.court-added summary")

    # Sent without the dates: the page comes back with what was typed and says what is missing.
    page.uncheck(f"#id_p{zone.pk}-made")
    page.fill("#id_court", "Crewe Magistrates' Court")
    page.click("main button[type=submit]:text('Record the order')")
    page.wait_for_load_state()
    assert "Made on: This field is required." in page.inner_text(".error-summary >> nth=0")
    assert page.input_value("#id_court") == "Crewe Magistrates' Court"
    assert not page.is_checked(f"#id_p{zone.pk}-made")
    assert_accessible(page, "order from application with errors")
    _shots(page, "order-from-application-errors")

    page.fill("#id_case_reference", "CBO/2026/0042")
    for name in ("made_on", "effective_from", "served_on"):
        page.fill(f"#id_{name}", "2026-01-05")
    page.fill("#id_ends_on", "2028-01-04")
    page.uncheck(f"input[name='p{premises.pk}-stores'][value='{a.sibling_store.pk}']")  # the court named one store
    page.set_input_files("#id_image", str(FACES / "img1.jpg"))
    page.fill("#id_source", "Custody, Crewe suite")
    page.fill("#id_taken_on", "2026-01-04")
    page.click("main button[type=submit]:text('Record the order')")
    page.wait_for_load_state()
    order = Order.objects.get()
    assert page.url.endswith(f"/desk/orders/{order.pk}/")
    assert "is in the gallery now" in page.inner_text("main")
    assert list(order.prohibitions.get().stores.all()) == [a.store]
    assert CBOApplication.objects.get().status == CBOApplication.Status.ORDER_MADE
    assert_accessible(page, "the order recorded")
    _shots(page, "order-recorded")


def test_on_the_demo_data_the_force_admin_records_jay_corrans_order(browser_page, face_engine, media_root):
    """The README's walk-through: seed_demo's draft application for Jay Corran, the order recorded from it with
    a custody photo; he is in the gallery at once."""
    require((FACES / "img1.jpg").is_file(), f"face dataset missing at {FACES}")
    call_command("seed_demo", verbosity=0)
    application = CBOApplication.objects.get(person__family_name="Corran")
    premises, area = application.proposed_prohibitions.order_by("pk")
    page = browser_page
    browser_login(page, "forceadmin", seed_demo.DEMO_PASSWORD)
    page.set_viewport_size(DESKTOP)
    page.goto(f"{page.base_url}/people/applications/{application.pk}/order/")
    assert "Jay Corran" in page.inner_text("main") and application.reference in page.inner_text("main")
    assert_accessible(page, "demo: order from Jay Corran's application")
    _shots(page, "demo-order-from-application")
    today = timezone.localdate().isoformat()
    page.fill("#id_court", "Crewe Magistrates' Court")
    page.fill("#id_case_reference", "CBO/2026/0107")
    for name in ("made_on", "effective_from", "served_on"):
        page.fill(f"#id_{name}", today)
    page.fill("#id_ends_on", (timezone.localdate() + datetime.timedelta(days=730)).isoformat())
    page.fill("#id_served_by", "PC 3052 Brierley")
    page.uncheck(f"#id_p{area.pk}-made")  # the court made only the named premises
    page.set_input_files("#id_image", str(FACES / "img1.jpg"))
    page.fill("#id_source", "Custody, Crewe suite")
    page.fill("#id_taken_on", today)
    page.click("main button[type=submit]:text('Record the order')")
    page.wait_for_load_state()
    assert "Jay Corran is in the gallery now" in page.inner_text("main")
    order = Order.objects.get(case_reference="CBO/2026/0107")
    assert order.prohibitions.count() == 1 and order.offender.person_of_interest.family_name == "Corran"
    _shots(page, "demo-order-recorded")
