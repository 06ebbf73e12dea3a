"""Home-page counts per role: exact on seeded rows, and scoped (another beat's, another force's, and for shop
staff every police count, left out). The same numbers on the page, in the badges and from the JSON endpoint."""

import re

import pytest
from django.template import Context, Template
from django.test import Client

from cases.models import Case
from dashboards import selectors
from incidents.models import Incident
from tests.conftest import signed_in
from tests.dashboards.builders import case, failed_file, incident

pytestmark = pytest.mark.django_db

RECEIVED, WITH_POLICE, CLOSED = Incident.Status.RECEIVED, Incident.Status.WITH_POLICE, Incident.Status.CLOSED


@pytest.fixture
def seeded(world, media_root):
    """Force A's officer covers A North (a.store, a.other_retailer_store); a.sibling_store is A South."""
    a, b = world.a, world.b
    rows = {
        "p1_late": incident(a.store, a.worker, priority="P1", minutes_ago=20),
        "p1_fresh": incident(a.other_retailer_store, a.worker, priority="P1", minutes_ago=5),
        "p1_other_beat": incident(a.sibling_store, a.worker, priority="P1"),
        "p1_taken": incident(a.store, a.worker, priority="P1", status=WITH_POLICE),
        "p1_closed": incident(a.store, a.worker, priority="P1", status=CLOSED),
        "p3": incident(a.store, a.worker, priority="P3"),
        "p1_force_b": incident(b.store, b.worker, priority="P1"),
        "review_late": case(a.store, a.worker, breach=True, hours_ago=30),
        "review_fresh": case(a.store, a.worker, hours_ago=2),
        "review_other_beat": case(a.sibling_store, a.worker, hours_ago=1),
        "confirmed": case(a.store, a.worker, status=Case.Status.CONFIRMED, hours_ago=90, reviewed_hours_ago=80),
        "rejected": case(a.store, a.worker, status=Case.Status.REJECTED, breach=True, hours_ago=3),
        "review_force_b": case(b.store, b.worker, hours_ago=1),
        "failed": failed_file(a.store, a.worker),
        "failed_other_beat": failed_file(a.sibling_store, a.worker),
        "failed_force_b": failed_file(b.store, b.worker),
    }
    return rows


OFFICER = {
    "p1_waiting": 2,
    "cases_awaiting_review": 2,
    "cases_awaiting_corroboration": 1,
    "cases_waiting": 3,
    "files_failed": 1,
}
ADMIN = {
    "p1_waiting": 3,
    "cases_awaiting_review": 3,
    "cases_awaiting_corroboration": 1,
    "cases_waiting": 4,
    "files_failed": 2,
}


def test_officer_counts_are_their_beats_only(world, seeded):
    assert selectors.counts_for(world.a.officer) == OFFICER


def test_force_admin_counts_are_the_whole_force_only(world, seeded):
    assert selectors.counts_for(world.a.admin) == ADMIN


def test_the_other_force_counts_only_its_own(world, seeded):
    counts = selectors.counts_for(world.b.admin)
    assert counts["p1_waiting"] == 1 and counts["cases_awaiting_review"] == 1 and counts["files_failed"] == 1


def test_a_taken_on_p1_no_longer_counts(world, seeded):
    Incident.objects.filter(pk=seeded["p1_fresh"].pk).update(
        taken_on_by=world.a.officer, taken_on_at=seeded["p1_fresh"].created_at
    )
    assert selectors.counts_for(world.a.officer)["p1_waiting"] == 1


def test_shop_worker_sees_no_police_count(world, seeded):
    counts = selectors.counts_for(world.a.worker)
    assert set(counts) == {"incidents_received", "incidents_with_police", "incidents_closed"}
    assert not set(counts) & set(selectors.POLICE_COUNTS)


def test_shop_worker_counts_per_status_are_their_stores_only(world):
    a = world.a
    for status, n in ((RECEIVED, 3), (WITH_POLICE, 2), (CLOSED, 1)):
        for _ in range(n):
            incident(a.store, a.worker, status=status)
    incident(a.sibling_store, a.worker)  # same retailer, not the worker's store
    incident(world.b.store, world.b.worker)
    assert selectors.counts_for(a.worker) == {
        "incidents_received": 3,
        "incidents_with_police": 2,
        "incidents_closed": 1,
    }
    html = signed_in(a.worker).get("/").content.decode()
    assert re.search(r'data-count="incidents_received">3<', html)
    assert re.search(r'data-count="incidents_with_police">2<', html)
    assert re.search(r'data-count="incidents_closed">1<', html)
    assert 'href="/incidents/?status=with_police"' in html
    assert "Report an incident" in html and "call 999" in html
    assert "p1_waiting" not in html and "cases_waiting" not in html


