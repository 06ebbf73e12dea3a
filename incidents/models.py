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

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["store", "-occurred_at"], name="incident_store_occurred")]
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


class IncidentEvent(AuditEvent):
    """Audit trail: who did what to an incident, and when (report, evidence, status, police views). Written
    by the writers in ``incidents.events``, which also word each event for people (``describe``)."""

    class Kind(models.TextChoices):
        CREATED = "created", "Created"
        EVIDENCE_ADDED = "evidence_added", "Evidence added"
        STATUS_CHANGED = "status_changed", "Status changed"
        VIEWED = "viewed", "Viewed"

    kind = models.CharField(max_length=30, choices=Kind.choices, db_index=True)
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="events")
    details = models.JSONField(default=dict, blank=True)

    class Meta(AuditEvent.Meta):
        pass

    def __str__(self) -> str:
        return f"{self.incident} {self.kind} by {self.actor_id} at {self.created_at:%Y-%m-%d %H:%M}"
