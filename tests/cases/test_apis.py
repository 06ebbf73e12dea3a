"""The cases API: scoping, justification and the s.62 log, review endpoints, access-log export."""

import pytest

from cases.models import Case, CaseAccess, CaseDecision, CaseEvent
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

WHY = "Triage of Alsager retail cases"


def written() -> tuple[int, int, int]:
    """Rows a refused request must not add: decisions, events (beyond the case being raised), s.62 log."""
    return CaseDecision.objects.count(), CaseEvent.objects.count(), CaseAccess.objects.count()


def justify(client, case, justification=WHY):
    return client.post(f"/api/cases/{case.pk}/justification/", {"justification": justification}, format="json")


def test_shop_worker_never_sees_cases(world, breach_case):
    before = written()
    client = client_for(world.a.worker)
    assert client.get("/api/cases/").status_code == 403
    assert client.get(f"/api/cases/{breach_case.pk}/").status_code == 403
    assert justify(client, breach_case).status_code == 403
    review = {"same_person": True, "reason": "Same person"}
    assert client.post(f"/api/cases/{breach_case.pk}/review/", review).status_code == 403
    assert written() == before


def test_other_force_gets_404(world, breach_case):
    before = written()
    for user in (world.b.officer, world.b.admin):
        client = client_for(user)
        assert justify(client, breach_case, "curious about force A").status_code == 404
        assert client.get(f"/api/cases/{breach_case.pk}/").status_code == 404
        assert client.get(f"/api/cases/{breach_case.pk}/images/cctv/").status_code == 404
    assert written() == before


def test_queue_lists_cases_of_the_officers_beats(world, breach_case):
    body = client_for(world.a.officer).get("/api/cases/").json()
    assert [row["id"] for row in body["results"]] == [breach_case.pk]
    assert body["results"][0]["is_breach"] is True
    assert body["results"][0]["response_target_minutes"] == breach_case.incident.response_target_minutes
    counts = client_for(world.a.officer).get("/api/cases/counts/").json()
    assert counts["awaiting_review"] == 1 and counts["closed"] == 0


def test_bad_status_filter_is_400(world, breach_case):
    r = client_for(world.a.officer).get("/api/cases/?status=lost")
    assert r.status_code == 400 and "status" in r.json()["fields"]


def test_first_open_needs_a_justification_then_every_view_is_logged(world, breach_case):
    client = client_for(world.a.officer)
    r = client.get(f"/api/cases/{breach_case.pk}/")
    assert r.status_code == 403 and r.json()["code"] == "justification_required"
    assert "/justification/" in r.json()["message"] and "?justification" not in r.json()["message"]
    r = justify(client, breach_case)
    assert r.status_code == 201 and r.json()["justification"] == WHY and r.json()["justified_at"]
    r = client.get(f"/api/cases/{breach_case.pk}/")  # a GET only reads: the justification stored above
    assert r.status_code == 200
    assert r.json()["breach_order"]["court"] == breach_case.breach_order.court
    assert client.get(f"/api/cases/{breach_case.pk}/").status_code == 200  # no need to justify again
    image = client.get(f"/api/cases/{breach_case.pk}/images/cctv/")
    assert image.status_code == 200 and image["Content-Type"] == "image/jpeg"
    kinds = list(
        CaseAccess.objects.filter(user=world.a.officer)
        .order_by("created_at", "id")
        .values_list("kind", "justification")
    )
    assert [k for k, _ in kinds] == ["justified", "view_case", "view_case", "view_image"]
    assert {j for _, j in kinds} == {WHY}


def test_a_second_justification_changes_nothing_the_first_stands(world, breach_case):
    client = client_for(world.a.officer)
    assert justify(client, breach_case).status_code == 201
    r = justify(client, breach_case, "A different reason given later")
    assert r.status_code == 200 and r.json()["justification"] == WHY
    assert list(CaseAccess.objects.filter(user=world.a.officer).values_list("kind", "justification")) == [
        ("justified", WHY)
    ]


@pytest.mark.parametrize("path", ["", "images/cctv/", "evidence-pack/"])
def test_justification_in_a_query_string_is_refused_and_not_stored(world, breach_case, path):
    """DPA s.62: free text in a URL lands in web server access logs. It was accepted on GET /api/cases/{id}/."""
    client = client_for(world.a.officer)
    url = f"/api/cases/{breach_case.pk}/{path}"
    before = written()
    r = client.get(url, {"justification": WHY})
    assert r.status_code == 400 and r.json()["code"] == "justification_in_url" and "justification" in r.json()["fields"]
    assert written() == before  # neither the justification nor a view was logged
    assert client.get(f"/api/cases/{breach_case.pk}/").json()["code"] == "justification_required"
    # Nor for someone who has justified: the GET is refused before anything is logged.
    justify(client, breach_case)
    before = written()
    assert client.get(url, {"justification": "Another reason in a URL"}).status_code == 400
    assert written() == before


