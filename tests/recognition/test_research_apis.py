"""Re-search API and page: force admins only, their own force only, one incident re-searched with a
reason; every refusal is a 4xx with a clear message that writes nothing. (Searching itself, with the
real model, is in test_research.py.)"""

import pytest

from cases.models import CaseAccess
from recognition.models import EvidenceProcessing, ResearchFile, ResearchJob
from tests.api_helpers import as_json_schema, assert_error
from tests.conftest import client_for, signed_in
from tests.incidents.factories import IncidentFactory
from tests.orders.factories import OffenderFactory
from tests.recognition.factories import evidence_for

pytestmark = pytest.mark.django_db
Status = ResearchJob.Status


def _incident(side, status=EvidenceProcessing.Status.DONE):
    incident = IncidentFactory(store=side.store, reported_by=side.worker)
    evidence = evidence_for(incident, f"cctv of {incident.reference}".encode(), "till.jpg")
    EvidenceProcessing.objects.create_for(evidence, status=status)
    return incident, evidence


def _job(side, **kwargs):
    offender = OffenderFactory(force=side.force)
    kwargs = {"trigger": ResearchJob.Trigger.ORDER_RECORDED, "reason": "order recorded", **kwargs}
    return ResearchJob.objects.create(force=side.force, offender=offender, **kwargs)


def _url(incident_id) -> str:
    return f"/api/recognition/incidents/{incident_id}/research/"


def _nothing_written() -> bool:
    return not ResearchJob.objects.exists() and not CaseAccess.objects.exists()


def test_force_admins_see_their_forces_jobs_with_progress_and_nobody_else_does(world):
    mine, theirs = _job(world.a, status=Status.RUNNING, files_total=4, files_searched=2, files_skipped=1), _job(world.b)
    _, evidence = _incident(world.a)
    ResearchFile.objects.create(job=mine, evidence=evidence, state=ResearchFile.State.SEARCHED, matches=1)
    admin = client_for(world.a.admin)
    body = admin.get("/api/recognition/research-jobs/").json()
    assert [j["id"] for j in body["results"]] == [mine.pk] and body["count"] == 1
    row = body["results"][0]
    assert (row["status"], row["files_total"], row["files_done"], row["trigger_display"]) == (
        "running",
        4,
        3,
        "order recorded",
    )
    detail = admin.get(f"/api/recognition/research-jobs/{mine.pk}/").json()
    assert [(f["evidence"], f["state"], f["matches"]) for f in detail["files"]] == [(evidence.pk, "searched", 1)]
    assert detail["files"][0]["incident_reference"] == evidence.incident.reference
    assert_error(admin.get(f"/api/recognition/research-jobs/{theirs.pk}/"), 404)
    assert_error(admin.get("/api/recognition/research-jobs/99999999999999999999/"), 404)
    assert admin.get("/api/recognition/research-jobs/", {"status": "done"}).json()["count"] == 0
    assert admin.get("/api/recognition/research-jobs/", {"offender": theirs.offender_id}).json()["count"] == 0
    assert_error(admin.get("/api/recognition/research-jobs/", {"offender": "abc"}), 400, "offender")
    for user in (world.a.officer, world.a.worker):
        body = assert_error(client_for(user).get("/api/recognition/research-jobs/"), 403)
        assert body["message"] == "Only force admins may do this."
        assert_error(client_for(user).get(f"/api/recognition/research-jobs/{mine.pk}/"), 403)
    assert client_for(world.norole).get("/api/recognition/research-jobs/").json()["code"] == "no_role"


def test_admin_asks_for_a_research_with_a_reason(world, monkeypatch, django_capture_on_commit_callbacks):
    sent = []
    monkeypatch.setattr("recognition.tasks.research_job_run_task.delay", lambda job_id: sent.append(job_id))
    incident, _ = _incident(world.a)
    with django_capture_on_commit_callbacks(execute=True):
        r = client_for(world.a.admin).post(_url(incident.pk), {"reason": "  New lead from the store  "}, format="json")
    assert r.status_code == 202, r.json()
    job = ResearchJob.objects.get()
    assert sent == [job.pk] and r.json()["id"] == job.pk
    assert (job.status, job.trigger, job.incident, job.offender, job.requested_by) == (
        Status.QUEUED,
        ResearchJob.Trigger.ADMIN,
        incident,
        None,
        world.a.admin,
    )
    assert job.reason == "New lead from the store"
    # A second request while the first is not done is a 409 that names it.
    body = assert_error(client_for(world.a.admin).post(_url(incident.pk), {"reason": "Again, please"}, "json"), 409)
    assert body["code"] == "research_pending" and f"job {job.pk}" in body["message"]
    assert ResearchJob.objects.count() == 1


@pytest.mark.parametrize(
    ("who", "data", "status", "field", "message"),
    [
        ("officer", {"reason": "New lead from the store"}, 403, None, "Only force admins may do this."),
        ("worker", {"reason": "New lead from the store"}, 403, None, "Only force admins may do this."),
        ("admin", {}, 400, "reason", "Invalid input: reason: This field is required."),
        ("admin", {"reason": "   "}, 400, "reason", "Invalid input: reason: This field may not be blank."),
        ("admin", {"reason": "why"}, 400, "reason", "Say why this incident's CCTV should be searched again"),
        ("admin", {"reason": "a\x00b and more"}, 400, "reason", None),
        ("admin", {"reason": "x" * 501}, 400, "reason", None),
    ],
)
def test_research_refused_writes_nothing(world, who, data, status, field, message):
    incident, _ = _incident(world.a)
    body = assert_error(client_for(getattr(world.a, who)).post(_url(incident.pk), data, format="json"), status, field)
    if message:
        assert body["message"].startswith(message), body
    assert _nothing_written()


