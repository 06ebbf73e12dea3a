import pytest

from tests.conftest import browser_login

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def test_worker_signs_in_through_the_browser(world, browser_page):
    browser_login(browser_page, "A-worker")
    assert "Welcome" in browser_page.inner_text("main")
    assert world.a.store.name in browser_page.inner_text("main")
