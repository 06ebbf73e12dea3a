"""Cases: a possible face match in an incident's CCTV, raised for people to review.

One case per (incident, person). A case is an investigative lead, never an identification:
a trained reviewer confirms or rejects the candidate, then the investigating officer records
corroboration and the action taken, then closes it (``CaseDecision`` rows, append-only).
Every view of a case's biometric images is logged with a justification (``CaseAccess``,
Data Protection Act 2018 s.62).
"""

from django.conf import settings
from django.db import models

from core.models import AuditEvent, BaseModel


class Case(BaseModel):
    class Status(models.TextChoices):
        AWAITING_REVIEW = "awaiting_review", "Awaiting review"
        CONFIRMED = "confirmed", "Match confirmed, awaiting corroboration"
        ACTIONED = "actioned", "Corroborated, action recorded"
        REJECTED = "rejected", "Rejected: not the same person"
        CLOSED = "closed", "Closed"

    OPEN_STATUSES = (Status.AWAITING_REVIEW, Status.CONFIRMED, Status.ACTIONED)

    # The human reference ("CASE-2026-000123"), made as an incident's is: the year the case was raised
    # and its id (``cases.services``). Null only for the instant between the insert and that update.
    reference = models.CharField(max_length=20, unique=True, null=True, blank=True)
    incident = models.ForeignKey("incidents.Incident", on_delete=models.PROTECT, related_name="cases")
    offender = models.ForeignKey("orders.Offender", on_delete=models.PROTECT, related_name="cases")
    # Copied from the incident's store so that queues filter and sort without joins.
    force = models.ForeignKey("accounts.Force", on_delete=models.PROTECT, related_name="cases")
    beat = models.ForeignKey("accounts.Beat", on_delete=models.PROTECT, related_name="cases")
    # The incident's store (an incident's store never changes): the queue's search by store name reads the
    # case table alone instead of joining every incident of the force.
    store = models.ForeignKey("accounts.Store", on_delete=models.PROTECT, related_name="+", db_index=False)
    incident_priority = models.CharField(max_length=2, db_index=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.AWAITING_REVIEW, db_index=True)
    is_breach = models.BooleanField(default=False, db_index=True, help_text="Presence breached a CBO in force.")
    breach_order = models.ForeignKey(
        "orders.Order", on_delete=models.PROTECT, null=True, blank=True, related_name="breach_cases"
    )
    breach_prohibition = models.ForeignKey(
        "orders.Prohibition", on_delete=models.PROTECT, null=True, blank=True, related_name="breach_cases"
    )
    best_match = models.ForeignKey(
        "recognition.PossibleMatch", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    best_similarity = models.FloatField()
    threshold = models.FloatField(help_text="The force's threshold in force when the best match was made.")
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        # Breaches first, then the incident's threat priority (P1 before P3), then the oldest.
        ordering = ["-is_breach", "incident_priority", "created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["incident", "offender"], name="case_one_per_incident_person")]
        indexes = [
            models.Index(fields=["force", "status", "-is_breach", "incident_priority", "created_at"]),
            # A beat officer's queue: their beats' open cases in the queue's order.
            models.Index(
                fields=["beat", "status", "-is_breach", "incident_priority", "created_at", "id"],
                name="case_beat_queue",
            ),
        ]

    def __str__(self) -> str:
        return self.reference or f"Case {self.pk}"

    @property
    def breach_state(self) -> str:
        """ "possible" until a reviewer confirms the match, "confirmed" after, "" when the case is no
        breach or the reviewer rejected the match (a rejected match shows no breach anywhere)."""
        if not self.is_breach or self.status == self.Status.REJECTED:
            return ""
        return "possible" if self.status == self.Status.AWAITING_REVIEW else "confirmed"

    @property
    def breach_label(self) -> str:
        """The badge a page shows: "Possible CBO breach", "CBO breach" or nothing."""
        return {"possible": "Possible CBO breach", "confirmed": "CBO breach"}.get(self.breach_state, "")


class CaseDecision(models.Model):
    """One human decision on a case: who, when, what and why. Never edited; a later decision adds a row."""

    class Stage(models.TextChoices):
        REVIEW = "review", "Review of the candidate match"
        CORROBORATION = "corroboration", "Corroboration and action"
        CLOSURE = "closure", "Closure"

    class Outcome(models.TextChoices):
        CONFIRMED = "confirmed", "Same person: match confirmed"
        REJECTED = "rejected", "Not the same person"
        ARREST = "arrest", "Arrest"
        SUMMONS = "summons", "Summons"
        WORDS_OF_ADVICE = "words_of_advice", "Words of advice"
        NO_FURTHER_ACTION = "no_further_action", "No further action"
        CLOSED = "closed", "Closed"

    ACTIONS = (Outcome.ARREST, Outcome.SUMMONS, Outcome.WORDS_OF_ADVICE, Outcome.NO_FURTHER_ACTION)

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="decisions")
    stage = models.CharField(max_length=20, choices=Stage.choices)
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    reason = models.TextField(max_length=4000)
    corroboration = models.TextField(max_length=4000, blank=True, help_text="Other evidence that corroborates.")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["decided_at", "id"]
        constraints = [models.UniqueConstraint(fields=["case", "stage"], name="case_decision_one_per_stage")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.stage}: {self.outcome}"


class CaseEvent(AuditEvent):
    """What happened to a case other than decisions: raised, evidence added, pack built, reassigned. Written by the
    writers in ``cases.events``, which also word each event for people (``describe``)."""

    class Kind(models.TextChoices):
        RAISED = "raised", "Raised from a possible match"
        MATCH_ADDED = "match_added", "Another CCTV file matched the same person"
        STATUS_CHANGED = "status_changed", "Status changed"
        PACK_BUILT = "pack_built", "Evidence pack built"
        CROP_PURGED = "crop_purged", "Face crop of a rejected match deleted"
        REASSIGNED = "reassigned", "Reassigned to another beat"

    kind = models.CharField(max_length=30, choices=Kind.choices, db_index=True)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    details = models.JSONField(default=dict, blank=True)

    class Meta(AuditEvent.Meta):
        pass

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind}"