def test_justification_cannot_be_sent_with_get_on_its_own_address(world, breach_case):
    r = client_for(world.a.officer).get(f"/api/cases/{breach_case.pk}/justification/", {"justification": WHY})
    assert r.status_code == 405
    assert not CaseAccess.objects.exists()


def test_image_without_justification_is_refused(world, breach_case):
    r = client_for(world.a.officer).get(f"/api/cases/{breach_case.pk}/images/reference/")
    assert r.status_code == 403 and r.json()["code"] == "justification_required"
    assert not CaseAccess.objects.exists()


def test_review_flow_through_the_api(world, justified):
    officer = client_for(world.a.officer)
    url = f"/api/cases/{justified.pk}"
    confirm = {"same_person": True, "reason": "Same person: scar and tattoo", "consequence_acknowledged": True}
    r = officer.post(f"{url}/review/", confirm, format="json")
    assert r.status_code == 200 and r.json()["status"] == "confirmed"
    again = {"same_person": False, "reason": "second thoughts", "consequence_acknowledged": True}
    r = officer.post(f"{url}/review/", again, format="json")
    assert r.status_code == 409 and r.json()["code"] == "invalid_transition"
    # Another officer corroborates (the one who confirmed may not: CASES_SEPARATE_CORROBORATOR).
    other = client_for(world.a.admin)
    r = other.post(f"{url}/corroborate/", {"action": "arrest", "corroboration": "Staff ID", "reason": "CBO breach"})
    assert r.status_code == 200 and r.json()["status"] == "actioned"
    r = officer.post(f"{url}/close/", {"reason": "Charged"}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "closed"
    assert [d["stage"] for d in r.json()["decisions"]] == ["review", "corroboration", "closure"]


def test_missing_fields_are_named(world, justified):
    before = written()
    r = client_for(world.a.officer).post(f"/api/cases/{justified.pk}/review/", {}, format="json")
    assert r.status_code == 400 and set(r.json()["fields"]) == {"same_person", "reason", "consequence_acknowledged"}
    assert Case.objects.get(pk=justified.pk).status == "awaiting_review"
    assert written() == before


def test_decisions_cannot_be_edited_through_the_api(world, justified):
    before = written()
    client = client_for(world.a.admin)
    for method in (client.put, client.patch, client.delete):
        assert method(f"/api/cases/{justified.pk}/", {"status": "closed"}, format="json").status_code == 405
    assert written() == before and Case.objects.get(pk=justified.pk).status == "awaiting_review"


def test_access_log_is_for_force_admins_and_exports_csv(world, justified):
    client_for(world.a.officer).get(f"/api/cases/{justified.pk}/")
    assert client_for(world.a.officer).get("/api/access-logs/").status_code == 403
    admin = client_for(world.a.admin)
    rows = admin.get("/api/access-logs/").json()["results"]
    assert {"justified", "view_case"} <= {r["kind"] for r in rows}
    csv_text = admin.get("/api/access-logs/export/").content.decode()
    assert csv_text.splitlines()[0] == "when,user,full name,collar number,kind,case,justification,detail"
    assert "Triage of my beat's retail cases" in csv_text
    assert client_for(world.b.admin).get("/api/access-logs/").json()["count"] == 0


def test_queue_sorts_and_refuses_unknown_sort(world, breach_case):
    from cases.services import case_raise_for_match
    from tests.cases.factories import evidence_on, incident_at, possible_match
    from tests.orders.factories import OffenderFactory, OrderFactory

    a = world.a
    plain = OffenderFactory(force=a.force)
    OrderFactory(offender=plain)
    newer = case_raise_for_match(
        match=possible_match(evidence_on(incident_at(a.store, a.worker)), plain, similarity=0.99)
    )
    client = client_for(a.officer)
    ids = lambda sort: [r["id"] for r in client.get(f"/api/cases/?sort={sort}").json()["results"]]  # noqa: E731
    assert ids("priority") == [breach_case.pk, newer.pk]  # the breach first
    assert ids("newest") == [newer.pk, breach_case.pk]
    assert ids("similarity") == [newer.pk, breach_case.pk]
    r = client.get("/api/cases/?sort=random")
    assert r.status_code == 400 and "sort" in r.json()["fields"]


def test_too_short_justification_is_400_and_logs_nothing(world, breach_case):
    r = justify(client_for(world.a.officer), breach_case, "why")
    assert r.status_code == 400
    assert r.json()["code"] == "justification_too_short" and "justification" in r.json()["fields"]
    assert not CaseAccess.objects.filter(user=world.a.officer).exists()


@pytest.mark.parametrize("body", [{}, {"justification": ""}, {"justification": "Triage\x00of my beat's cases"}])
def test_missing_empty_or_nul_justification_is_400_and_logs_nothing(world, breach_case, body):
    r = client_for(world.a.officer).post(f"/api/cases/{breach_case.pk}/justification/", body, format="json")
    assert r.status_code == 400 and "justification" in r.json()["fields"]
    assert not CaseAccess.objects.exists()
