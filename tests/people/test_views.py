"""The people pages: shop workers and other forces get 404 on every one; the persistent-offender list ranks by
linked incidents; linking from an incident (existing or new person), withdrawing with a reason; the application
page's proposed prohibitions (add, remove, a reason required) and its bundle links."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from incidents.models import Incident
from orders.models import Prohibition
from people import bundle
from people.models import IncidentLink, PeopleEvent, PersonOfInterest, ProposedProhibition
from people.services import link_add
from tests.conftest import signed_in
from tests.incidents.factories import IncidentFactory
from tests.orders.factories import OffenderFactory

pytestmark = pytest.mark.django_db
UTC = datetime.UTC


def _incident(store, reporter, when, **kwargs) -> Incident:
    return IncidentFactory(store=store, reported_by=reporter, occurred_at=when, **kwargs)


@pytest.fixture
def linked(world):
    """Three incidents in the last months at two stores of the officer's beat, linked to a person of interest."""
    a = world.a
    person = PersonOfInterest.objects.create(force=a.force, given_names="Jay", family_name="Corran")
    now = datetime.datetime.now(UTC)
    incidents = [
        _incident(a.store, a.worker, now - datetime.timedelta(days=100), injured=True),
        _incident(a.other_retailer_store, a.worker, now - datetime.timedelta(days=40), goods_value=25),
        _incident(a.store, a.worker, now - datetime.timedelta(days=5), goods_value=15),
    ]
    links = [link_add(actor=a.officer, incident=i, identified_by="staff_knowledge", person=person) for i in incidents]
    application = bundle.application_create(
        subject=person,
        user=a.officer,
        period_from=(now - datetime.timedelta(days=365)).date(),
        period_to=now.date(),
    )
    return world, person, incidents, links, application


def _urls(person, incident, link, application) -> list[tuple[str, str]]:
    return [
        ("get", reverse("people-persistent")),
        ("get", reverse("people-person", args=[f"person-{person.pk}"])),
        ("get", f"{reverse('people-link')}?incident={incident.pk}"),
        ("post", reverse("people-link-withdraw", args=[link.pk])),
        ("get", reverse("people-application", args=[application.pk])),
        ("get", reverse("people-application-download", args=[application.pk, "pdf"])),
        ("get", reverse("people-application-download", args=[application.pk, "zip"])),
    ]


def test_shop_workers_get_404_on_every_people_page(linked):
    world, person, incidents, links, application = linked
    client = signed_in(world.a.worker)
    for method, url in _urls(person, incidents[0], links[0], application):
        assert getattr(client, method)(url, {"reason": "x"} if method == "post" else None).status_code == 404, url
    assert links[0].withdrawn_at is None and IncidentLink.objects.filter(withdrawn_at__isnull=False).count() == 0


def test_another_forces_police_get_404_and_see_nobody(linked):
    world, person, incidents, links, application = linked
    for user in (world.b.officer, world.b.admin):
        client = signed_in(user)
        for method, url in _urls(person, incidents[0], links[0], application)[1:]:
            response = getattr(client, method)(url, {"reason": "x"} if method == "post" else None)
            assert response.status_code == 404, (user, url)
        assert "Corran" not in client.get(reverse("people-persistent")).content.decode()
    assert not PeopleEvent.objects.filter(kind__in=["link_withdrawn", "application_downloaded"]).exists()


def test_signed_out_is_sent_to_sign_in(linked):
    response = Client().get(reverse("people-persistent"))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_persistent_list_ranks_people_with_the_columns(linked):
    world, person, incidents, links, application = linked
    quiet = PersonOfInterest.objects.create(force=world.a.force, given_names="Alex", family_name="Quiet")
    link_add(actor=world.a.officer, incident=incidents[0], identified_by="cctv_viewed", person=quiet)
    page = signed_in(world.a.officer).get(reverse("people-persistent"))
    assert page.status_code == 200
    html = page.content.decode()
    assert html.index("Jay Corran") < html.index("Alex Quiet")
    rows = page.context["page"].object_list
    top = rows[0]
    assert (top.incidents, top.stores, top.retailers, top.violent_or_threatening, top.persistent) == (3, 2, 2, 1, True)
    assert rows[1].persistent is False and "Persistent</span>" in html and "Under 18" not in html
    assert reverse("people-person", args=[f"person-{person.pk}"]) in html
    # Search and the period.
    html = signed_in(world.a.officer).get(reverse("people-persistent"), {"q": "quiet"}).content.decode()
    assert "Alex Quiet" in html and "Jay Corran" not in html
    page = signed_in(world.a.officer).get(reverse("people-persistent"), {"period": "90"})
    assert page.context["page"].object_list[0].incidents == 2
    assert signed_in(world.a.officer).get(reverse("people-persistent"), {"period": "nonsense"}).status_code == 200


