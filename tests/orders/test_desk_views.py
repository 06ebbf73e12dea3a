"""The force admin's order desk in the portal (``/desk/``): people, photos, orders and their actions.

Force admins of the force only: an officer or shop worker gets the friendly 403, another force's person or
order a 404. Bad input is a 4xx with a message; a chosen photo survives an error elsewhere on the form."""

import datetime
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.exceptions import ApplicationError
from orders import services
from orders.models import Offender, OffenderEvent, Order, OrderEvent, ReferencePhoto
from orders.services.staged_photos import STAGED_PHOTO_LIFETIME, photo_stage
from recognition.models import ResearchJob
from tests.conftest import signed_in
from tests.incidents.conftest import image_bytes
from tests.orders.conftest import SQUARE
from tests.orders.factories import OffenderFactory, OrderFactory, ProhibitionFactory, ReferencePhotoFactory, valid_pnc

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def enrolled(monkeypatch):
    """Enrolment without the face model (the real model is exercised in test_desk_wizard): every photo has a face."""
    done = []

    def enrol(*, photo):
        done.append(photo.pk)
        return []

    monkeypatch.setattr("recognition.services.reference_photo_enrol", enrol)
    return done


def jpeg(name="custody.jpg", colour=(200, 120, 90)):
    return SimpleUploadedFile(name, image_bytes(size=(320, 320), color=colour), content_type="image/jpeg")


def text(response) -> str:
    return response.content.decode()


# Who may open the desk ------------------------------------------------------------------------------------

PAGES = ["desk-offenders", "desk-offender-new", "desk-orders", "desk-order-new"]


@pytest.mark.parametrize("name", PAGES)
def test_force_admin_opens_each_page(world, name):
    assert signed_in(world.a.admin).get(reverse(name)).status_code == 200


@pytest.mark.parametrize("role", ["officer", "worker"])
@pytest.mark.parametrize("name", PAGES)
def test_officers_and_shop_workers_are_refused_with_the_friendly_page(world, role, name):
    r = signed_in(getattr(world.a, role)).get(reverse(name))
    assert r.status_code == 403
    assert "You cannot open this page" in text(r) and "order desk is for force admins" in text(r)


def test_signed_out_goes_to_sign_in(client):
    r = client.get(reverse("desk-offenders"))
    assert r.status_code == 302 and "/login/" in r.url


def test_another_forces_person_order_and_photo_are_not_found(world, media_root):
    theirs = OffenderFactory(force=world.b.force)
    order = OrderFactory(offender=theirs)
    photo = ReferencePhoto.objects.create(offender=theirs, image=jpeg(), source="Custody", taken_on=D(2025, 1, 1))
    c = signed_in(world.a.admin)
    for url in [
        reverse("desk-offender", args=[theirs.pk]),
        reverse("desk-offender-edit", args=[theirs.pk]),
        reverse("desk-offender-photo-new", args=[theirs.pk]),
        reverse("desk-offender-photo", args=[theirs.pk, photo.pk]),
        reverse("desk-order", args=[order.pk]),
    ]:
        assert c.get(url).status_code == 404, url
    r = c.post(reverse("desk-order-serve", args=[order.pk]), {"serve-served_on": "2026-01-06", "serve-served_by": "X"})
    assert r.status_code == 404
    r = c.post(reverse("desk-order-discharge", args=[order.pk]), {"discharge-discharged_on": "2026-02-01",
                                                                   "discharge-reason": "x"})  # fmt: skip
    assert r.status_code == 404
    assert not OrderEvent.objects.exists()


# People ---------------------------------------------------------------------------------------------------


