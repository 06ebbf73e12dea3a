"""In Chromium: every people page passes axe-core (WCAG 2.2 AA) at phone and desktop sizes; the application page
shows only the fields of each prohibition's kind. With ``RETRACE_SCREENSHOTS=<folder>`` the pages are saved there
at phone (390x844) and desktop (1280x800) sizes, to be looked at."""

import datetime
import os
from pathlib import Path

import pytest
from django.utils import timezone

from accounts.models import Store
from orders.models import Prohibition
from people import bundle
from people.models import PersonOfInterest, ProposedProhibition
from people.services import link_add
from tests.a11y import assert_accessible
from tests.conftest import browser_login
from tests.incidents.factories import IncidentFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SIZES = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 800}}


def shot(page, name: str) -> None:
    if folder := os.environ.get("RETRACE_SCREENSHOTS"):
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def test_people_pages_are_accessible_at_both_sizes(world, browser_page):
    a = world.a
    Store.objects.filter(pk=a.other_retailer_store.pk).update(latitude="53.0995", longitude="-2.2990")
    today = timezone.localdate()
    person = PersonOfInterest.objects.create(
        force=a.force, given_names="Kim", family_name="Doyle", date_of_birth=today.replace(year=today.year - 16),
        pnc_id="2009/0012345E", description="Red cap, white trainers.",
    )  # fmt: skip
    now = datetime.datetime.now(datetime.UTC)
    incidents = []
    for days, store, kwargs in [
        (120, a.store, {"injured": True}),
        (60, a.other_retailer_store, {"category": "threats", "priority": "P2", "priority_reason": "Threats."}),
        (9, a.store, {"goods_value": 35}),
    ]:
        incident = IncidentFactory(
            store=store, reported_by=a.worker, occurred_at=now - datetime.timedelta(days), **kwargs
        )
        link_add(actor=a.officer, incident=incident, identified_by="staff_knowledge", person=person, note="Known")
        incidents.append(incident)
    application = bundle.application_create(
        subject=person, user=a.officer, period_from=today - datetime.timedelta(days=365), period_to=today
    )
    premises = ProposedProhibition.objects.create(
        application=application, kind=Prohibition.Kind.PREMISES, duration_months=24, reason="Two incidents here."
    )
    premises.stores.set([a.store])
    fresh = IncidentFactory(store=a.store, reported_by=a.worker, occurred_at=now)

    page = browser_page
    browser_login(page, a.officer.username)
    pages = {
        "persistent": "/people/",
        "person": f"/people/person-{person.pk}/",
        "link": f"/people/link/?incident={fresh.pk}&q=doyle",
        "application": f"/people/applications/{application.pk}/",
    }
    for size, viewport in SIZES.items():
        page.set_viewport_size(viewport)
        for name, path in pages.items():
            page.goto(page.base_url + path)
            page.wait_for_load_state()
            assert_accessible(page, f"{name} ({size})")
            shot(page, f"{name}-{size}")
            width = page.evaluate("() => document.documentElement.scrollWidth")
            assert width <= viewport["width"], f"{name} scrolls sideways at {size}: {width}px"

    # The application page: only the named-premises fields show for a named-premises row.
    page.goto(page.base_url + pages["application"])
    row = page.locator("[data-prohibition]").first
    assert row.locator("[data-kinds='premises']").is_visible()
    assert not row.locator("[data-kinds='zone']").is_visible()
    row.locator("select[name$='-kind']").select_option("zone")
    assert row.locator("[data-kinds='zone']").is_visible()
    assert not row.locator("[data-kinds='premises']").is_visible()
    assert bundle.YOUTH_MARKER in page.inner_text("#youth-marker")

    # Build, and the PDF download.
    page.goto(page.base_url + pages["application"])
    page.click("button[name=build]")
    page.wait_for_load_state()
    assert "built" in page.inner_text("main")
    shot(page, "application-built-desktop")
    with page.expect_download() as info:
        page.click("text=Download the PDF")
    assert Path(info.value.path()).read_bytes().startswith(b"%PDF")
    assert_accessible(page, "application after build")
