"""The order recorded from the application on the page commits, and the late-paperwork re-search goes through
the broker to a real Celery worker process, which raises the breach case for the earlier incident (real model,
real photographs)."""

import pytest
from django.utils import timezone

from cases.models import Case
from orders.models import Order
from orders.selectors import offender_in_gallery
from recognition.models import ResearchJob
from tests.conftest import signed_in, wait_for
from tests.incidents.factories import IncidentFactory
from tests.people.test_order_from_application import _application, _post, _url
from tests.recognition.factories import evidence_for, face_bytes
from workflows.evidence import evidence_matching_run

pytestmark = [pytest.mark.deepface, pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_a_real_worker_runs_the_research_the_order_from_the_application_starts(
    world, face_engine, celery_worker_process
):
    a = world.a
    application = _application(a)
    incident = IncidentFactory(store=a.store, reported_by=a.worker, in_order_period=True)
    evidence = evidence_for(incident, face_bytes("img2.jpg"), "till-camera.jpg")
    assert evidence_matching_run(evidence_id=evidence.pk).matches == 0  # searched before the court sat

    response = signed_in(a.admin).post(_url(application), _post(application, a))
    assert response.status_code == 302, response.content.decode()[:3000]
    order = Order.objects.get()
    assert offender_in_gallery(offender=order.offender, at=timezone.now())

    job = wait_for(
        lambda: ResearchJob.objects.filter(status__in=["done", "failed"]).first(),
        timeout=120,
        what="the worker to run the re-search",
    )
    assert (job.status, job.trigger, job.order, job.files_searched, job.matches) == (
        "done", "order_recorded", order, 1, 1,
    )  # fmt: skip
    case = Case.objects.get()
    assert (case.incident, case.offender, case.is_breach, case.breach_order) == (incident, order.offender, True, order)
