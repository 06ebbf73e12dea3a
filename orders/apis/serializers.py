"""Serializers of the orders API, one naming scheme: ``<Noun>OutputSerializer`` for what the API answers
and ``<Noun>InputSerializer`` for what it reads (their OpenAPI components drop ``Serializer``)."""

from django.utils import timezone
from rest_framework import serializers

from accounts.apis import StoreSummaryOutputSerializer
from accounts.models import Beat, Retailer, Store
from core.filters import MAX_ID
from orders import selectors
from orders.models import Offender, OffenderEvent, Order, OrderEvent, Prohibition, ReferencePhoto
from orders.services.prohibitions import ProhibitionInput

# Output ---------------------------------------------------------------------------------------


class ReferencePhotoOutputSerializer(serializers.ModelSerializer):
    image_url = serializers.SerializerMethodField()

    class Meta:
        model = ReferencePhoto
        fields = ["id", "source", "taken_on", "sha256", "uploaded_by", "created_at", "image_url"]

    def get_image_url(self, photo) -> str:
        return f"/api/offenders/{photo.offender_id}/photos/{photo.pk}/image/"


class OffenderEventOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = OffenderEvent
        fields = ["id", "kind", "actor", "created_at", "photo_id", "old", "new", "reason"]


class OffenderOutputSerializer(serializers.ModelSerializer):
    aliases = serializers.ListField(source="alias_list", child=serializers.CharField())
    in_gallery = serializers.SerializerMethodField(help_text="Has an order in force and served now.")
    photos = ReferencePhotoOutputSerializer(many=True)

    class Meta:
        model = Offender
        fields = [
            "id",
            "force",
            "given_names",
            "family_name",
            "aliases",
            "date_of_birth",
            "pnc_id",
            "notes",
            "in_gallery",
            "photos",
            "created_at",
            "updated_at",
        ]

    def get_in_gallery(self, offender) -> bool:
        gallery = self.context.get("gallery")
        if gallery is None:
            return selectors.offender_in_gallery(offender=offender, at=timezone.now())
        return offender.pk in gallery


class OffenderDetailOutputSerializer(OffenderOutputSerializer):
    events = OffenderEventOutputSerializer(many=True)
    order_ids = serializers.PrimaryKeyRelatedField(source="orders", many=True, read_only=True)

    class Meta(OffenderOutputSerializer.Meta):
        fields = [*OffenderOutputSerializer.Meta.fields, "order_ids", "events"]


class ProhibitionOutputSerializer(serializers.ModelSerializer):
    order = serializers.IntegerField(source="order_id")
    offender = serializers.IntegerField(source="order.offender_id")
    case_reference = serializers.CharField(source="order.case_reference")
    stores = StoreSummaryOutputSerializer(many=True)
    retailer_name = serializers.CharField(source="retailer.name", default=None, allow_null=True)
    in_effect_now = serializers.SerializerMethodField()

    class Meta:
        model = Prohibition
        fields = [
            "id",
            "order",
            "offender",
            "case_reference",
            "kind",
            "description",
            "stores",
            "retailer",
            "retailer_name",
            "beats",
            "centre_latitude",
            "centre_longitude",
            "radius_m",
            "polygon",
            "starts_on",
            "ends_on",
            "added_on",
            "removed_on",
            "in_effect_now",
        ]

    def get_in_effect_now(self, prohibition) -> bool:
        return prohibition.in_effect_on(timezone.localdate())


class OrderEventOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = OrderEvent
        fields = ["id", "kind", "prohibition_id", "effective_on", "actor", "created_at", "old", "new", "reason"]


class OrderOutputSerializer(serializers.ModelSerializer):
    offender_name = serializers.CharField(source="offender.full_name")
    last_day = serializers.DateField(allow_null=True, help_text="Last UK local day in force, all ends considered.")
    in_force_now = serializers.SerializerMethodField()
    next_review_due = serializers.SerializerMethodField(help_text="Youth orders: the next yearly review is due by.")
    replaced_by = serializers.SerializerMethodField()
    prohibitions = ProhibitionOutputSerializer(many=True)

    class Meta:
        model = Order
        fields = [
            "id",
            "offender",
            "offender_name",
            "kind",
            "court",
            "case_reference",
            "made_on",
            "effective_from",
            "ends_on",
            "indefinite",
            "served_on",
            "served_by",
            "youth",
            "next_review_due",
            "positive_requirements",
            "supervisor",
            "replaces",
            "replaced_by",
            "superseded_on",
            "discharged_on",
            "last_day",
            "in_force_now",
            "prohibitions",
            "created_at",
        ]

    def get_in_force_now(self, order) -> bool:
        return order.in_force_on(timezone.localdate())

    def get_next_review_due(self, order) -> str | None:
        due = order.next_review_due(timezone.localdate())
        return due.isoformat() if due else None

    def get_replaced_by(self, order) -> int | None:
        """The order that replaced this one (an interim order's full order), if any."""
        # Read with the list's select_related("replaced_by"); one query for a single order.
        try:
            return order.replaced_by.pk
        except Order.DoesNotExist:
            return None


