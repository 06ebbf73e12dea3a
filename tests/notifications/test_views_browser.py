"""An officer turns an email off in Chromium: the page passes axe-core (WCAG 2.2 AA) before and after, and
reads on a phone without sideways scrolling. With ``RETRACE_SCREENSHOTS=<folder>`` it is saved at phone
(390x844) and desktop (1280x800) sizes."""

import os
from pathlib import Path

import pytest
from django.utils import timezone

from notifications.models import Notification, NotificationPreference
from tests.a11y import assert_accessible
from tests.conftest import browser_login

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}


def test_an_officer_turns_p1_emails_off(world, browser_page, tmp_path):
    officer = world.a.officer
    officer.email, officer.first_name, officer.last_name = "sam.patel@police.example", "Sam", "Patel"
    officer.save()
    Notification.objects.create(
        kind=Notification.Kind.BREACH_CASE,
        user=officer,
        force=world.a.force,
        object_ref="case:1",
        reference="CASE-2026-000001",
        email=officer.email,
        sent_at=timezone.now(),
        attempts=1,
    )
    Notification.objects.create(
        kind=Notification.Kind.P1_INCIDENT,
        user=officer,
        force=world.a.force,
        object_ref="incident:7",
        reference="INC-2026-000007",
        email=officer.email,
        attempts=2,
        last_error="ConnectionRefusedError: [Errno 111] Connection refused",
    )
    page = browser_page
    browser_login(page, officer.username)
    page.goto(f"{page.base_url}/account/notifications/")
    assert page.is_checked("#id_p1_incident") and page.is_checked("#id_daily_digest")
    assert "sam.patel@police.example" in page.inner_text("main")
    assert_accessible(page, "email notifications")
    shots = Path(os.environ.get("RETRACE_SCREENSHOTS") or tmp_path)
    for label, size in (("phone", PHONE), ("desktop", DESKTOP)):
        page.set_viewport_size(size)
        page.screenshot(path=str(shots / f"notification-settings-{label}.png"), full_page=True)
        if label == "phone":
            assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]

    page.click("label[for=id_p1_incident]")  # the label ticks the box too
    page.click("main button[type=submit]")
    page.wait_for_selector("text=Your email choices are saved.")
    assert not page.is_checked("#id_p1_incident") and page.is_checked("#id_breach_case")
    assert_accessible(page, "email notifications, saved")
    page.set_viewport_size(PHONE)
    page.screenshot(path=str(shots / "notification-settings-saved-phone.png"), full_page=True)
    pref = NotificationPreference.objects.get(user=officer)
    assert (pref.p1_incident, pref.breach_case, pref.daily_digest) == (False, True, True)