def test_list_searches_name_alias_and_pnc_and_says_each_orders_status(world):
    a = world.a
    jo = OffenderFactory(force=a.force, given_names="Jo", family_name="Bloggs", aliases="Jojo B")
    OrderFactory(offender=jo, case_reference="CBO/1", ends_on=D(2099, 3, 2))
    OrderFactory(offender=OffenderFactory(force=a.force, family_name="Other"), case_reference="CBO/2",
                 served_on=None)  # fmt: skip
    OffenderFactory(force=world.b.force, family_name="Bloggs")  # another force's: never listed
    c = signed_in(a.admin)
    page = text(c.get(reverse("desk-offenders")))
    assert "BLOGGS, Jo" in page and "CBO/1: In force until 2 Mar 2099" in page and "CBO/2: Not yet served" in page
    assert page.count("BLOGGS") == 1
    assert "BLOGGS" in text(c.get(reverse("desk-offenders"), {"q": "jojo"}))
    assert "OTHER" not in text(c.get(reverse("desk-offenders"), {"q": "jojo"}))
    short = "10/" + jo.pnc_id.split("/")[1].lstrip("0")
    assert "BLOGGS" in text(c.get(reverse("desk-offenders"), {"q": short}))
    assert "Nobody matches" in text(c.get(reverse("desk-offenders"), {"q": "zzz"}))


def test_list_counts_each_persons_photos_with_the_same_queries_however_many(world, media_root):
    a = world.a
    for name, photos in (("Ames", 2), ("Bell", 0), ("Cole", 1)):
        person = OffenderFactory(force=a.force, family_name=name)
        ReferencePhotoFactory.create_batch(photos, offender=person)
    ReferencePhotoFactory(offender=OffenderFactory(force=world.b.force, family_name="Ames"))  # another force's
    c = signed_in(a.admin)
    c.get(reverse("desk-offenders"))
    with CaptureQueriesContext(connection) as few:
        page = text(c.get(reverse("desk-offenders")))
    counts = re.findall(r">([A-Z]+), [^<]*</a>\s*<span class=\"meta\">[^<]* · (\d+) photos?<", page)
    assert [(name, int(n)) for name, n in counts] == [("AMES", 2), ("BELL", 0), ("COLE", 1)]
    for i in range(20):  # a full page of people with photos: no query per person
        ReferencePhotoFactory.create_batch(2, offender=OffenderFactory(force=a.force, family_name=f"Zed{i:02d}"))
    with CaptureQueriesContext(connection) as many:
        page = text(c.get(reverse("desk-offenders")))
    assert len(many.captured_queries) == len(few.captured_queries)
    assert page.count("· 2 photos") == 21


def test_list_is_paginated(world):
    for i in range(27):
        OffenderFactory(force=world.a.force, family_name=f"Person{i:02d}")
    c = signed_in(world.a.admin)
    first = text(c.get(reverse("desk-offenders")))
    assert "1–25 of 27 people · page 1 of 2" in first and first.count('class="person"') == 25
    second = text(c.get(reverse("desk-offenders"), {"page": "2"}))
    assert second.count('class="person"') == 2
    assert c.get(reverse("desk-offenders"), {"page": "abc"}).status_code == 200


def test_person_page_shows_orders_photos_history_and_cases_link(world, media_root, enrolled):
    a = world.a
    jo = OffenderFactory(force=a.force, given_names="Jo", family_name="Bloggs")
    order = OrderFactory(offender=jo, case_reference="CBO/7")
    order.discharged_on = D(2026, 6, 1)
    order.save()
    c = signed_in(a.admin)
    c.post(reverse("desk-offender-photo-new", args=[jo.pk]),
           {"image": jpeg(), "source": "Custody, Crewe suite", "taken_on": "2025-12-01"})  # fmt: skip
    page = text(c.get(reverse("desk-offender", args=[jo.pk])))
    assert "Discharged on 1 Jun 2026" in page
    assert "Photo added: Custody, Crewe suite, taken 1 Dec 2025" in page
    assert f"?offender={jo.pk}" in page  # the case queue, filtered to this person
    photo = jo.photos.get()
    r = c.get(reverse("desk-offender-photo", args=[jo.pk, photo.pk]))
    assert r.status_code == 200 and r["Cache-Control"] == "private, no-store"


