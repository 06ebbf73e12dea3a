"""The Django admin stays for rare configuration; when it refuses someone, it says so with the portal's
friendly page (templates/403.html), not the admin's "You are authenticated as ..., but are not authorized"."""

import pytest
from django.test import Client

from accounts.models import User
from tests.conftest import signed_in

pytestmark = pytest.mark.django_db
FRIENDLY = "You cannot open this page"


def test_a_shop_worker_sent_to_the_admin_gets_the_portals_refusal(world):
    r = signed_in(world.a.worker).get("/admin/", follow=True)
    assert r.status_code == 403  # a real refusal, not a sign-in form answered 200
    page = r.content.decode()
    assert FRIENDLY in page and "The admin is for force admins" in page and "Go to your start page" in page
    assert "not authorized" not in page and 'id="id_password"' not in page


@pytest.mark.parametrize("role", ["worker", "officer"])
def test_staff_who_may_see_nothing_get_the_same_page(world, role):
    user = getattr(world.a, role)
    User.objects.filter(pk=user.pk).update(is_staff=True)
    user.refresh_from_db()
    c = signed_in(user)
    index = c.get("/admin/").content.decode()
    assert FRIENDLY in index and "permission to view or edit anything" not in index
    r = c.get("/admin/orders/offender/")
    assert r.status_code == 403 and FRIENDLY in r.content.decode()


def test_signed_out_the_admin_still_asks_for_a_password():
    page = Client().get("/admin/login/").content.decode()
    assert 'id="id_password"' in page and FRIENDLY not in page


def test_a_force_admin_still_gets_the_admin(world):
    page = signed_in(world.a.admin).get("/admin/").content.decode()
    assert "Offenders" in page and FRIENDLY not in page
