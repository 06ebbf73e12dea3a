"""Portal fixes found by walking the shop worker's flow on a phone: clear errors, confirmations, links."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cases.services import case_raise_for_match
from incidents.models import Incident
from tests.cases.factories import evidence_on, incident_at, offender_barred_from, possible_match
from tests.conftest import signed_in
from tests.incidents.conftest import image_bytes, nothing_written, pdf_bytes, stored_files, upload
from tests.incidents.factories import IncidentFactory

pytestmark = pytest.mark.django_db


def report(store, **overrides) -> dict:
    data = {
        "store": store.pk,
        "occurred_at": timezone.localtime(timezone.now() - timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M"),
        "category": "theft",
        "ongoing": "no",
        "injured": "no",
        "weapon": "no",
        "description": "Filled a bag with meat and left.",
        "submission_key": "5f0c2a53-2f0e-4c71-9d7a-2b1d0f6b9e11",
    }
    data.update(overrides)
    return data


def test_a_refused_report_says_so_at_the_top_with_links_to_each_answer(world):
    with nothing_written():
        response = signed_in(world.a.worker).post("/incidents/new/", report(world.a.store, description=""))
    assert response.status_code == 400
    html = response.content.decode()
    summary = html[html.index('class="error-summary"') : html.index("</ul>", html.index('class="error-summary"'))]
    assert "Your report has not been sent yet" in summary and 'role="alert"' in html
    assert '<a href="#id_description">What happened: This field is required.</a>' in summary
    assert "choose them again" in summary  # chosen files are not kept by the browser
    assert not Incident.objects.exists()


def test_a_refused_file_in_the_report_is_named_on_the_receipt(world, media_root):
    files = [upload("notes.jpg", pdf_bytes())]
    response = signed_in(world.a.worker).post("/incidents/new/", {**report(world.a.store), "files": files}, follow=True)
    incident = Incident.objects.get()
    messages = response.content.decode().split('class="messages"', 1)[1].split("</ul>", 1)[0]
    assert f"Not added to {incident.reference}: notes.jpg" in messages
    assert not incident.evidence.exists() and stored_files(media_root) == []


def test_a_good_report_shows_no_error_summary(world):
    html = signed_in(world.a.worker).get("/incidents/new/").content.decode()
    assert "error-summary" not in html


def test_receipt_offers_a_tap_to_call_999_link_when_someone_is_in_danger(world):
    danger = IncidentFactory(store=world.a.store, reported_by=world.a.worker, ongoing=True, weapon=True)
    calm = IncidentFactory(store=world.a.store, reported_by=world.a.worker)
    client = signed_in(world.a.worker)
    assert 'href="tel:999"' in client.get(f"/incidents/{danger.pk}/").content.decode()
    assert 'href="tel:999"' not in client.get(f"/incidents/{calm.pk}/").content.decode()
    police = signed_in(world.a.officer).get(f"/incidents/{danger.pk}/").content.decode()
    assert "the reporter was told to call 999" in police and 'href="tel:999"' not in police


def test_adding_files_later_confirms_how_many_were_added(world, media_root):
    incident = IncidentFactory(store=world.a.store, reported_by=world.a.worker)
    client = signed_in(world.a.worker)
    files = [upload("a.jpg", image_bytes()), upload("b.png", image_bytes("PNG"))]
    response = client.post(f"/incidents/{incident.pk}/evidence/", {"files": files}, follow=True)
    html = response.content.decode()
    assert f"2 CCTV files added to {incident.reference}." in html
    assert '<li class="success"><span role="status">' in html
    one = client.post(
        f"/incidents/{incident.pk}/evidence/", {"files": [upload("c.jpg", image_bytes(color=(1, 2, 3)))]}, follow=True
    )
    assert f"1 CCTV file added to {incident.reference}." in one.content.decode()


def test_shop_workers_are_not_offered_the_api_docs_but_police_are(world):
    assert "/api/docs/" not in signed_in(world.a.worker).get("/incidents/").content.decode()
    assert "/api/docs/" in signed_in(world.a.officer).get("/incidents/").content.decode()


def test_police_see_the_cases_raised_from_an_incident_and_shop_staff_never_do(world, media_root):
    a = world.a
    offender, _, _ = offender_barred_from(a.store)
    incident = incident_at(a.store, a.worker)
    case = case_raise_for_match(match=possible_match(evidence_on(incident), offender))
    officer_html = signed_in(a.officer).get(f"/incidents/{incident.pk}/").content.decode()
    assert f'href="/cases/{case.pk}/"' in officer_html and "CBO breach" in officer_html
    worker_html = signed_in(a.worker).get(f"/incidents/{incident.pk}/").content.decode()
    assert "/cases/" not in worker_html and "CBO breach" not in worker_html
    assert "Cases from this incident" not in worker_html
    # another force's officer cannot see the incident at all
    assert signed_in(world.b.officer).get(f"/incidents/{incident.pk}/").status_code == 404


def test_police_are_told_when_no_case_came_from_an_incident(world):
    incident = IncidentFactory(store=world.a.store, reported_by=world.a.worker)
    html = signed_in(world.a.officer).get(f"/incidents/{incident.pk}/").content.decode()
    assert "No possible match has been raised from this incident" in html


def test_police_take_an_incident_on_then_close_it_and_the_reporter_sees_it(world):
    from incidents.models import IncidentEvent

    incident = IncidentFactory(store=world.a.store, reported_by=world.a.worker)
    officer = signed_in(world.a.officer)
    page = officer.get(f"/incidents/{incident.pk}/").content.decode()
    assert 'value="take_on"' in page and 'value="close"' in page
    r = officer.post(f"/incidents/{incident.pk}/", {"status_change": "take_on"}, follow=True)
    assert f"You have taken {incident.reference} on." in r.content.decode()
    incident.refresh_from_db()
    assert incident.status == Incident.Status.WITH_POLICE
    assert "With police" in signed_in(world.a.worker).get(f"/incidents/{incident.pk}/").content.decode()
    with nothing_written():
        r = officer.post(f"/incidents/{incident.pk}/", {"status_change": "close", "reason": "no"})
    assert "Say why the incident is closed" in officer.get(r.url).content.decode()
    incident.refresh_from_db()
    assert incident.status == Incident.Status.WITH_POLICE
    officer.post(f"/incidents/{incident.pk}/", {"status_change": "close", "reason": "Attended, suspect arrested"})
    incident.refresh_from_db()
    assert incident.status == Incident.Status.CLOSED
    changes = IncidentEvent.objects.filter(incident=incident, kind=IncidentEvent.Kind.STATUS_CHANGED)
    assert [(e.actor, e.details.get("new")) for e in changes.order_by("pk")] == [
        (world.a.officer, "with_police"),
        (world.a.officer, "closed"),
    ]
    assert "Police action" not in officer.get(f"/incidents/{incident.pk}/").content.decode()


def test_only_police_in_scope_change_an_incident_status(world):
    incident = IncidentFactory(store=world.a.store, reported_by=world.a.worker)
    url = f"/incidents/{incident.pk}/"
    with nothing_written():
        refused = signed_in(world.a.worker).post(url, {"status_change": "close", "reason": "done here"})
        assert signed_in(world.b.officer).post(url, {"status_change": "take_on"}).status_code == 404
    assert refused.status_code == 403
    assert "Only police users change an incident&#x27;s status." in refused.content.decode()
    assert "Police action" not in signed_in(world.a.worker).get(url).content.decode()
    incident.refresh_from_db()
    assert incident.status == Incident.Status.RECEIVED


def test_every_call_999_line_for_shop_staff_can_be_tapped(world, client):
    worker = signed_in(world.a.worker)
    for html in (
        client.get("/login/").content.decode(),
        worker.get("/incidents/").content.decode(),
        worker.get("/incidents/new/").content.decode(),
    ):
        assert '<a class="tel" href="tel:999">call 999</a>' in html
