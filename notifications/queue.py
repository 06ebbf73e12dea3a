"""What starts an email, and sending the task once the transaction that made the news commits (Saleor's
rule: never ``.delay()`` inside an open transaction).

The hand-offs are called explicitly by ``workflows.evidence`` where the news is made (no signals):
``incident_reported`` when an incident is reported (the portal's form and the API), ``breach_case_raised``
when a match raises a case (a file's first search, a re-search after late paperwork, an officer's boxed
face), and ``breach_case_reassigned`` when a force admin moves a case to another beat (its new officers are
told; those told before are not told again). Each decides whether the news is for anyone, so a caller
needs no rule of its own. A rolled-back report or case emails nobody. Anything made another way (the
demo seed, a shell) is found by the catch-up sweep (``services.catch_up``, every 15 minutes).

Tasks are sent by name: no module but the task module imports the tasks (``NotificationsConfig.ready``
registers them in every process). A send that fails (the broker down or hung) is logged and never reaches
the caller: an email must never stop an incident being reported or a case being raised; the sweep sends
what was missed. The broker is the one recognition sends to: a failed send pauses sends in this process
(``recognition.queue.pause_sends``), and no send is tried while they are paused, so a hung broker costs a
report its socket timeout once, not once for its CCTV and again for its email."""

import logging

from celery import current_app
from django.db import transaction

from cases.models import Case
from incidents.models import Incident
from recognition import queue as recognition_queue

logger = logging.getLogger(__name__)

P1_INCIDENT_NOTIFY = "notifications.p1_incident_notify"
BREACH_CASE_NOTIFY = "notifications.breach_case_notify"
DIGEST_SEND = "notifications.digest_send"


def incident_reported(incident: Incident) -> None:
    """A new incident: a P1's officers are emailed once it is committed; other priorities tell nobody."""
    if incident.priority == Incident.Priority.P1:
        send_on_commit(P1_INCIDENT_NOTIFY, incident.pk)


def breach_case_raised(case: Case) -> None:
    """A new case: a possible breach's officers are emailed once it is committed; a case that is no breach
    stays in the triage queue unannounced."""
    if case.is_breach:
        send_on_commit(BREACH_CASE_NOTIFY, case.pk)


def breach_case_reassigned(case: Case) -> None:
    """A case moved to another beat: a possible breach's new officers are emailed (nobody twice)."""
    if case.is_breach:
        send_on_commit(BREACH_CASE_NOTIFY, case.pk)


def try_send(task_name: str, *args) -> bool:
    """Send now; False (logged) when it could not be sent or, run eagerly, failed."""
    if recognition_queue.paused():
        logger.warning("notifications: %s%r not sent (the broker failed just now); the sweep sends it", task_name, args)
        return False
    try:
        current_app.tasks[task_name].delay(*args)
    except Exception:  # noqa: BLE001 - the sweep sends what was missed; the caller's work stands
        if not current_app.conf.task_always_eager:  # eager: the task itself failed, not the broker
            recognition_queue.pause_sends()
        logger.exception("notifications: could not send %s%r; the catch-up sweep will", task_name, args)
        return False
    return True


def send_on_commit(task_name: str, *args) -> None:
    transaction.on_commit(lambda: try_send(task_name, *args))
