"""Officers are emailed, through a real SMTP server, about new P1 incidents and possible breach cases in
their beats, and get a daily digest of their queue; nobody else is, and nothing goes twice. The news
reaches notifications through the explicit hand-offs in ``workflows.evidence`` (reporting an incident, a
match raising a case, a case moved to another beat); what is made without them (the factories below) is
emailed by nobody until the catch-up sweep."""

import datetime
import re

import pytest
from django.utils import timezone

from cases.models import Case
from cases.services import case_raise_for_match, case_reassign
from incidents.models import Incident
from notifications import services, tasks
from notifications.models import Notification, NotificationPreference
from recognition.models import EvidenceProcessing
from tests.cases.factories import evidence_on, incident_at, jpeg, offender_barred_from, possible_match
from tests.conftest import client_for, signed_in
from tests.incidents.factories import IncidentFactory
from workflows import evidence as evidence_workflow

pytestmark = pytest.mark.django_db


def p1_at(store, reporter, **kwargs) -> Incident:
    return IncidentFactory(
        store=store,
        reported_by=reporter,
        priority=Incident.Priority.P1,
        category=Incident.Category.PHYSICAL_ASSAULT,
        ongoing=True,
        injured=True,
        priority_reason="Ongoing physical assault with an injury.",
        response_target_minutes=15,
        description="The man named Fred Bloggs punched the manager.",
        **kwargs,
    )


def report(store, reporter, **answers) -> Incident:
    """Reported as the portal's form and the API report it (``workflows.evidence.incident_create``); by
    default a P1 (a physical assault still happening, someone hurt)."""
    data = {
        "occurred_at": timezone.now() - datetime.timedelta(minutes=5),
        "category": Incident.Category.PHYSICAL_ASSAULT,
        "ongoing": True,
        "injured": True,
        "weapon": False,
        "description": "The man named Fred Bloggs punched the manager.",
        **answers,
    }
    return evidence_workflow.incident_create(reported_by=reporter, store=store, **data)


def breach_case_at(store, reporter) -> Case:
    """A breach case raised by the cases service alone (no hand-off: nobody is told)."""
    offender, _, _ = offender_barred_from(store)
    return case_raise_for_match(match=possible_match(evidence_on(incident_at(store, reporter)), offender))


def raise_breach_case(store, reporter) -> Case:
    """A breach case raised as a search raises it (``workflows.evidence.CASES``, the hand-off)."""
    offender, _, _ = offender_barred_from(store)
    match = possible_match(evidence_on(incident_at(store, reporter)), offender)
    return Case.objects.get(pk=evidence_workflow.CASES.case_for_match(match).case_id)


# A new P1 incident -----------------------------------------------------------------------------------------


