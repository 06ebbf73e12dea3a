"""Every page of every role, in Chromium: WCAG 2.2 AA by axe-core, and no sideways scrolling on a phone.

The walk starts from each role's home page on the demo data (``seed_demo``) and follows the links it
finds (GET only, same site, the Django admin and the API's Swagger page aside), so a page added later is
walked too. Pages are told apart by their path with numbers folded (``/cases/12/`` and ``/cases/13/``
are one page), and the walk stops after ``MAX_PAGES`` a role.

With ``RETRACE_SCREENSHOTS=<folder>`` each page is also saved at phone (390x844) and desktop (1280x800)
sizes, for people to look at.
"""

import os
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command

from tests.a11y import assert_accessible
from tests.conftest import browser_login

MAX_PAGES = 60
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
# Not pages of the portal (third-party or not HTML), or links that act.
SKIP = re.compile(
    r"^/(admin|api|static|media|logout)/|\.(pdf|zip|csv|json|jpg|jpeg|png|mp4|svg)$|/(image|file|download)s?/"
)
LINKS_JS = "() => Array.from(document.querySelectorAll('a[href]')).map(a => a.href)"


def _pattern(path: str) -> str:
    return re.sub(r"/\d+(?=/|$)", "/N", path)


def _shot(page, folder: str | None, role: str, path: str) -> None:
    if not folder:
        return
    name = re.sub(r"[^a-z0-9]+", "-", f"{role}{path}".lower()).strip("-") or role
    has_map = page.locator("[data-retrace-map]").count() > 0
    for label, size in (("phone", PHONE), ("desktop", DESKTOP)):
        page.set_viewport_size(size)
        if has_map:  # a map re-frames its zone and stores after a resize (a ResizeObserver, then a pan)
            page.wait_for_load_state("networkidle")
            page.wait_for_timeout(800)
        page.screenshot(path=str(Path(folder) / f"{name}-{label}.png"), full_page=True)
    page.set_viewport_size(DESKTOP)


def walk(page, role: str, shots: str | None) -> list[str]:
    base = page.base_url
    todo, seen, walked, problems = ["/"], set(), [], []
    while todo and len(walked) < MAX_PAGES:
        path = todo.pop(0)
        key = _pattern(urlsplit(path).path)
        if key in seen:
            continue
        seen.add(key)
        response = page.goto(base + path)
        if response is None or "text/html" not in (response.headers.get("content-type") or ""):
            continue
        if response.status >= 400:
            problems.append(f"{role}: {path} answered {response.status}")
            continue
        walked.append(path)
        page.set_viewport_size(DESKTOP)
        try:
            assert_accessible(page, where=f"{role} {path} (desktop)")
            page.set_viewport_size(PHONE)
            assert_accessible(page, where=f"{role} {path} (phone)")
            overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
            if overflow > 1:
                problems.append(f"{role}: {path} scrolls sideways on a phone by {overflow}px")
        except AssertionError as exc:
            problems.append(str(exc))
        _shot(page, shots, role, path)
        page.set_viewport_size(DESKTOP)
        for href in page.evaluate(LINKS_JS):
            parts = urlsplit(href)
            if f"{parts.scheme}://{parts.netloc}" != base or SKIP.search(parts.path):
                continue
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            if _pattern(parts.path) not in seen:
                todo.append(target)
    assert not problems, "\n".join(problems)
    return walked


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("role", ["shopworker", "officer", "forceadmin"])
def test_every_page_of_each_role_is_accessible_and_fits_a_phone(browser_page, role):
    call_command("seed_demo", verbosity=0)
    shots = os.environ.get("RETRACE_SCREENSHOTS")
    if shots:
        Path(shots).mkdir(parents=True, exist_ok=True)
    browser_login(browser_page, role, "retrace-demo")
    walked = walk(browser_page, role, shots)
    print(f"{role}: {len(walked)} pages walked: {', '.join(walked)}")
    # Every role has more than a home page to walk: the walk really followed the navigation.
    assert len(walked) >= 3, walked