def test_person_page_shows_the_timeline_in_order_and_the_map_with_its_text(linked):
    world, person, incidents, links, application = linked
    html = signed_in(world.a.officer).get(reverse("people-person", args=[f"person-{person.pk}"])).content.decode()
    positions = [html.index(i.reference) for i in incidents]
    assert positions == sorted(positions)
    assert "<svg" in html and 'role="img"' in html and world.a.other_retailer_store.postcode in html
    assert reverse("people-application", args=[application.pk]) in html


def test_person_page_starts_an_application(linked):
    world, person, incidents, links, application = linked
    url = reverse("people-person", args=[f"person-{person.pk}"])
    r = signed_in(world.a.officer).post(url, {"period_from": "2026-01-01", "period_to": "2026-12-31"})
    new = person.cbo_applications.exclude(pk=application.pk).get()
    assert r.status_code == 302 and r["Location"] == reverse("people-application", args=[new.pk])
    assert new.reference == f"CBO-{new.created_at.year}-{new.pk:06d}" and new.created_by == world.a.officer
    r = signed_in(world.a.officer).post(url, {"period_from": "2026-12-31", "period_to": "2026-01-01"})
    assert r.status_code == 400 and "cannot end before it starts" in r.content.decode()


def test_link_an_existing_person_from_the_incident(linked):
    world, person, incidents, links, application = linked
    incident = _incident(world.a.store, world.a.worker, datetime.datetime.now(UTC))
    offender = OffenderFactory(force=world.a.force, given_names="Dean", family_name="Marsh")
    client = signed_in(world.a.officer)
    url = f"{reverse('people-link')}?incident={incident.pk}"
    html = client.get(reverse("people-link"), {"incident": incident.pk, "q": "marsh"}).content.decode()
    assert "Dean Marsh" in html and f"subject=offender-{offender.pk}" in html
    r = client.post(
        url, {"incident": incident.pk, "subject": f"offender-{offender.pk}", "identified_by": "arrested_at_scene"}
    )
    assert r.status_code == 302 and r["Location"] == reverse("people-person", args=[f"offender-{offender.pk}"])
    link = IncidentLink.objects.get(incident=incident)
    assert (link.offender, link.identified_by, link.created_by) == (offender, "arrested_at_scene", world.a.officer)
    assert PeopleEvent.objects.filter(kind="link_added", incident=incident).exists()
    # Twice: a clear 400 naming the first link, nothing added.
    r = client.post(
        url, {"incident": incident.pk, "subject": f"offender-{offender.pk}", "identified_by": "arrested_at_scene"}
    )
    assert r.status_code == 400 and IncidentLink.objects.filter(incident=incident).count() == 1


def test_link_a_new_person_of_interest(linked):
    world, person, incidents, links, application = linked
    incident = _incident(world.a.store, world.a.worker, datetime.datetime.now(UTC))
    url = f"{reverse('people-link')}?incident={incident.pk}"
    data = {"incident": incident.pk, "identified_by": "staff_knowledge", "role": "suspect", "note": "Known locally"}
    r = signed_in(world.a.officer).post(url, data)
    assert r.status_code == 400 and "given names and family name" in r.content.decode()
    r = signed_in(world.a.officer).post(
        url, data | {"given_names": "Kim", "family_name": "Doyle", "date_of_birth": "2010-02-03"}
    )
    new = PersonOfInterest.objects.get(family_name="Doyle")
    assert r.status_code == 302 and new.force == world.a.force and new.created_by == world.a.officer
    assert IncidentLink.objects.get(incident=incident).person == new
    # A bad PNC ID: a 400 on the form, no person left behind.
    r = signed_in(world.a.officer).post(url, data | {"given_names": "Lee", "family_name": "Roe", "pnc_id": "nope"})
    assert r.status_code == 400 and not PersonOfInterest.objects.filter(family_name="Roe").exists()


def test_link_page_only_for_incidents_of_the_officers_beats(linked):
    world, person, incidents, links, application = linked
    elsewhere = _incident(world.a.sibling_store, world.a.worker, datetime.datetime.now(UTC))
    url = f"{reverse('people-link')}?incident={elsewhere.pk}"
    assert signed_in(world.a.officer).get(url).status_code == 404
    assert signed_in(world.a.admin).get(url).status_code == 200
    for bad in ("", "abc", "9" * 40):
        assert signed_in(world.a.officer).get(f"{reverse('people-link')}?incident={bad}").status_code == 404


