"""Case references (CASE-2026-000001, made and backfilled), and the queue and the access log: paginated,
searched and filtered, nothing cut at a fixed count (the queue stopped at 200, the access log at 500)."""

import datetime
import importlib
import re

import pytest
from django.apps import apps
from django.utils import timezone

from cases.models import Case, CaseAccess
from cases.services import case_raise_for_match
from orders.models import Offender
from tests.cases.factories import evidence_on, incident_at, offender_barred_from, possible_match
from tests.conftest import client_for, signed_in
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

REFERENCE = re.compile(r"^CASE-\d{4}-\d{6}$")


def raise_case(store, worker, offender=None, **kwargs):
    offender = offender or offender_barred_from(store)[0]
    return case_raise_for_match(match=possible_match(evidence_on(incident_at(store, worker, **kwargs)), offender))


def many_cases(side, n: int, *, status=Case.Status.AWAITING_REVIEW) -> list[Case]:
    """``n`` cases of one incident at the side's store, one per person, written in bulk (no files)."""
    incident = incident_at(side.store, side.worker)
    people = Offender.objects.bulk_create(
        Offender(force=side.force, given_names=f"Bulk{i:04d}", family_name="Person") for i in range(n)
    )
    cases = Case.objects.bulk_create(
        Case(
            incident=incident,
            offender=person,
            force=side.force,
            beat=side.beat,
            store=side.store,
            incident_priority="P3",
            status=status,
            best_similarity=0.9,
            threshold=0.07,
        )
        for person in people
    )
    for case in cases:
        case.reference = f"CASE-2026-{case.pk:06d}"
    Case.objects.bulk_update(cases, ["reference"])
    return cases


# References ------------------------------------------------------------------------------------------------


def test_a_case_is_given_a_reference_when_raised(world):
    case = raise_case(world.a.store, world.a.worker)
    year = timezone.localdate(case.created_at).year
    assert case.reference == f"CASE-{year}-{case.pk:06d}" and REFERENCE.match(case.reference)
    assert Case.objects.get(pk=case.pk).reference == case.reference and str(case) == case.reference


def test_the_migration_backfills_the_references_of_existing_cases(world):
    cases = [raise_case(world.a.store, world.a.worker) for _ in range(3)]
    old = cases[0]
    Case.objects.filter(pk=old.pk).update(created_at=datetime.datetime(2024, 12, 31, 23, 30, tzinfo=datetime.UTC))
    Case.objects.filter(pk=cases[1].pk).update(created_at=datetime.datetime(2025, 6, 30, 23, 30, tzinfo=datetime.UTC))
    Case.objects.update(reference=None)
    migration = importlib.import_module("cases.migrations.0004_case_reference")
    migration.backfill_references(apps, None)
    refs = dict(Case.objects.values_list("pk", "reference"))
    assert refs[old.pk] == f"CASE-2024-{old.pk:06d}"  # 23:30 GMT on 31 Dec is still 2024 in London
    assert refs[cases[1].pk] == f"CASE-2025-{cases[1].pk:06d}"  # 00:30 BST on 1 Jul: the local date
    assert refs[cases[2].pk] == f"CASE-{timezone.localdate().year}-{cases[2].pk:06d}"
    migration.backfill_references(apps, None)  # again: nothing changes
    assert dict(Case.objects.values_list("pk", "reference")) == refs


def test_the_reference_is_shown_in_the_queue_the_page_and_the_api(world, justified):
    c = signed_in(world.a.officer)
    ref = justified.reference
    assert f'<a href="/cases/{justified.pk}/">{ref}</a>' in c.get("/cases/").content.decode()
    page = c.get(f"/cases/{justified.pk}/").content.decode()
    assert f"<title>{ref} · Retrace</title>" in page and f"Case {ref}" in page
    api = client_for(world.a.officer)
    assert api.get("/api/cases/").json()["results"][0]["reference"] == ref
    assert api.get(f"/api/cases/{justified.pk}/").json()["reference"] == ref


def test_the_queue_finds_a_case_by_reference_person_or_store(world):
    a = world.a
    mine = raise_case(a.store, a.worker)
    other_offender = offender_barred_from(a.other_retailer_store)[0]
    Offender.objects.filter(pk=other_offender.pk).update(given_names="Zebedee", family_name="Quorn", aliases="Zedkiel")
    theirs = raise_case(a.other_retailer_store, a.worker, other_offender)
    c, api = signed_in(a.officer), client_for(a.officer)

    def found(q: str) -> set[int]:
        html = c.get("/cases/", {"q": q}).content.decode()
        page = {int(pk) for pk in re.findall(r'<td class="ref"><a href="/cases/(\d+)/"', html)}
        by_api = {row["id"] for row in api.get("/api/cases/", {"q": q}).json()["results"]}
        assert page == by_api, q
        return page

    assert found(mine.reference) == {mine.pk}
    assert found(mine.reference.lower()) == {mine.pk}
    assert found(mine.incident.reference) == {mine.pk}
    assert mine.pk in found(mine.reference[:9])  # the start of a reference ("CASE-2026")
    assert found(mine.incident.reference.split("-")[-1]) == {mine.pk}  # the number alone
    assert found("zebedee quorn") == {theirs.pk}  # every word, in any of the names
    assert found("zedkiel") == {theirs.pk}  # an alias
    type(a.store).objects.filter(pk=a.other_retailer_store.pk).update(name="Valu Corner Alsager")
    assert found("corner alsager") == {theirs.pk}
    assert found("nobody-has-this-name") == set()


