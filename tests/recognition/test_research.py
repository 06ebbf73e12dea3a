"""Re-search after late paperwork, on real photographs with the real model.

An incident's CCTV is searched first (here before the paperwork exists, so nobody is found); then an
order is recorded, served late, varied, or a photo added, and the breach-relevant footage is searched
again for that person only, each file once, logged under s.62 with the reason."""

import datetime

import pytest

from cases.models import Case, CaseAccess
from orders import services as order_services
from recognition.models import EvidenceProcessing, FaceTemplate, PossibleMatch, ResearchFile, ResearchJob
from recognition.services import reference_photo_enrol
from recognition.tasks import research_job_run_task
from tests.conftest import client_for
from tests.incidents.factories import IncidentFactory
from tests.orders.conftest import face_file, order_kwargs, premises
from tests.orders.factories import OffenderFactory
from tests.recognition.factories import evidence_for, face_bytes, reference_photo
from workflows import evidence as evidence_workflow
from workflows import orders as order_workflows
from workflows.evidence import evidence_matching_run as evidence_process

pytestmark = [pytest.mark.django_db, pytest.mark.deepface]
Trigger, Status = ResearchJob.Trigger, ResearchJob.Status
SEARCH = CaseAccess.Kind.SEARCH


def _searched_incident(side, name="img2.jpg", *, store=None, at=None):
    """An incident whose file had its first search before any paperwork: nobody to find then."""
    incident = IncidentFactory(store=store or side.store, reported_by=side.worker, in_order_period=True)
    if at is not None:
        incident.occurred_at = at
        incident.save(update_fields=["occurred_at"])
    evidence = evidence_for(incident, face_bytes(name), f"till-{incident.pk}.jpg")
    processing = evidence_process(evidence_id=evidence.pk)
    assert (processing.status, processing.matches) == (EvidenceProcessing.Status.DONE, 0)
    return incident, evidence


def _offender_with_photo(side, name="img1.jpg"):
    """A person with an enrolled custody photo and, so far, no order."""
    offender = OffenderFactory(force=side.force)
    reference_photo_enrol(photo=reference_photo(offender, name))
    return offender


def _record_order(side, offender, capture, *, stores=None, **dates):
    with capture(execute=True):
        return order_workflows.order_create(
            offender=offender,
            actor=side.admin,
            prohibitions=[premises(*(stores or [side.store]))],
            **order_kwargs(**dates),
        )


def _research_logs():
    return CaseAccess.objects.filter(kind=SEARCH, justification__startswith="Re-search")


def _media(settings):
    root = settings.MEDIA_ROOT / "recognition"
    return sorted(p.name for p in root.rglob("*") if p.is_file()) if root.exists() else []


def test_order_recorded_after_the_incident_raises_the_breach_case_once(
    world, face_engine, django_capture_on_commit_callbacks
):
    a = world.a
    offender = _offender_with_photo(a)
    incident, evidence = _searched_incident(a)
    assert not Case.objects.exists()

    order = _record_order(a, offender, django_capture_on_commit_callbacks)

    job = ResearchJob.objects.get()
    assert (job.trigger, job.status, job.offender, job.order) == (Trigger.ORDER_RECORDED, Status.DONE, offender, order)
    assert (job.files_total, job.files_searched, job.matches, job.requested_by) == (1, 1, 1, a.admin)
    match = PossibleMatch.objects.get()
    assert (match.evidence, match.offender, match.source) == (evidence, offender, PossibleMatch.Source.RESEARCH)
    assert match.distance <= match.threshold and match.crop.name
    case = Case.objects.get()
    assert (case.incident, case.offender, case.is_breach, case.breach_order) == (incident, offender, True, order)
    log = _research_logs().get()
    assert log.force == a.force and log.user == a.admin and log.case is None
    assert incident.reference in log.justification and "order recorded" in log.justification
    assert f"offender {offender.pk} only" in log.justification
    assert f"evidence {evidence.pk}" in log.detail and "1 possible match" in log.detail

    # The same job delivered again, and the order varied: still one match, one case, one search logged.
    assert research_job_run_task.apply(args=[job.pk]).get() is None
    with django_capture_on_commit_callbacks(execute=True):
        order_workflows.order_vary(
            order=order,
            actor=a.admin,
            varied_on=datetime.date(2026, 6, 1),
            reason="Court added the sibling store.",
            add_prohibitions=[premises(a.sibling_store)],
        )
    varied = ResearchJob.objects.get(trigger=Trigger.ORDER_VARIED)
    assert (varied.status, varied.files_total, varied.matches) == (Status.DONE, 0, 0)  # already matched there
    assert PossibleMatch.objects.count() == Case.objects.count() == _research_logs().count() == 1