def test_withdraw_needs_a_reason_and_is_audited(linked):
    world, person, incidents, links, application = linked
    client = signed_in(world.a.officer)
    url = reverse("people-link-withdraw", args=[links[1].pk])
    r = client.post(url, {"reason": ""}, follow=True)
    assert "Say why" in r.content.decode()
    links[1].refresh_from_db()
    assert links[1].withdrawn_at is None
    client.post(url, {"reason": "Wrong person named by staff."})
    links[1].refresh_from_db()
    assert links[1].withdrawn_by == world.a.officer and links[1].withdrawal_reason == "Wrong person named by staff."
    assert PeopleEvent.objects.filter(kind="link_withdrawn", incident=incidents[1]).count() == 1
    html = client.get(reverse("people-person", args=[f"person-{person.pk}"])).content.decode()
    assert "Withdrawn links" in html and "Wrong person named by staff." in html
    assert client.post(url, {"reason": "again"}).status_code == 404  # no longer an active link


def _management(total: int, initial: int) -> dict:
    return {
        "p-TOTAL_FORMS": str(total),
        "p-INITIAL_FORMS": str(initial),
        "p-MIN_NUM_FORMS": "0",
        "p-MAX_NUM_FORMS": "30",
    }


def test_application_prohibitions_added_checked_and_removed(linked):
    world, person, incidents, links, application = linked
    client = signed_in(world.a.officer)
    url = reverse("people-application", args=[application.pk])
    page = client.get(url)
    assert page.status_code == 200 and len(page.context["formset"].forms) == 1
    base = {"period_from": application.period_from, "period_to": application.period_to, "summary": "Three thefts."}
    # Named premises without a store and without a reason: 400, each said, nothing saved, the summary kept.
    row = {"p-0-kind": "premises", "p-0-duration_months": "24", "p-0-reason": ""}
    r = client.post(url, base | _management(1, 0) | row)
    html = r.content.decode()
    assert r.status_code == 400 and "Name at least one store" in html and "This field is required" in html
    assert "Three thefts." in html and not ProposedProhibition.objects.exists()
    row |= {"p-0-stores": [str(world.a.store.pk)], "p-0-reason": "Two incidents here."}
    zone = {"p-1-kind": "zone", "p-1-duration_months": "12", "p-1-reason": "Town centre."}
    zone |= {"p-1-centre_latitude": "53.096", "p-1-centre_longitude": "-2.305", "p-1-radius_m": "300"}
    assert client.post(url, base | _management(2, 0) | row | zone).status_code == 302
    premises, circle = ProposedProhibition.objects.order_by("pk")
    assert list(premises.stores.all()) == [world.a.store] and circle.radius_m == 300
    # "Add a prohibition" shows one more empty row and saves nothing.
    r = client.post(url, base | {"add": "1"} | _management(2, 2) | _rows(premises, circle))
    assert r.status_code == 200 and len(r.context["formset"].forms) == 3
    # Remove the zone.
    rows = _rows(premises, circle) | {"p-1-DELETE": "on"}
    assert client.post(url, base | _management(2, 2) | rows).status_code == 302
    assert list(ProposedProhibition.objects.all()) == [premises]
    application.refresh_from_db()
    assert application.summary == "Three thefts."


def _rows(*items) -> dict:
    data = {}
    for i, p in enumerate(items):
        data |= {f"p-{i}-id": str(p.pk), f"p-{i}-kind": p.kind, f"p-{i}-duration_months": str(p.duration_months)}
        data |= {f"p-{i}-reason": p.reason, f"p-{i}-stores": [str(s.pk) for s in p.stores.all()]}
        if p.radius_m:
            data |= {
                f"p-{i}-centre_latitude": str(p.centre_latitude),
                f"p-{i}-centre_longitude": str(p.centre_longitude),
            }
            data |= {f"p-{i}-radius_m": str(p.radius_m)}
    return data


def test_application_page_shows_the_chronology_and_the_bundle_links_once_built(linked):
    world, person, incidents, links, application = linked
    client = signed_in(world.a.officer)
    url = reverse("people-application", args=[application.pk])
    html = client.get(url).content.decode()
    assert all(i.reference in html for i in incidents) and "Not built yet" in html
    assert reverse("people-application-download", args=[application.pk, "pdf"]) not in html
    ProposedProhibition.objects.create(
        application=application, kind=Prohibition.Kind.ZONE, polygon=None, centre_latitude="53.096",
        centre_longitude="-2.305", radius_m=300, duration_months=12, reason="Town centre.",
    )  # fmt: skip
    data = {"period_from": application.period_from, "period_to": application.period_to, "summary": "S"}
    data |= _management(1, 1) | _rows(application.proposed_prohibitions.get()) | {"build": "1"}
    r = client.post(url, data, follow=True)
    html = r.content.decode()
    assert "built" in html and reverse("people-application-download", args=[application.pk, "zip"]) in html
    assert client.get(reverse("people-application-download", args=[application.pk, "doc"])).status_code == 404


