"""Reads for notifications: who is told of what, what each person has chosen, and the counts a digest
holds. Recipients follow need to know (``accounts.access``): a beat officer hears of the beats they
cover, a force admin (only if they chose to) of their force; shop staff never hear of anything."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Min, Q, QuerySet

from accounts.access import scope_to_covered_beats
from accounts.models import Beat, User
from cases.models import Case
from incidents.models import Incident
from notifications.models import Notification, NotificationPreference
from recognition.models import EvidenceProcessing

# Which preference flag allows which kind of email.
FLAG_FOR_KIND: dict[str, str] = {
    Notification.Kind.P1_INCIDENT: "p1_incident",
    Notification.Kind.BREACH_CASE: "breach_case",
    Notification.Kind.DAILY_DIGEST: "daily_digest",
}
FLAGS = tuple(FLAG_FOR_KIND.values())


def default_on(user) -> bool:
    """Beat officers get every kind until they turn it off; force admins none until they turn it on."""
    return user.role == User.Role.BEAT_OFFICER


def preference_for(user) -> NotificationPreference:
    """The user's choices: their saved row, or (unsaved) their role's defaults."""
    saved = NotificationPreference.objects.filter(user=user).first()
    if saved is not None:
        return saved
    on = default_on(user)
    return NotificationPreference(user=user, **{flag: on for flag in FLAGS})


def _wanting(qs: QuerySet[User], kind: str) -> QuerySet[User]:
    """Those of ``qs`` whose choices allow ``kind``: a saved choice, or their role's default."""
    flag = FLAG_FOR_KIND[kind]
    return qs.filter(
        Q(**{f"notification_pref__{flag}": True}) | Q(notification_pref__isnull=True, role=User.Role.BEAT_OFFICER)
    )


def _reachable() -> QuerySet[User]:
    """Police users who can be emailed: active, in a force, with an address."""
    return User.objects.filter(
        is_active=True, force__isnull=False, role__in=(User.Role.BEAT_OFFICER, User.Role.FORCE_ADMIN)
    ).exclude(email="")


def recipients_for_beat(*, beat: Beat, kind: str) -> QuerySet[User]:
    """Who is told of something in ``beat``: the beat officers covering it and the force's admins, of the
    beat's own force only, each as their choices allow."""
    covering = Q(role=User.Role.BEAT_OFFICER, beats=beat) | Q(role=User.Role.FORCE_ADMIN)
    qs = _reachable().filter(covering, force_id=beat.force_id)
    return _wanting(qs, kind).distinct().order_by("pk")


def digest_recipients() -> QuerySet[User]:
    """Everyone who gets the daily digest (officers with no beat have no queue, and get none)."""
    qs = _reachable().filter(Q(role=User.Role.FORCE_ADMIN) | Q(role=User.Role.BEAT_OFFICER, beats__isnull=False))
    return _wanting(qs, Notification.Kind.DAILY_DIGEST).distinct().order_by("pk")


def notifications_of(user) -> QuerySet[Notification]:
    """The emails sent (or being sent) to ``user``, newest first."""
    return Notification.objects.filter(user=user).order_by("-created_at", "-id")


@dataclass(frozen=True)
class QueueCounts:
    """What waits for one person, in the beats they cover (a force admin: the force)."""

    awaiting_review: int
    awaiting_review_oldest: datetime.datetime | None
    awaiting_corroboration: int
    awaiting_corroboration_oldest: datetime.datetime | None
    p1_not_taken_on: int
    p1_oldest: datetime.datetime | None
    failed_files: int

    @property
    def total(self) -> int:
        return self.awaiting_review + self.awaiting_corroboration + self.p1_not_taken_on + self.failed_files


def _count_and_oldest(qs: QuerySet, field: str = "created_at") -> tuple[int, datetime.datetime | None]:
    return qs.count(), qs.aggregate(oldest=Min(field))["oldest"]


def queue_counts(user) -> QueueCounts:
    """The counts of a digest: cases awaiting review and corroboration, P1 incidents nobody has taken on
    yet, and CCTV files whose face matching failed, all within the user's need to know."""
    cases = scope_to_covered_beats(Case.objects.all(), user, force_path="force", beat_path="beat")
    incidents = scope_to_covered_beats(
        Incident.objects.all(), user, force_path="store__beat__force", beat_path="store__beat"
    )
    files = scope_to_covered_beats(EvidenceProcessing.objects.all(), user, force_path="force", beat_path="store__beat")
    review = _count_and_oldest(cases.filter(status=Case.Status.AWAITING_REVIEW))
    corroboration = _count_and_oldest(cases.filter(status=Case.Status.CONFIRMED))
    p1 = _count_and_oldest(
        incidents.filter(priority=Incident.Priority.P1, status=Incident.Status.RECEIVED), "created_at"
    )
    return QueueCounts(
        awaiting_review=review[0],
        awaiting_review_oldest=review[1],
        awaiting_corroboration=corroboration[0],
        awaiting_corroboration_oldest=corroboration[1],
        p1_not_taken_on=p1[0],
        p1_oldest=p1[1],
        failed_files=files.filter(status=EvidenceProcessing.Status.FAILED).count(),
    )