def test_a_job_run_again_never_searches_a_finished_file_twice(world, face_engine):
    a = world.a
    offender = _offender_with_photo(a)
    files = [_searched_incident(a, name)[1] for name in ("img2.jpg", "img17.jpg")]
    order_workflows.order_create(  # recorded; the task is sent on commit, which this test does not reach
        offender=offender, actor=a.admin, prohibitions=[premises(a.store)], **order_kwargs()
    )
    job = ResearchJob.objects.get()
    assert job.status == Status.QUEUED

    stopped = evidence_workflow.research_job_run(job_id=job.pk, budget_s=0)  # planned, then out of time
    assert (stopped.status, stopped.files_total, stopped.files_done) == (Status.RUNNING, 2, 0)
    assert research_job_run_task.apply(args=[job.pk]).get() == Status.DONE  # the continuation
    job.refresh_from_db()
    assert (job.files_searched, job.matches, job.attempts) == (2, 1, 2)
    assert _research_logs().count() == 2

    # A redelivered message of a worker that died after its last file, before the job was marked done.
    ResearchJob.objects.filter(pk=job.pk).update(status=Status.RUNNING)
    assert research_job_run_task.apply(args=[job.pk]).get() == Status.DONE
    job.refresh_from_db()
    assert (job.files_total, job.files_searched, job.matches) == (2, 2, 1)
    assert _research_logs().count() == 2 and PossibleMatch.objects.count() == Case.objects.count() == 1
    assert {f.evidence_id for f in ResearchFile.objects.filter(job=job)} == {f.pk for f in files}


@pytest.mark.parametrize(
    ("where", "dates"),
    [
        ("before the order took effect", dict(made_on=datetime.date(2026, 4, 1), served_on=datetime.date(2026, 4, 1))),
        ("after the order ended", dict(ends_on=datetime.date(2026, 2, 28))),
        ("before the order was served", dict(served_on=datetime.date(2026, 3, 3))),
        ("at a store the order does not cover", {}),
        ("before the prohibition's own period", {}),
        ("after the order was discharged", {}),
    ],
)
def test_footage_outside_the_orders_period_or_stores_is_not_searched(
    world, face_engine, settings, django_capture_on_commit_callbacks, where, dates
):
    a = world.a
    offender = _offender_with_photo(a)
    _searched_incident(a)  # 2 March 2026, at store A-1
    before = _media(settings)
    prohibition = premises(a.sibling_store if where.startswith("at a store") else a.store)
    if where.startswith("before the prohibition"):
        prohibition.starts_on = datetime.date(2026, 4, 1)
    dates.setdefault("effective_from", dates.get("made_on", datetime.date(2026, 1, 5)))
    with django_capture_on_commit_callbacks(execute=True):
        order = order_workflows.order_create(
            offender=offender, actor=a.admin, prohibitions=[prohibition], **order_kwargs(**dates)
        )
        if where.endswith("discharged"):
            order_services.order_discharge(
                order=order, actor=a.admin, discharged_on=datetime.date(2026, 3, 1), reason="Discharged on appeal."
            )
    job = ResearchJob.objects.get()
    assert (job.status, job.files_total, job.files_searched) == (Status.DONE, 0, 0), where
    assert not ResearchFile.objects.exists() and not _research_logs().exists()
    assert not PossibleMatch.objects.exists() and not Case.objects.exists()
    assert _media(settings) == before


