"""The recognition API (processing records, possible matches) under bad input, found by fuzzing
(schemathesis) and by hand.

Each test names the defect it pins: a 500 on a bad query value, an answer that told a user which ids
exist in another force, an id too large for the database."""

import pytest

from cases.services import case_raise_for_match
from recognition.models import EvidenceProcessing, EvidenceProcessingEvent
from tests.api_helpers import HUGE, SUPERSCRIPT_TWO, assert_error, assert_gets_match_the_schema
from tests.cases.factories import evidence_on, incident_at, offender_barred_from, possible_match
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def _matched(side):
    """An offender barred from ``side``'s store, CCTV of an incident there with a processing record,
    and a possible match of the two."""
    offender, _, _ = offender_barred_from(side.store)
    evidence = evidence_on(incident_at(side.store, side.worker))
    EvidenceProcessing.objects.create_for(evidence)
    return offender, evidence, possible_match(evidence, offender)


# 500s on query values ----------------------------------------------------------------------------


def test_processing_incident_filter_that_is_not_a_number_is_400_not_500(world):
    client = client_for(world.a.officer)
    assert_error(client.get("/api/recognition/processing/", {"incident": SUPERSCRIPT_TWO}), 400, "incident")
    assert_error(client.get("/api/recognition/processing/", {"incident": "1.5"}), 400, "incident")
    r = client.get("/api/recognition/processing/", {"incident": "99999999999999999999"})
    assert r.status_code == 200 and r.json()["count"] == 0


# Another force's ids must look exactly like ids that do not exist ---------------------------------


@pytest.mark.parametrize(
    ("url", "param"),
    [
        ("/api/recognition/matches/", "offender"),
        ("/api/recognition/matches/", "evidence"),
        ("/api/recognition/processing/", "evidence"),
    ],
)
def test_filter_by_another_forces_id_answers_like_a_missing_id(world, url, param):
    offender, evidence, match = _matched(world.b)
    case_raise_for_match(match=match)
    other_force_id = {"offender": offender.pk, "evidence": evidence.pk}[param]
    client = client_for(world.a.officer)
    theirs = client.get(url, {param: other_force_id})
    missing = client.get(url, {param: 987654321})
    assert theirs.status_code == missing.status_code == 200
    assert theirs.json()["count"] == missing.json()["count"] == 0
    assert_error(client.get(url, {param: "abc"}), 400, param)


def test_filters_by_own_ids_still_find_the_rows(world):
    offender, evidence, match = _matched(world.a)
    case_raise_for_match(match=match)
    admin = client_for(world.a.admin)
    count = lambda url, **params: admin.get(url, params).json()["count"]  # noqa: E731
    assert count("/api/recognition/matches/", offender=offender.pk, evidence=evidence.pk) == 1
    assert count("/api/recognition/processing/", incident=evidence.incident_id, evidence=evidence.pk) == 1


# Ids too large for any database integer ----------------------------------------------------------


def test_path_id_too_large_for_the_database_is_404(world):
    assert_error(client_for(world.a.admin).get(f"/api/recognition/processing/{HUGE}/"), 404)


def test_post_to_path_id_too_large_is_404(world):
    assert_error(client_for(world.a.admin).post(f"/api/recognition/processing/{HUGE}/retry/", {}, "json"), 404)
    assert not EvidenceProcessing.objects.exists() and not EvidenceProcessingEvent.objects.exists()


@pytest.mark.parametrize(
    ("url", "params"),
    [
        ("/api/recognition/processing/", {"incident": HUGE}),
        ("/api/recognition/processing/", {"evidence": HUGE}),
        ("/api/recognition/matches/", {"offender": HUGE}),
    ],
)
def test_filter_id_too_large_for_the_database_is_never_a_500(world, url, params):
    r = client_for(world.a.admin).get(url, params)
    assert r.status_code in (200, 400, 404), (r.status_code, r.content[:300])
    if r.status_code != 200:
        assert_error(r, r.status_code)


# Every GET answers what the schema says -------------------------------------------------------------------


def test_get_responses_match_the_schema(openapi_schema, world):
    a = world.a
    _, evidence, match = _matched(a)
    case_raise_for_match(match=match)
    urls = {
        "/api/recognition/processing/": {},
        "/api/recognition/processing/{evidence_id}/": {},
        "/api/recognition/matches/": {},
    }
    assert_gets_match_the_schema(openapi_schema, client_for(a.admin), urls, {"evidence_id": evidence.pk})
