"""The accounts API (stores, users, the signed-in user) under bad input, found by fuzzing
(schemathesis) and by hand.

Each test names the defect it pins: an answer that told a user which ids exist in another force, an id
too large for the database answered with a 500. (Pagination, which these lists share with every other
list, is in tests/core/test_apis_bad_input.py.)"""

import pytest

from tests.api_helpers import HUGE, assert_error, assert_gets_match_the_schema
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


# Another force's ids must look exactly like ids that do not exist ---------------------------------


def test_filter_by_another_forces_id_answers_like_a_missing_id(world):
    client = client_for(world.a.worker)
    theirs = client.get("/api/stores/", {"beat": world.b.beat.pk})
    missing = client.get("/api/stores/", {"beat": 987654321})
    assert theirs.status_code == missing.status_code == 200
    assert theirs.json()["count"] == missing.json()["count"] == 0
    assert_error(client.get("/api/stores/", {"beat": "abc"}), 400, "beat")


def test_filters_by_own_ids_still_find_the_rows(world):
    a = world.a
    admin = client_for(a.admin)
    count = lambda url, **params: admin.get(url, params).json()["count"]  # noqa: E731
    assert count("/api/stores/", beat=a.beat.pk) == 2 and count("/api/stores/", retailer=a.retailer.pk) == 2


# Ids too large for any database integer ----------------------------------------------------------


@pytest.mark.parametrize("url", [f"/api/stores/{HUGE}/", f"/api/users/{HUGE}/"])
def test_path_id_too_large_for_the_database_is_404(world, url):
    assert_error(client_for(world.a.admin).get(url), 404)


@pytest.mark.parametrize("params", [{"beat": HUGE}, {"retailer": HUGE}])
def test_filter_id_too_large_for_the_database_is_never_a_500(world, params):
    r = client_for(world.a.admin).get("/api/stores/", params)
    assert r.status_code in (200, 400, 404), (r.status_code, r.content[:300])
    if r.status_code != 200:
        assert_error(r, r.status_code)


# Every GET answers what the schema says -------------------------------------------------------------------


def test_get_responses_match_the_schema(openapi_schema, world):
    urls = {"/api/stores/": {}, "/api/users/": {}, "/api/me/": {}}
    assert_gets_match_the_schema(openapi_schema, client_for(world.a.admin), urls, {})