class OrderDetailOutputSerializer(OrderOutputSerializer):
    events = OrderEventOutputSerializer(many=True)

    class Meta(OrderOutputSerializer.Meta):
        fields = [*OrderOutputSerializer.Meta.fields, "events"]


class PremisesImportRowOutputSerializer(serializers.Serializer):
    line = serializers.IntegerField()
    store_code = serializers.CharField()
    postcode = serializers.CharField()
    retailer = serializers.CharField()
    stores = StoreSummaryOutputSerializer(many=True)
    error = serializers.CharField()


class PremisesImportOutputSerializer(serializers.Serializer):
    dry_run = serializers.BooleanField()
    ok = serializers.BooleanField(help_text="Every row is right (a real run would import).")
    rows = PremisesImportRowOutputSerializer(many=True)
    store_count = serializers.IntegerField()
    prohibition = ProhibitionOutputSerializer(allow_null=True)


# Input: queries ---------------------------------------------------------------------------------


class ReasonQueryInputSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class ProhibitedAtInputSerializer(serializers.Serializer):
    store = serializers.IntegerField()
    at = serializers.DateTimeField(help_text="A moment, e.g. 2026-06-10T00:30:00+01:00 (UK local day counts).")
    offender = serializers.IntegerField(required=False)


# Input: offenders and photos ----------------------------------------------------------------------


class OffenderCreateInputSerializer(serializers.Serializer):
    given_names = serializers.CharField(max_length=120)
    family_name = serializers.CharField(max_length=120)
    aliases = serializers.ListField(child=serializers.CharField(max_length=120), required=False, default=list)
    date_of_birth = serializers.DateField(required=False, allow_null=True)
    pnc_id = serializers.CharField(required=False, allow_blank=True, max_length=20, default="")
    notes = serializers.CharField(required=False, allow_blank=True, default="")


class OffenderUpdateInputSerializer(serializers.Serializer):
    given_names = serializers.CharField(max_length=120, required=False)
    family_name = serializers.CharField(max_length=120, required=False)
    aliases = serializers.ListField(child=serializers.CharField(max_length=120), required=False)
    date_of_birth = serializers.DateField(required=False, allow_null=True)
    pnc_id = serializers.CharField(required=False, allow_blank=True, max_length=20)
    notes = serializers.CharField(required=False, allow_blank=True)
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class ReferencePhotoCreateInputSerializer(serializers.Serializer):
    image = serializers.FileField(allow_empty_file=True, help_text="JPEG, PNG or WebP; one face.")
    source = serializers.CharField(max_length=200, help_text="e.g. 'Custody, Crewe suite'.")
    taken_on = serializers.DateField()


class ReferencePhotoUpdateInputSerializer(serializers.Serializer):
    source = serializers.CharField(max_length=200, required=False)
    taken_on = serializers.DateField(required=False)


# Input: prohibitions ------------------------------------------------------------------------------


class _OwnForcePrimaryKeyField(serializers.PrimaryKeyRelatedField):
    """A store, beat or retailer id, looked up in the requesting user's force only (a retailer: one with a
    store there). An id outside it, whether it belongs to another force or to nothing, becomes a row of no
    force, which the service refuses (``store_other_force`` / ``beat_other_force``; a retailer: ``invalid``)
    with a message naming only the id: the answer never tells which ids (or which names) exist elsewhere."""

    def __init__(self, *, force_path: str, outside, **kwargs):
        self.force_path = force_path
        self.outside = outside  # pk -> an unsaved row of no force
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        request = self.context.get("request")
        if request is None or isinstance(data, bool) or not isinstance(data, int | str):
            return super().to_internal_value(data)
        try:
            pk = int(data)
        except ValueError:
            return super().to_internal_value(data)  # "Incorrect type" as before
        if not 0 < pk <= MAX_ID:  # no row has it (and PostgreSQL cannot compare it)
            return self.outside(pk)
        row = self.get_queryset().filter(pk=pk, **{self.force_path: request.user.force_id}).first()
        return row if row is not None else self.outside(pk)


def _store_outside(pk: int) -> Store:
    return Store(pk=pk, code=str(pk), beat=Beat(force_id=None))


def _beat_outside(pk: int) -> Beat:
    return Beat(pk=pk, force_id=None)


def _retailer_outside(pk: int) -> Retailer:
    return Retailer(pk=pk, name="")


class ProhibitionInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Prohibition.Kind.choices)
    description = serializers.CharField(required=False, allow_blank=True, max_length=255, default="")
    stores = _OwnForcePrimaryKeyField(
        force_path="beat__force_id",
        outside=_store_outside,
        queryset=Store.objects.select_related("beat"),
        many=True,
        required=False,
        help_text="Named premises.",
    )
    retailer = _OwnForcePrimaryKeyField(
        force_path="stores__beat__force_id",
        outside=_retailer_outside,
        queryset=Retailer.objects.all(),
        required=False,
        allow_null=True,
    )
    beats = _OwnForcePrimaryKeyField(
        force_path="force_id", outside=_beat_outside, queryset=Beat.objects.all(), many=True, required=False
    )
    centre_latitude = serializers.FloatField(required=False, allow_null=True)
    centre_longitude = serializers.FloatField(required=False, allow_null=True)
    radius_m = serializers.IntegerField(required=False, allow_null=True, help_text="Metres.")
    polygon = serializers.JSONField(
        required=False,
        allow_null=True,
        help_text='GeoJSON Polygon: {"type": "Polygon", "coordinates": [[[lon, lat], ...]]}',
    )
    starts_on = serializers.DateField(required=False, allow_null=True)
    ends_on = serializers.DateField(required=False, allow_null=True)


def prohibition_input(data: dict) -> ProhibitionInput:
    return ProhibitionInput(**data)


class PremisesImportInputSerializer(serializers.Serializer):
    file = serializers.FileField(allow_empty_file=True)
    dry_run = serializers.BooleanField(default=True)
    description = serializers.CharField(required=False, allow_blank=True, max_length=255, default="")
    prohibition = serializers.IntegerField(required=False, allow_null=True, default=None)


PROHIBITION_EXAMPLES = [
    {"kind": "premises", "stores": [12, 13], "description": "Northway Foods, Crewe and Nantwich"},
    {"kind": "retailer_area", "retailer": 3, "beats": [4], "description": "Any Valu Corner store in Crewe North"},
    {"kind": "retailer_area", "retailer": 3, "centre_latitude": 53.0976, "centre_longitude": -2.4416, "radius_m": 2000},
    {
        "kind": "zone",
        "description": "Crewe town centre",
        "polygon": {
            "type": "Polygon",
            "coordinates": [[[-2.45, 53.09], [-2.43, 53.09], [-2.43, 53.105], [-2.45, 53.105], [-2.45, 53.09]]],
        },
        "starts_on": "2026-02-01",
        "ends_on": "2026-12-31",
    },
    {"kind": "zone", "centre_latitude": 53.0976, "centre_longitude": -2.4416, "radius_m": 500},
]


# Input: orders ------------------------------------------------------------------------------------


class OrderCreateInputSerializer(serializers.Serializer):
    offender = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=Order.Kind.choices, default=Order.Kind.FULL)
    court = serializers.CharField(max_length=200)
    case_reference = serializers.CharField(max_length=100)
    made_on = serializers.DateField()
    effective_from = serializers.DateField()
    ends_on = serializers.DateField(required=False, allow_null=True, default=None)
    indefinite = serializers.BooleanField(required=False, default=False)
    served_on = serializers.DateField(required=False, allow_null=True, default=None)
    served_by = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")
    youth = serializers.BooleanField(required=False, default=False)
    positive_requirements = serializers.CharField(required=False, allow_blank=True, default="")
    supervisor = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")
    replaces = serializers.IntegerField(required=False, allow_null=True, default=None)
    prohibitions = ProhibitionInputSerializer(many=True, required=False, default=list)


class OrderCorrectInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Order.Kind.choices, required=False)
    court = serializers.CharField(max_length=200, required=False)
    case_reference = serializers.CharField(max_length=100, required=False)
    made_on = serializers.DateField(required=False)
    effective_from = serializers.DateField(required=False)
    ends_on = serializers.DateField(required=False, allow_null=True)
    indefinite = serializers.BooleanField(required=False)
    youth = serializers.BooleanField(required=False)
    positive_requirements = serializers.CharField(required=False, allow_blank=True)
    supervisor = serializers.CharField(required=False, allow_blank=True, max_length=200)
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class OrderServeInputSerializer(serializers.Serializer):
    served_on = serializers.DateField()
    served_by = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")


class OrderDischargeInputSerializer(serializers.Serializer):
    discharged_on = serializers.DateField()
    reason = serializers.CharField(max_length=2000)


class OrderVaryInputSerializer(serializers.Serializer):
    varied_on = serializers.DateField()
    reason = serializers.CharField(max_length=2000)
    ends_on = serializers.DateField(required=False, allow_null=True)
    indefinite = serializers.BooleanField(required=False)
    positive_requirements = serializers.CharField(required=False, allow_blank=True)
    supervisor = serializers.CharField(required=False, allow_blank=True, max_length=200)
    remove_prohibitions = serializers.ListField(child=serializers.IntegerField(), required=False, default=list)
    add_prohibitions = ProhibitionInputSerializer(many=True, required=False, default=list)
