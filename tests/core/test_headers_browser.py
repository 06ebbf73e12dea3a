"""The Content-Security-Policy in a real browser: Chromium opens the main pages of
every role, the admin and Swagger UI, each under the policy, and reports no violation (nothing refused:
no inline script or style), while the pages still work (the face image loads, the error page's back
link and the admin's scripts run; Swagger UI draws the API)."""

import pytest

from tests.cases.factories import evidence_on, incident_at, offender_barred_from, possible_match
from tests.conftest import signed_in

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

# Collects what the browser refuses, from the moment each page starts (Playwright's init script is not
# subject to the page's policy).
WATCH = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " " + e.sourceFile + ":" + e.lineNumber);
});
"""


@pytest.fixture
def scene(world):
    from cases.services import case_justify, case_raise_for_match
    from tests.orders.factories import ReferencePhotoFactory

    a = world.a
    offender, order, _ = offender_barred_from(a.store)
    ReferencePhotoFactory(offender=offender)
    case = case_raise_for_match(match=possible_match(evidence_on(incident_at(a.store, a.worker)), offender))
    for user in (a.officer, a.admin):
        case_justify(case=case, user=user, justification="Triage of my beat's retail cases")
    other_offender, _, _ = offender_barred_from(a.store)
    unjustified = case_raise_for_match(match=possible_match(case.best_match.evidence, other_offender))
    return {"case": case, "unjustified": unjustified, "order": order, "offender": offender}


def as_user(page, user) -> None:
    """Sign the browser in as ``user`` with the session a test client gets (second factor included)."""
    page.context.clear_cookies()
    if user is None:
        return
    client = signed_in(user)
    session = client.cookies["sessionid"].value
    page.context.add_cookies([{"name": "sessionid", "value": session, "url": page.base_url}])


def visit(page, path: str, violations: list, *, ready: str = "body") -> None:
    response = page.goto(f"{page.base_url}{path}")
    assert response is not None and response.status < 500, (path, response and response.status)
    directives = {d.strip() for d in response.headers["content-security-policy"].split(";")}
    assert "script-src 'self'" in directives, path  # the directives come in no fixed order
    page.wait_for_selector(ready)
    page.wait_for_load_state("networkidle")
    violations += [f"{path}: {v}" for v in page.evaluate("window.__csp")]


def test_main_pages_of_every_role_run_without_a_policy_violation(world, scene, browser_page):
    page = browser_page
    page.context.add_init_script(WATCH)
    console = []
    page.on("console", lambda m: console.append(m.text) if "Content Security Policy" in m.text else None)
    case, a = scene["case"], world.a
    evidence_id = case.best_match.evidence_id
    violations: list[str] = []

    as_user(page, None)
    visit(page, "/login/", violations)
    visit(page, "/api/docs/", violations, ready="#swagger-ui .info")  # Swagger UI drew the API
    assert page.locator(".opblock-tag").count() > 5

    as_user(page, a.worker)
    for path in ("/", "/incidents/", "/incidents/new/", f"/incidents/{case.incident_id}/"):
        visit(page, path, violations)
    visit(page, f"/incidents/{case.incident_id}/evidence/", violations)

    as_user(page, a.officer)
    for path in ("/cases/", f"/incidents/{case.incident_id}/", "/recognition/"):
        visit(page, path, violations)
    visit(page, f"/cases/{case.pk}/", violations, ready="#cctv-face")
    assert page.evaluate("document.getElementById('cctv-face').naturalWidth") > 0  # the face image loaded
    visit(page, f"/recognition/evidence/{evidence_id}/search/", violations, ready="#frame")
    # A refused request renders the error page; its "Go back" link (a script file now) goes back.
    visit(page, f"/cases/{case.pk}/", violations)
    visit(page, f"/cases/{scene['unjustified'].pk}/image/cctv/", violations, ready="a[data-history-back]")
    page.click("a[data-history-back]")
    page.wait_for_url(f"**/cases/{case.pk}/")

    as_user(page, a.admin)
    for path in (
        "/cases/access-log/",
        "/recognition/threshold/",
        "/recognition/research/",
        "/admin/",
        "/admin/cases/case/",
        f"/admin/cases/case/{case.pk}/change/",
        "/admin/accounts/store/",
        f"/admin/accounts/user/{a.officer.pk}/change/",
        "/admin/orders/offender/",
        "/admin/orders/order/",
        "/admin/orders/order/add/",
    ):
        visit(page, path, violations)
    # The admin's own scripts ran: the user form's two-box beat picker was built by SelectFilter2.js.
    visit(page, f"/admin/accounts/user/{a.officer.pk}/change/", violations, ready="#id_beats_from")
    assert violations == [] and console == [], (violations, console)