def test_user_without_a_role_has_no_counts(world):
    assert selectors.counts_for(world.norole) == {}
    r = signed_in(world.norole).get("/")
    assert r.status_code == 200 and "no role or force yet" in r.content.decode()


@pytest.mark.parametrize("role, expected", [("officer", OFFICER), ("admin", ADMIN)])
def test_home_page_and_badges_show_the_counts(world, seeded, role, expected):
    html = signed_in(getattr(world.a, role)).get("/").content.decode()
    for key, n in expected.items():
        found = re.findall(rf'data-count="{key}">(\d+)<', html)
        assert found and set(found) == {str(n)}, (key, found)
    nav = html[html.index("<nav>") : html.index("</nav>")]
    assert 'aria-current="page"' in nav and 'href="/" aria-current="page"' in nav
    assert re.search(r'data-badge="cases_waiting">', nav) and re.search(r'data-badge="p1_waiting">', nav)


def test_counts_json_is_the_users_own(world, seeded):
    r = signed_in(world.a.officer).get("/home/counts.json")
    assert r.status_code == 200 and r["Content-Type"] == "application/json"
    body = r.json()
    assert body["counts"] == OFFICER
    assert body["labels"]["p1_waiting"] == "P1 incidents not taken on"
    assert signed_in(world.a.admin).get("/home/counts.json").json()["counts"] == ADMIN
    worker = signed_in(world.a.worker).get("/home/counts.json").json()["counts"]
    assert set(worker) == {"incidents_received", "incidents_with_police", "incidents_closed"}


def test_counts_json_needs_sign_in_and_a_get(world):
    r = Client().get("/home/counts.json")
    assert r.status_code == 401 and "Sign in" in r.json()["message"]
    assert signed_in(world.a.officer).post("/home/counts.json").status_code == 405
    assert signed_in(world.norole).get("/home/counts.json").json()["counts"] == {}


def test_officer_home_lists_what_waits_oldest_first_against_targets(world, seeded):
    html = signed_in(world.a.officer).get("/").content.decode()
    late, fresh = seeded["p1_late"], seeded["p1_fresh"]
    assert html.index(late.reference) < html.index(fresh.reference)  # oldest first
    assert "20 minutes since reported" in html and "target 15 minutes: 5 minutes over" in html
    assert "5 minutes since reported" in html and "target 15 minutes: 10 minutes left" in html
    assert seeded["p1_other_beat"].reference not in html and seeded["p1_force_b"].reference not in html
    review_late, review_fresh = seeded["review_late"], seeded["review_fresh"]
    assert html.index(review_late.reference) < html.index(review_fresh.reference)
    assert "target 1 day: 6 hours over" in html  # raised 30 hours ago, 24-hour target
    assert "Possible CBO breach" in html  # a breach awaiting review is a possible breach
    assert seeded["review_other_beat"].reference not in html and seeded["rejected"].reference not in html
    assert seeded["confirmed"].reference in html and "target 3 days: 8 hours over" in html


def test_links_go_to_the_same_rows(world, seeded):
    html = signed_in(world.a.officer).get("/").content.decode()
    assert f'href="/incidents/?priority=P1&amp;taken=no&amp;beat={world.a.beat.pk}"' in html
    assert 'href="/cases/?status=awaiting_review&amp;sort=oldest"' in html
    assert 'href="/cases/?status=confirmed&amp;sort=oldest"' in html
    assert 'href="/recognition/?state=failed"' in html


def test_old_police_links_are_kept(world):
    officer = signed_in(world.a.officer).get("/").content.decode()
    assert 'href="/account/security/"' in officer and 'href="/sign-ins/"' not in officer
    admin = signed_in(world.a.admin).get("/").content.decode()
    assert 'href="/account/security/"' in admin and 'href="/sign-ins/"' in admin


