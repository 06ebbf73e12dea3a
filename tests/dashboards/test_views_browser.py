"""Each role's home page in Chromium: it loads, passes axe (WCAG 2.2 AA), works at phone width (the menu
button), and its counts and badges change without a reload when a new incident arrives.

Set RETRACE_SCREENSHOTS to keep screenshots of each home at phone and desktop sizes."""

import os
from pathlib import Path

import pytest
from django.utils import timezone

from cases.models import Case
from incidents.models import Incident
from tests.a11y import assert_accessible
from tests.conftest import browser_login
from tests.dashboards.builders import case, failed_file, incident
from tests.dashboards.test_figures import incident_in_week
from tests.orders.factories import OffenderFactory, OrderFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

PHONE, DESKTOP = {"width": 390, "height": 844}, {"width": 1280, "height": 800}


def shoot(page, name: str) -> None:
    folder = os.environ.get("RETRACE_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


@pytest.fixture
def fast_counts(settings):
    settings.DASHBOARD_COUNTS_POLL_SECONDS = 1


def wait_for_count(page, key: str, n: int) -> None:
    page.wait_for_function(
        f"() => Array.from(document.querySelectorAll('[data-count=\"{key}\"]')).every(e => e.textContent === '{n}')"
    )


def check_phone_menu(page, name: str) -> None:
    page.set_viewport_size(PHONE)
    toggle = page.locator(".nav-toggle")
    assert toggle.is_visible() and toggle.get_attribute("aria-expanded") == "false"
    assert not page.locator("#site-nav").is_visible()
    shoot(page, f"{name}-phone")
    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "true" and page.locator("#site-nav").is_visible()
    assert_accessible(page, f"{name} at phone width, menu open")
    shoot(page, f"{name}-phone-menu")
    page.keyboard.press("Escape")
    assert toggle.get_attribute("aria-expanded") == "false"
    page.set_viewport_size(DESKTOP)


def test_officer_home_badge_updates_without_reload(world, browser_page, media_root, fast_counts):
    a, page = world.a, browser_page
    page.set_viewport_size(DESKTOP)
    case(a.store, a.worker, breach=True, hours_ago=30)
    case(a.store, a.worker, status=Case.Status.CONFIRMED, hours_ago=50, reviewed_hours_ago=40)
    incident(a.store, a.worker, priority="P1", minutes_ago=25)
    failed_file(a.store, a.worker)
    browser_login(page, "A-officer")
    page.goto(f"{page.base_url}/")
    assert page.locator("h1").inner_text() == "What needs doing"
    assert page.locator('nav a[aria-current="page"]').inner_text() == "Home"
    assert_accessible(page, "officer home")
    shoot(page, "officer-desktop")
    wait_for_count(page, "p1_waiting", 1)
    incident(a.store, a.worker, priority="P1")  # a new P1 arrives while the page is open
    wait_for_count(page, "p1_waiting", 2)
    page.wait_for_function("() => document.getElementById('counts-live').textContent.includes('(was 1)')")
    assert "P1 incidents not taken on: 2 (was 1)" in page.inner_text("#counts-live")
    assert page.locator("[data-counts-stale]").is_visible()
    assert page.url == f"{page.base_url}/"  # no reload happened: the note says the lists are older
    check_phone_menu(page, "officer")


def test_force_admin_home_charts_and_badge(world, browser_page, media_root, fast_counts):
    a, page = world.a, browser_page
    page.set_viewport_size(DESKTOP)
    today = timezone.localdate()
    for weeks_back, store, category in [
        (0, a.store, Incident.Category.THEFT),
        (0, a.store, Incident.Category.THREATS),
        (1, a.sibling_store, Incident.Category.THEFT),
        (3, a.other_retailer_store, Incident.Category.CRIMINAL_DAMAGE),
    ]:
        incident_in_week(store, a.worker, today, weeks_back, category)
    offender = OffenderFactory(force=a.force)
    order = OrderFactory(offender=offender)
    case(a.store, a.worker, offender=offender, order=order, breach=True, hours_ago=5)
    case(a.store, a.worker, status=Case.Status.CONFIRMED, hours_ago=30, reviewed_hours_ago=3)
    browser_login(page, "A-admin")
    page.goto(f"{page.base_url}/")
    assert page.locator("svg.chart[role=img]").count() >= 4
    page.locator("details summary").first.click()
    assert page.locator("table.figures").first.is_visible()
    assert_accessible(page, "force admin home")
    shoot(page, "admin-desktop")
    assert page.locator('[data-badge="p1_waiting"]').first.is_hidden()
    incident(a.sibling_store, a.worker, priority="P1")  # another beat of the force: the admin's too
    page.wait_for_function("() => !document.querySelector('[data-badge=\"p1_waiting\"]').hidden")
    tile = "document.querySelector('.tile[data-alert-when=\"p1_waiting\"]')"
    page.wait_for_function(f"() => {tile}.classList.contains('alert')")  # the P1 tile turns red
    wait_for_count(page, "p1_waiting", 1)
    check_phone_menu(page, "admin")


def test_shop_worker_home_counts_update_without_reload(world, browser_page, fast_counts):
    a, page = world.a, browser_page
    page.set_viewport_size(DESKTOP)
    incident(a.store, a.worker)
    incident(a.store, a.worker, status=Incident.Status.WITH_POLICE)
    browser_login(page, "A-worker")
    page.goto(f"{page.base_url}/")
    assert "Report an incident" in page.inner_text("main")
    assert page.locator("[data-badge]").count() == 0  # no police counts in a shop worker's navigation
    assert_accessible(page, "shop worker home")
    shoot(page, "worker-desktop")
    incident(a.store, a.worker, priority="P1")
    wait_for_count(page, "incidents_received", 2)
    assert "Incidents received: 2 (was 1)" in page.inner_text("#counts-live")
    check_phone_menu(page, "worker")