# The queue: pages and filters ------------------------------------------------------------------------------


def test_the_queue_pages_through_every_case_past_200(world):
    cases = many_cases(world.a, 230)
    c = signed_in(world.a.officer)
    seen: list[int] = []
    first = c.get("/cases/").content.decode()
    assert "1–25 of 230 · page 1 of 10" in first
    for number in range(1, 11):
        html = c.get("/cases/", {"page": number}).content.decode()
        seen += [int(pk) for pk in re.findall(r'<td class="ref"><a href="/cases/(\d+)/"', html)]
    assert sorted(seen) == sorted(case.pk for case in cases) and len(seen) == 230
    last = c.get("/cases/", {"page": 10}).content.decode()
    assert "226–230 of 230 · page 10 of 10" in last and 'rel="next"' not in last and 'rel="prev"' in last
    api = client_for(world.a.officer)
    body = api.get("/api/cases/", {"page_size": 200}).json()
    assert body["count"] == 230 and len(body["results"]) == 200 and body["next"]
    assert len(api.get(body["next"]).json()["results"]) == 30


def test_the_pager_keeps_the_filters(world):
    many_cases(world.a, 30)
    html = signed_in(world.a.officer).get("/cases/", {"q": "Bulk", "priority": "P3"}).content.decode()
    assert 'href="?q=Bulk&amp;priority=P3&amp;page=2" rel="next"' in html


def test_the_queue_filters_by_status_breach_beat_priority_person_and_days(world):
    a = world.a
    breach = raise_case(a.store, a.worker)
    p1_other_beat = raise_case(a.sibling_store, a.worker, priority="P1")
    plain_offender = offender_barred_from(a.other_retailer_store)[0]  # an order, but not for a.store
    plain = raise_case(a.store, a.worker, plain_offender)
    assert breach.is_breach and not plain.is_breach
    old = raise_case(a.store, a.worker)
    Case.objects.filter(pk=old.pk).update(
        created_at=datetime.datetime(2026, 1, 10, 12, tzinfo=datetime.UTC), status=Case.Status.CONFIRMED
    )
    c, api = signed_in(a.admin), client_for(a.admin)

    def both(params: dict) -> set[int]:
        html = c.get("/cases/", params).content.decode()
        page = {int(pk) for pk in re.findall(r'<td class="ref"><a href="/cases/(\d+)/"', html)}
        api_params = {**params, "breach": {"yes": "true", "no": "false"}.get(params.get("breach", ""), "")}
        by_api = {row["id"] for row in api.get("/api/cases/", {k: v for k, v in api_params.items() if v}).json()[
            "results"
        ]}  # fmt: skip
        assert page == by_api, params
        return page

    everyone = {breach.pk, p1_other_beat.pk, plain.pk, old.pk}
    assert both({}) == everyone
    assert both({"status": "confirmed"}) == {old.pk}
    assert both({"breach": "no"}) == {plain.pk}
    assert both({"breach": "yes"}) == everyone - {plain.pk}
    assert both({"beat": a.other_beat.pk}) == {p1_other_beat.pk}
    # The page takes several beats (an officer's home page links to all of theirs).
    two = c.get("/cases/", {"beat": [a.beat.pk, a.other_beat.pk]}).content.decode()
    assert {int(pk) for pk in re.findall(r'<td class="ref"><a href="/cases/(\d+)/"', two)} == everyone
    one = c.get("/cases/", {"beat": [a.beat.pk]}).content.decode()
    assert {int(pk) for pk in re.findall(r'<td class="ref"><a href="/cases/(\d+)/"', one)} == everyone - {
        p1_other_beat.pk
    }
    assert both({"priority": "P1"}) == {p1_other_beat.pk}
    assert both({"offender": plain_offender.pk}) == {plain.pk}
    assert both({"from": "2026-01-10", "to": "2026-01-10"}) == {old.pk}
    assert both({"to": "2026-01-09"}) == set()
    assert both({"from": "2026-01-11"}) == everyone - {old.pk}


