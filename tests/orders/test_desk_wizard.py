"""Recording an order step by step on the order desk, end to end: a person added with a real custody photo
(enrolled by the real face model through ``workflows.orders``), then the order, a named-premises prohibition
and an exclusion zone, a review and one save. Afterwards the order is in force and the person is in the face
gallery that incidents at the force's stores are searched against."""

import datetime
import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from orders.models import Order, OrderEvent, Prohibition
from recognition import gallery
from recognition.models import FaceTemplate, ResearchJob
from tests.conftest import FACES, require, signed_in
from tests.factories import StoreFactory
from tests.orders.conftest import SQUARE
from tests.orders.factories import OffenderFactory, OrderFactory

pytestmark = pytest.mark.django_db
D = datetime.date
ORDER = {
    "kind": "full",
    "court": "Crewe Magistrates' Court",
    "case_reference": "CBO/2026/0100",
    "made_on": "2026-01-05",
    "effective_from": "2026-01-05",
    "ends_on": "2028-01-04",
    "served_on": "2026-01-06",
    "served_by": "PC 1234 Jones",
}


def text(response) -> str:
    return response.content.decode()


def kind_block(page: str, kind: str) -> str:
    """The opening tag of a kind's block of fields."""
    return re.search(rf'<div class="kind-fields[^"]*" data-kind="{kind}"[^>]*>', page).group(0)


