"""A broker that is down when a P1 incident is reported: the report stands, nothing is raised, and the
catch-up sweep emails the officers once the task queue is back."""

import pytest

from incidents.models import Incident
from notifications import services
from notifications.models import Notification
from tests.conftest import free_port, redis_transport_options
from tests.notifications.test_emails import p1_at

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_email_is_not_lost_when_the_broker_is_down(world, people, smtp, celery_app_on, caplog):
    celery_app_on(f"redis://127.0.0.1:{free_port()}/0", redis_transport_options())  # nothing listens there
    incident = p1_at(world.a.store, world.a.worker)  # committed at once: the send on commit fails

    assert Incident.objects.filter(pk=incident.pk).exists()
    assert "could not send notifications.p1_incident_notify" in caplog.text
    assert smtp.received == [] and not Notification.objects.exists()

    assert services.catch_up(hours=1) == {"sent": 2, "failed": 0}  # the sweep, once beat runs it
    assert smtp.recipients() == sorted([people.officer.email, people.colleague.email])
