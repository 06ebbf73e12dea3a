import socket

from celery import shared_task

from core.models import WorkerHeartbeat


@shared_task(name="core.heartbeat", acks_late=True)
def heartbeat(note: str) -> int:
    """Record that a worker ran a task. Used by /healthz checks in tests and by operators."""
    return WorkerHeartbeat.objects.create(note=note[:200], hostname=socket.gethostname()).pk
