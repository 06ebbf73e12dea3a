"""People linked to incidents by officers, and applications for criminal behaviour orders.

A link between an incident and a person is always made by a person who knows (staff who know them, an
arrest at the scene, CCTV viewed by an officer, a case a reviewer confirmed), never by searching unknown
faces: face matching stays limited to people under an order in force. A person is either an offender
(``orders.Offender``, someone who is or was under an order) or a ``PersonOfInterest`` (not yet under one).
Links are withdrawn, never deleted; each link, withdrawal and change is a ``PeopleEvent`` (``people.events``).
"""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q

from core.models import AuditEvent, BaseModel
from orders.models import Prohibition
from orders.validators import validate_pnc_id


class PersonOfInterest(BaseModel):
    """Someone officers link incidents to who is not (yet) under an order. Reviewed and deleted when no
    incident has been linked to them for the force's review period and no order was made (``people.services``)."""

    force = models.ForeignKey("accounts.Force", on_delete=models.PROTECT, related_name="persons_of_interest")
    given_names = models.CharField(max_length=120)
    family_name = models.CharField(max_length=120)
    date_of_birth = models.DateField(null=True, blank=True)
    pnc_id = models.CharField(
        "PNC ID",
        max_length=13,
        blank=True,
        validators=[validate_pnc_id],
        help_text="Police National Computer ID, if known, e.g. 2009/0012345E.",
    )
    description = models.TextField(blank=True, help_text="How to recognise them.")
    # Set when an order is recorded for them: they are then an offender in the gallery.
    offender = models.OneToOneField(
        "orders.Offender", on_delete=models.SET_NULL, null=True, blank=True, related_name="person_of_interest"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Flagged for review: no linked incident for the review period and no order. Deleted after the grace
    # period unless an officer keeps the record (``kept_until``, with a reason).
    review_due_on = models.DateField(null=True, blank=True, db_index=True)
    kept_until = models.DateField(null=True, blank=True)
    keep_reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["family_name", "given_names", "pk"]
        verbose_name_plural = "persons of interest"

    def __str__(self) -> str:
        return f"{self.family_name.upper()}, {self.given_names}" + (f" ({self.pnc_id})" if self.pnc_id else "")

    @property
    def name(self) -> str:
        return f"{self.given_names} {self.family_name}"

    def age_on(self, day: datetime.date) -> int | None:
        """Age in whole years on ``day``; None when the date of birth is not known."""
        born = self.date_of_birth
        if born is None:
            return None
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))

    def is_under_18(self, today: datetime.date) -> bool:
        age = self.age_on(today)
        return age is not None and age < 18


class IncidentLink(BaseModel):
    """An officer's statement that an incident involved a person (an offender or a person of interest)."""

    class Identification(models.TextChoices):
        STAFF_KNOWLEDGE = "staff_knowledge", "Staff know them"
        ARRESTED_AT_SCENE = "arrested_at_scene", "Arrested at the scene"
        CCTV_VIEWED = "cctv_viewed", "CCTV viewed by an officer"
        CONFIRMED_CASE = "confirmed_case", "Confirmed case"

    class Role(models.TextChoices):
        NOT_SAID = "", "Not said"
        SUSPECT = "suspect", "Suspect"
        CONVICTED = "convicted", "Offender (convicted)"

    incident = models.ForeignKey("incidents.Incident", on_delete=models.PROTECT, related_name="person_links")
    # The incident's force, copied when the link is made (an incident's store never changes): the persistent-
    # offender ranking starts from the force's links instead of from every incident of the force in the period.
    force = models.ForeignKey("accounts.Force", on_delete=models.PROTECT, related_name="+")
    offender = models.ForeignKey(
        "orders.Offender", on_delete=models.PROTECT, null=True, blank=True, related_name="incident_links"
    )
    person = models.ForeignKey(
        PersonOfInterest, on_delete=models.PROTECT, null=True, blank=True, related_name="incident_links"
    )
    identified_by = models.CharField(max_length=20, choices=Identification.choices)
    role = models.CharField(max_length=20, choices=Role.choices, blank=True, default=Role.NOT_SAID)
    # Required when identified by a confirmed case: a case for this incident and offender a reviewer confirmed.
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    note = models.CharField(max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    withdrawal_reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(offender__isnull=False) & Q(person__isnull=True))
                | (Q(offender__isnull=True) & Q(person__isnull=False)),
                name="incident_link_one_subject",
                violation_error_message="A link is to an offender or to a person of interest, exactly one.",
            ),
            models.UniqueConstraint(
                fields=["incident", "offender"],
                condition=Q(withdrawn_at__isnull=True, offender__isnull=False),
                name="incident_link_one_active_per_offender",
                violation_error_message="This incident is already linked to that person.",
            ),
            models.UniqueConstraint(
                fields=["incident", "person"],
                condition=Q(withdrawn_at__isnull=True, person__isnull=False),
                name="incident_link_one_active_per_person",
                violation_error_message="This incident is already linked to that person.",
            ),
        ]

    def __str__(self) -> str:
        return f"Link {self.pk}: incident {self.incident_id} to {self.subject}"

    @property
    def subject(self):
        """The offender or person of interest the incident is linked to."""
        return self.offender if self.offender_id else self.person

    @property
    def is_active(self) -> bool:
        return self.withdrawn_at is None