def test_application_bad_input_is_a_clear_400_never_a_500(linked):
    world, person, incidents, links, application = linked
    client = signed_in(world.a.officer)
    url = reverse("people-application", args=[application.pk])
    base = {"period_from": "2026-01-01", "period_to": "2026-12-31", "summary": "S"}
    zone = {"p-0-kind": "zone", "p-0-duration_months": "12", "p-0-reason": "Centre."}
    for polygon, message in [
        ("[" * 5000 + "]" * 5000, "Enter a valid JSON."),
        ('{"type": "Polygon", "coordinates": [[[0, 0], [1, 1]]]}', "at least"),
        ("", "Draw the zone as a polygon, or give a circle."),
    ]:
        r = client.post(url, base | _management(1, 0) | zone | {"p-0-polygon": polygon})
        assert r.status_code == 400 and message in r.content.decode(), polygon[:40]
    r = client.post(url, base | _management(1, 0) | zone | {"p-0-radius_m": "300"})
    assert r.status_code == 400 and "centre latitude, centre longitude and radius" in r.content.decode()
    r = client.post(url, base | _management(1, 0) | zone | {"p-0-duration_months": "500", "p-0-radius_m": ""})
    assert r.status_code == 400
    assert client.post(url, base).status_code == 400  # no management form: said, not a 500
    r = client.post(url, {"period_from": "2026-12-31", "period_to": "2026-01-01"} | _management(0, 0))
    assert r.status_code == 400 and "cannot end before it starts" in r.content.decode()
    assert not ProposedProhibition.objects.exists()
    square = '{"type": "Polygon", "coordinates": [[[-2.31, 53.09], [-2.30, 53.09], [-2.30, 53.10], [-2.31, 53.09]]]}'
    assert client.post(url, base | _management(1, 0) | zone | {"p-0-polygon": square}).status_code == 302
    assert ProposedProhibition.objects.get().polygon["type"] == "Polygon"


def test_an_application_whose_order_was_made_is_kept_as_it_was(linked):
    world, person, incidents, links, application = linked
    type(application).objects.filter(pk=application.pk).update(status="order_made", summary="As built.")
    client = signed_in(world.a.officer)
    url = reverse("people-application", args=[application.pk])
    r = client.post(
        url, {"period_from": "2026-01-01", "period_to": "2026-12-31", "summary": "Changed"} | _management(0, 0)
    )
    assert r.status_code == 302
    application.refresh_from_db()
    assert application.summary == "As built."
    html = client.get(url).content.decode()
    assert "The court made the order" in html and 'name="build"' not in html


def test_a_force_admin_is_offered_to_record_the_order_once_built(linked):
    world, person, incidents, links, application = linked
    type(application).objects.filter(pk=application.pk).update(status="built", incident_ids=[incidents[0].pk])
    order_url = reverse("people-application-order", args=[application.pk])
    url = reverse("people-application", args=[application.pk])
    assert order_url in signed_in(world.a.admin).get(url).content.decode()
    assert order_url not in signed_in(world.a.officer).get(url).content.decode()


def test_link_page_with_a_person_not_of_the_force_says_so(linked):
    world, person, incidents, links, application = linked
    stranger = PersonOfInterest.objects.create(force=world.b.force, given_names="Other", family_name="Force")
    url = reverse("people-link")
    for subject in (f"person-{stranger.pk}", "person-x", "nobody-1"):
        r = signed_in(world.a.officer).get(url, {"incident": incidents[0].pk, "subject": subject})
        assert r.status_code == 200 and "not one you may link" in r.content.decode()
        assert "Other Force" not in r.content.decode()
    data = {"incident": incidents[0].pk, "subject": f"person-{stranger.pk}", "identified_by": "staff_knowledge"}
    r = signed_in(world.a.officer).post(f"{url}?incident={incidents[0].pk}", data)
    assert r.status_code == 400 and not IncidentLink.objects.filter(person=stranger).exists()


def test_persistent_list_marks_an_under_18(linked):
    world, person, incidents, links, application = linked
    today = timezone.localdate()
    person.date_of_birth = today.replace(year=today.year - 15)
    person.save()
    assert "Under 18</span>" in signed_in(world.a.officer).get(reverse("people-persistent")).content.decode()
