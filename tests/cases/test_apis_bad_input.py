"""The cases and access-log API under bad input, found by fuzzing (schemathesis) and by hand.

Each test names the defect it pins: a 500 on a bad query value, an answer that told a user which ids
exist in another force, an id too large for the database, a free-text value PostgreSQL refuses."""

import pytest

from cases.models import CaseAccess
from cases.services import case_justify, case_raise_for_match
from tests.api_helpers import HUGE, SUPERSCRIPT_TWO, assert_error, assert_gets_match_the_schema
from tests.cases.factories import evidence_on, incident_at, offender_barred_from, possible_match
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def _case(side):
    """A case raised from a possible match at ``side``'s store of an offender barred from it."""
    offender, _, _ = offender_barred_from(side.store)
    return case_raise_for_match(match=possible_match(evidence_on(incident_at(side.store, side.worker)), offender))


# 500s on query values ----------------------------------------------------------------------------


def test_case_queue_beat_that_is_not_a_number_is_400_not_500(world):
    client = client_for(world.a.officer)
    assert_error(client.get("/api/cases/", {"beat": SUPERSCRIPT_TWO}), 400, "beat")
    assert_error(client.get("/api/cases/", {"beat": "abc"}), 400, "beat")  # was silently ignored
    assert_error(client.get("/api/cases/", {"breach": "maybe"}), 400, "breach")  # was silently ignored
    assert client.get("/api/cases/", {"beat": world.a.beat.pk, "breach": "true"}).status_code == 200
    assert client.get("/api/cases/", {"beat": "", "breach": ""}).status_code == 200


# Another force's ids must look exactly like ids that do not exist ---------------------------------


@pytest.mark.parametrize("param", ["case", "user"])
def test_filter_by_another_forces_id_answers_like_a_missing_id(world, param):
    b = world.b
    case = _case(b)
    other_force_id = {"case": case.pk, "user": b.officer.pk}[param]
    client = client_for(world.a.admin)
    theirs = client.get("/api/access-logs/", {param: other_force_id})
    missing = client.get("/api/access-logs/", {param: 987654321})
    assert theirs.status_code == missing.status_code == 200
    assert theirs.json()["count"] == missing.json()["count"] == 0
    assert_error(client.get("/api/access-logs/", {param: "abc"}), 400, param)


def test_filters_by_own_ids_still_find_the_rows(world):
    a = world.a
    case = _case(a)
    case_justify(case=case, user=a.admin, justification="Triage of my beat's retail cases")
    admin = client_for(a.admin)
    count = lambda url, **params: admin.get(url, params).json()["count"]  # noqa: E731
    assert count("/api/access-logs/", case=case.pk) >= 1
    assert count("/api/cases/", beat=case.beat_id, breach="true") == 1


# Ids too large for any database integer ----------------------------------------------------------


@pytest.mark.parametrize(
    "url", [f"/api/cases/{HUGE}/", f"/api/cases/{HUGE}/images/cctv/", f"/api/cases/{HUGE}/evidence-pack/"]
)
def test_path_id_too_large_for_the_database_is_404(world, url):
    assert_error(client_for(world.a.admin).get(url), 404)


def test_post_to_path_id_too_large_is_404(world):
    assert_error(client_for(world.a.admin).post(f"/api/cases/{HUGE}/close/", {"reason": "x"}, "json"), 404)


@pytest.mark.parametrize(("url", "params"), [("/api/cases/", {"beat": HUGE}), ("/api/access-logs/", {"case": HUGE})])
def test_filter_id_too_large_for_the_database_is_never_a_500(world, url, params):
    r = client_for(world.a.admin).get(url, params)
    assert r.status_code in (200, 400, 404), (r.status_code, r.content[:300])
    if r.status_code != 200:
        assert_error(r, r.status_code)


# Formats and free text ------------------------------------------------------------------------------


def test_evidence_pack_in_an_unknown_format_is_400_not_a_zip(world):
    a = world.a
    case = _case(a)
    case_justify(case=case, user=a.officer, justification="Triage of my beat's retail cases")
    logged = CaseAccess.objects.count()
    r = client_for(a.officer).get(f"/api/cases/{case.pk}/evidence-pack/", {"as": "docx"})
    assert assert_error(r, 400, "as")["message"] == "Unknown format 'docx': use as=zip or as=pdf."
    assert CaseAccess.objects.count() == logged  # nothing exported, nothing logged as an export


def test_nul_in_a_case_justification_is_400_and_logs_nothing(world):
    a = world.a
    case = _case(a)
    body = {"justification": "Triage\x00of my beat's cases"}  # sent in a POST body: never in a URL (s.62)
    r = client_for(a.officer).post(f"/api/cases/{case.pk}/justification/", body, format="json")
    assert_error(r, 400, "justification")
    assert not CaseAccess.objects.filter(case=case, user=a.officer).exists()


# Every GET answers what the schema says -------------------------------------------------------------------


def test_get_responses_match_the_schema(openapi_schema, world):
    a = world.a
    case = _case(a)
    case_justify(case=case, user=a.admin, justification="Triage of my beat's retail cases")
    urls = {"/api/cases/": {}, "/api/cases/{id}/": {}, "/api/access-logs/": {}}
    assert_gets_match_the_schema(openapi_schema, client_for(a.admin), urls, {"id": case.pk})