def test_add_a_person_with_a_bad_pnc_id_says_so_and_keeps_the_chosen_photo(world, media_root, enrolled):
    c = signed_in(world.a.admin)
    r = c.post(reverse("desk-offender-new"), {
        "given_names": "Jo", "family_name": "Bloggs", "pnc_id": "2009/0012345X",
        "image": jpeg(), "source": "Custody, Crewe suite", "taken_on": "2025-12-01",
    })  # fmt: skip
    assert r.status_code == 400
    assert "wrong check letter (it should end in E)" in text(r)
    token = re.search(r'name="staged_photo" value="([^"]+)"', text(r)).group(1)
    assert token and "The photo you chose is kept" in text(r)
    assert c.get(reverse("desk-staged-photo", args=[token])).status_code == 200
    # someone else cannot see or use it
    assert signed_in(world.b.admin).get(reverse("desk-staged-photo", args=[token])).status_code == 404
    assert not Offender.objects.exists()
    # send again with the PNC ID corrected and no file: the kept photo is used
    r = c.post(reverse("desk-offender-new"), {
        "given_names": "Jo", "family_name": "Bloggs", "pnc_id": "2009/0012345E",
        "staged_photo": token, "source": "Custody, Crewe suite", "taken_on": "2025-12-01",
    })  # fmt: skip
    jo = Offender.objects.get()
    assert r.status_code == 302 and r.url == reverse("desk-offender", args=[jo.pk])
    assert jo.pnc_id == "2009/0012345E" and jo.photos.count() == 1 and enrolled == [jo.photos.get().pk]
    assert jo.created_by == world.a.admin
    assert c.get(reverse("desk-staged-photo", args=[token])).status_code == 404  # used up


def test_photo_missing_its_source_keeps_the_file(world, media_root, enrolled):
    jo = OffenderFactory(force=world.a.force)
    ProhibitionFactory(order=OrderFactory(offender=jo), stores=[world.a.store])  # so the photo makes a re-search
    c = signed_in(world.a.admin)
    r = c.post(reverse("desk-offender-photo-new", args=[jo.pk]), {"image": jpeg(), "taken_on": "2025-12-01"})
    assert r.status_code == 400 and "Say where the photo came from" in text(r)
    token = re.search(r'name="staged_photo" value="([^"]+)"', text(r)).group(1)
    r = c.post(reverse("desk-offender-photo-new", args=[jo.pk]),
               {"staged_photo": token, "source": "Custody", "taken_on": "2025-12-01"})  # fmt: skip
    assert r.status_code == 302 and jo.photos.count() == 1
    assert ResearchJob.objects.filter(trigger=ResearchJob.Trigger.PHOTO_ADDED).count() == 1  # the workflow ran


def test_photo_refused_by_enrolment_is_not_kept(world, media_root, monkeypatch):
    def refuse(*, photo):
        raise ApplicationError("No face was found in the photo.", code="no_face", fields={"image": ["No face found."]})

    monkeypatch.setattr("recognition.services.reference_photo_enrol", refuse)
    jo = OffenderFactory(force=world.a.force)
    r = signed_in(world.a.admin).post(reverse("desk-offender-photo-new", args=[jo.pk]),
                                      {"image": jpeg(), "source": "Custody", "taken_on": "2025-12-01"})  # fmt: skip
    assert r.status_code == 400 and "No face found." in text(r)
    assert 'name="staged_photo" value=""' in text(r)
    assert not ReferencePhoto.objects.exists() and not OffenderEvent.objects.exists()


def test_not_an_image_is_refused_with_a_message(world, media_root, enrolled):
    jo = OffenderFactory(force=world.a.force)
    bad = SimpleUploadedFile("notes.jpg", b"not an image at all", content_type="image/jpeg")
    r = signed_in(world.a.admin).post(reverse("desk-offender-photo-new", args=[jo.pk]),
                                      {"image": bad, "source": "Custody", "taken_on": "2025-12-01"})  # fmt: skip
    assert r.status_code == 400 and "photo" in text(r).lower() and not ReferencePhoto.objects.exists()


