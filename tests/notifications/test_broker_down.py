"""A broker that is down or hung when a P1 incident is reported: the report stands, nothing is raised, it
waits out the broker's socket timeout once at most (the email's send pauses the process's other sends to
the same broker, recognition's included), and the catch-up sweep emails the officers once the task queue
is back."""

import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from incidents.models import Incident
from notifications import services
from notifications.models import Notification
from recognition import queue as recognition_queue
from recognition.models import EvidenceProcessing
from tests.cases.factories import jpeg
from tests.conftest import free_port, redis_transport_options
from tests.notifications.test_emails import report
from workflows import evidence as evidence_workflow

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def sends_resumed():
    """A failed send pauses this process's sends: the next test starts without the pause."""
    yield
    recognition_queue._paused_until = 0.0


def test_the_email_is_not_lost_when_the_broker_is_down(world, people, smtp, celery_app_on, caplog):
    celery_app_on(f"redis://127.0.0.1:{free_port()}/0", redis_transport_options())  # nothing listens there
    incident = report(world.a.store, world.a.worker)  # committed at once: the send on commit fails

    assert Incident.objects.filter(pk=incident.pk, priority=Incident.Priority.P1).exists()
    assert "could not send notifications.p1_incident_notify" in caplog.text
    assert smtp.received == [] and not Notification.objects.exists()
    assert recognition_queue.paused()  # the failed email paused the process's other sends

    assert services.catch_up(hours=1) == {"sent": 2, "failed": 0}  # the sweep, once beat runs it
    assert smtp.recipients() == sorted([people.officer.email, people.colleague.email])


def test_a_hung_broker_costs_a_p1_report_one_timeout_not_two(
    world, people, smtp, own_redis, celery_app_on, settings, tmp_path, caplog
):
    """The P1's email meets the hung broker first and waits out the socket timeout; the CCTV added the moment
    after is not sent into the same hang (the sweep sends it): its upload returns at once."""
    settings.MEDIA_ROOT = tmp_path / "media"
    celery_app_on(own_redis.url, redis_transport_options())
    own_redis.freeze()  # SIGSTOP: connections are accepted, nothing is answered
    try:
        started = time.monotonic()
        incident = report(world.a.store, world.a.worker)
        reported_in = time.monotonic() - started
        started = time.monotonic()
        [evidence] = evidence_workflow.evidence_add(
            incident=incident,
            files=[SimpleUploadedFile("till.jpg", jpeg(), content_type="image/jpeg")],
            uploaded_by=world.a.worker,
        )
        added_in = time.monotonic() - started
    finally:
        own_redis.thaw()

    timeout = settings.CELERY_BROKER_SOCKET_TIMEOUT
    assert reported_in < timeout + 2, reported_in  # one timeout at most (the email's send)
    assert added_in < 1.5, added_in  # none: sends are paused after the email's failed
    assert "could not send notifications.p1_incident_notify" in caplog.text
    # A P1's CCTV is urgent: it goes to the queue workers take first.
    assert f"recognition.evidence_process_urgent({evidence.pk},) not sent (the broker failed just now)" in caplog.text
    assert EvidenceProcessing.objects.get(evidence=evidence).waiting_for_task_queue  # queued for the sweep
    assert services.catch_up(hours=1) == {"sent": 2, "failed": 0}