@pytest.mark.deepface
def test_the_wizard_records_an_order_that_puts_the_person_in_the_gallery(world, media_root, face_engine):
    require((FACES / "img1.jpg").is_file(), f"img1.jpg missing from {FACES}")
    a = world.a
    inside = StoreFactory(beat=a.beat, retailer=a.retailer, name="Market Street", latitude="53.100000",
                          longitude="-2.300000")  # fmt: skip
    c = signed_in(a.admin)

    # A person with a custody photo: the real model enrols the face.
    photo = SimpleUploadedFile("custody.jpg", (FACES / "img1.jpg").read_bytes(), content_type="image/jpeg")
    r = c.post(reverse("desk-offender-new"), {"given_names": "Jo", "family_name": "Bloggs", "image": photo,
                                              "source": "Custody, Crewe suite", "taken_on": "2025-06-01"})  # fmt: skip
    assert r.status_code == 302, text(r)
    person = a.force.offenders.get()
    assert FaceTemplate.objects.filter(offender=person).count() == 1

    # Step 1: the order.
    r = c.get(reverse("desk-order-new"), {"offender": person.pk})
    assert r.status_code == 200 and f'<option value="{person.pk}" selected>' in text(r)
    bad = c.post(reverse("desk-order-new"), {**ORDER, "offender": person.pk, "effective_from": "2026-01-01"})
    assert bad.status_code == 400 and "The order cannot take effect before it was made." in text(bad)
    r = c.post(reverse("desk-order-new"), {**ORDER, "offender": person.pk})
    assert r.status_code == 302 and r.url == reverse("desk-order-new-prohibition")

    # Step 2, without JavaScript: the kind is sent first, and the page comes back with that kind's fields.
    page = text(c.get(r.url))
    assert "hidden" in kind_block(page, "premises") and "hidden" in kind_block(page, "zone")
    page = text(c.post(r.url, {"kind": "premises", "action": "choose"}))
    assert "hidden" not in kind_block(page, "premises") and "hidden" in kind_block(page, "zone")
    # Searching the stores keeps what was ticked.
    page = text(c.post(r.url, {"kind": "premises", "action": "search", "store_q": "market",
                               "stores": [a.store.pk]}))  # fmt: skip
    assert re.search(rf'value="{a.store.pk}" id="id_store_{a.store.pk}" checked', page)
    assert f'id="id_store_{inside.pk}"' in page and f'id="id_store_{a.sibling_store.pk}"' not in page
    # A premises prohibition without a store is refused, with the service's words.
    bad = c.post(r.url, {"kind": "premises", "action": "add"})
    assert bad.status_code == 400 and "Named premises need at least one store." in text(bad)
    # A zone field sent with a premises prohibition (hidden on the page) is not read.
    r2 = c.post(r.url, {"kind": "premises", "action": "add", "stores": [a.store.pk], "polygon": "not json",
                        "description": "Northway Foods Alsager"})  # fmt: skip
    assert r2.status_code == 302 and r2.url == reverse("desk-order-new-prohibition"), re.findall(
        r"class=\"error\"[^<]*<", text(r2)
    )
    # The zone: a bad outline is refused, a typed one accepted.
    bad = c.post(r.url, {"kind": "zone", "action": "review", "polygon": "{not json"})
    assert bad.status_code == 400 and "not valid GeoJSON" in text(bad)
    open_ring = {"type": "Polygon", "coordinates": [[[-2.32, 53.09], [-2.29, 53.09], [-2.29, 53.11]]]}
    bad = c.post(r.url, {"kind": "zone", "action": "review", "polygon": json.dumps(open_ring)})
    assert bad.status_code == 400
    r3 = c.post(r.url, {"kind": "zone", "action": "review", "polygon": json.dumps(SQUARE),
                        "description": "Crewe town centre", "starts_on": "2026-02-01"})  # fmt: skip
    assert r3.status_code == 302 and r3.url == reverse("desk-order-new-review")

    # Step 3: the review names what each prohibition covers; nothing is saved yet.
    page = text(c.get(r3.url))
    assert "Northway Foods Alsager" in page and "Crewe town centre" in page and "Market Street" in page
    assert not Order.objects.exists()
    r = c.post(r3.url, {"action": "save"})
    order = Order.objects.get()
    assert r.status_code == 302 and r.url == reverse("desk-order", args=[order.pk])

    # The order is in force, with both prohibitions, recorded by the admin, and its footage re-searched.
    assert order.in_force_on(timezone.localdate()) or timezone.localdate() > D(2028, 1, 4)
    kinds = sorted(order.prohibitions.values_list("kind", flat=True))
    assert kinds == [Prohibition.Kind.PREMISES, Prohibition.Kind.ZONE] and order.created_by == a.admin
    assert ResearchJob.objects.filter(trigger=ResearchJob.Trigger.ORDER_RECORDED).exists()
    assert OrderEvent.objects.filter(order=order, kind="prohibition_added").count() == 2
    found = gallery.incident_gallery(force_id=a.force.pk, at=timezone.now(), model_version=face_engine.model_version)
    assert person.pk in found.offenders()
    # The draft is gone, and the order page reads in words.
    page = text(c.get(reverse("desk-order", args=[order.pk])))
    assert "In force until 4 Jan 2028" in page
    assert "Prohibition added: Crewe town centre, from 1 Feb 2026" in page
    assert "Prohibition added: Northway Foods Alsager" in page
    assert c.get(reverse("desk-order-new-review")).status_code == 302


def test_steps_need_the_order_first(world):
    c = signed_in(world.a.admin)
    for name in ("desk-order-new-prohibition", "desk-order-new-review"):
        r = c.get(reverse(name))
        assert r.status_code == 302 and r.url == reverse("desk-order-new")


def test_a_draft_names_only_the_admins_force(world):
    theirs = OffenderFactory(force=world.b.force)
    c = signed_in(world.a.admin)
    r = c.post(reverse("desk-order-new"), {**ORDER, "offender": theirs.pk})
    assert r.status_code == 400 and "Select a valid choice" in text(r)
    mine = OffenderFactory(force=world.a.force)
    c.post(reverse("desk-order-new"), {**ORDER, "offender": mine.pk})
    bad = c.post(reverse("desk-order-new-prohibition"), {"kind": "premises", "action": "add",
                                                         "stores": [world.b.store.pk]})  # fmt: skip
    assert bad.status_code == 400 and "Select a valid choice" in text(bad)


