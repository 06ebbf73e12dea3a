"""Writing and sending notification emails.

Each email is first recorded (``Notification``: kind, person, thing), then sent, then stamped
``sent_at``. The row is locked while it is sent, so two runs of the same task (a retry, a message the
broker delivered twice) send it once; a mail server that fails leaves the row unsent with the reason,
and ``NotificationsNotSent`` tells the task to try again later. Rows are unique per (kind, person,
thing): a run that finds the row already sent skips it.

What an email says (the historic-only policy, DESIGN.md): it is about a report already made or
footage already recorded, never where anyone is now. It carries a reference and a link, not the
details: no face, no name of the person matched; the officer signs in to see the case, and opening it is
logged there.
"""

from __future__ import annotations

import datetime
import logging
import smtplib
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from cases.models import Case, CaseEvent
from incidents.models import Incident
from notifications import selectors
from notifications.models import Notification, NotificationPreference

logger = logging.getLogger(__name__)


class NotificationsNotSent(Exception):
    """Some emails could not be sent (the mail server refused or could not be reached): try again later."""


# Preferences --------------------------------------------------------------------------------------------


def preference_set(*, user: User, p1_incident: bool, breach_case: bool, daily_digest: bool) -> NotificationPreference:
    """Save a police user's choices (each kind on or off)."""
    preference, _ = NotificationPreference.objects.update_or_create(
        user=user,
        defaults={"p1_incident": p1_incident, "breach_case": breach_case, "daily_digest": daily_digest},
    )
    return preference


# What each email says ------------------------------------------------------------------------------------


def site_url(path: str) -> str:
    return settings.NOTIFICATIONS_SITE_URL.rstrip("/") + path


@dataclass(frozen=True)
class Email:
    subject: str
    text: str
    html: str


def _render(template: str, subject: str, context: dict) -> Email:
    context = {
        **context,
        "subject": subject,
        "settings_url": site_url(reverse("notification-settings")),
    }
    return Email(
        subject=subject,
        text=render_to_string(f"notifications/email/{template}.txt", context),
        html=render_to_string(f"notifications/email/{template}.html", context),
    )


def case_reference(case: Case) -> str:
    return getattr(case, "reference", "") or f"Case {case.pk}"


def p1_incident_email(*, incident: Incident, user: User) -> Email:
    subject = f"Retrace: P1 incident {incident.reference} reported in your area"
    context = {"incident": incident, "user": user, "url": site_url(reverse("incident-detail", args=[incident.pk]))}
    return _render("p1_incident", subject, context)


def breach_case_email(*, case: Case, user: User) -> Email:
    reference = case_reference(case)
    subject = f"Retrace: possible CBO breach found in past CCTV ({reference})"
    context = {
        "case": case,
        "reference": reference,
        "incident": case.incident,
        "user": user,
        "url": site_url(reverse("case-detail", args=[case.pk])),
    }
    return _render("breach_case", subject, context)


def digest_email(*, user: User, day: datetime.date, counts: selectors.QueueCounts) -> Email:
    subject = f"Retrace: your queue on {day:%-d %b %Y}, {counts.total} item{'s' if counts.total != 1 else ''}"
    beats = list(user.beats.order_by("name").values_list("pk", "name")) if user.is_beat_officer else []
    # The incident list is force-wide for police: narrowed to exactly the officer's beats (``beat`` repeated),
    # as the home page's link is; ``beat=mine`` for an officer who covers none yet (the list says so).
    p1_beats = ""
    if user.is_beat_officer:
        ids = sorted(user.beats.filter(force=user.force).values_list("pk", flat=True))
        p1_beats = "".join(f"&beat={pk}" for pk in ids) or "&beat=mine"
    context = {
        "user": user,
        "day": day,
        "counts": counts,
        "beats": [name for _, name in beats],
        "links": {
            "review": site_url(reverse("case-queue") + "?status=awaiting_review&sort=oldest"),
            "corroboration": site_url(reverse("case-queue") + "?status=confirmed&sort=oldest"),
            "p1": site_url(reverse("incident-list") + f"?priority=P1&taken=no{p1_beats}"),
            "failed": site_url(reverse("recognition-processing") + "?status=failed"),
        },
    }
    return _render("digest", subject, context)


# Recording and sending -----------------------------------------------------------------------------------


def _record(*, kind: str, user: User, object_ref: str, reference: str) -> Notification:
    """The row for (kind, user, thing), written once; a second call finds it."""
    force_id = user.force_id
    if force_id is None:  # recipients are chosen among police users of a force (selectors._reachable)
        raise ValueError(f"user {user.pk} has no force: nobody outside a force is notified")
    try:
        with transaction.atomic():
            row, _ = Notification.objects.get_or_create(
                kind=kind,
                user=user,
                object_ref=object_ref,
                defaults={"force_id": force_id, "reference": reference, "email": user.email},
            )
    except IntegrityError:  # written at the same moment by another run
        row = Notification.objects.get(kind=kind, user=user, object_ref=object_ref)
    return row


