"""The list timing harness (``bench.bench_scale``) on a tiny generated data set: every list a user opens
answers 200 with its timings, no API list shows a row outside its user's scope, and the run leaves the
data as it found it. CI runs it so that the harness keeps up with the lists it times."""

import pytest
from django.db import connection

from bench import bench_scale
from cases.models import Case, CaseAccess
from tests.cases.factories import incident_at
from tests.dashboards.builders import case

# Every list the harness must open (portal page, API, or both), whoever opens it.
LISTS = {
    "/",
    "/home/counts.json",
    "/cases/",
    "/api/cases/",
    "/api/cases/counts/",
    "/incidents/",
    "/api/incidents/",
    "/cases/access-log/",
    "/api/access-logs/",
    "/desk/offenders/",
    "/api/offenders/",
    "/desk/orders/",
    "/api/orders/",
    "/desk/stores/",
    "/api/stores/",
    "/api/orders/prohibited-at/",
    "/recognition/",
    "/api/recognition/processing/",
    "/people/",
    "/api/people/persistent/",
    "/account/notifications/",
}


@pytest.fixture
def tiny_volume(transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip("bench.volume loads with PostgreSQL's COPY: run with DATABASE_URL naming a PostgreSQL database")
    from bench import volume

    return volume.generate(0.0001, seed=1)


def test_every_list_answers_with_its_timings_and_only_rows_in_scope(tiny_volume):
    logged = CaseAccess.objects.count()

    result = bench_scale.main(["lists", "--repeat", "1"])

    assert set(result["users"]) == {"force_admin", "beat_officer", "shop_worker"}
    assert result["not_ok"] == []
    assert LISTS <= {row["url"].split("?")[0] for row in result["lists"]}
    for row in result["lists"]:
        assert row["status"] == [200], row
        assert row["n"] == 1 and 0 < row["p50_ms"] <= row["p95_ms"] <= row["max_ms"], row
        assert row["queries"] > 0 and row["slowest_query"], row
    assert any(row["url"].startswith("/home/figures/") for row in result["lists"])  # the admin's chart CSVs
    assert result["scope"]["rows_checked"] > 0
    assert result["scope"]["violation_count"] == 0, result["scope"]["violations"]
    assert result["gallery"]["templates"] > 0
    assert CaseAccess.objects.count() == logged  # justifications and views were rolled back

    text, plans = bench_scale.explain_slowest(result, top=3)  # the 3 slowest lists, then the 3 slowest queries
    assert 3 <= len(plans) <= 6 and text.count("Execution Time") == len(plans)
    assert all(plan["execution_ms"] is not None and plan["largest_node"]["rows"] >= 0 for plan in plans)


def test_the_scope_check_names_rows_outside_the_users_scope(world):
    """The check sees what a leak would look like: another force's incident for an admin, a case of a beat
    the officer does not cover."""
    theirs = incident_at(world.b.store, world.b.worker)
    ours = incident_at(world.a.store, world.a.worker)
    other_beat = case(world.a.sibling_store, world.a.worker)
    own_beat = case(world.a.store, world.a.worker)
    admin, officer = bench_scale.Scope.of(world.a.admin), bench_scale.Scope.of(world.a.officer)

    body = {"results": [{"id": ours.pk}, {"id": theirs.pk}]}
    assert bench_scale.scope_violations(admin, "incidents", body) == (2, [theirs.pk])
    body = {"results": [{"id": own_beat.pk}, {"id": other_beat.pk}]}
    assert bench_scale.scope_violations(officer, "cases", body) == (2, [other_beat.pk])
    assert bench_scale.scope_violations(admin, "cases", body) == (2, [])
    assert Case.objects.count() == 2
