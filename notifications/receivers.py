"""What starts an email: a P1 incident or a possible breach case, just created, or a breach case moved to
another beat (its new officers are told; those told before are not told again).

Connected in ``NotificationsConfig.ready`` to ``post_save`` of ``Incident``, ``Case`` and ``CaseEvent``, so that the
apps below (which must not know about notifications) need no change, and every path that creates them
(the portal, the API, re-searches, the admin, ``seed_demo``) is covered. ``post_save`` is not sent by
``bulk_create`` or ``QuerySet.update``: nothing creates incidents or cases that way today, and the
catch-up sweep (``services.catch_up``) would still find them within NOTIFICATIONS_CATCH_UP_HOURS.
The task is sent once the transaction commits: a rolled-back report or case emails nobody."""

from cases.models import CaseEvent
from incidents.models import Incident
from notifications import queue


def incident_saved(sender, instance: Incident, created: bool, raw: bool = False, **kwargs) -> None:
    if created and not raw and instance.priority == Incident.Priority.P1:
        queue.send_on_commit(queue.P1_INCIDENT_NOTIFY, instance.pk)


def case_saved(sender, instance, created: bool, raw: bool = False, **kwargs) -> None:
    if created and not raw and instance.is_breach:
        queue.send_on_commit(queue.BREACH_CASE_NOTIFY, instance.pk)


def case_event_saved(sender, instance: CaseEvent, created: bool, raw: bool = False, **kwargs) -> None:
    """A case reassigned to another beat: the breach email goes to the new beat's officers (the service
    sends nothing for a case that is no breach, and nothing twice to anyone)."""
    if created and not raw and instance.kind == CaseEvent.Kind.REASSIGNED:
        queue.send_on_commit(queue.BREACH_CASE_NOTIFY, instance.case_id)
