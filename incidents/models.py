"""Incidents reported by shop staff, their evidence files (kept as exhibits) and their audit trail.

Writes go through ``incidents.services``; reads through ``incidents.selectors`` (scoped by
``accounts.access``). The threat assessment rules live in ``incidents.rules``.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from core.models import AuditEvent, BaseModel


class Incident(BaseModel):
    """One reported offence at one store. ``reference`` is the human reference ("INC-2026-000123")."""

    class Category(models.TextChoices):
        THEFT = "theft", "Theft"
        VERBAL_ABUSE = "verbal_abuse", "Verbal abuse"
        THREATS = "threats", "Threats"
        PHYSICAL_ASSAULT = "physical_assault", "Physical assault"
        CRIMINAL_DAMAGE = "criminal_damage", "Criminal damage"
        ANTI_SOCIAL_BEHAVIOUR = "anti_social_behaviour", "Anti-social behaviour"
        OTHER = "other", "Other"

    class Priority(models.TextChoices):
        P1 = "P1", "P1 – urgent"
        P2 = "P2", "P2 – priority"
        P3 = "P3", "P3 – routine"

    class Status(models.TextChoices):
        RECEIVED = "received", "Received"
        WITH_POLICE = "with_police", "With police"
        CLOSED = "closed", "Closed"

    store = models.ForeignKey("accounts.Store", on_delete=models.PROTECT, related_name="incidents")
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="incidents")
    occurred_at = models.DateTimeField(db_index=True)
    category = models.CharField(max_length=30, choices=Category.choices, db_index=True)
    ongoing = models.BooleanField(help_text="Still happening when reported.")
    injured = models.BooleanField(help_text="Anyone injured.")
    weapon = models.BooleanField(help_text="A weapon seen or threatened.")
    description = models.TextField(max_length=5000)
    goods_value = models.DecimalField(
        max_digits=10, decimal_places=2, null=True, blank=True, help_text="Value of goods lost, GBP."
    )
    offender_description = models.TextField(max_length=2000, blank=True)
    # Set right after the row is inserted (from its id), hence nullable; unique once set.
    reference = models.CharField(max_length=20, unique=True, null=True, blank=True)
    priority = models.CharField(max_length=2, choices=Priority.choices, db_index=True)
    priority_reason = models.CharField(max_length=255)
    response_target_minutes = models.PositiveIntegerField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.RECEIVED, db_index=True)
    # A client-made key so that a retried submission (slow connection) does not file the incident twice.
    submission_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    # Who took the incident on for the police, and when (set with the move to "with police").
    taken_on_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    taken_on_at = models.DateTimeField(null=True, blank=True)

    # Not a column: set by ``incidents.services.incident_create`` on the incident it returns, the files refused
    # while the report and its good files were kept (``incidents.services.RefusedFile``).
    refused_files: list

    class Meta:
        ordering = ["-occurred_at", "-id"]
        # The lists' order, whole (a force's list walks the first, a store's the second, both to the page's
        # last row: no sort); and the few P1s nobody has taken on, which every police page counts.
        indexes = [
            models.Index(fields=["-occurred_at", "-id"], name="incident_occurred_id"),
            models.Index(fields=["store", "-occurred_at", "-id"], name="incident_store_occurred_id"),
            # The status and priority filters (status alone reads the first column), in the list's order.
            models.Index(fields=["status", "priority", "-occurred_at", "-id"], name="incident_status_priority"),
            # The same filters counted across a force's stores: a short range per store, no row read.
            models.Index(fields=["store", "status", "priority"], name="incident_store_status_priority"),
            models.Index(
                fields=["store"],
                name="incident_p1_untaken",
                condition=models.Q(priority="P1", status="received", taken_on_at__isnull=True),
            ),
            # The same P1s oldest first, for the home page's list: a force's oldest ten are the first of this
            # short index that lie in its stores (0.6 ms at national size; 22 ms through the index above, which
            # finds every one of the force's P1s first and sorts them).
            models.Index(
                fields=["created_at", "id", "store"],
                name="incident_p1_untaken_oldest",
                condition=models.Q(priority="P1", status="received", taken_on_at__isnull=True),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(goods_value__isnull=True) | Q(goods_value__gte=0),
                name="incident_goods_value_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return self.reference or f"Incident {self.pk}"

    @property
    def danger_now(self) -> bool:
        """Still happening and someone may be in danger: the portal says to call 999 now."""
        violent = self.category in (self.Category.PHYSICAL_ASSAULT, self.Category.THREATS)
        return bool(self.ongoing and (self.injured or self.weapon or violent))


class Evidence(models.Model):
    """One CCTV file attached to an incident: an unmodifiable master copy (an exhibit)."""

    class Kind(models.TextChoices):
        IMAGE = "image", "Image"
        VIDEO = "video", "Video"

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(max_length=255)
    original_name = models.CharField(max_length=255, help_text="The uploaded file's name, sanitised.")
    size = models.PositiveBigIntegerField()
    content_type = models.CharField(max_length=100, help_text="Detected from the bytes, not the name.")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    sha256 = models.CharField(max_length=64, db_index=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name_plural = "evidence"
        constraints = [
            models.UniqueConstraint(fields=["incident", "sha256"], name="evidence_unique_file_per_incident"),
        ]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.kind}, {self.size} bytes)"


class WitnessStatement(models.Model):
    """A witness statement in the shape of the police MG11: the statement with its statement-of-truth
    declaration, signed by typed name and dated, and (the MG11's separate part) the witness's contact
    details, which are not for disclosure. Never edited once signed: a further statement is made instead."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="witness_statements")
    witness_name = models.CharField(max_length=150)
    occupation = models.CharField(max_length=150)
    statement = models.TextField(max_length=20000)
    truth_declaration = models.BooleanField(help_text="The witness made the statement-of-truth declaration.")
    signature = models.CharField(max_length=150, help_text="The witness's name, typed as their signature.")
    signed_on = models.DateField()
    # The MG11's contact part: for the police and the prosecution only, not for disclosure.
    contact_address = models.TextField(max_length=500, blank=True)
    contact_phone = models.CharField(max_length=40, blank=True)
    contact_email = models.EmailField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(truth_declaration=True), name="witness_statement_truth_declared"),
        ]

    def __str__(self) -> str:
        return f"Statement of {self.witness_name} ({self.incident})"


class IncidentEvent(AuditEvent):
    """Audit trail: who did what to an incident, and when (report, evidence, status, police views). Written
    by the writers in ``incidents.events``, which also word each event for people (``describe``)."""

    class Kind(models.TextChoices):
        CREATED = "created", "Created"
        EVIDENCE_ADDED = "evidence_added", "Evidence added"
        STATUS_CHANGED = "status_changed", "Status changed"
        VIEWED = "viewed", "Viewed"
        EXHIBIT_VIEWED = "exhibit_viewed", "Exhibit viewed"
        STATEMENT_ADDED = "statement_added", "Witness statement added"
        DUPLICATE_CONFIRMED = "duplicate_confirmed", "Reported despite a duplicate file warning"

    kind = models.CharField(max_length=30, choices=Kind.choices, db_index=True)
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="events")
    details = models.JSONField(default=dict, blank=True)

    class Meta(AuditEvent.Meta):
        pass

    def __str__(self) -> str:
        return f"{self.incident} {self.kind} by {self.actor_id} at {self.created_at:%Y-%m-%d %H:%M}"
