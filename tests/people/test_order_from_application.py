"""Recording the order a court made from the CBO application: the proposed prohibitions prefilled and edited to
what the court made, the offender created from the person of interest with a custody photo, and then, on real
photographs with the real model, the person in the gallery at once and an earlier incident at a proposed store
raising a breach case through the late-paperwork re-search."""

import datetime
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from cases.models import Case
from orders.models import Offender, Order, Prohibition, ReferencePhoto
from orders.selectors import offender_in_gallery
from people.models import CBOApplication, PeopleEvent, PersonOfInterest, ProposedProhibition
from recognition.models import FaceTemplate, PossibleMatch, ResearchJob
from tests.conftest import FACES, client_for, require, signed_in
from tests.incidents.factories import IncidentFactory
from tests.orders.conftest import SQUARE
from tests.recognition.factories import evidence_for, face_bytes
from workflows.evidence import evidence_matching_run

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_root")]
MADE_ON = datetime.date(2026, 1, 5)  # the order's period covers IncidentFactory's in_order_period day (2 March)


def _application(side, *, person=None, offender=None) -> CBOApplication:
    if person is None and offender is None:
        person = PersonOfInterest.objects.create(
            force=side.force, given_names="Jay", family_name="Corran", date_of_birth=datetime.date(1994, 7, 2),
            pnc_id="", description="Tall, shaved head, grey hoodie.", created_by=side.officer,
        )  # fmt: skip
    application = CBOApplication.objects.create(
        force=side.force, person=person, offender=offender, period_from=datetime.date(2025, 12, 1),
        period_to=datetime.date(2026, 11, 30), summary="Four thefts, one with threats.", created_by=side.officer,
        reference=f"CBO-2026-{person.pk if person else 500000 + offender.pk:06d}", status=CBOApplication.Status.BUILT,
    )  # fmt: skip
    premises = ProposedProhibition.objects.create(
        application=application, kind=Prohibition.Kind.PREMISES, duration_months=24,
        reason="Three of the four incidents were at these stores.",
    )  # fmt: skip
    premises.stores.set([side.store, side.sibling_store])
    ProposedProhibition.objects.create(
        application=application, kind=Prohibition.Kind.ZONE, polygon=SQUARE, duration_months=12,
        reason="The high street where the stores are.",
    )  # fmt: skip
    return application


def _url(application) -> str:
    return reverse("people-application-order", args=[application.pk])


def _rows(application) -> tuple[ProposedProhibition, ProposedProhibition]:
    premises, zone = application.proposed_prohibitions.order_by("pk")
    return premises, zone


def _post(application, side, *, photo: str | None = "img1.jpg", **changes) -> dict:
    """What the admin sends: the court made the premises prohibition for one of the two stores only and not the
    zone; the order's dates; the person's details as prefilled; the custody photo."""
    premises, zone = _rows(application)
    data = {
        "kind": "full", "court": "Crewe Magistrates' Court", "case_reference": "CBO/2026/0042",
        "made_on": MADE_ON.isoformat(), "effective_from": MADE_ON.isoformat(), "ends_on": "2028-01-04",
        "served_on": MADE_ON.isoformat(), "served_by": "PC 2417 Okafor",
        f"p{premises.pk}-made": "on", f"p{premises.pk}-stores": [str(side.store.pk)],
        f"p{premises.pk}-description": "Not to enter Northway Foods A-1.",
        f"p{zone.pk}-polygon": "",  # unticked: the court did not make it (its emptied outline is not checked)
        "given_names": "Jay", "family_name": "Corran", "date_of_birth": "1994-07-02", "pnc_id": "", "notes": "",
        "source": "Custody, Crewe suite", "taken_on": "2026-01-04",
    }  # fmt: skip
    if photo:
        require((FACES / photo).is_file(), f"Face photo {photo} not found in {FACES}")
        data["image"] = SimpleUploadedFile(photo, face_bytes(photo), content_type="image/jpeg")
    data.update(changes)
    return data


# The page -----------------------------------------------------------------------------------------------


