"""Orders admin, fixed after walking the force admin's flow: links between a person and their orders, no 'null'."""

import re

import pytest

from tests.conftest import signed_in
from tests.orders.factories import OffenderFactory, OrderFactory, ProhibitionFactory

pytestmark = pytest.mark.django_db


def test_offender_page_links_to_recording_an_order_for_them(world):
    offender = OffenderFactory(force=world.a.force)
    c = signed_in(world.a.admin)
    html = c.get(f"/admin/orders/offender/{offender.pk}/change/").content.decode()
    assert f'href="/admin/orders/order/add/?offender={offender.pk}"' in html
    form = c.get(f"/admin/orders/order/add/?offender={offender.pk}").content.decode()
    assert re.search(rf'<option value="{offender.pk}" selected>', form)


def test_a_premises_prohibition_shows_an_empty_polygon_box_not_null(world):
    order = OrderFactory(offender=OffenderFactory(force=world.a.force))
    ProhibitionFactory(order=order, stores=[world.a.store])
    html = signed_in(world.a.admin).get(f"/admin/orders/order/{order.pk}/change/").content.decode()
    box = re.search(r'<textarea[^>]*name="prohibitions-0-polygon"[^>]*>(.*?)</textarea>', html, re.S)
    assert box is not None and box.group(1).strip() == ""


def test_a_photo_refused_on_saving_keeps_the_typed_answers(world, monkeypatch):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from core.exceptions import ApplicationError
    from orders.models import Offender
    from tests.incidents.conftest import image_bytes

    def no_face(*, photo):
        raise ApplicationError("No face was found in the photo.", code="no_face", fields={"image": ["No face."]})

    monkeypatch.setattr("recognition.services.reference_photo_enrol", no_face)
    data = {"given_names": "Jason", "family_name": "Smith", "aliases": "Jay\nJJ", "pnc_id": "", "notes": ""}
    for prefix, total in (("photos", 1), ("orders", 0), ("events", 0)):
        data |= {f"{prefix}-TOTAL_FORMS": str(total), f"{prefix}-INITIAL_FORMS": "0"}
        data |= {f"{prefix}-MIN_NUM_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "1000"}
    data |= {"photos-0-source": "Custody", "photos-0-taken_on": "02/11/2025"}
    data["photos-0-image"] = SimpleUploadedFile("p.jpg", image_bytes(size=(200, 200)), content_type="image/jpeg")
    r = signed_in(world.a.admin).post("/admin/orders/offender/add/", data, follow=True)
    html = r.content.decode()
    assert "Nothing was saved: No face was found in the photo. Your answers are kept below" in html
    assert 'value="Jason"' in html and 'value="Smith"' in html and "Jay\nJJ</textarea>" in html
    assert not Offender.objects.exists()