def test_edit_a_person(world):
    jo = OffenderFactory(force=world.a.force, given_names="Jo", family_name="Bloggs", pnc_id="")
    c = signed_in(world.a.admin)
    r = c.post(reverse("desk-offender-edit", args=[jo.pk]), {"given_names": "Jo", "family_name": "Smyth",
                                                             "date_of_birth": "2099-01-01"})  # fmt: skip
    assert r.status_code == 400 and "The date of birth is in the future." in text(r)
    fields = {"given_names": "Jo", "family_name": "Smyth", "aliases": "JJ", "date_of_birth": "1990-05-17"}
    r = c.post(reverse("desk-offender-edit", args=[jo.pk]), fields)
    assert r.status_code == 302
    jo.refresh_from_db()
    assert jo.family_name == "Smyth" and jo.aliases == "JJ"
    assert OffenderEvent.objects.get(kind="changed").new == {"family_name": "Smyth", "aliases": "JJ"}


def test_duplicate_pnc_in_the_force_is_refused(world):
    pnc = valid_pnc(2011, 55)
    OffenderFactory(force=world.a.force, pnc_id=pnc)
    r = signed_in(world.a.admin).post(reverse("desk-offender-new"),
                                      {"given_names": "A", "family_name": "B", "pnc_id": pnc})  # fmt: skip
    assert r.status_code in (400, 409) and f"already holds an offender with PNC ID {pnc}" in text(r)


def test_nul_in_a_form_is_a_400_not_a_500(world):
    r = signed_in(world.a.admin).post(reverse("desk-offender-new"), {"given_names": "A\x00", "family_name": "B"})
    assert r.status_code == 400 and "Null characters are not allowed." in text(r) and not Offender.objects.exists()


# Orders ---------------------------------------------------------------------------------------------------


def test_orders_list_filters(world):
    a = world.a
    live = OrderFactory(offender=OffenderFactory(force=a.force, family_name="Live"), case_reference="LIVE",
                        ends_on=D(2099, 1, 1))  # fmt: skip
    unserved = OrderFactory(offender=OffenderFactory(force=a.force, family_name="Waiting"), case_reference="WAIT",
                            served_on=None)  # fmt: skip
    ended = OrderFactory(offender=OffenderFactory(force=a.force, family_name="Gone"), case_reference="GONE",
                         made_on=D(2020, 1, 1), ends_on=D(2021, 1, 1))  # fmt: skip
    soon_day = timezone.localdate() + datetime.timedelta(days=10)
    soon = OrderFactory(offender=OffenderFactory(force=a.force, family_name="Soon"), case_reference="SOON",
                        ends_on=soon_day)  # fmt: skip
    OrderFactory(offender=OffenderFactory(force=world.b.force), case_reference="THEIRS")
    c = signed_in(a.admin)

    def refs(**params):
        page = text(c.get(reverse("desk-orders"), params))
        return {r for r in ("LIVE", "WAIT", "GONE", "SOON", "THEIRS") if f"CBO {r}<" in page}

    assert refs() == {"LIVE", "WAIT", "GONE", "SOON"}
    assert refs(status="in_force") == {"LIVE", "SOON"}
    assert refs(status="not_served") == {"WAIT"}
    assert refs(status="ended") == {"GONE"}
    assert refs(ending="30") == {"SOON"}
    assert refs(q="waiting") == {"WAIT"}
    assert refs(status="nonsense") == {"LIVE", "WAIT", "GONE", "SOON"}
    assert live and unserved and ended and soon


def test_order_page_shows_prohibitions_status_and_history_in_words(world):
    a = world.a
    order = OrderFactory(offender=OffenderFactory(force=a.force), case_reference="CBO/9", ends_on=D(2099, 3, 2))
    ProhibitionFactory(order=order, stores=[a.store], description="")
    ProhibitionFactory(order=order, kind="zone", polygon=SQUARE, description="Crewe town centre")
    page = text(signed_in(a.admin).get(reverse("desk-order", args=[order.pk])))
    assert "In force until 2 Mar 2099" in page
    assert f"{a.retailer.name} {a.store.name}" in page and "Crewe town centre" in page
    assert "store covered now" in page or "stores covered now" in page