def _deliver(row: Notification, email: Email) -> bool:
    """Send one recorded email unless it was sent already. True when sent now; raises ``OSError`` or
    ``smtplib.SMTPException`` (recorded on the row) when the mail server failed."""
    with transaction.atomic():
        locked = Notification.objects.select_for_update().get(pk=row.pk)
        if locked.sent_at is not None:
            return False
        message = EmailMultiAlternatives(
            subject=email.subject, body=email.text, from_email=settings.DEFAULT_FROM_EMAIL, to=[locked.email]
        )
        message.attach_alternative(email.html, "text/html")
        failure: Exception | None = None
        try:
            message.send()
        except (smtplib.SMTPException, OSError) as exc:
            failure = exc
        fields = {"attempts": F("attempts") + 1, "subject": email.subject[:200]}
        if failure is None:
            fields.update(sent_at=timezone.now(), last_error="")
        else:
            fields.update(last_error=f"{type(failure).__name__}: {failure}"[:300])
        Notification.objects.filter(pk=locked.pk).update(**fields)
    if failure is not None:
        logger.warning("notifications: %s to user %s not sent: %s", row.kind, row.user_id, failure)
        raise failure
    logger.info("notifications: %s %s sent to user %s", row.kind, row.reference or row.object_ref, row.user_id)
    return True


@dataclass(frozen=True)
class SendResult:
    sent: int = 0
    already_sent: int = 0
    failed: int = 0


def _send_all(rows_and_emails: list[tuple[Notification, Email]]) -> SendResult:
    """Send each. A refused address fails alone; a mail server that cannot be reached (down, hanging until
    EMAIL_TIMEOUT) stops the round, as every other send would meet it too and the worker is better spent
    elsewhere. Raises ``NotificationsNotSent`` at the end when any was not sent (the task retries: those
    sent are skipped then)."""
    sent = already = failed = 0
    for row, email in rows_and_emails:
        try:
            if _deliver(row, email):
                sent += 1
            else:
                already += 1
        except smtplib.SMTPRecipientsRefused:
            failed += 1
        except (smtplib.SMTPException, OSError):
            failed = len(rows_and_emails) - sent - already
            break
    if failed:
        raise NotificationsNotSent(f"{failed} of {len(rows_and_emails)} emails not sent (see the log)")
    return SendResult(sent=sent, already_sent=already)


def p1_incident_notify(*, incident_id: int) -> SendResult:
    """Email the officers of the incident's beat about a new P1 incident (once each). One already taken on
    or closed when this runs (a late retry, the sweep) needs nobody: nothing more is sent."""
    incident = Incident.objects.select_related("store__beat__force", "store__retailer").filter(pk=incident_id).first()
    if incident is None or incident.priority != Incident.Priority.P1 or incident.status != Incident.Status.RECEIVED:
        return SendResult()
    kind, ref = Notification.Kind.P1_INCIDENT, f"incident:{incident.pk}"
    pending = []
    for user in selectors.recipients_for_beat(beat=incident.store.beat, kind=kind):
        row = _record(kind=kind, user=user, object_ref=ref, reference=incident.reference or "")
        pending.append((row, p1_incident_email(incident=incident, user=user)))
    return _send_all(pending)


def breach_case_notify(*, case_id: int) -> SendResult:
    """Email the officers of the case's beat about a new possible breach case (once each). A case whose
        match was rejected (or the case closed) before the email went is no breach any more: nobody is told. A
    case moved to another beat tells that beat's officers (those told before are not told again)."""
    case = Case.objects.select_related("incident__store__retailer", "beat").filter(pk=case_id).first()
    if case is None or not case.is_breach or case.status in (Case.Status.REJECTED, Case.Status.CLOSED):
        return SendResult()
    kind, ref = Notification.Kind.BREACH_CASE, f"case:{case.pk}"
    pending = []
    for user in selectors.recipients_for_beat(beat=case.beat, kind=kind):
        row = _record(kind=kind, user=user, object_ref=ref, reference=case_reference(case))
        pending.append((row, breach_case_email(case=case, user=user)))
    return _send_all(pending)


def digest_send(*, user_id: int, day: datetime.date) -> SendResult:
    """One person's digest for ``day`` (once). Nothing waiting: no email."""
    user = selectors.digest_recipients().filter(pk=user_id).first()
    if user is None:
        return SendResult()
    counts = selectors.queue_counts(user)
    if counts.total == 0:
        return SendResult()
    kind = Notification.Kind.DAILY_DIGEST
    row = _record(kind=kind, user=user, object_ref=f"digest:{day.isoformat()}", reference=day.isoformat())
    return _send_all([(row, digest_email(user=user, day=day, counts=counts))])


def digest_user_ids() -> list[int]:
    return list(selectors.digest_recipients().values_list("pk", flat=True))


def catch_up(*, hours: float) -> dict:
    """The sweep: whatever should have been sent in the last ``hours`` and was not (a send to the task
    queue that failed, retries used up while the mail server was down, news made where no hand-off was
    called) is sent now. Each email still goes once: rows already sent are skipped."""
    since = timezone.now() - datetime.timedelta(hours=hours)
    outcome = {"sent": 0, "failed": 0}
    for incident_id in Incident.objects.filter(created_at__gte=since, priority="P1").values_list("pk", flat=True):
        _count(outcome, p1_incident_notify, incident_id=incident_id)
    # A case moved to another beat in the window too: its new officers may not have been told.
    moved = Q(events__kind=CaseEvent.Kind.REASSIGNED, events__created_at__gte=since)
    cases = Case.objects.filter(Q(created_at__gte=since) | moved, is_breach=True).distinct().order_by("pk")
    for case_id in cases.values_list("pk", flat=True):
        _count(outcome, breach_case_notify, case_id=case_id)
    digests = Notification.objects.filter(
        kind=Notification.Kind.DAILY_DIGEST, sent_at__isnull=True, created_at__gte=since
    ).values_list("user_id", "reference")
    for user_id, day in digests:
        _count(outcome, digest_send, user_id=user_id, day=datetime.date.fromisoformat(day))
    return outcome


def _count(outcome: dict, notify, **kwargs) -> None:
    try:
        outcome["sent"] += notify(**kwargs).sent
    except NotificationsNotSent:
        outcome["failed"] += 1