def test_the_page_prefills_the_proposed_prohibitions_and_the_persons_details(world):
    a = world.a
    application = _application(a)
    premises, zone = _rows(application)
    response = signed_in(a.admin).get(_url(application))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Record the order the court made" in html and application.reference in html
    # Each row its own kind's fields, prefilled: the two stores ticked, the zone's outline.
    assert f'name="p{premises.pk}-stores" value="{a.store.pk}"' in html
    assert f'name="p{premises.pk}-stores" value="{a.sibling_store.pk}"' in html
    assert html.count(f'name="p{premises.pk}-stores"') == 2 and "checked" in html
    assert f'name="p{zone.pk}-polygon"' in html and "-2.32" in html
    assert f'name="p{premises.pk}-polygon"' not in html and f'name="p{zone.pk}-stores"' not in html
    assert "Three of the four incidents were at these stores." in html and "Asked for 24 months" in html
    # The person's details, to make the offender record from.
    assert 'value="Corran"' in html and 'value="1994-07-02"' in html and "Custody photo (needed" in html


@pytest.mark.parametrize("who", ["worker", "norole"])
def test_shop_workers_and_accounts_without_a_role_find_no_such_page(world, who):
    a = world.a
    application = _application(a)
    user = world.norole if who == "norole" else a.worker
    client = signed_in(user)
    assert client.get(_url(application)).status_code == 404
    assert client.post(_url(application), _post(application, a, photo=None)).status_code == 404
    assert not Order.objects.exists()


def test_an_officer_is_refused_and_another_forces_admin_finds_nothing(world):
    a = world.a
    application = _application(a)
    officer = signed_in(a.officer)
    assert officer.get(_url(application)).status_code == 403
    assert officer.post(_url(application), _post(application, a, photo=None)).status_code == 403
    other = signed_in(world.b.admin)
    assert other.get(_url(application)).status_code == 404
    assert other.post(_url(application), _post(application, a, photo=None)).status_code == 404
    assert signed_in(a.admin).get(reverse("people-application-order", args=[10**9])).status_code == 404
    assert not Order.objects.exists() and not Offender.objects.exists()
    response = signed_in(a.officer).get(_url(application), follow=False)
    assert "force admin" in response.content.decode()


def test_without_the_custody_photo_or_with_bad_dates_nothing_is_saved(world):
    a = world.a
    application = _application(a)
    client = signed_in(a.admin)
    response = client.post(_url(application), _post(application, a, photo=None, source="", taken_on=""))
    assert response.status_code == 400
    assert "Choose the photo to add." in response.content.decode()

    response = client.post(_url(application), _post(application, a, photo=None, ends_on="", source="", taken_on=""))
    assert response.status_code == 400
    assert "Give the end date, or mark the order indefinite." in response.content.decode()

    # A prohibition's own last day after the order's: the row says so, on its field.
    premises, _ = _rows(application)
    response = client.post(
        _url(application), _post(application, a, photo=None, **{f"p{premises.pk}-ends_on": "2029-01-01"})
    )
    assert response.status_code == 400
    assert not Order.objects.exists() and not Offender.objects.exists()
    application.refresh_from_db()
    assert application.status == CBOApplication.Status.BUILT and application.order is None


def test_a_prohibition_the_court_added_is_checked_like_the_others(world):
    a = world.a
    application = _application(a)
    bad = {"added-kind": "zone", "added-polygon": '{"type": "Polygon", "coordinates": [[[-2.3, 53.1]]]}'}
    response = signed_in(a.admin).post(_url(application), _post(application, a, photo=None, **bad))
    assert response.status_code == 400
    html = response.content.decode()
    assert "The prohibition added by the court" in html and '<details class="action court-added" open>' in html
    assert not Order.objects.exists()
    # Left at "None", the row is not read at all.
    page = signed_in(a.admin).get(_url(application)).content.decode()
    assert "None: the court made no other prohibition" in page and '<details class="action court-added">' in page


def test_for_someone_under_18_the_youth_order_box_is_ticked_for_the_admin_to_confirm(world):
    a = world.a
    application = _application(a)
    html = signed_in(a.admin).get(_url(application)).content.decode()
    assert 'name="youth" id="id_youth"' in html and 'name="youth" id="id_youth" checked' not in html
    person = application.person
    person.date_of_birth = timezone.localdate().replace(year=timezone.localdate().year - 16, day=1)
    person.save(update_fields=["date_of_birth"])
    html = signed_in(a.admin).get(_url(application)).content.decode()
    assert 'name="youth" id="id_youth" checked' in html


