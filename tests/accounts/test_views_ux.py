"""Home pages, fixed after walking each role's flow."""

import pytest

from tests.conftest import signed_in

pytestmark = pytest.mark.django_db


def test_officer_home_lists_only_the_beats_they_cover(world):
    a = world.a
    html = signed_in(a.officer).get("/").content.decode()
    assert f"you cover: {a.beat.name}." in html
    assert a.other_beat.name not in html  # in their force, but not theirs to cover
    assert 'href="/incidents/"' in html and 'href="/cases/"' in html


def test_force_admin_home_links_to_the_gallery_set_up(world):
    html = signed_in(world.a.admin).get("/").content.decode()
    for url in ("/desk/offenders/new/", "/desk/orders/new/", "/recognition/threshold/"):
        assert f'href="{url}"' in html
    assert "/admin/orders/offender/add/" not in html and "/admin/orders/order/add/" not in html  # the order desk


def test_a_refused_page_keeps_the_layout_and_says_why(world):
    r = signed_in(world.a.worker).get("/cases/")
    html = r.content.decode()
    assert r.status_code == 403
    assert 'name="viewport"' in html and "Only police users may see cases." in html
    assert 'href="/"' in html and "Sign out" in html


def test_a_missing_page_keeps_the_layout(world):
    r = signed_in(world.a.worker).get("/incidents/999999/")
    html = r.content.decode()
    assert r.status_code == 404
    assert "Page not found" in html and 'name="viewport"' in html and "Sign out" in html


def test_the_server_error_page_renders_without_a_request_context(rf):
    from django.views.defaults import server_error

    r = server_error(rf.get("/"))
    assert r.status_code == 500
    html = r.content.decode()
    assert "Something went wrong" in html and "call 999" in html


def test_pages_do_not_request_a_missing_favicon(world):
    assert '<link rel="icon" href="data:,">' in signed_in(world.a.worker).get("/incidents/").content.decode()
