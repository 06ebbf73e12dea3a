"""Serializers of the people API (``people.apis``): input shapes checked here, every rule in the services."""

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.filters import MAX_ID
from core.pagination import PageOutputSerializer
from orders.models import Prohibition
from people.bundle import prohibition_text
from people.models import CBOApplication, IncidentLink, PersonOfInterest, ProposedProhibition

SUBJECT_HELP = (
    'How the API addresses the person: "person-<id>" (a person of interest: `/api/people/<id>/`) or '
    '"offender-<id>" (an offender record: `/api/people/offender-<id>/`).'
)


ROLE_HELP = "The person's role in the incident: `suspect`, `convicted` (offender, convicted) or empty (not said)."


@extend_schema_field({"type": "string", "pattern": "^(suspect|convicted|)$", "description": ROLE_HELP})
class LinkRoleField(serializers.ChoiceField):
    """A link's role. Its schema is a pattern, not an enum: the schema's enum components are named after the
    field, and "Role" is users' roles."""

    def __init__(self, **kwargs):
        super().__init__(choices=IncidentLink.Role.choices, **kwargs)


def _user_name(user) -> str | None:
    return (user.get_full_name() or user.get_username()) if user else None


class PersonOutputSerializer(serializers.ModelSerializer):
    subject = serializers.SerializerMethodField(help_text=SUBJECT_HELP)
    name = serializers.CharField(read_only=True)
    age = serializers.SerializerMethodField(help_text="Age in years today; null when the date of birth is unknown.")
    under_18 = serializers.SerializerMethodField(help_text="Under 18 today (the youth offending team is consulted).")
    flagged_for_review = serializers.SerializerMethodField(
        help_text="No linked incident for the review period and no order: deleted on `review_due_on` unless kept."
    )

    class Meta:
        model = PersonOfInterest
        fields = [
            "id",
            "subject",
            "given_names",
            "family_name",
            "name",
            "date_of_birth",
            "age",
            "under_18",
            "pnc_id",
            "description",
            "offender",
            "flagged_for_review",
            "review_due_on",
            "kept_until",
            "keep_reason",
            "created_at",
            "updated_at",
        ]

    def get_subject(self, person) -> str:
        return f"person-{person.pk}"

    def get_age(self, person) -> int | None:
        return person.age_on(timezone.localdate())

    def get_under_18(self, person) -> bool:
        return person.is_under_18(timezone.localdate())

    def get_flagged_for_review(self, person) -> bool:
        return person.review_due_on is not None


class OffenderSubjectOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    subject = serializers.SerializerMethodField(help_text=SUBJECT_HELP)
    given_names = serializers.CharField()
    family_name = serializers.CharField()
    name = serializers.CharField(source="full_name")
    date_of_birth = serializers.DateField(allow_null=True)
    pnc_id = serializers.CharField()
    person_of_interest = serializers.SerializerMethodField(
        help_text="The person-of-interest record this offender was made from (an order recorded), if any."
    )

    def get_subject(self, offender) -> str:
        return f"offender-{offender.pk}"

    def get_person_of_interest(self, offender) -> int | None:
        person = PersonOfInterest.objects.filter(offender=offender).only("pk").first()
        return person.pk if person else None


class PersonInputSerializer(serializers.Serializer):
    given_names = serializers.CharField(max_length=120)
    family_name = serializers.CharField(max_length=120)
    date_of_birth = serializers.DateField(required=False, allow_null=True)
    pnc_id = serializers.CharField(
        max_length=20, required=False, allow_blank=True, help_text="PNC ID if known, e.g. 2009/0012345E or 09/12345E."
    )
    description = serializers.CharField(
        max_length=4000, required=False, allow_blank=True, help_text="How to recognise them."
    )


class PersonUpdateInputSerializer(PersonInputSerializer):
    """Every field optional: only those sent change."""

    given_names = serializers.CharField(max_length=120, required=False)
    family_name = serializers.CharField(max_length=120, required=False)


class ReasonInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500, help_text="Why (required).")