def test_a_nul_character_is_a_400_not_a_500(world):
    a = world.a
    application = _application(a)
    response = signed_in(a.admin).post(_url(application), _post(application, a, photo=None, court="Crewe\x00"))
    assert response.status_code == 400 and not Order.objects.exists()


# Recording it, with the real model ----------------------------------------------------------------------


@pytest.mark.deepface
def test_recording_the_order_puts_the_person_in_the_gallery_and_an_earlier_incident_raises_a_breach_case(
    world, face_engine, django_capture_on_commit_callbacks
):
    a = world.a
    application = _application(a)
    person = application.person
    # Before the court sat: an incident at a proposed store, its CCTV a different photo of the same person,
    # searched when it came in, with nobody in the gallery to find.
    incident = IncidentFactory(store=a.store, reported_by=a.worker, in_order_period=True)
    evidence = evidence_for(incident, face_bytes("img2.jpg"), "till-camera.jpg")
    assert evidence_matching_run(evidence_id=evidence.pk).matches == 0
    # And one at the store the court left out of the order: not searched again.
    elsewhere = IncidentFactory(store=a.sibling_store, reported_by=a.worker, in_order_period=True)
    evidence_matching_run(evidence_id=evidence_for(elsewhere, face_bytes("img2.jpg"), "door.jpg").pk)
    assert not Case.objects.exists()

    client = signed_in(a.admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_url(application), _post(application, a))
    assert response.status_code == 302, response.content.decode()[:3000]
    order = Order.objects.get()
    assert response["Location"] == reverse("desk-order", args=[order.pk])

    # The offender made from the person's details, with the photo enrolled; the person points to them.
    offender = order.offender
    assert (offender.given_names, offender.family_name, offender.date_of_birth) == (
        "Jay", "Corran", datetime.date(1994, 7, 2),
    )  # fmt: skip
    person.refresh_from_db()
    assert person.offender == offender
    photo = ReferencePhoto.objects.get(offender=offender)
    assert FaceTemplate.objects.filter(reference_photo=photo).count() == 1
    # The order as the court made it: one store of the two proposed, and no zone.
    assert (order.court, order.case_reference, order.served_on) == (
        "Crewe Magistrates' Court",
        "CBO/2026/0042",
        MADE_ON,
    )
    prohibition = order.prohibitions.get()
    assert prohibition.kind == Prohibition.Kind.PREMISES and list(prohibition.stores.all()) == [a.store]
    application.refresh_from_db()
    assert (application.status, application.order) == (CBOApplication.Status.ORDER_MADE, order)
    event = PeopleEvent.objects.get(kind=PeopleEvent.Kind.ORDER_RECORDED)
    assert (event.actor, event.application, event.offender, event.person) == (a.admin, application, offender, person)

    # In the gallery at once.
    assert offender_in_gallery(offender=offender, at=timezone.now())
    # The late-paperwork re-search ran for them and raised the breach case for the earlier incident only.
    job = ResearchJob.objects.get(trigger=ResearchJob.Trigger.ORDER_RECORDED)
    assert (job.status, job.offender, job.order, job.files_total, job.matches) == (
        ResearchJob.Status.DONE, offender, order, 1, 1,
    )  # fmt: skip
    match = PossibleMatch.objects.get()
    assert (match.evidence, match.offender, match.source) == (evidence, offender, PossibleMatch.Source.RESEARCH)
    case = Case.objects.get()
    assert (case.incident, case.offender, case.is_breach, case.breach_order) == (incident, offender, True, order)
    assert case.breach_prohibition == prohibition

    # Recorded once: the page now sends the admin to the order, and a second post records nothing more.
    again = client.get(_url(application))
    assert again.status_code == 302 and again["Location"] == reverse("desk-order", args=[order.pk])
    client.post(_url(application), _post(application, a))
    assert Order.objects.count() == Offender.objects.count() == 1


