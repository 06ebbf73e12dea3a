"""Through a real Celery worker process on the real broker: a P1 incident's email goes out via SMTP, and
a mail server that is down is retried with back-off until it is back, the worker carrying on, the email
sent once. The worker gets the SMTP server's host and port through its environment."""

import pytest
from django.conf import settings

from incidents.models import Incident
from notifications.models import Notification
from tests.conftest import CeleryProcesses, free_port, port_open, require, wait_for
from tests.notifications.conftest import SmtpServer
from tests.notifications.test_emails import report

pytestmark = pytest.mark.worker


@pytest.fixture
def mail_worker(transactional_db, tmp_path):
    """A worker on the queue emails are routed to (housekeeping: no face model to load) whose email goes to an
    SMTP server on ``server.port`` (not started: each test starts it when it wants), retrying every second."""
    from config.celery import app

    if settings.CELERY_BROKER_URL.startswith("redis://"):
        require(port_open("127.0.0.1", 6379), "Redis is not reachable on 127.0.0.1:6379")
    server = SmtpServer(free_port())
    env = {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(server.port),
        "EMAIL_USE_TLS": "false",
        "EMAIL_TIMEOUT": "5",
        "NOTIFICATIONS_SITE_URL": "https://retrace.example.police.uk",
        "NOTIFICATIONS_RETRY_BACKOFF_S": "0.5",
        "NOTIFICATIONS_RETRY_BACKOFF_MAX_S": "1",
        "NOTIFICATIONS_MAX_RETRIES": "100",
    }
    app.control.purge()
    workers = CeleryProcesses(tmp_path, env=env)
    proc = workers.worker(name="mail", queues="housekeeping", pool="solo")
    app.conf.task_always_eager = False
    try:
        yield proc, server
    finally:
        app.conf.task_always_eager = True
        workers.stop_all()
        server.stop()


def _officer_with_email(world):
    world.a.officer.email = "a-officer@police.example"
    world.a.officer.save(update_fields=["email"])
    return world.a.officer


def test_a_p1_incident_is_emailed_by_the_worker(world, mail_worker):
    proc, server = mail_worker
    server.start()
    officer = _officer_with_email(world)
    incident = report(world.a.store, world.a.worker)  # committed: the hand-off sends the task to the worker

    wait_for(lambda: server.received, timeout=90, what=f"the worker to email (running: {proc.poll() is None})")
    [mail] = server.received
    assert mail.to == [officer.email] and incident.reference in mail.subject
    # The worker stamps the row just after the SMTP server has the message.
    sent = Notification.objects.filter(object_ref=f"incident:{incident.pk}", sent_at__isnull=False)
    wait_for(sent.exists, timeout=10, what="the row stamped sent")
    row = Notification.objects.get(object_ref=f"incident:{incident.pk}")
    assert row.sent_at is not None and row.attempts == 1
    assert proc.poll() is None


def test_smtp_down_is_retried_by_the_worker_and_sent_once_it_is_back(world, mail_worker):
    proc, server = mail_worker  # the SMTP server is not running
    officer = _officer_with_email(world)
    incident = report(world.a.store, world.a.worker)
    rows = Notification.objects.filter(user=officer, object_ref=f"incident:{incident.pk}")

    wait_for(
        lambda: rows.filter(attempts__gte=3).exists(),
        timeout=90,
        what=f"the worker to try three times (running: {proc.poll() is None})",
    )
    row = rows.get()
    assert row.sent_at is None and "Connection refused" in row.last_error
    assert proc.poll() is None  # the worker is still up

    server.start()
    wait_for(lambda: server.received, timeout=60, what="the retried email")
    wait_for(lambda: rows.filter(sent_at__isnull=False).exists(), timeout=10, what="the row stamped sent")
    # A second P1 goes through at once; the first one's email was sent once only.
    second = report(world.a.store, world.a.worker)
    wait_for(lambda: len(server.received) >= 2, timeout=60, what="the second email")
    subjects = [m.subject for m in server.received]
    assert sum(incident.reference in s for s in subjects) == 1
    assert sum(second.reference in s for s in subjects) == 1
    assert Incident.objects.filter(pk=incident.pk).exists() and proc.poll() is None