def test_serve_an_order(world):
    order = OrderFactory(offender=OffenderFactory(force=world.a.force), served_on=None)
    ProhibitionFactory(order=order, stores=[world.a.store])
    c = signed_in(world.a.admin)
    r = c.post(reverse("desk-order-serve", args=[order.pk]), {"serve-served_on": "2026-01-06"})
    assert r.status_code == 400 and "This field is required" in text(r)
    r = c.post(reverse("desk-order-serve", args=[order.pk]), {"serve-served_on": "2099-01-06",
                                                              "serve-served_by": "PC 1234 Jones"})  # fmt: skip
    assert r.status_code == 400 and "cannot have been served in the future" in text(r)
    r = c.post(reverse("desk-order-serve", args=[order.pk]), {"serve-served_on": "2026-01-06",
                                                              "serve-served_by": "PC 1234 Jones"})  # fmt: skip
    assert r.status_code == 302
    order.refresh_from_db()
    assert order.served_on == D(2026, 1, 6) and order.served_by == "PC 1234 Jones"
    assert ResearchJob.objects.filter(trigger=ResearchJob.Trigger.ORDER_SERVED).count() == 1
    page = text(c.get(reverse("desk-order", args=[order.pk])))
    assert "Order served by PC 1234 Jones on 6 Jan 2026" in page


def test_discharge_needs_a_reason(world):
    order = OrderFactory(offender=OffenderFactory(force=world.a.force))
    c = signed_in(world.a.admin)
    r = c.post(reverse("desk-order-discharge", args=[order.pk]), {"discharge-discharged_on": "2026-06-01"})
    assert r.status_code == 400 and "This field is required" in text(r)
    assert Order.objects.get().discharged_on is None
    r = c.post(reverse("desk-order-discharge", args=[order.pk]), {"discharge-discharged_on": "2026-06-01",
                                                                  "discharge-reason": "Appeal allowed"})  # fmt: skip
    assert r.status_code == 302
    page = text(c.get(reverse("desk-order", args=[order.pk])))
    assert "Discharged on 1 Jun 2026" in page and "“Appeal allowed”" in page


def test_vary_adds_and_removes_with_a_reason(world):
    a = world.a
    order = OrderFactory(offender=OffenderFactory(force=a.force), ends_on=D(2099, 1, 1))
    first = ProhibitionFactory(order=order, stores=[a.store], description="First shop")
    c = signed_in(a.admin)
    r = c.post(reverse("desk-order-vary", args=[order.pk]), {"vary-varied_on": "2026-03-02", "vary-reason": "Court"})
    assert r.status_code == 400 and "The variation changes nothing." in text(r)
    r = c.post(reverse("desk-order-vary", args=[order.pk]), {
        "vary-varied_on": "2026-03-02", "vary-reason": "Crewe MC, 1 Mar 2026",
        "vary-remove_prohibitions": [first.pk], "vary-add_stores": [a.sibling_store.pk],
    })  # fmt: skip
    assert r.status_code == 302
    first.refresh_from_db()
    assert first.removed_on == D(2026, 3, 2) and order.prohibitions.count() == 2
    assert ResearchJob.objects.filter(trigger=ResearchJob.Trigger.ORDER_VARIED).exists()
    page = text(c.get(reverse("desk-order", args=[order.pk])))
    assert "Prohibition removed: First shop, from 2 Mar 2026" in page
    assert f"Prohibition added: {a.retailer.name} {a.sibling_store.name}, from 2 Mar 2026" in page


def test_actions_of_an_officer_are_refused_and_write_nothing(world):
    order = OrderFactory(offender=OffenderFactory(force=world.a.force), served_on=None)
    c = signed_in(world.a.officer)
    r = c.post(reverse("desk-order-serve", args=[order.pk]), {"serve-served_on": "2026-01-06",
                                                              "serve-served_by": "PC"})  # fmt: skip
    assert r.status_code == 403 and not OrderEvent.objects.exists()