@pytest.mark.deepface
def test_a_photo_with_no_face_is_refused_and_nothing_is_kept(world, face_engine):
    a = world.a
    application = _application(a)
    blank = SimpleUploadedFile("wall.png", _plain_png(), content_type="image/png")
    response = signed_in(a.admin).post(_url(application), _post(application, a, photo=None, image=blank))
    assert response.status_code in (400, 422)
    assert "face" in response.content.decode().lower()
    assert not Offender.objects.exists() and not Order.objects.exists() and not ReferencePhoto.objects.exists()
    assert PersonOfInterest.objects.get().offender is None


@pytest.mark.deepface
def test_an_application_for_an_existing_offender_records_the_order_against_them(
    world, face_engine, django_capture_on_commit_callbacks
):
    a = world.a
    offender = Offender.objects.create(force=a.force, given_names="Kim", family_name="Dale", created_by=a.admin)
    application = _application(a, offender=offender)
    page = signed_in(a.admin).get(_url(application)).content.decode()
    assert 'name="given_names"' not in page and "Kim Dale" in page
    # The court also made a prohibition nobody proposed: a retailer within a beat. What was typed in another
    # kind's fields of that row (a broken outline) is not read.
    added = {"added-kind": "retailer_area", "added-retailer": str(a.retailer.pk), "added-beats": [str(a.other_beat.pk)],
             "added-polygon": "{not json", "added-description": "Any Northway Foods store in A South."}  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in(a.admin).post(_url(application), _post(application, a, **added))
    assert response.status_code == 302, response.content.decode()[:3000]
    order = Order.objects.get()
    assert order.offender == offender and Offender.objects.count() == 1
    area = order.prohibitions.get(kind=Prohibition.Kind.RETAILER_AREA)
    assert (area.retailer, list(area.beats.all()), area.polygon) == (a.retailer, [a.other_beat], None)
    assert sorted(p.kind for p in order.prohibitions.all()) == ["premises", "retailer_area"]
    assert offender_in_gallery(offender=offender, at=timezone.now())


def _plain_png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (320, 320), (200, 200, 200)).save(buffer, format="PNG")
    return buffer.getvalue()


# The API ------------------------------------------------------------------------------------------------


def _api_url(application) -> str:
    return reverse("api-people-application-order", args=[application.pk])


def _api_order(**changes) -> dict:
    data = {
        "court": "Crewe Magistrates' Court", "case_reference": "CBO/2026/0042", "made_on": MADE_ON.isoformat(),
        "effective_from": MADE_ON.isoformat(), "ends_on": "2028-01-04", "served_on": MADE_ON.isoformat(),
    }  # fmt: skip
    data.update(changes)
    return data


def _with_photo(data: dict, name: str = "img1.jpg") -> dict:
    require((FACES / name).is_file(), f"Face photo {name} not found in {FACES}")
    photo = SimpleUploadedFile(name, face_bytes(name), content_type="image/jpeg")
    return {**data, "photo": photo, "photo_source": "Custody, Crewe suite", "photo_taken_on": "2026-01-04"}


def test_api_access_shop_workers_and_other_forces_404_officers_403(world, api):
    a = world.a
    application = _application(a)
    assert api.post(_api_url(application), _api_order(), format="json").status_code == 401
    for user, expected in ((a.worker, 404), (world.norole, 404), (a.officer, 403), (world.b.admin, 404)):
        response = client_for(user).post(_api_url(application), _api_order(), format="json")
        assert response.status_code == expected, (user.username, response.content)
    missing = reverse("api-people-application-order", args=[10**9])
    assert client_for(a.admin).post(missing, _api_order(), format="json").status_code == 404
    assert not Order.objects.exists() and not Offender.objects.exists()


def test_api_refuses_without_a_photo_or_with_bad_input_and_saves_nothing(world):
    a = world.a
    application = _application(a)
    admin = client_for(a.admin)
    response = admin.post(_api_url(application), _api_order(), format="json")
    assert response.status_code == 400 and response.json()["code"] == "photo_required"
    response = admin.post(_api_url(application), {**_api_order(), "photo_source": "Custody"}, format="json")
    assert response.status_code == 400 and "photo" in response.json()["fields"]
    response = admin.post(_api_url(application), {**_api_order(), "prohibitions": "[{"}, format="multipart")
    assert response.status_code == 400 and "prohibitions" in response.json()["fields"]
    response = admin.post(_api_url(application), _api_order(ends_on=None), format="json")
    assert response.status_code == 400
    assert not Order.objects.exists() and not Offender.objects.exists()