class LinkInputSerializer(serializers.Serializer):
    incident = serializers.IntegerField(min_value=1, max_value=MAX_ID, help_text="The incident's id.")
    person = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, required=False, allow_null=True, help_text="A person of interest's id."
    )
    offender = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, required=False, allow_null=True, help_text="An offender's id."
    )
    identified_by = serializers.ChoiceField(
        choices=IncidentLink.Identification.choices,
        help_text="How the person was identified. Never a search of unknown faces.",
        error_messages={"invalid_choice": "'{input}' is not a way of identifying a person."},
    )
    role = LinkRoleField(required=False, allow_blank=True, default="")
    case = serializers.IntegerField(
        min_value=1,
        max_value=MAX_ID,
        required=False,
        allow_null=True,
        help_text="Required with `identified_by: confirmed_case`: the case of this incident and offender whose "
        "match a reviewer confirmed.",
    )
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class LinkOutputSerializer(serializers.ModelSerializer):
    subject = serializers.SerializerMethodField(help_text=SUBJECT_HELP)
    subject_name = serializers.SerializerMethodField()
    incident_reference = serializers.CharField(source="incident.reference")
    occurred_at = serializers.DateTimeField(source="incident.occurred_at")
    store = serializers.IntegerField(source="incident.store_id")
    store_name = serializers.CharField(source="incident.store.name")
    retailer_name = serializers.CharField(source="incident.store.retailer.name")
    category = serializers.CharField(source="incident.category")
    priority = serializers.CharField(source="incident.priority")
    injured = serializers.BooleanField(source="incident.injured")
    weapon = serializers.BooleanField(source="incident.weapon")
    goods_value = serializers.DecimalField(
        source="incident.goods_value", max_digits=10, decimal_places=2, allow_null=True
    )
    case_reference = serializers.CharField(source="case.reference", allow_null=True, default=None)
    created_by = serializers.SerializerMethodField()
    withdrawn_by = serializers.SerializerMethodField()
    active = serializers.BooleanField(source="is_active")
    role = LinkRoleField(read_only=True)

    class Meta:
        model = IncidentLink
        fields = [
            "id",
            "incident",
            "incident_reference",
            "occurred_at",
            "store",
            "store_name",
            "retailer_name",
            "category",
            "priority",
            "injured",
            "weapon",
            "goods_value",
            "subject",
            "subject_name",
            "offender",
            "person",
            "identified_by",
            "role",
            "case",
            "case_reference",
            "note",
            "created_by",
            "created_at",
            "active",
            "withdrawn_at",
            "withdrawn_by",
            "withdrawal_reason",
        ]

    def get_subject(self, link) -> str:
        return f"offender-{link.offender_id}" if link.offender_id else f"person-{link.person_id}"

    def get_subject_name(self, link) -> str:
        subject = link.subject
        return subject.full_name if link.offender_id else subject.name

    def get_created_by(self, link) -> str | None:
        return _user_name(link.created_by)

    def get_withdrawn_by(self, link) -> str | None:
        return _user_name(link.withdrawn_by)


class PersistentRowOutputSerializer(serializers.Serializer):
    subject = serializers.CharField(source="subject_key", help_text=SUBJECT_HELP)
    offender = serializers.IntegerField(source="offender.pk", allow_null=True, default=None)
    person = serializers.IntegerField(source="person.pk", allow_null=True, default=None)
    name = serializers.SerializerMethodField()
    date_of_birth = serializers.DateField(source="subject.date_of_birth", allow_null=True)
    incidents = serializers.IntegerField(help_text="Linked incidents in the period.")
    violent_or_threatening = serializers.IntegerField(
        help_text="Of those, incidents of physical assault or threats, or with an injury or a weapon."
    )
    stores = serializers.IntegerField(help_text="Distinct stores hit.")
    retailers = serializers.IntegerField(help_text="Distinct retailers hit.")
    goods_value = serializers.DecimalField(max_digits=12, decimal_places=2, help_text="Goods lost, GBP.")
    earlier_half = serializers.IntegerField(help_text="Incidents in the first half of the period.")
    later_half = serializers.IntegerField(help_text="Incidents in the second half of the period.")
    trend = serializers.ChoiceField(
        choices=["up", "down", "steady"], help_text="The second half of the period against the first."
    )
    persistent = serializers.BooleanField(
        help_text="The force's minimum (`min_incidents`) or more linked incidents in its period (`period_days`) "
        "up to `until`."
    )
    first_incident_at = serializers.DateTimeField(allow_null=True)
    last_incident_at = serializers.DateTimeField(allow_null=True)

    def get_name(self, row) -> str:
        subject = row.subject
        return subject.full_name if row.offender else subject.name


class PersistentPageOutputSerializer(PageOutputSerializer):
    since = serializers.DateField()
    until = serializers.DateField()
    min_incidents = serializers.IntegerField(
        help_text="The force's threshold: linked incidents that mark someone persistent (default "
        "PEOPLE_PERSISTENT_MIN_INCIDENTS)."
    )
    period_days = serializers.IntegerField(
        help_text="The force's period, days, they are counted in (default PEOPLE_PERSISTENT_PERIOD_DAYS)."
    )
    results = PersistentRowOutputSerializer(many=True)


# Applications ---------------------------------------------------------------------------------------------


