"""Lists at scale: keyset cursors in the API's next and previous links (every row exactly once while rows
are being added, role scope kept, a forged cursor refused) and counts that stop at LIST_COUNT_LIMIT and say
so, on the API and on the pages."""

import datetime
import re

import pytest
from django.test import override_settings
from django.utils import timezone

from cases.models import Case
from core.pagination import Keyset
from incidents.models import Incident
from orders.models import Offender
from tests.conftest import client_for, signed_in
from tests.incidents.factories import IncidentFactory

pytestmark = pytest.mark.django_db

BASE = timezone.now() - datetime.timedelta(days=30)


def incidents(store, worker, n: int, *, start: datetime.datetime = BASE, step_minutes: int = 7) -> list[Incident]:
    """``n`` incidents at ``store``, one every ``step_minutes`` from ``start``; some share a time so that
    the order's tie-break on id is walked too."""
    return [
        IncidentFactory(
            store=store, reported_by=worker, occurred_at=start + datetime.timedelta(minutes=step_minutes * (i // 2))
        )
        for i in range(n)
    ]


def walk(client, url: str, params: dict, *, between=None) -> list[int]:
    """The ids of every page reached from ``url`` by following ``next`` links; ``between(i)`` runs
    before page ``i`` (from 1) is fetched."""
    seen: list[int] = []
    body = client.get(url, params).json()
    seen += [row["id"] for row in body["results"]]
    pages = 1
    while body["next"]:
        if between:
            between(pages)
        body = client.get(body["next"]).json()
        seen += [row["id"] for row in body["results"]]
        pages += 1
    return seen


def test_cursor_pages_give_every_row_once_while_rows_are_added(world):
    a = world.a
    original = incidents(a.store, a.worker, 60)
    added_ahead: list[Incident] = []

    def add_newer(_page):  # the newest first: new reports land ahead of the walk, on pages already read
        added_ahead.extend(incidents(a.store, a.worker, 5, start=timezone.now()))

    client = client_for(a.officer)
    seen = walk(client, "/api/incidents/", {"page_size": 10}, between=add_newer)
    assert len(seen) == len(set(seen)) == 60
    assert set(seen) == {i.pk for i in original}
    assert added_ahead and not set(seen) & {i.pk for i in added_ahead}


def test_page_numbers_repeat_rows_when_rows_are_added_which_the_cursor_avoids(world):
    """Why the next links are cursors: the same walk by page number shows rows twice."""
    a = world.a
    incidents(a.store, a.worker, 30)
    client = client_for(a.officer)
    seen: list[int] = []
    for number in (1, 2, 3):
        seen += [r["id"] for r in client.get("/api/incidents/", {"page_size": 10, "page": number}).json()["results"]]
        incidents(a.store, a.worker, 5, start=timezone.now())
    assert len(seen) > len(set(seen))


def test_previous_links_walk_back_over_the_same_pages(world):
    a = world.a
    incidents(a.store, a.worker, 35)
    client = client_for(a.officer)
    first = client.get("/api/incidents/", {"page_size": 10}).json()
    second = client.get(first["next"]).json()
    third = client.get(second["next"]).json()
    assert "cursor=" in first["next"] and "page=" not in first["next"]
    back = client.get(third["previous"]).json()
    assert [r["id"] for r in back["results"]] == [r["id"] for r in second["results"]]
    again = client.get(back["previous"]).json()
    assert [r["id"] for r in again["results"]] == [r["id"] for r in first["results"]]
    assert again["previous"] is None


def test_a_cursor_keeps_the_filters_and_the_users_scope(world):
    a, b = world.a, world.b
    incidents(a.store, a.worker, 25)
    incidents(a.sibling_store, a.worker, 25)
    incidents(b.store, b.worker, 25)
    ours = set(Incident.objects.filter(store__beat__force=a.force).values_list("pk", flat=True))  # police: the force
    seen = walk(client_for(a.officer), "/api/incidents/", {"page_size": 7})
    assert set(seen) == ours and len(seen) == len(ours)
    # Another force's officer following the same link sees only their own rows after that point.
    link = client_for(a.officer).get("/api/incidents/", {"page_size": 7}).json()["next"]
    theirs = client_for(b.officer).get(link).json()
    assert theirs["results"] and all(
        Incident.objects.get(pk=r["id"]).store.beat.force_id == b.force.pk for r in theirs["results"]
    )
    # Filtered: P1 only, across pages.
    Incident.objects.filter(pk__in=list(ours)[:9]).update(priority=Incident.Priority.P1)
    p1 = walk(client_for(a.officer), "/api/incidents/", {"page_size": 4, "priority": "P1"})
    assert sorted(p1) == sorted(Incident.objects.filter(pk__in=ours, priority="P1").values_list("pk", flat=True))


def test_the_case_queue_walks_by_cursor_in_its_priority_order(world):
    a = world.a
    incident = IncidentFactory(store=a.store, reported_by=a.worker)
    people = Offender.objects.bulk_create(
        Offender(force=a.force, given_names=f"Walk{i:03d}", family_name="Person") for i in range(40)
    )
    Case.objects.bulk_create(
        Case(
            incident=incident,
            offender=person,
            force=a.force,
            beat=a.beat,
            store=a.store,
            incident_priority=("P1", "P2", "P3")[i % 3],
            is_breach=i % 4 == 0,
            status=Case.Status.AWAITING_REVIEW,
            best_similarity=0.9,
            threshold=0.07,
        )
        for i, person in enumerate(people)
    )
    client = client_for(a.officer)
    seen = walk(client, "/api/cases/", {"page_size": 6})
    expected = list(Case.objects.filter(beat=a.beat).order_by("-is_breach", "incident_priority", "created_at", "id"))
    assert seen == [c.pk for c in expected]


def test_a_forged_or_foreign_cursor_is_a_400_that_says_what_to_do(world):
    a = world.a
    incidents(a.store, a.worker, 12)
    client = client_for(a.officer)
    link = client.get("/api/incidents/", {"page_size": 5}).json()["next"]
    cursor = link.split("cursor=")[1].split("&")[0]
    forged = client.get("/api/incidents/", {"cursor": cursor[:-3] + "abc"})
    assert forged.status_code == 400
    assert "start again from the first page" in forged.json()["fields"]["cursor"][0]
    # A cursor of the incident list is not one of the case queue's.
    foreign = client.get("/api/cases/", {"cursor": cursor})
    assert foreign.status_code == 400 and "cursor" in foreign.json()["fields"]


def test_keyset_refuses_an_order_on_a_column_that_may_be_null():
    assert Keyset.of(Case.objects.order_by("closed_at", "id")) is None
    assert Keyset.of(Case.objects.order_by("-created_at")).keys == (("created_at", True), ("id", True))


@override_settings(LIST_COUNT_LIMIT=20)
def test_counts_stop_at_the_limit_and_say_so(world):
    a = world.a
    incidents(a.store, a.worker, 26)
    body = client_for(a.officer).get("/api/incidents/", {"page_size": 10}).json()
    assert body["count"] == 20 and body["count_exact"] is False
    small = client_for(a.worker).get("/api/incidents/", {"store": a.sibling_store.pk}).json()
    assert small["count"] == 0 and small["count_exact"] is True
    html = signed_in(a.officer).get("/incidents/").content.decode()
    assert "more than 20 incidents" in html and ">Last<" not in html
    # Every row is still reachable by cursor past the counted pages.
    assert len(walk(client_for(a.officer), "/api/incidents/", {"page_size": 10})) == 26


def test_a_page_past_the_counted_ones_says_why(world):
    a = world.a
    incidents(a.store, a.worker, 12)
    with override_settings(LIST_COUNT_LIMIT=5):
        r = client_for(a.officer).get("/api/incidents/", {"page_size": 5, "page": 3})
    assert r.status_code == 404 and "counting stops at 5" in r.json()["message"]


@override_settings(LIST_COUNT_LIMIT=30)
def test_the_pager_says_more_than_and_has_no_last_link_past_the_limit(world):
    a = world.a
    incidents(a.store, a.worker, 40)
    client = signed_in(a.officer)
    first = client.get("/incidents/").content.decode()
    assert "1–25 of more than 30" in first or "1 to 25 of more than 30" in first
    assert 'rel="next"' in first and ">Last<" not in first
    last = client.get("/incidents/", {"page": 2}).content.decode()
    assert "Counting stops at 30 rows: narrow the filters to see further." in last
    assert len(re.findall(r'href="/incidents/\d+/"', last)) == 15  # every row left, not the 5 counted


def test_a_page_that_joins_related_rows_takes_its_ids_first_and_keeps_the_lists_order(world, django_assert_num_queries):
    from core.pagination import BoundedPaginator, rows_between

    made = incidents(world.a.store, world.a.worker, 12)
    listed = Incident.objects.select_related("store__retailer").order_by("-occurred_at", "-id")
    expected = list(listed)[3:8]
    with django_assert_num_queries(2):  # the page's ids in order, then those rows with their stores
        page = rows_between(listed, 3, 8)
        names = [i.store.retailer.name for i in page]  # no query per row: the stores came with them
    assert page == expected and names == [world.a.retailer.name] * 5
    assert [i.pk for i in BoundedPaginator(listed, 5).page(2)] == [i.pk for i in expected[2:]] + [
        i.pk for i in list(listed)[8:10]
    ]
    with django_assert_num_queries(1):  # no related rows to join: one query, as before
        assert rows_between(Incident.objects.order_by("pk"), 0, 2) == sorted(made, key=lambda i: i.pk)[:2]


def test_a_value_worked_out_per_row_orders_the_two_steps_and_comes_with_the_rows(world, django_assert_num_queries):
    from django.db.models import F, OuterRef, Subquery

    from core.pagination import rows_between

    made = incidents(world.a.store, world.a.worker, 6)
    later = Incident.objects.filter(pk=OuterRef("pk")).values("occurred_at")[:1]
    listed = Incident.objects.select_related("store").annotate(seen=Subquery(later)).order_by(F("seen").desc(), "id")
    expected = [i.pk for i in sorted(made, key=lambda i: (-i.occurred_at.timestamp(), i.pk))][1:4]
    with django_assert_num_queries(2):  # ids in the annotation's order, then those rows with their stores
        page = rows_between(listed, 1, 4)
        assert [i.store.name for i in page] == [world.a.store.name] * 3
    assert [i.pk for i in page] == expected and all(i.seen == i.occurred_at for i in page)


def test_a_row_deleted_between_the_two_steps_is_left_out(world, monkeypatch):
    from django.db.models import QuerySet

    from core.pagination import rows_between

    made = incidents(world.a.store, world.a.worker, 4)
    listed = Incident.objects.select_related("store").order_by("pk")
    real = QuerySet.in_bulk

    def deleting_first(self, *args, **kwargs):
        Incident.objects.filter(pk=made[0].pk).delete()
        return real(self, *args, **kwargs)

    monkeypatch.setattr(QuerySet, "in_bulk", deleting_first)
    assert [i.pk for i in rows_between(listed, 0, 3)] == [made[1].pk, made[2].pk]