class CaseAccess(models.Model):
    """s.62 log: each view of a case's biometric images, each search and each export, with a justification.

    Not an ``AuditEvent``: the person is ``user`` and PROTECTed (the log must keep who looked, so a user
    with entries cannot be deleted), where an audit event's ``actor`` is SET_NULL; the rows are read
    newest first. Its writers are ``cases.services.case_justify``, ``case_access_log`` and
    ``evidence_access_log``."""

    class Kind(models.TextChoices):
        JUSTIFIED = "justified", "Opened the case, giving a justification"
        VIEW_CASE = "view_case", "Viewed the case and its face images"
        VIEW_IMAGE = "view_image", "Viewed a face image"
        VIEW_EVIDENCE = "view_evidence", "Viewed a CCTV exhibit"
        SEARCH = "search", "Face search of CCTV against the gallery"
        EXPORT = "export", "Exported an evidence pack"

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="accesses", null=True, blank=True)
    force = models.ForeignKey("accounts.Force", on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, db_index=True)
    justification = models.TextField(max_length=2000)
    detail = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "case access log"
        # A force's log newest first, whole or for one person: the log grows with every view of a case.
        indexes = [
            models.Index(fields=["force", "-created_at", "-id"], name="caseaccess_force_created"),
            models.Index(fields=["force", "user", "-created_at", "-id"], name="caseaccess_force_user_created"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind} case {self.case_id} at {self.created_at:%Y-%m-%d %H:%M}"


class MatchFeedback(models.Model):
    """A reviewer's verdict on a possible match, kept for threshold calibration without any face image."""

    force = models.ForeignKey("accounts.Force", on_delete=models.CASCADE, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.SET_NULL, null=True, related_name="+")
    same_person = models.BooleanField()
    similarity = models.FloatField()
    threshold = models.FloatField()
    model_name = models.CharField(max_length=40)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{'same' if self.same_person else 'different'} at {self.similarity:.3f}"