def test_the_offender_filter_says_whose_cases_and_stays_in_scope(world):
    a, b = world.a, world.b
    mine = raise_case(a.store, a.worker)
    theirs = raise_case(b.store, b.worker)
    html = signed_in(a.officer).get("/cases/", {"offender": mine.offender_id}).content.decode()
    assert f"Showing the cases of <strong>{mine.offender.full_name}</strong>" in html
    html = signed_in(a.officer).get("/cases/", {"offender": theirs.offender_id}).content.decode()
    assert theirs.offender.full_name not in html and "No cases match these filters." in html
    assert client_for(a.officer).get("/api/cases/", {"offender": theirs.offender_id}).json()["count"] == 0


def test_bad_filters_are_named_on_the_page_and_400_in_the_api(world):
    raise_case(world.a.store, world.a.worker)
    c, api = signed_in(world.a.officer), client_for(world.a.officer)
    r = c.get("/cases/", {"from": "2026-13-40", "to": "yesterday", "priority": "P9"})
    html = r.content.decode()
    assert r.status_code == 200 and "Raised from: Enter a valid date. (this filter is left out)" in html
    assert "Priority: Select a valid choice." in html
    r = c.get("/cases/", {"from": "2026-03-02", "to": "2026-03-01"})
    assert "is before the &#x27;from&#x27; date" in r.content.decode()
    for params, field in (
        ({"from": "2026-13-40"}, "from"),
        ({"from": "2026-03-02", "to": "2026-03-01"}, "to"),
        ({"priority": "P9"}, "priority"),
        ({"offender": "x"}, "offender"),
    ):
        r = api.get("/api/cases/", params)
        assert r.status_code == 400 and field in r.json()["fields"], params


# The access log --------------------------------------------------------------------------------------------


def test_the_access_log_pages_through_every_entry_past_500(world, justified):
    a = world.a
    CaseAccess.objects.all().delete()
    CaseAccess.objects.bulk_create(
        CaseAccess(case=justified, force=a.force, user=a.officer, kind="view_case", justification=f"Row {i}")
        for i in range(520)
    )
    c = signed_in(a.admin)
    assert "1–50 of 520 · page 1 of 11" in c.get("/cases/access-log/").content.decode()
    seen = set()
    for number in range(1, 12):
        seen |= set(
            re.findall(
                r'<td data-label="Why">(Row \d+)</td>', c.get("/cases/access-log/", {"page": number}).content.decode()
            )
        )
    assert len(seen) == 520
    body = client_for(a.admin).get("/api/access-logs/", {"page_size": 200, "page": 3}).json()
    assert body["count"] == 520 and len(body["results"]) == 120
    csv_rows = c.get("/cases/access-log/", {"export": "csv"}).content.decode().strip().splitlines()
    assert len(csv_rows) == 521  # the header and every row


def test_the_access_log_filters_by_user_action_case_and_days(world, justified):
    a = world.a
    other = raise_case(a.store, a.worker)
    colleague = UserFactory(username="A-colleague", role="beat_officer", force=a.force, beats=[a.beat])
    CaseAccess.objects.all().delete()
    rows = [
        CaseAccess(case=justified, force=a.force, user=a.officer, kind="view_case", justification="one"),
        CaseAccess(case=justified, force=a.force, user=colleague, kind="export", justification="two"),
        CaseAccess(case=other, force=a.force, user=colleague, kind="view_image", justification="three"),
        CaseAccess(case=None, force=a.force, user=None, kind="search", justification="four"),
    ]
    CaseAccess.objects.bulk_create(rows)
    CaseAccess.objects.filter(justification="four").update(
        created_at=datetime.datetime(2026, 2, 1, 10, tzinfo=datetime.UTC)
    )
    c, api = signed_in(a.admin), client_for(a.admin)

    def both(params: dict) -> set[str]:
        html = c.get("/cases/access-log/", params).content.decode()
        page = set(re.findall(r"<td data-label=\"Why\">(one|two|three|four)</td>", html))
        by_api = {row["justification"] for row in api.get("/api/access-logs/", params).json()["results"]}
        assert page == by_api, params
        return page

    assert both({}) == {"one", "two", "three", "four"}
    assert both({"user": colleague.pk}) == {"two", "three"}
    assert both({"kind": "export"}) == {"two"}
    assert both({"case": other.pk}) == {"three"}
    assert both({"from": "2026-02-01", "to": "2026-02-01"}) == {"four"}
    assert both({"to": "2026-01-31"}) == set()
    # The page takes the case's reference too, and names people by name.
    html = c.get("/cases/access-log/", {"case": other.reference}).content.decode()
    assert set(re.findall(r"<td data-label=\"Why\">(one|two|three|four)</td>", html)) == {"three"}
    r = api.get("/api/access-logs/", {"from": "2026-03-02", "to": "2026-03-01"})
    assert r.status_code == 400 and "to" in r.json()["fields"]
    # Another force's admin sees none of it, whatever the filter.
    assert client_for(world.b.admin).get("/api/access-logs/", {"user": colleague.pk}).json()["count"] == 0