def test_staged_photos_of_forms_given_up_are_deleted_by_the_retention_task(world, media_root, settings):

    token = photo_stage(user=world.a.admin, upload=jpeg())
    staged = media_root / "staged_photos" / str(world.a.admin.pk) / token
    assert staged.is_file()
    services.retention_purge()
    assert staged.is_file()  # within its hour: kept
    services.retention_purge(now=timezone.now() + STAGED_PHOTO_LIFETIME + datetime.timedelta(minutes=1))
    assert not staged.exists()


def test_a_variation_zone_nested_thousands_deep_is_a_400(world):
    order = OrderFactory(offender=OffenderFactory(force=world.a.force), ends_on=D(2099, 1, 1))
    r = signed_in(world.a.admin).post(reverse("desk-order-vary", args=[order.pk]), {
        "vary-varied_on": "2026-03-02", "vary-reason": "Court", "vary-add_zone": "[" * 50_000 + "]" * 50_000,
    })  # fmt: skip
    assert r.status_code == 400 and "Enter a valid JSON." in text(r) and not OrderEvent.objects.exists()


def test_correct_details_recorded_wrongly_with_a_reason(world):
    order = OrderFactory(offender=OffenderFactory(force=world.a.force), case_reference="CBO/TYPO")
    ProhibitionFactory(order=order, stores=[world.a.store])
    c = signed_in(world.a.admin)
    page = text(c.get(reverse("desk-order", args=[order.pk])))
    assert 'name="correct-case_reference"' in page and 'value="CBO/TYPO"' in page
    fields = {"correct-kind": "full", "correct-court": order.court, "correct-case_reference": "CBO/2026/0001",
              "correct-made_on": "2026-01-05", "correct-effective_from": "2026-01-05", "correct-ends_on": "2028-01-04",
              "correct-served_on": "2026-01-05", "correct-served_by": ""}  # fmt: skip
    r = c.post(reverse("desk-order-correct", args=[order.pk]), fields)
    assert r.status_code == 400 and "This field is required" in text(r)  # the reason
    unchanged = {**fields, "correct-case_reference": "CBO/TYPO", "correct-reason": "Typo"}
    r = c.post(reverse("desk-order-correct", args=[order.pk]), unchanged)
    assert r.status_code == 400 and "Nothing was changed" in text(r)
    r = c.post(reverse("desk-order-correct", args=[order.pk]), {**fields, "correct-reason": "Keyed wrongly"})
    assert r.status_code == 302
    order.refresh_from_db()
    assert order.case_reference == "CBO/2026/0001"
    page = text(c.get(reverse("desk-order", args=[order.pk])))
    assert "Details corrected: case reference from CBO/TYPO to CBO/2026/0001" in page and "Keyed wrongly" in page
    # A change of the days in force re-searches the footage (the workflow's rule).
    r = c.post(reverse("desk-order-correct", args=[order.pk]),
               {**fields, "correct-ends_on": "2027-01-04", "correct-reason": "End keyed wrongly"})  # fmt: skip
    assert r.status_code == 302
    assert ResearchJob.objects.filter(trigger=ResearchJob.Trigger.ORDER_CORRECTED).count() == 1


def test_remove_a_photo_needs_a_reason_and_forgets_its_templates(world, media_root, enrolled):
    jo = OffenderFactory(force=world.a.force)
    c = signed_in(world.a.admin)
    c.post(reverse("desk-offender-photo-new", args=[jo.pk]),
           {"image": jpeg(), "source": "Custody", "taken_on": "2025-12-01"})  # fmt: skip
    photo = jo.photos.get()
    url = reverse("desk-offender-photo-remove", args=[jo.pk, photo.pk])
    r = c.post(url, {"reason": "  "})
    assert r.status_code == 400 and "Say why the photo is being removed." in text(r) and jo.photos.exists()
    assert signed_in(world.b.admin).post(url, {"reason": "x"}).status_code == 404
    assert signed_in(world.a.officer).post(url, {"reason": "x"}).status_code == 403
    r = c.post(url, {"reason": "Wrong person's photo"})
    assert r.status_code == 302 and not jo.photos.exists()
    page = text(c.get(reverse("desk-offender", args=[jo.pk])))
    assert "Photo removed: Custody, taken 1 Dec 2025" in page and "Wrong person&#x27;s photo" in page
