"""A force admin sees an order's zone and covered stores in the admin, in a real browser."""

import pytest

from tests.conftest import browser_login
from tests.factories import StoreFactory
from tests.orders.conftest import SQUARE
from tests.orders.factories import OffenderFactory, OrderFactory, ProhibitionFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def test_admin_order_page_shows_zone_and_covered_stores(world, browser_page, tmp_path):
    order = OrderFactory(offender=OffenderFactory(force=world.a.force, family_name="Smith"))
    ProhibitionFactory(order=order, kind="zone", polygon=SQUARE, description="Crewe town centre")
    StoreFactory(beat=world.a.beat, name="Outside Store", latitude="53.120000", longitude="-2.300000")
    browser_login(browser_page, "A-admin")
    browser_page.goto(f"{browser_page.base_url}/admin/orders/order/{order.pk}/change/")
    zone = browser_page.locator("svg[aria-label='Exclusion zone']")
    assert zone.is_visible()
    assert zone.locator("polygon").count() == 1
    assert zone.locator("circle[fill='#c81e1e']").count() == 3  # the three stores of world.a inside
    assert zone.locator("circle[fill='#555']").count() == 1  # the store outside, shown grey
    text = browser_page.inner_text("body")
    assert world.a.store.name in text and "Outside Store" not in text.split("What it covers now")[1].split("Zone")[0]
    browser_page.screenshot(path=str(tmp_path / "order.png"), full_page=True)
    assert (tmp_path / "order.png").stat().st_size > 10_000