def test_order_served_late_searches_the_footage_then(world, face_engine, django_capture_on_commit_callbacks):
    a = world.a
    offender = _offender_with_photo(a)
    _searched_incident(a)
    order = _record_order(a, offender, django_capture_on_commit_callbacks, served_on=None)
    assert not ResearchJob.objects.exists()  # not served: not in force, nothing to search for yet
    with django_capture_on_commit_callbacks(execute=True):
        order_workflows.order_serve(order=order, actor=a.admin, served_on=datetime.date(2026, 2, 1), served_by="PC 1")
    job = ResearchJob.objects.get()
    assert (job.trigger, job.status, job.matches) == (Trigger.ORDER_SERVED, Status.DONE, 1)
    assert "order served" in _research_logs().get().justification
    assert Case.objects.get().is_breach


def test_photo_added_later_finds_the_person(world, face_engine, django_capture_on_commit_callbacks):
    a = world.a
    offender = OffenderFactory(force=a.force)
    incident, evidence = _searched_incident(a)
    _record_order(a, offender, django_capture_on_commit_callbacks)
    first = ResearchJob.objects.get()
    assert (first.status, first.files_total, first.files_skipped, first.files_searched) == (Status.DONE, 1, 1, 0)
    assert "no enrolled photo" in ResearchFile.objects.get(job=first).note
    assert not _research_logs().exists()  # nothing searched: nothing logged

    with django_capture_on_commit_callbacks(execute=True):
        order_workflows.reference_photo_add(
            offender=offender,
            actor=a.admin,
            image=face_file("img1.jpg"),
            source="Custody, Crewe suite",
            taken_on=datetime.date(2026, 5, 1),
        )
    job = ResearchJob.objects.get(trigger=Trigger.PHOTO_ADDED)
    assert (job.status, job.order, job.files_searched, job.matches) == (Status.DONE, None, 1, 1)
    assert "photo added" in _research_logs().get().justification
    case = Case.objects.get()
    assert (case.incident, case.offender, case.is_breach) == (incident, offender, True)
    assert PossibleMatch.objects.get().evidence == evidence


def test_non_matching_research_leaves_no_crop_and_no_embedding(
    world, face_engine, settings, django_capture_on_commit_callbacks
):
    a = world.a
    offender = _offender_with_photo(a)
    _, evidence = _searched_incident(a, "img17.jpg")  # somebody else
    before, templates = _media(settings), FaceTemplate.objects.count()
    _record_order(a, offender, django_capture_on_commit_callbacks)
    job = ResearchJob.objects.get()
    assert (job.status, job.files_searched, job.matches) == (Status.DONE, 1, 0)
    searched = ResearchFile.objects.get(job=job)
    assert (searched.faces_searched, searched.gallery_size, searched.matches) == (1, 1, 0)
    assert "0 possible match" in _research_logs().get().detail  # searched, and logged, match or not
    assert not PossibleMatch.objects.exists() and not Case.objects.exists()
    assert _media(settings) == before and FaceTemplate.objects.count() == templates


def test_a_file_searched_for_the_person_is_searched_again_only_with_a_new_photo(
    world, face_engine, django_capture_on_commit_callbacks
):
    a = world.a
    offender = _offender_with_photo(a, "img1.jpg")
    _searched_incident(a, "img17.jpg")  # somebody else: searched for the person, no match
    order = _record_order(a, offender, django_capture_on_commit_callbacks)
    assert _research_logs().count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        order_workflows.order_vary(
            order=order, actor=a.admin, varied_on=datetime.date(2026, 6, 1), reason="Extended.", indefinite=True
        )
    varied = ResearchJob.objects.get(trigger=Trigger.ORDER_VARIED)
    assert (varied.status, varied.files_total) == (Status.DONE, 0)  # the same photos: nothing new to learn
    assert _research_logs().count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        order_workflows.reference_photo_add(
            offender=offender,
            actor=a.admin,
            image=face_file("img4.jpg"),
            source="Custody, Crewe suite",
            taken_on=datetime.date(2026, 5, 1),
        )
    photo_job = ResearchJob.objects.get(trigger=Trigger.PHOTO_ADDED)
    assert (photo_job.status, photo_job.files_total, photo_job.files_searched) == (Status.DONE, 1, 1)
    assert _research_logs().count() == 2 and "photo added" in _research_logs().first().justification
    assert not PossibleMatch.objects.exists()