class CBOApplication(BaseModel):
    """An application for a criminal behaviour order for one person, built into a bundle (PDF and zip)."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        BUILT = "built", "Bundle built"
        ORDER_MADE = "order_made", "Order made"

    # "CBO-2026-000001": the year the application was made (local time) and its id.
    reference = models.CharField(max_length=20, unique=True, null=True, blank=True)
    offender = models.ForeignKey(
        "orders.Offender", on_delete=models.PROTECT, null=True, blank=True, related_name="cbo_applications"
    )
    person = models.ForeignKey(
        PersonOfInterest, on_delete=models.PROTECT, null=True, blank=True, related_name="cbo_applications"
    )
    force = models.ForeignKey("accounts.Force", on_delete=models.PROTECT, related_name="cbo_applications")
    period_from = models.DateField(help_text="First day of the incidents included.")
    period_to = models.DateField(help_text="Last day of the incidents included.")
    summary = models.TextField(blank=True, help_text="The officer's summary.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    pdf_sha256 = models.CharField(max_length=64, blank=True)
    # The linked incidents in the bundle, in chronological order, frozen when it was built.
    incident_ids = models.JSONField(default=list, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True)
    order = models.OneToOneField(
        "orders.Order", on_delete=models.SET_NULL, null=True, blank=True, related_name="application"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(offender__isnull=False) & Q(person__isnull=True))
                | (Q(offender__isnull=True) & Q(person__isnull=False)),
                name="cbo_application_one_subject",
                violation_error_message="An application is for an offender or a person of interest, exactly one.",
            ),
            models.CheckConstraint(
                condition=Q(period_to__gte=models.F("period_from")),
                name="cbo_application_period_order",
                violation_error_message="The period cannot end before it starts.",
            ),
        ]

    def __str__(self) -> str:
        return self.reference or f"Application {self.pk}"

    @property
    def subject(self):
        return self.offender if self.offender_id else self.person


class ProposedProhibition(BaseModel):
    """A prohibition the application asks the court for, with its reason and period."""

    application = models.ForeignKey(CBOApplication, on_delete=models.CASCADE, related_name="proposed_prohibitions")
    kind = models.CharField(max_length=20, choices=Prohibition.Kind.choices)
    stores = models.ManyToManyField("accounts.Store", blank=True, related_name="+")
    retailer = models.ForeignKey("accounts.Retailer", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    beats = models.ManyToManyField("accounts.Beat", blank=True, related_name="+")
    centre_latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    centre_longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    radius_m = models.PositiveIntegerField(null=True, blank=True)
    polygon = models.JSONField(null=True, blank=True)
    duration_months = models.PositiveSmallIntegerField(default=24)
    reason = models.TextField(help_text="Why this prohibition is needed.")

    class Meta:
        ordering = ["application", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.duration_months} months"


class PeopleSettings(BaseModel):
    """A force's own thresholds that mark someone as persistent, set by its force admin. Empty: the
    environment's (PEOPLE_PERSISTENT_MIN_INCIDENTS, PEOPLE_PERSISTENT_PERIOD_DAYS)."""

    force = models.OneToOneField("accounts.Force", on_delete=models.CASCADE, related_name="people_settings")
    persistent_min_incidents = models.PositiveSmallIntegerField(null=True, blank=True)
    persistent_period_days = models.PositiveSmallIntegerField(null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name_plural = "people settings"

    def __str__(self) -> str:
        return f"People settings of force {self.force_id}"


class PeopleEvent(AuditEvent):
    """What happened to links, persons of interest and applications, and who viewed a person's record (its
    page or the API's detail: ``person_viewed``). Written by the writers in
    ``people.events``, which also word each event for people (``describe``)."""

    class Kind(models.TextChoices):
        LINK_ADDED = "link_added", "Incident linked to a person"
        LINK_WITHDRAWN = "link_withdrawn", "Link withdrawn"
        PERSON_CREATED = "person_created", "Person of interest recorded"
        PERSON_UPDATED = "person_updated", "Person of interest updated"
        PERSON_KEPT = "person_kept", "Person of interest kept after review"
        PERSON_DELETED = "person_deleted", "Person of interest deleted after review"
        APPLICATION_BUILT = "application_built", "CBO application bundle built"
        APPLICATION_DOWNLOADED = "application_downloaded", "CBO application bundle downloaded"
        ORDER_RECORDED = "order_recorded", "Order recorded from the application"
        PERSON_VIEWED = "person_viewed", "Person's record viewed"
        THRESHOLDS_CHANGED = "thresholds_changed", "Persistent-offender thresholds changed"

    kind = models.CharField(max_length=30, choices=Kind.choices, db_index=True)
    person = models.ForeignKey(PersonOfInterest, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    offender = models.ForeignKey("orders.Offender", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    incident = models.ForeignKey(
        "incidents.Incident", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    application = models.ForeignKey(
        CBOApplication, on_delete=models.SET_NULL, null=True, blank=True, related_name="events"
    )
    details = models.JSONField(default=dict, blank=True)

    class Meta(AuditEvent.Meta):
        pass

    def __str__(self) -> str:
        return f"{self.kind} at {self.created_at:%Y-%m-%d %H:%M}"