class ProposalInputSerializer(serializers.Serializer):
    """A proposed prohibition. `kind` decides which places apply: `premises` needs `stores`; `retailer_area`
    a `retailer` with `beats` or a circle; `zone` a `polygon` or a circle (`centre_latitude`,
    `centre_longitude`, `radius_m`). Stores, retailer and beats are ids of your force's."""

    kind = serializers.ChoiceField(choices=Prohibition.Kind.choices)
    stores = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID), required=False, default=list, max_length=200
    )
    retailer = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False, allow_null=True)
    beats = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID), required=False, default=list, max_length=200
    )
    centre_latitude = serializers.DecimalField(max_digits=9, decimal_places=6, required=False, allow_null=True)
    centre_longitude = serializers.DecimalField(max_digits=9, decimal_places=6, required=False, allow_null=True)
    radius_m = serializers.IntegerField(min_value=1, max_value=100_000, required=False, allow_null=True)
    polygon = serializers.JSONField(required=False, allow_null=True, help_text="A GeoJSON Polygon, longitude first.")
    duration_months = serializers.IntegerField(min_value=1, max_value=120, default=24)
    reason = serializers.CharField(max_length=4000, help_text="Why this prohibition is needed, from the incidents.")


class ApplicationCreateInputSerializer(serializers.Serializer):
    subject = serializers.RegexField(
        r"^(person|offender)-[0-9]{1,12}$", help_text=SUBJECT_HELP + " The person the application is for."
    )
    period_from = serializers.DateField(
        required=False, help_text="First day of the incidents included. Default: the first linked incident's day."
    )
    period_to = serializers.DateField(required=False, help_text="Last day of the incidents included. Default: today.")


class ApplicationUpdateInputSerializer(serializers.Serializer):
    """Only the fields sent change. `proposed_prohibitions`, when sent, replaces them all."""

    summary = serializers.CharField(max_length=20_000, required=False, allow_blank=True)
    period_from = serializers.DateField(required=False)
    period_to = serializers.DateField(required=False)
    proposed_prohibitions = ProposalInputSerializer(many=True, required=False, max_length=30)


class ProposalOutputSerializer(serializers.ModelSerializer):
    text = serializers.SerializerMethodField(help_text="What it prohibits, in words (as in the bundle).")
    stores = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    beats = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = ProposedProhibition
        fields = [
            "id",
            "kind",
            "text",
            "stores",
            "retailer",
            "beats",
            "centre_latitude",
            "centre_longitude",
            "radius_m",
            "polygon",
            "duration_months",
            "reason",
        ]

    def get_text(self, proposal) -> str:
        return prohibition_text(proposal)


STATUS_HELP = "`draft`, `built` (the bundle built; download it) or `order_made` (kept as it was)."


@extend_schema_field({"type": "string", "pattern": "^(draft|built|order_made)$", "description": STATUS_HELP})
class ApplicationStatusField(serializers.CharField):
    """An application's status. A pattern in the schema, not an enum: "status" enums are other models' too."""


class ApplicationOutputSerializer(serializers.ModelSerializer):
    status = ApplicationStatusField(read_only=True)
    subject = serializers.SerializerMethodField(help_text=SUBJECT_HELP)
    subject_name = serializers.SerializerMethodField()
    created_by = serializers.SerializerMethodField()
    under_18 = serializers.SerializerMethodField(
        help_text="Under 18 today: the youth offending team must be consulted before the application."
    )
    proposed_prohibitions = ProposalOutputSerializer(many=True, read_only=True)
    incident_ids = serializers.ListField(
        child=serializers.IntegerField(), help_text="The incidents frozen in the bundle at its last build."
    )

    class Meta:
        model = CBOApplication
        fields = [
            "id",
            "reference",
            "status",
            "subject",
            "subject_name",
            "under_18",
            "period_from",
            "period_to",
            "summary",
            "proposed_prohibitions",
            "incident_ids",
            "pdf_sha256",
            "order",
            "created_by",
            "created_at",
            "updated_at",
        ]

    def get_subject(self, application) -> str:
        return f"offender-{application.offender_id}" if application.offender_id else f"person-{application.person_id}"

    def get_subject_name(self, application) -> str:
        subject = application.subject
        return subject.full_name if application.offender_id else subject.name

    def get_created_by(self, application) -> str | None:
        return _user_name(application.created_by)

    def get_under_18(self, application) -> bool:
        born, today = application.subject.date_of_birth, timezone.localdate()
        return born is not None and today.year - born.year - ((today.month, today.day) < (born.month, born.day)) < 18


class ApplicationDetailOutputSerializer(ApplicationOutputSerializer):
    chronology = LinkOutputSerializer(
        many=True,
        read_only=True,
        source="chronology_links",
        help_text="The linked incidents the next build takes (active links in the period you may see), in order.",
    )

    class Meta(ApplicationOutputSerializer.Meta):
        fields = [*ApplicationOutputSerializer.Meta.fields, "chronology"]
