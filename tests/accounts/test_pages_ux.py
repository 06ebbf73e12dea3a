"""Home pages, fixed after walking each role's flow."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_officer_home_lists_only_the_beats_they_cover(world):
    a = world.a
    html = signed_in(a.officer).get("/").content.decode()
    assert f"you cover: {a.beat.name}." in html
    assert a.other_beat.name not in html  # in their force, but not theirs to cover
    assert 'href="/incidents/"' in html and 'href="/cases/"' in html


def test_force_admin_home_links_to_the_gallery_set_up(world):
    html = signed_in(world.a.admin).get("/").content.decode()
    for url in ("/admin/orders/offender/add/", "/admin/orders/order/add/", "/recognition/threshold/"):
        assert f'href="{url}"' in html