def test_research_of_another_forces_or_a_missing_incident_is_404(world):
    theirs, _ = _incident(world.b)
    admin = client_for(world.a.admin)
    for incident_id in (theirs.pk, 987654321, 99999999999999999999):
        assert_error(admin.post(_url(incident_id), {"reason": "New lead from the store"}, format="json"), 404)
    assert _nothing_written()


@pytest.mark.parametrize("status", [EvidenceProcessing.Status.QUEUED, EvidenceProcessing.Status.FAILED, None])
def test_incident_without_a_finished_file_has_nothing_to_search(world, status):
    if status is None:
        incident = IncidentFactory(store=world.a.store, reported_by=world.a.worker)  # no CCTV at all
    else:
        incident, _ = _incident(world.a, status=status)
    r = client_for(world.a.admin).post(_url(incident.pk), {"reason": "New lead from the store"}, format="json")
    body = assert_error(r, 409)
    assert body["code"] == "nothing_to_search" and "first search has finished" in body["message"]
    assert _nothing_written()


def test_job_of_an_incident_whose_files_are_gone_skips_them_without_the_model(world):
    """Retention removed the file: nothing is searched or logged, and the job still finishes."""
    from recognition.tasks import research_job_run_task

    incident, evidence = _incident(world.a)
    job = ResearchJob.objects.create(
        force=world.a.force, incident=incident, trigger=ResearchJob.Trigger.ADMIN, reason="New lead"
    )
    evidence.file.storage.delete(evidence.file.name)
    assert research_job_run_task.apply(args=[job.pk]).get() == Status.DONE
    job.refresh_from_db()
    assert (job.files_total, job.files_skipped, job.files_searched) == (1, 1, 0)
    assert job.finished_at and not CaseAccess.objects.exists()
    assert research_job_run_task.apply(args=[job.pk]).get() is None  # done: nothing more to do
    assert research_job_run_task.apply(args=[job.pk + 1000]).get() is None  # gone


def test_get_bodies_match_the_schema(world):
    import jsonschema
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    job = _job(world.a, status=Status.DONE)
    _, evidence = _incident(world.a)
    ResearchFile.objects.create(job=job, evidence=evidence)
    ResearchFile.objects.create(job=job, evidence=None, state=ResearchFile.State.SKIPPED, note="gone")
    incident_job = ResearchJob.objects.create(
        force=world.a.force, incident=evidence.incident, trigger=ResearchJob.Trigger.ADMIN, reason="x", status="done"
    )
    components = as_json_schema(schema["components"])
    for path, url in [
        ("/api/recognition/research-jobs/", "/api/recognition/research-jobs/"),
        ("/api/recognition/research-jobs/{job_id}/", f"/api/recognition/research-jobs/{job.pk}/"),
        ("/api/recognition/research-jobs/{job_id}/", f"/api/recognition/research-jobs/{incident_job.pk}/"),
    ]:
        r = client_for(world.a.admin).get(url)
        assert r.status_code == 200
        body_schema = schema["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
        validator = jsonschema.Draft7Validator({**as_json_schema(body_schema), "components": components})
        assert not [e.message for e in validator.iter_errors(r.json())], path
    post = schema["paths"]["/api/recognition/incidents/{incident_id}/research/"]["post"]
    assert {"202", "400", "403", "404", "409"} <= set(post["responses"])


# The portal page -------------------------------------------------------------------------------


def test_page_shows_progress_to_force_admins_only(world):
    _job(world.a, status=Status.RUNNING, files_total=4, files_searched=3, planned_at="2026-03-02T10:00:00Z")
    _job(world.b, reason="their force's job")
    page = signed_in(world.a.admin).get("/recognition/research/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "3 of 4" in html and "order recorded" in html and "their force" not in html
    assert signed_in(world.a.officer).get("/recognition/research/").status_code == 403
    assert signed_in(world.a.worker).get("/recognition/research/").status_code == 403


def test_page_asks_for_a_research_by_reference(world, monkeypatch, django_capture_on_commit_callbacks):
    sent = []
    monkeypatch.setattr("recognition.tasks.research_job_run_task.delay", lambda job_id: sent.append(job_id))
    incident, _ = _incident(world.a)
    theirs, _ = _incident(world.b)
    client = signed_in(world.a.admin)
    r = client.post("/recognition/research/", {"reference": theirs.reference, "reason": "New lead from the store"})
    assert r.status_code == 400 and "No incident with this reference in your force." in r.content.decode()
    r = client.post("/recognition/research/", {"reference": incident.reference, "reason": "why"})
    assert r.status_code == 400 and "should be searched again" in r.content.decode()
    assert _nothing_written()
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post("/recognition/research/", {"reference": incident.reference.lower(), "reason": "New lead"})
    assert r.status_code == 302
    job = ResearchJob.objects.get()
    assert (job.incident, job.reason, sent) == (incident, "New lead", [job.pk])
    assert f"re-search {job.pk}" in client.get(r["Location"]).content.decode()
    r = signed_in(world.a.officer).post("/recognition/research/", {"reference": incident.reference, "reason": "x" * 9})
    assert r.status_code == 403 and ResearchJob.objects.count() == 1