def test_a_p1_incident_emails_the_officers_of_its_beat_only(world, people, smtp, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        incident = report(world.a.store, world.a.worker)

    assert incident.priority == Incident.Priority.P1
    # The two officers covering the beat who want it; not the one who turned it off, not the other beat's
    # officer, not force B's, not the shop worker, not the force admin (off by default).
    assert smtp.recipients() == sorted([people.officer.email, people.colleague.email])
    [mail] = smtp.to(people.officer)
    assert mail.subject == f"Retrace: P1 incident {incident.reference} reported in your area"
    assert f"https://retrace.example.police.uk/incidents/{incident.pk}/" in mail.text
    assert f'href="https://retrace.example.police.uk/incidents/{incident.pk}/"' in mail.html
    assert world.a.store.name in mail.text and "attend within 15 minutes" in mail.text
    # The report's own words (which may name people) stay behind the sign-in.
    assert "Fred Bloggs" not in mail.text and "Fred Bloggs" not in mail.html
    assert "does not say where anyone is now" in mail.text
    rows = Notification.objects.filter(kind=Notification.Kind.P1_INCIDENT, object_ref=f"incident:{incident.pk}")
    assert {(r.user_id, r.force_id, r.reference, r.sent_at is not None) for r in rows} == {
        (people.officer.pk, world.a.force.pk, incident.reference, True),
        (people.colleague.pk, world.a.force.pk, incident.reference, True),
    }


def test_a_p1_reported_on_the_portal_or_through_the_api_emails_the_officers(
    world, people, smtp, django_capture_on_commit_callbacks
):
    answers = {"store": world.a.store.pk, "category": "physical_assault", "description": "Punched the manager."}
    when = timezone.now() - datetime.timedelta(minutes=5)
    form = {
        **answers,
        "occurred_at": timezone.localtime(when).strftime("%Y-%m-%dT%H:%M"),
        "ongoing": "yes",
        "injured": "yes",
        "weapon": "no",
        "submission_key": "5d0c52a4-7f0e-4a43-9a57-0e2b8f7f0c11",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in(world.a.worker).post("/incidents/new/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(world.a.worker).post(
            "/api/incidents/",
            {**answers, "occurred_at": when.isoformat(), "ongoing": True, "injured": True, "weapon": False},
            format="json",
        )
    assert response.status_code == 201, response.json()

    portal, api = Incident.objects.order_by("pk")
    assert (portal.priority, api.priority) == (Incident.Priority.P1, Incident.Priority.P1)
    for incident in (portal, api):
        assert sorted(r for m in smtp.received if incident.reference in m.subject for r in m.to) == sorted(
            [people.officer.email, people.colleague.email]
        )


def test_p2_and_p3_incidents_email_nobody(world, people, smtp, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        p2 = report(world.a.store, world.a.worker, ongoing=False)
        p3 = report(world.a.store, world.a.worker, category=Incident.Category.THEFT, injured=False)
    assert (p2.priority, p3.priority) == (Incident.Priority.P2, Incident.Priority.P3)
    assert smtp.received == [] and not Notification.objects.exists()


def test_a_force_admin_who_turned_p1_emails_on_hears_of_the_whole_force(
    world, people, smtp, django_capture_on_commit_callbacks
):
    services.preference_set(user=people.admin, p1_incident=True, breach_case=False, daily_digest=False)
    services.preference_set(user=world.b.admin, p1_incident=True, breach_case=True, daily_digest=True)
    world.a.worker.stores.add(world.a.sibling_store)
    with django_capture_on_commit_callbacks(execute=True):
        report(world.a.sibling_store, world.a.worker)  # the other beat of force A
    assert smtp.recipients() == sorted([people.other_beat.email, people.admin.email])


def test_an_incident_rolled_back_emails_nobody(world, people, smtp, django_capture_on_commit_callbacks):
    from django.db import transaction

    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            report(world.a.store, world.a.worker)
            raise RuntimeError("the report failed after the row was written")
    assert smtp.received == []


def test_the_same_task_run_twice_sends_once(world, people, smtp):
    incident = p1_at(world.a.store, world.a.worker)  # made by a factory: no hand-off, no task sent
    assert tasks.p1_incident_notify_task.delay(incident.pk).get() == 2
    assert tasks.p1_incident_notify_task.delay(incident.pk).get() == 0
    assert smtp.recipients() == sorted([people.officer.email, people.colleague.email])
    assert Notification.objects.filter(object_ref=f"incident:{incident.pk}").count() == 2
    assert set(Notification.objects.values_list("attempts", flat=True)) == {1}


def test_people_without_an_email_address_or_inactive_are_skipped(world, people, smtp):
    people.colleague.email = ""
    people.colleague.save(update_fields=["email"])
    people.officer.is_active = False
    people.officer.save(update_fields=["is_active"])
    incident = p1_at(world.a.store, world.a.worker)
    services.p1_incident_notify(incident_id=incident.pk)
    assert smtp.received == [] and not Notification.objects.exists()


# A new possible breach case -------------------------------------------------------------------------------


def test_a_breach_case_emails_the_officers_of_its_beat(world, people, smtp, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        case = raise_breach_case(world.a.store, world.a.worker)
    assert case.is_breach
    assert smtp.recipients() == sorted([people.officer.email, people.colleague.email])
    [mail] = smtp.to(people.colleague)
    reference = case.reference or f"Case {case.pk}"
    assert mail.subject == f"Retrace: possible CBO breach found in past CCTV ({reference})"
    store = f"{world.a.store.retailer.name} {world.a.store.name}"
    assert (
        f"A possible breach of a criminal behaviour order was found in CCTV from {store} recorded on 2 March 2026."
        in mail.text
    )
    assert f"https://retrace.example.police.uk/cases/{case.pk}/" in mail.text
    # Need to know: no name, no date of birth, no PNC ID of the person matched, and no image.
    offender = case.offender
    for secret in (offender.given_names, offender.family_name, offender.pnc_id, "1990"):
        assert secret not in mail.text and secret not in mail.html
    assert "<img" not in mail.html and not [p for p in mail.message.walk() if p.get_content_maintype() == "image"]
    assert Notification.objects.filter(kind=Notification.Kind.BREACH_CASE, sent_at__isnull=False).count() == 2


def test_a_case_that_is_no_breach_emails_nobody(world, people, smtp, django_capture_on_commit_callbacks):
    from tests.orders.factories import OffenderFactory

    offender = OffenderFactory(force=world.a.force)  # under no order
    match = possible_match(evidence_on(incident_at(world.a.store, world.a.worker)), offender)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert evidence_workflow.CASES.case_for_match(match).raised
    assert callbacks == [] and smtp.received == []


def test_a_breach_case_rejected_before_the_email_went_emails_nobody(world, people, smtp):
    case = breach_case_at(world.a.store, world.a.worker)
    Case.objects.filter(pk=case.pk).update(status=Case.Status.REJECTED)
    services.breach_case_notify(case_id=case.pk)
    assert smtp.received == []


# The daily digest -------------------------------------------------------------------------------------------


def test_the_digest_counts_each_officers_own_queue(world, people, smtp):
    a = world.a
    breach_case_at(a.store, a.worker)  # awaiting review, beat A North
    confirmed = breach_case_at(a.store, a.worker)
    Case.objects.filter(pk=confirmed.pk).update(status=Case.Status.CONFIRMED)
    breach_case_at(a.sibling_store, a.worker)  # the other beat: not officer's
    p1_at(a.store, a.worker)
    p1_at(a.store, a.worker, status=Incident.Status.WITH_POLICE)  # taken on
    p1_at(a.sibling_store, a.worker)  # the other beat
    failed = evidence_on(incident_at(a.store, a.worker))
    EvidenceProcessing.objects.create_for(failed, status=EvidenceProcessing.Status.FAILED)
    breach_case_at(world.b.store, world.b.worker)  # force B
    smtp.received.clear()

    assert tasks.digest_send_all_task.delay().get() >= 3
    [mail] = smtp.to(people.officer)
    text = mail.text
    today = timezone.localdate()
    assert mail.subject == f"Retrace: your queue on {today:%-d %b %Y}, 4 items"
    assert "Cases awaiting review: 1 (oldest raised just now)" in text
    assert "Cases awaiting corroboration: 1 (oldest raised just now)" in text
    assert "P1 incidents not taken on: 1 (oldest reported just now)" in text
    assert "CCTV files that failed processing: 1" in text
    assert "https://retrace.example.police.uk/cases/?status=awaiting_review&sort=oldest" in text
    assert f"https://retrace.example.police.uk/incidents/?priority=P1&taken=no&beat={a.beat.pk}" in text
    # Every link opens its list for the officer, signed in.
    client = signed_in(people.officer)
    links = re.findall(r"https://retrace\.example\.police\.uk(\S+)", text)
    assert len(links) == 5  # four lists and the choices page
    for path in links:
        assert client.get(path).status_code == 200, path
    [other] = smtp.to(people.other_beat)
    assert "Cases awaiting review: 1" in other.text and "P1 incidents not taken on: 1" in other.text
    assert "CCTV files that failed processing: 0" in other.text
    # Not to those who turned it off, shop staff, or a force admin who did not turn it on.
    assert smtp.to(people.quiet) == [] and smtp.to(people.worker) == [] and smtp.to(people.admin) == []
    # Force B's officer has their own force's case only.
    [b_mail] = smtp.to(people.other_force)
    assert "Cases awaiting review: 1" in b_mail.text and "Cases awaiting corroboration: 0" in b_mail.text

    # Run again the same day (beat twice, a redelivered message): nobody gets a second digest.
    count = len(smtp.received)
    tasks.digest_send_all_task.delay().get()
    assert len(smtp.received) == count


def test_no_digest_when_nothing_waits(world, people, smtp):
    tasks.digest_send_all_task.delay().get()
    assert smtp.received == [] and not Notification.objects.exists()


def test_a_force_admin_digest_covers_the_force(world, people, smtp):
    services.preference_set(user=people.admin, p1_incident=False, breach_case=False, daily_digest=True)
    breach_case_at(world.a.store, world.a.worker)
    breach_case_at(world.a.sibling_store, world.a.worker)
    services.digest_send(user_id=people.admin.pk, day=timezone.localdate())
    [mail] = smtp.to(people.admin)
    assert "Cases awaiting review: 2" in mail.text and "(the force)" in mail.text


# A mail server that is down ------------------------------------------------------------------------------------


def test_smtp_down_leaves_the_email_recorded_unsent_then_sends_it_once(world, people, smtp_down):
    incident = p1_at(world.a.store, world.a.worker)
    with pytest.raises(services.NotificationsNotSent):
        services.p1_incident_notify(incident_id=incident.pk)
    rows = Notification.objects.filter(object_ref=f"incident:{incident.pk}").order_by("user_id")
    assert rows.count() == 2 and not rows.filter(sent_at__isnull=False).exists()
    # The first send met the server down; the round stopped there (the second would only wait for it too).
    assert [(r.attempts, "ConnectionRefusedError" in r.last_error) for r in rows] == [(1, True), (0, False)]

    smtp_down.start()
    assert services.p1_incident_notify(incident_id=incident.pk).sent == 2
    assert services.p1_incident_notify(incident_id=incident.pk).sent == 0
    assert smtp_down.recipients() == sorted([people.officer.email, people.colleague.email])
    assert [(r.attempts, bool(r.sent_at), r.last_error) for r in rows.all()] == [(2, True, ""), (1, True, "")]


def test_the_catch_up_sweep_sends_what_was_missed_and_nothing_twice(world, people, smtp_down):
    incident = p1_at(world.a.store, world.a.worker)  # its task never ran (the broker was down)
    case = breach_case_at(world.a.store, world.a.worker)
    old = p1_at(world.a.store, world.a.worker)
    Incident.objects.filter(pk=old.pk).update(created_at=timezone.now() - datetime.timedelta(hours=7))
    assert tasks.catch_up_task.delay().get() == {"sent": 0, "failed": 2}

    smtp_down.start()
    assert tasks.catch_up_task.delay().get() == {"sent": 4, "failed": 0}
    assert tasks.catch_up_task.delay().get() == {"sent": 0, "failed": 0}
    refs = set(Notification.objects.values_list("object_ref", flat=True))
    assert refs == {f"incident:{incident.pk}", f"case:{case.pk}"}  # not the one older than the window
    assert len(smtp_down.received) == 4


def test_a_refused_recipient_is_retried_without_losing_the_others(world, people, smtp):
    """One address the server refuses (550) fails alone; the task is told to retry, the others are sent."""

    class Refusing(type(smtp.handler)):
        async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
            if address == people.colleague.email:
                return "550 No such user"
            envelope.rcpt_tos.append(address)
            return "250 OK"

    smtp.handler.__class__ = Refusing
    incident = p1_at(world.a.store, world.a.worker)
    with pytest.raises(services.NotificationsNotSent):
        services.p1_incident_notify(incident_id=incident.pk)
    assert smtp.recipients() == [people.officer.email]
    refused = Notification.objects.get(user=people.colleague)
    assert refused.sent_at is None and "SMTPRecipientsRefused" in refused.last_error


def test_preferences_default_by_role(world, people):
    from notifications.selectors import preference_for

    officer, admin = preference_for(people.officer), preference_for(people.admin)
    assert (officer.p1_incident, officer.breach_case, officer.daily_digest) == (True, True, True)
    assert (admin.p1_incident, admin.breach_case, admin.daily_digest) == (False, False, False)
    assert not NotificationPreference.objects.filter(user__in=[people.officer, people.admin]).exists()


def test_a_breach_case_moved_to_another_beat_tells_its_officers_once(
    world, people, smtp, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        case = raise_breach_case(world.a.store, world.a.worker)
    assert smtp.recipients() == sorted([people.officer.email, people.colleague.email])
    smtp.received.clear()
    with django_capture_on_commit_callbacks(execute=True):
        evidence_workflow.case_reassign(
            case=case, actor=world.a.admin, beat=world.a.other_beat, reason="Suspect lives on South beat"
        )
    assert smtp.recipients() == [people.other_beat.email]
    with django_capture_on_commit_callbacks(execute=True):  # and back: nobody is told twice
        evidence_workflow.case_reassign(
            case=case, actor=world.a.admin, beat=world.a.beat, reason="Back to North beat after all"
        )
    assert smtp.recipients() == [people.other_beat.email]


def test_a_case_a_match_adds_to_tells_nobody_again(world, people, smtp, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        case = raise_breach_case(world.a.store, world.a.worker)
    smtp.received.clear()
    second = possible_match(evidence_on(case.incident, jpeg((10, 200, 10)), "till.jpg"), case.offender, similarity=0.97)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        ref = evidence_workflow.CASES.case_for_match(second)
    assert (ref.case_id, ref.raised) == (case.pk, False)
    assert callbacks == [] and smtp.received == []


def test_a_case_moved_without_the_hand_off_is_told_by_the_sweep(world, people, smtp):
    """The admin's reassign action calls ``cases.services.case_reassign`` itself: the sweep covers it."""
    case = breach_case_at(world.a.store, world.a.worker)
    Case.objects.filter(pk=case.pk).update(created_at=timezone.now() - datetime.timedelta(hours=7))
    services.breach_case_notify(case_id=case.pk)  # its own beat was told when it was raised
    smtp.received.clear()
    assert services.catch_up(hours=6) == {"sent": 0, "failed": 0}  # raised before the window

    case_reassign(case=case, actor=world.a.admin, beat=world.a.other_beat, reason="Suspect lives on South beat")
    assert services.catch_up(hours=6) == {"sent": 1, "failed": 0}
    assert smtp.recipients() == [people.other_beat.email]
    assert services.catch_up(hours=6) == {"sent": 0, "failed": 0}


def test_a_p1_incident_taken_on_before_a_late_run_emails_nobody_more(world, people, smtp):
    incident = p1_at(world.a.store, world.a.worker, status=Incident.Status.WITH_POLICE)
    assert services.p1_incident_notify(incident_id=incident.pk).sent == 0
    assert smtp.received == []


def test_emails_are_routed_where_face_matching_never_holds_them_and_the_digest_is_on_beat(settings):
    from celery.schedules import crontab

    from config.celery import app

    names = [
        "notifications.p1_incident_notify",
        "notifications.breach_case_notify",
        "notifications.digest_send",
        "notifications.digest_send_all",
        "notifications.housekeeping_catch_up",
    ]
    assert {app.amqp.router.route({}, name)["queue"].name for name in names} == {"housekeeping"}
    assert all(name in app.tasks for name in names)
    digest = settings.CELERY_BEAT_SCHEDULE["notifications-daily-digest"]
    assert digest["task"] == "notifications.digest_send_all"
    assert digest["schedule"] == crontab(hour=settings.NOTIFICATIONS_DIGEST_HOUR, minute=0)
    assert settings.CELERY_BEAT_SCHEDULE["notifications-housekeeping-catch-up"]["task"] == names[-1]


def test_the_digest_p1_link_of_an_officer_of_several_beats_lists_exactly_their_beats(world, people, smtp):
    a = world.a
    people.officer.beats.add(a.other_beat)
    north, south = p1_at(a.store, a.worker), p1_at(a.sibling_store, a.worker)
    elsewhere = p1_at(world.b.store, world.b.worker)
    smtp.received.clear()

    tasks.digest_send_all_task.delay().get()
    [mail] = smtp.to(people.officer)
    assert "P1 incidents not taken on: 2" in mail.text
    first, second = sorted([a.beat.pk, a.other_beat.pk])
    link = f"/incidents/?priority=P1&taken=no&beat={first}&beat={second}"
    assert f"https://retrace.example.police.uk{link}" in mail.text
    listed = signed_in(people.officer).get(link).content.decode()
    assert north.reference in listed and south.reference in listed and elsewhere.reference not in listed
    assert "2 incidents matching these filters" in listed
