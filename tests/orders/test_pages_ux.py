"""Orders admin, fixed after walking the force admin's flow: links between a person and their orders, no 'null'."""

import re

import pytest
from django.test import Client

from tests.orders.factories import OffenderFactory, OrderFactory, ProhibitionFactory

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


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
