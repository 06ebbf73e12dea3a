"""The incidents API under bad input, found by fuzzing (schemathesis) and by hand.

Each test names the defect it pins: an error message that was a Python repr, an id too large for the
database answered with a 500, a body that did not match the schema."""

from datetime import timedelta

import pytest
from django.utils import timezone

from incidents.models import Incident
from tests.api_helpers import HUGE, assert_error, assert_gets_match_the_schema
from tests.cases.factories import evidence_on, incident_at
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def test_multipart_files_field_sent_as_text_gets_a_readable_error(world):
    a = world.a
    data = {
        "store": a.store.pk,
        "occurred_at": (timezone.now() - timedelta(minutes=5)).isoformat(),
        "category": "theft",
        "ongoing": "false",
        "injured": "false",
        "weapon": "false",
        "description": "Took gin.",
        "files": "not-a-file",
    }
    r = client_for(a.worker).post("/api/incidents/", data, format="multipart")
    body = assert_error(r, 400, "files[0]")
    assert "not a file" in body["fields"]["files[0]"][0]
    assert not Incident.objects.exists()


# Ids too large for any database integer ----------------------------------------------------------


@pytest.mark.parametrize("url", [f"/api/incidents/{HUGE}/", f"/api/incidents/{HUGE}/evidence/"])
def test_path_id_too_large_for_the_database_is_404(world, url):
    assert_error(client_for(world.a.admin).get(url), 404)


def test_filter_id_too_large_for_the_database_is_never_a_500(world):
    r = client_for(world.a.admin).get("/api/incidents/", {"store": HUGE})
    assert r.status_code in (200, 400, 404), (r.status_code, r.content[:300])
    if r.status_code != 200:
        assert_error(r, r.status_code)


def test_body_ids_too_large_are_400(world):
    r = client_for(world.a.worker).post(
        "/api/incidents/",
        {
            "store": int(HUGE),
            "occurred_at": "2026-01-01T10:00:00Z",
            "category": "theft",
            "ongoing": False,
            "injured": False,
            "weapon": False,
            "description": "x",
        },
        "json",
    )
    assert_error(r, 400, "store")
    assert not Incident.objects.exists()


# Every GET answers what the schema says -------------------------------------------------------------------


def test_get_responses_match_the_schema(openapi_schema, world):
    a = world.a
    evidence = evidence_on(incident_at(a.store, a.worker))
    urls = {"/api/incidents/": {}, "/api/incidents/{incident_id}/": {}, "/api/incidents/{incident_id}/evidence/": {}}
    assert_gets_match_the_schema(openapi_schema, client_for(a.admin), urls, {"incident_id": evidence.incident_id})