@pytest.mark.deepface
def test_api_records_the_order_as_proposed_or_as_the_court_made_it(
    world, face_engine, django_capture_on_commit_callbacks
):
    a = world.a
    application = _application(a)
    admin = client_for(a.admin)
    # As the court made it: one store of the two, no zone (prohibitions as JSON text beside the photo).
    made = [{"kind": "premises", "stores": [a.store.pk], "description": "Not to enter Northway Foods A-1."}]
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(
            _api_url(application), _with_photo({**_api_order(), "prohibitions": json.dumps(made)}), format="multipart"
        )
    assert response.status_code == 201, response.content
    order = Order.objects.get(pk=response.json()["id"])
    assert [list(p.stores.all()) for p in order.prohibitions.all()] == [[a.store]]
    person = PersonOfInterest.objects.get()
    assert person.offender == order.offender and order.offender.family_name == "Corran"
    assert offender_in_gallery(offender=order.offender, at=timezone.now())
    application.refresh_from_db()
    assert (application.status, application.order) == (CBOApplication.Status.ORDER_MADE, order)
    assert PeopleEvent.objects.filter(kind=PeopleEvent.Kind.ORDER_RECORDED, application=application).count() == 1
    assert ResearchJob.objects.get(trigger=ResearchJob.Trigger.ORDER_RECORDED).status == ResearchJob.Status.DONE
    # Recorded once.
    again = admin.post(_api_url(application), _with_photo(_api_order(case_reference="X")), format="multipart")
    assert again.status_code == 409 and Order.objects.count() == 1

    # Left out, the prohibitions are the ones proposed, as proposed (a second application, for a known offender).
    second = _application(a, offender=order.offender)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(_api_url(second), _api_order(case_reference="CBO/2026/0043"), format="json")
    assert response.status_code == 201, response.content
    kinds = sorted(p.kind for p in Order.objects.get(pk=response.json()["id"]).prohibitions.all())
    assert kinds == ["premises", "zone"] and Offender.objects.count() == 1


def test_api_without_prohibitions_keeps_each_proposals_own_period(world):
    """Left out, each proposal becomes a prohibition for its own months from the order's first day: the zone
    proposed for 12 months ends after 12; the premises proposed for 24 run with the order (which ends first)."""
    from tests.orders.factories import OffenderFactory, ReferencePhotoFactory

    a = world.a
    offender = OffenderFactory(force=a.force)
    ReferencePhotoFactory(offender=offender)
    application = _application(a, offender=offender)
    response = client_for(a.admin).post(_api_url(application), _api_order(), format="json")
    assert response.status_code == 201, response.content
    order = Order.objects.get(pk=response.json()["id"])
    periods = {p.kind: (p.starts_on, p.ends_on) for p in order.prohibitions.all()}
    assert periods == {"zone": (None, datetime.date(2027, 1, 4)), "premises": (None, None)}
    # An indefinite order: the 24 months end on their own day too.
    CBOApplication.objects.filter(pk=application.pk).update(reference="CBO-2026-999999")
    second = _application(a, offender=offender)
    response = client_for(a.admin).post(
        _api_url(second), _api_order(case_reference="CBO/2026/0043", ends_on=None, indefinite=True), format="json"
    )
    assert response.status_code == 201, response.content
    periods = {p.kind: p.ends_on for p in Order.objects.get(pk=response.json()["id"]).prohibitions.all()}
    assert periods == {"zone": datetime.date(2027, 1, 4), "premises": datetime.date(2028, 1, 4)}


def test_add_months_keeps_the_day_or_takes_the_months_last():
    from people.order_views import add_months

    assert add_months(datetime.date(2026, 1, 5), 12) == datetime.date(2027, 1, 5)
    assert add_months(datetime.date(2026, 1, 31), 1) == datetime.date(2026, 2, 28)
    assert add_months(datetime.date(2027, 12, 15), 3) == datetime.date(2028, 3, 15)
