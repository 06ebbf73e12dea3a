import re
from base64 import b32decode

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.conftest import PASSWORD, browser_login, otp_code

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def test_worker_signs_in_through_the_browser(world, browser_page):
    browser_login(browser_page, "A-worker")
    assert "Welcome" in browser_page.inner_text("main")
    assert world.a.store.name in browser_page.inner_text("main")


def _password(page, username: str, password: str = PASSWORD) -> None:
    page.goto(f"{page.base_url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def test_officer_sets_up_an_authenticator_then_signs_in_with_a_code(world, browser_page):
    page = browser_page
    _password(page, "A-officer")
    # First sign-in: the set-up page, with a QR code drawn in the page and the key in text.
    assert "/login/code/setup/" in page.url
    assert page.locator("svg.qr").is_visible()
    secret = page.inner_text("#otp-secret")
    assert re.fullmatch(r"[A-Z2-7 ]+", secret)
    page.fill("#id_code", f"{TOTP(b32decode(secret.replace(' ', ''))).token():06d}")
    page.press("#id_code", "Enter")
    page.wait_for_load_state()
    assert "shown only now" in page.inner_text("main")
    assert len(page.locator("#recovery-codes li").all()) == 10
    page.click("text=I have kept them: continue")
    page.wait_for_load_state()
    assert "Open the cases queue" in page.inner_text("main")

    # Next time: password, then the code.
    page.click("button:has-text('Sign out')")
    page.wait_for_load_state()
    _password(page, "A-officer")
    assert "/login/code/" in page.url and "Enter your code" in page.inner_text("main")
    page.goto(f"{page.base_url}/cases/")  # nothing else opens before the code
    assert "/login/code/" in page.url
    page.fill("#id_code", "000000" if otp_code(TOTPDevice.objects.get()) != "000000" else "111111")
    page.press("#id_code", "Enter")
    page.wait_for_load_state()
    assert "not right" in page.inner_text("main")
    TOTPDevice.objects.update(throttling_failure_timestamp=None, throttling_failure_count=0)
    page.fill("#id_code", otp_code(TOTPDevice.objects.get()))
    page.press("#id_code", "Enter")
    page.wait_for_load_state()
    assert page.url.endswith("/cases/")


def test_lock_out_message_in_the_browser(world, browser_page):
    page = browser_page
    for i in range(5):
        _password(page, "A-worker", f"wrong-{i}")
    assert "Sign-in paused" in page.inner_text("main")
    assert "Too many failed sign-ins" in page.inner_text("#locked-out")
    _password(page, "A-worker")  # the right password: still paused
    assert "Sign-in paused" in page.inner_text("main")
    assert "Welcome" not in page.inner_text("main")