def test_removing_a_prohibition_from_the_draft_and_saving_with_a_retailer_area(world):
    a = world.a
    mine = OffenderFactory(force=a.force)
    c = signed_in(a.admin)
    c.post(reverse("desk-order-new"), {**ORDER, "offender": mine.pk, "served_on": "", "served_by": ""})
    c.post(reverse("desk-order-new-prohibition"), {"kind": "premises", "action": "add", "stores": [a.store.pk]})
    bad = c.post(reverse("desk-order-new-prohibition"), {"kind": "retailer_area", "action": "review",
                                                         "retailer": a.retailer.pk})  # fmt: skip
    assert bad.status_code == 400 and "Give the area: beats, or a centre and radius." in text(bad)
    area = {"kind": "retailer_area", "action": "review", "retailer": a.retailer.pk, "beats": [a.other_beat.pk]}
    r = c.post(reverse("desk-order-new-prohibition"), area)
    assert r.status_code == 302
    assert c.post(reverse("desk-order-new-review"), {"action": "remove-0"}).status_code == 302
    page = text(c.get(reverse("desk-order-new-review")))
    assert "Take out prohibition 2" not in page and a.sibling_store.name in page  # the area's store, covered
    c.post(reverse("desk-order-new-review"), {"action": "save"})
    order = Order.objects.get()
    assert list(order.prohibitions.values_list("kind", flat=True)) == ["retailer_area"]
    page = text(c.get(reverse("desk-order", args=[order.pk])))
    assert "Not yet served" in page and f"every {a.retailer.name} store in {a.other_beat.name}" in page


def test_a_full_order_replacing_an_interim_one(world):
    a = world.a
    person, other = OffenderFactory(force=a.force), OffenderFactory(force=a.force)
    interim = OrderFactory(offender=person, kind="interim", case_reference="INT/1", ends_on=D(2026, 12, 31))
    theirs = OrderFactory(offender=other, kind="interim", case_reference="INT/2", ends_on=D(2026, 12, 31))
    c = signed_in(a.admin)
    full = {**ORDER, "offender": person.pk, "made_on": "2026-03-02", "effective_from": "2026-03-02",
            "served_on": "2026-03-02"}  # fmt: skip
    bad = c.post(reverse("desk-order-new"), {**full, "replaces": theirs.pk})
    assert bad.status_code == 400 and "The order replaced must be the same person&#x27;s." in text(bad)
    r = c.post(reverse("desk-order-new"), {**full, "replaces": interim.pk})
    assert r.status_code == 302
    assert "Interim CBO INT/1" in text(c.get(reverse("desk-order-new-review")))
    r = c.post(reverse("desk-order-new-review"), {"action": "save"})
    assert r.status_code == 302
    interim.refresh_from_db()
    assert interim.superseded_on == D(2026, 3, 2) and interim.replaced_by.case_reference == ORDER["case_reference"]


@pytest.mark.parametrize(
    "polygon",
    ["[" * 50_000 + "]" * 50_000, '{"type": "Polygon", "coordinates": "x"}', "[1, 2]", "NaN", "x" * 200_001],
)
def test_a_bad_zone_outline_is_a_400_with_a_message(world, polygon):
    c = signed_in(world.a.admin)
    c.post(reverse("desk-order-new"), {**ORDER, "offender": OffenderFactory(force=world.a.force).pk})
    r = c.post(reverse("desk-order-new-prohibition"), {"kind": "zone", "action": "add", "polygon": polygon})
    assert r.status_code == 400 and 'class="error" id="id_polygon_error"' in text(r)


@pytest.mark.parametrize(
    ("field", "value"), [("zone_latitude", "NaN"), ("zone_radius_m", "1e309"), ("zone_longitude", "9" * 400)]
)
def test_bad_circle_numbers_are_a_400(world, field, value):
    c = signed_in(world.a.admin)
    c.post(reverse("desk-order-new"), {**ORDER, "offender": OffenderFactory(force=world.a.force).pk})
    circle = {"zone_latitude": "53.1", "zone_longitude": "-2.3", "zone_radius_m": "300", field: value}
    r = c.post(reverse("desk-order-new-prohibition"), {"kind": "zone", "action": "add", **circle})
    assert r.status_code == 400 and f'id="id_{field}_error"' in text(r)