def test_files_not_finished_or_no_longer_held_are_not_searched(world, face_engine, django_capture_on_commit_callbacks):
    a = world.a
    offender = _offender_with_photo(a)
    _, gone = _searched_incident(a)
    gone.file.storage.delete(gone.file.name)  # removed under the retention rule
    incident = IncidentFactory(store=a.store, reported_by=a.worker, in_order_period=True)
    queued = evidence_for(incident, face_bytes("img2.jpg"), "q.jpg")
    EvidenceProcessing.objects.create_for(queued)  # its first search will use the current gallery
    _record_order(a, offender, django_capture_on_commit_callbacks)
    job = ResearchJob.objects.get()
    assert (job.status, job.files_total, job.files_skipped, job.files_searched) == (Status.DONE, 1, 1, 0)
    assert ResearchFile.objects.get(job=job).note == "The file is no longer held."
    assert not _research_logs().exists() and not PossibleMatch.objects.exists()


def test_admin_research_of_one_incident_searches_everyone_in_its_gallery(
    world, face_engine, django_capture_on_commit_callbacks
):
    a = world.a
    offender = OffenderFactory(force=a.force)
    incident, evidence = _searched_incident(a)
    _record_order(a, offender, django_capture_on_commit_callbacks)  # no photo yet: nothing searched
    reference_photo_enrol(photo=reference_photo(offender, "img1.jpg"))  # enrolled without a re-search
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(a.admin).post(
            f"/api/recognition/incidents/{incident.pk}/research/", {"reason": "Custody photo received"}, format="json"
        )
    assert response.status_code == 202, response.json()
    body = response.json()
    assert (body["trigger"], body["incident"], body["offender"], body["reason"]) == (
        "admin",
        incident.pk,
        None,
        "Custody photo received",
    )
    job = ResearchJob.objects.get(pk=body["id"])
    assert (job.status, job.files_searched, job.matches, job.requested_by) == (Status.DONE, 1, 1, a.admin)
    log = _research_logs().get()
    assert log.user == a.admin and "Custody photo received" in log.justification
    assert PossibleMatch.objects.get().source == PossibleMatch.Source.RESEARCH
    assert Case.objects.get(incident=incident, offender=offender).is_breach

    with django_capture_on_commit_callbacks(execute=True):
        again = client_for(a.admin).post(
            f"/api/recognition/incidents/{incident.pk}/research/", {"reason": "Second look"}, format="json"
        )
    assert again.status_code == 202
    assert ResearchJob.objects.get(pk=again.json()["id"]).files_skipped == 1  # already matched: stands as it is
    assert PossibleMatch.objects.count() == Case.objects.count() == _research_logs().count() == 1
    assert evidence.pk == PossibleMatch.objects.get().evidence_id


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_the_research_an_order_starts(world, face_engine, celery_worker_process):
    """The order commits, the job goes through the broker to a worker process, which raises the case."""
    from tests.conftest import wait_for

    a = world.a
    offender = _offender_with_photo(a)
    incident, _ = _searched_incident(a)
    order_workflows.order_create(  # no transaction around it: committed, so the task is sent now
        offender=offender, actor=a.admin, prohibitions=[premises(a.store)], **order_kwargs()
    )
    job = wait_for(
        lambda: ResearchJob.objects.filter(status__in=["done", "failed"]).first(),
        timeout=120,
        what="the worker to run the re-search",
    )
    assert (job.status, job.trigger, job.files_searched, job.matches) == ("done", "order_recorded", 1, 1)
    case = Case.objects.get()
    assert (case.incident, case.offender, case.is_breach) == (incident, offender, True)
    assert "order recorded" in _research_logs().get().justification
