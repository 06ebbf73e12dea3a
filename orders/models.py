"""Offenders, their reference photographs, criminal behaviour orders and the premises they prohibit.

All order dates are UK local dates (settings.TIME_ZONE = Europe/London) and every period is
inclusive of its first and last day. Whether an order is in force at a moment is answered in one
place, ``orders.in_force`` (its Python rule and query twin side by side); these models only hold facts
and ask it. Changes go through ``orders.services``, which write an ``OffenderEvent`` or ``OrderEvent``
(who, when, old and new values) for each one through ``orders.events``.
"""

import datetime
import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from accounts.models import Beat, Force, Retailer, Store
from core.models import AuditEvent, BaseModel
from orders import geo, in_force
from orders.validators import validate_pnc_id


class Offender(BaseModel):
    """A person subject to (or once subject to) a criminal behaviour order, held by one force."""

    force = models.ForeignKey(Force, on_delete=models.PROTECT, related_name="offenders")
    given_names = models.CharField(max_length=120)
    family_name = models.CharField(max_length=120)
    aliases = models.TextField(blank=True, help_text="Other names the person is known by, one per line.")
    date_of_birth = models.DateField(null=True, blank=True)
    pnc_id = models.CharField(
        "PNC ID",
        max_length=13,
        blank=True,
        validators=[validate_pnc_id],
        help_text="Police National Computer ID, e.g. 2009/0012345E.",
    )
    notes = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["family_name", "given_names", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["force", "pnc_id"],
                condition=~Q(pnc_id=""),
                name="offender_pnc_unique_in_force",
                violation_error_message="This force already holds an offender with that PNC ID.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.family_name.upper()}, {self.given_names}" + (f" ({self.pnc_id})" if self.pnc_id else "")

    @property
    def full_name(self) -> str:
        return f"{self.given_names} {self.family_name}"

    @property
    def alias_list(self) -> list[str]:
        return [line.strip() for line in self.aliases.splitlines() if line.strip()]


def reference_photo_path(instance: "ReferencePhoto", filename: str) -> str:
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    suffix = suffix if suffix in ("jpg", "jpeg", "png", "webp") else "jpg"
    return f"reference_photos/{instance.offender_id}/{uuid.uuid4().hex}.{suffix}"


class ReferencePhoto(BaseModel):
    """A custody image (or other official photograph) enrolled as face templates for matching."""

    offender = models.ForeignKey(Offender, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(upload_to=reference_photo_path)
    source = models.CharField(max_length=200, help_text="Where it came from, e.g. 'Custody, Crewe suite'.")
    taken_on = models.DateField()
    sha256 = models.CharField(max_length=64, blank=True, editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["offender", "-taken_on", "pk"]

    def __str__(self) -> str:
        return f"Photo {self.pk} of {self.offender} ({self.source}, {self.taken_on})"


class Order(BaseModel):
    """A criminal behaviour order (interim or full) against an offender.

    ``ends_on`` is the last day (none when indefinite); ``discharged_on`` and ``superseded_on`` are each
    the first day it no longer has effect. When that makes it in force is ``orders.in_force``'s.
    Variations and discharges are ``OrderEvent`` rows; the dates here are the current state those
    events produced.
    """

    class Kind(models.TextChoices):
        INTERIM = "interim", "Interim"
        FULL = "full", "Full"

    offender = models.ForeignKey(Offender, on_delete=models.PROTECT, related_name="orders")
    # The offender's force, copied when the order is recorded: the force's order lists, the orders in force
    # behind its gallery and the prohibitions that may cover a store read this table's own index.
    force = models.ForeignKey(Force, on_delete=models.PROTECT, related_name="+", db_index=False)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.FULL)
    court = models.CharField(max_length=200)
    case_reference = models.CharField(max_length=100)
    made_on = models.DateField()
    effective_from = models.DateField()
    ends_on = models.DateField(null=True, blank=True, help_text="Last day in force. Empty when indefinite.")
    indefinite = models.BooleanField(default=False)
    served_on = models.DateField(null=True, blank=True, help_text="Day the order was served on the person.")
    served_by = models.CharField(
        max_length=200, blank=True, help_text="Who served it, e.g. 'PC 1234 Smith, Crewe'. Shown in evidence packs."
    )
    youth = models.BooleanField(default=False, help_text="Made against a person under 18: reviewed yearly.")
    positive_requirements = models.TextField(blank=True)
    supervisor = models.CharField(max_length=200, blank=True, help_text="Who supervises the positive requirements.")
    replaces = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replaced_by",
        help_text="The interim order this order replaces.",
    )
    superseded_on = models.DateField(null=True, blank=True, editable=False)
    discharged_on = models.DateField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-effective_from", "pk"]
        indexes = [models.Index(fields=["force", "-effective_from", "id"], name="order_force_list")]
        constraints = [
            models.CheckConstraint(
                condition=Q(effective_from__gte=F("made_on")),
                name="order_effective_not_before_made",
                violation_error_message="An order cannot take effect before the day it was made.",
            ),
            models.CheckConstraint(
                condition=(Q(indefinite=True) & Q(ends_on__isnull=True))
                | (Q(indefinite=False) & Q(ends_on__isnull=False)),
                name="order_end_or_indefinite",
                violation_error_message="An order has either an end date or is indefinite, not both.",
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("effective_from")),
                name="order_ends_after_start",
                violation_error_message="An order cannot end before it takes effect.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} CBO {self.case_reference} ({self.court})"

    @property
    def last_day(self) -> datetime.date | None:
        """Last UK local day in force, all ends considered; None when indefinite and not ended."""
        return in_force.order_last_day(self)

    def in_force_on(self, day: datetime.date) -> bool:
        return in_force.order_in_force_on(self, day)

    def next_review_due(self, today: datetime.date) -> datetime.date | None:
        """Youth orders are reviewed within each 12 months from the day the order takes effect."""
        if not self.youth:
            return None
        return youth_review_due(self.effective_from, today)


def youth_review_due(effective_from: datetime.date, today: datetime.date) -> datetime.date:
    """The next yearly review of a youth order that took effect on ``effective_from``: the day before each
    anniversary, the first on or after ``today``."""
    years = 1
    while True:
        due = _add_years(effective_from, years) - datetime.timedelta(days=1)
        if due >= today:
            return due
        years += 1


def _add_years(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February -> 1 March
        return day.replace(year=day.year + years, month=3, day=1)


class Prohibition(BaseModel):
    """One prohibition of an order: named premises, a retailer within an area, or an exclusion zone.

    May carry its own period (``starts_on``/``ends_on``, inclusive) within the order's. A variation
    adds a prohibition from ``added_on`` or removes it from ``removed_on`` (first day no longer in
    effect); a prohibition is never edited to mean something else once in effect.
    """

    class Kind(models.TextChoices):
        PREMISES = "premises", "Named premises"
        RETAILER_AREA = "retailer_area", "Retailer within an area"
        ZONE = "zone", "Exclusion zone"

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="prohibitions")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    description = models.CharField(max_length=255, blank=True, help_text="As worded in the order.")
    # Named premises.
    stores = models.ManyToManyField(Store, blank=True, related_name="prohibited_by")
    # A retailer within beats, or within a radius of a point.
    retailer = models.ForeignKey(
        Retailer, on_delete=models.PROTECT, null=True, blank=True, related_name="area_prohibitions"
    )
    beats = models.ManyToManyField(Beat, blank=True, related_name="area_prohibitions")
    # A circle (retailer area or zone): centre and radius in metres.
    centre_latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    centre_longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    radius_m = models.PositiveIntegerField(null=True, blank=True)
    # An exclusion zone drawn on a map: a GeoJSON Polygon geometry (longitude, latitude; WGS84).
    polygon = models.JSONField(null=True, blank=True)
    # An exclusion zone's bounding box (its polygon and circle together, ``geo.bounding_box``), kept by the services
    # that save it: the zones that may cover a store are found by the box in the database, and only those are
    # tested exactly. Empty for other kinds.
    zone_south = models.FloatField(null=True, blank=True, editable=False)
    zone_west = models.FloatField(null=True, blank=True, editable=False)
    zone_north = models.FloatField(null=True, blank=True, editable=False)
    zone_east = models.FloatField(null=True, blank=True, editable=False)
    starts_on = models.DateField(null=True, blank=True, help_text="Own first day, if later than the order's.")
    ends_on = models.DateField(null=True, blank=True, help_text="Own last day, if earlier than the order's.")
    added_on = models.DateField(null=True, blank=True, editable=False)
    removed_on = models.DateField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(starts_on__isnull=True) | Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="prohibition_ends_after_start",
                violation_error_message="A prohibition cannot end before it starts.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.description or self.pk}"

    @property
    def has_circle(self) -> bool:
        return self.centre_latitude is not None and self.centre_longitude is not None and self.radius_m is not None

    def zone_box(self) -> tuple[float, ...] | None:
        """The bounding box of an exclusion zone as saved (``zone_south`` ...), None for other kinds."""
        if self.kind != self.Kind.ZONE:
            return None
        circle = (self.centre_latitude, self.centre_longitude, self.radius_m) if self.has_circle else (None,) * 3
        return geo.bounding_box(polygon=self.polygon, lat=circle[0], lon=circle[1], radius_m=circle[2])

    def in_effect_on(self, day: datetime.date) -> bool:
        """In effect on UK local ``day``: its order in force and served, its own period and variations allowing."""
        return in_force.prohibition_in_effect_on(self, day)


class OffenderEvent(AuditEvent):
    """Audit of every change to an offender or their photos (who, when, old and new values), and of every
    time a person was served a reference photo's image (``photo_viewed``: who and which photo).

    Written by ``orders.events`` (one writer per kind), which also words each event for people."""

    class Kind(models.TextChoices):
        CREATED = "created", "Created"
        CHANGED = "changed", "Changed"
        PHOTO_ADDED = "photo_added", "Photo added"
        PHOTO_CHANGED = "photo_changed", "Photo changed"
        PHOTO_REMOVED = "photo_removed", "Photo removed"
        RETENTION = "retention", "Deleted under the retention policy"
        PHOTO_VIEWED = "photo_viewed", "Reference photo viewed"

    kind = models.CharField(max_length=30, choices=Kind.choices, db_index=True)
    offender = models.ForeignKey(Offender, on_delete=models.CASCADE, related_name="events")
    photo_id = models.BigIntegerField(null=True, blank=True)
    old = models.JSONField(default=dict, blank=True)
    new = models.JSONField(default=dict, blank=True)
    reason = models.TextField(blank=True)

    class Meta(AuditEvent.Meta):
        pass

    def __str__(self) -> str:
        return f"{self.get_kind_display()} by {self.actor or 'system'} at {self.created_at:%Y-%m-%d %H:%M}"


class OrderEvent(AuditEvent):
    """History of an order and its prohibitions: made, served, varied, discharged, replaced, corrected.

    Never edited: a variation or discharge is a new row, with the values before and after. Written by
    ``orders.events`` (one writer per kind), which also words each event for people."""

    class Kind(models.TextChoices):
        MADE = "made", "Order recorded"
        CORRECTED = "corrected", "Details corrected"
        SERVED = "served", "Served"
        VARIED = "varied", "Varied"
        DISCHARGED = "discharged", "Discharged"
        REPLACED = "replaced", "Replaced by a full order"
        PROHIBITION_ADDED = "prohibition_added", "Prohibition added"
        PROHIBITION_CORRECTED = "prohibition_corrected", "Prohibition corrected"
        PROHIBITION_REMOVED = "prohibition_removed", "Prohibition removed"
        PREMISES_IMPORTED = "premises_imported", "Prohibited premises imported"

    kind = models.CharField(max_length=30, choices=Kind.choices, db_index=True)
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="events")
    prohibition_id = models.BigIntegerField(null=True, blank=True)
    effective_on = models.DateField(null=True, blank=True, help_text="Day the change took legal effect.")
    old = models.JSONField(default=dict, blank=True)
    new = models.JSONField(default=dict, blank=True)
    reason = models.TextField(blank=True)

    class Meta(AuditEvent.Meta):
        pass

    def __str__(self) -> str:
        return f"{self.get_kind_display()} by {self.actor or 'system'} at {self.created_at:%Y-%m-%d %H:%M}"