def test_a_link_marks_the_current_page_or_its_section(rf, world):
    request = rf.get("/cases/12/")
    request.user = world.a.officer
    html = Template('{% load nav %}{% nav_link "case-queue" "Cases" %}|{% nav_link "case-access-log" "Log" %}').render(
        Context({"request": request})
    )
    cases, log = html.split("|")
    assert cases == '<a href="/cases/" aria-current="true">Cases</a>'  # a case page is within the queue
    assert "aria-current" not in log


def test_an_officer_of_several_beats_gets_the_incident_list_of_those_beats(world, seeded):
    a = world.a
    a.officer.beats.add(a.other_beat)
    client = signed_in(a.officer)
    html = client.get("/").content.decode()
    first, second = sorted([a.beat.pk, a.other_beat.pk])
    link = f"/incidents/?priority=P1&amp;taken=no&amp;beat={first}&amp;beat={second}"
    assert f'href="{link}"' in html
    assert selectors.counts_for(a.officer)["p1_waiting"] == 3
    listed = client.get(link.replace("&amp;", "&")).content.decode()
    for mine in ("p1_late", "p1_fresh", "p1_other_beat"):
        assert seeded[mine].reference in listed, mine
    assert "3 incidents matching these filters" in listed
    assert seeded["p1_force_b"].reference not in listed and seeded["p3"].reference not in listed


def test_an_officer_of_no_beats_is_told_so_rather_than_shown_the_force(world, seeded):
    world.a.officer.beats.clear()
    client = signed_in(world.a.officer)
    html = client.get("/").content.decode()
    assert 'href="/incidents/?priority=P1&amp;taken=no&amp;beat=mine"' in html
    listed = client.get("/incidents/?priority=P1&taken=no&beat=mine")
    assert listed.status_code == 200
    assert "you cover none" in listed.content.decode()


def test_following_a_count_shows_the_same_rows(world, seeded):
    client = signed_in(world.a.officer)
    html = client.get("/").content.decode()
    p1_link = re.search(r'<a href="(/incidents/\?[^"]+)"><span class="n" data-count="p1_waiting">', html).group(1)
    listed = client.get(p1_link.replace("&amp;", "&")).content.decode()
    assert seeded["p1_late"].reference in listed and seeded["p1_fresh"].reference in listed
    for other in ("p1_other_beat", "p1_taken", "p1_closed", "p3", "p1_force_b"):
        assert seeded[other].reference not in listed, other
    queue = client.get("/cases/?status=awaiting_review&sort=oldest").content.decode()
    assert seeded["review_late"].reference in queue and seeded["review_fresh"].reference in queue
    assert seeded["confirmed"].reference not in queue and seeded["review_other_beat"].reference not in queue


def test_badge_counts_are_kept_for_the_cache_seconds_then_counted_again(world, settings):
    from django.core.cache import cache

    a = world.a
    settings.DASHBOARD_BADGE_CACHE_SECONDS = 30
    cache.clear()
    client = signed_in(a.officer)
    before = client.get("/home/counts.json").json()["counts"]["p1_waiting"]
    incident(a.store, a.worker, priority="P1")
    assert client.get("/home/counts.json").json()["counts"]["p1_waiting"] == before  # kept
    assert selectors.police_counts(a.officer)["p1_waiting"] == before + 1  # the home page's own count is live
    cache.clear()  # as when the seconds are up
    assert client.get("/home/counts.json").json()["counts"]["p1_waiting"] == before + 1


def test_cases_awaiting_corroboration_are_listed_longest_confirmed_first_within_the_limit(world, media_root):
    a = world.a
    recent = case(a.store, a.worker, status=Case.Status.CONFIRMED, hours_ago=50, reviewed_hours_ago=5)
    oldest = case(a.store, a.worker, status=Case.Status.CONFIRMED, hours_ago=20, reviewed_hours_ago=15)
    middle = case(a.other_retailer_store, a.worker, status=Case.Status.CONFIRMED, hours_ago=40, reviewed_hours_ago=10)
    case(a.sibling_store, a.worker, status=Case.Status.CONFIRMED, hours_ago=60, reviewed_hours_ago=30)  # another beat
    listed = selectors.corroboration_list(a.officer, limit=2)
    assert [w.item for w in listed] == [oldest, middle]  # by confirmation, not by when the case was raised
    assert listed[0].item.incident.store == a.store  # read with the case
    assert [w.item for w in selectors.corroboration_list(a.officer, limit=5)] == [oldest, middle, recent]
