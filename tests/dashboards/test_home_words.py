"""Times on the pages read as people say them ("2 days", "4 hours"), never a raw count of minutes, and the
force admin's home sends people to the portal's order desk, not the Django admin, to record orders."""

import pytest
from django.urls import reverse

from tests.conftest import signed_in
from tests.dashboards.builders import incident

pytestmark = pytest.mark.django_db


def test_an_old_p1_reads_in_days_and_a_fresh_one_in_minutes(world, media_root):
    a = world.a
    incident(a.store, a.worker, priority="P1", minutes_ago=2 * 24 * 60 + 70)
    incident(a.other_retailer_store, a.worker, priority="P1", minutes_ago=20)
    html = signed_in(a.officer).get("/").content.decode()
    assert "2 days since reported" in html and "20 minutes since reported" in html
    assert "2950 minutes" not in html and "minutes since reported" in html


def test_an_incidents_target_reads_in_words(world, media_root):
    a = world.a
    slow = incident(a.store, a.worker, priority="P3")
    fast = incident(a.store, a.worker, priority="P1")
    officer = signed_in(a.officer)
    slow_page = officer.get(reverse("incident-detail", args=[slow.pk])).content.decode()
    assert "Target: 2 days." in slow_page and "2880" not in slow_page
    assert "Target: 15 minutes." in officer.get(reverse("incident-detail", args=[fast.pk])).content.decode()


def test_the_admin_home_points_to_the_order_desk_not_the_django_admin(world):
    html = signed_in(world.a.admin).get("/").content.decode()
    assert f'href="{reverse("desk-offender-new")}"' in html and f'href="{reverse("desk-order-new")}"' in html
    assert reverse("admin:orders_offender_add") not in html and reverse("admin:orders_order_add") not in html
    assert f'href="{reverse("admin:index")}"' in html  # still there, for rare configuration
