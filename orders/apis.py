"""Orders API: offenders, reference photos, CBOs and prohibitions.

Force admins write; beat officers of the same force may read (they review the cases these feed);
shop workers never see any of it (403). Anything outside the user's force is 404.
"""

from django.http import FileResponse, Http404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import access
from accounts.apis import StoreSummarySerializer
from accounts.models import Beat, Retailer, Store
from accounts.permissions import IsForceAdmin, IsPolice
from core.filters import MAX_ID
from core.pagination import DefaultPagination
from orders import imports, selectors, services
from orders.models import Offender, OffenderEvent, Order, OrderEvent, Prohibition, ReferencePhoto
from orders.services import UNSET, ProhibitionInput


class PoliceReadAdminWrite:
    """GET for police of the force; anything else for its force admins only."""

    def get_permissions(self):
        return [IsPolice()] if self.request.method in ("GET", "HEAD", "OPTIONS") else [IsForceAdmin()]


def _paginated(view, request, qs, serializer_class, context=None):
    paginator = DefaultPagination()
    page = paginator.paginate_queryset(qs, request, view=view)
    return paginator.get_paginated_response(serializer_class(page, many=True, context=context or {}).data)


def _offender_or_404(request, offender_id: int) -> Offender:
    offender = selectors.offenders_for(request.user).filter(pk=offender_id).first()
    if offender is None:
        raise Http404
    return offender


def _order_or_404(request, order_id: int) -> Order:
    order = selectors.orders_for(request.user).filter(pk=order_id).first()
    if order is None:
        raise Http404
    return order


class _PageOutputSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)


def _page_of(item_serializer, name: str):
    """The paginated list shape ``_paginated`` answers with (the schema said a bare array)."""
    return type(name, (_PageOutputSerializer,), {"results": item_serializer(many=True)})


PAGE_PARAMETERS = [
    OpenApiParameter("page", OpenApiTypes.INT, description="Page number, from 1."),
    OpenApiParameter("page_size", OpenApiTypes.INT, description="Rows a page (default 50, at most 200)."),
]


class ReasonQueryInputSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


def _reason_param(request) -> str:
    """``?reason=`` of a DELETE, checked like any text field (a NUL character was a 500 on PostgreSQL)."""
    serializer = ReasonQueryInputSerializer(data=request.query_params)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data["reason"]


def _id_param(name: str) -> OpenApiParameter:
    return OpenApiParameter(name, OpenApiTypes.INT, OpenApiParameter.PATH)


# Output serializers ---------------------------------------------------------------------------


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
    stores = StoreSummarySerializer(many=True)
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

    def get_in_effect_now(self, p) -> bool:
        today = timezone.localdate()
        return (
            p.order.in_force_on(today)
            and (p.starts_on is None or p.starts_on <= today)
            and (p.ends_on is None or today <= p.ends_on)
            and (p.added_on is None or p.added_on <= today)
            and (p.removed_on is None or today < p.removed_on)
        )


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
        return Order.objects.filter(replaces=order).values_list("pk", flat=True).first()


class OrderDetailOutputSerializer(OrderOutputSerializer):
    events = OrderEventOutputSerializer(many=True)

    class Meta(OrderOutputSerializer.Meta):
        fields = [*OrderOutputSerializer.Meta.fields, "events"]


# Input serializers ----------------------------------------------------------------------------


class _OwnForcePrimaryKeyField(serializers.PrimaryKeyRelatedField):
    """A store or beat id, looked up in the requesting user's force only. An id outside it, whether it
    belongs to another force or to nothing, becomes a row of no force, which the service refuses
    (``store_other_force`` / ``beat_other_force``) with a message naming only the id: the answer never
    tells which ids (or which names) exist in other forces."""

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
        row = self.get_queryset().filter(pk=pk, **{self.force_path: request.user.force_id}).first()
        return row if row is not None else self.outside(pk)


def _store_outside(pk: int) -> Store:
    return Store(pk=pk, code=str(pk), beat=Beat(force_id=None))


def _beat_outside(pk: int) -> Beat:
    return Beat(pk=pk, force_id=None)


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
    retailer = serializers.PrimaryKeyRelatedField(queryset=Retailer.objects.all(), required=False, allow_null=True)
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


def _to_input(data: dict) -> ProhibitionInput:
    return ProhibitionInput(**data)


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


# Offenders ------------------------------------------------------------------------------------


class OffenderCollectionApi(PoliceReadAdminWrite, APIView):
    """Offenders of your force (GET, police; search by name, alias or PNC ID with ``q``), or add one (POST, admin).

    Error codes: ``invalid_pnc_id`` (format or check letter), ``duplicate_pnc_id`` (409), ``required``,
    ``date_of_birth_future``."""

    class OffenderFilterInputSerializer(serializers.Serializer):
        q = serializers.CharField(required=False, help_text="Part of a name, an alias or a PNC ID.")
        in_gallery = serializers.BooleanField(required=False, allow_null=True, default=None)

    class OffenderCreateInputSerializer(serializers.Serializer):
        given_names = serializers.CharField(max_length=120)
        family_name = serializers.CharField(max_length=120)
        aliases = serializers.ListField(child=serializers.CharField(max_length=120), required=False, default=list)
        date_of_birth = serializers.DateField(required=False, allow_null=True)
        pnc_id = serializers.CharField(required=False, allow_blank=True, max_length=20, default="")
        notes = serializers.CharField(required=False, allow_blank=True, default="")

    @extend_schema(
        parameters=[OffenderFilterInputSerializer, *PAGE_PARAMETERS],
        responses=_page_of(OffenderOutputSerializer, "OffenderPageOutputSerializer"),
        operation_id="offenders_list",
    )
    def get(self, request):
        filters = self.OffenderFilterInputSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        qs = selectors.offenders_search(selectors.offenders_for(request.user), q=filters.validated_data.get("q", ""))
        gallery = selectors.gallery_offender_ids(force_id=request.user.force_id, at=timezone.now())
        in_gallery = filters.validated_data.get("in_gallery")
        if in_gallery is not None:
            qs = qs.filter(pk__in=gallery) if in_gallery else qs.exclude(pk__in=gallery)
        qs = qs.prefetch_related("photos")
        return _paginated(self, request, qs, OffenderOutputSerializer, {"gallery": gallery})

    @extend_schema(
        request=OffenderCreateInputSerializer,
        responses={201: OffenderDetailOutputSerializer},
        operation_id="offenders_create",
        examples=[
            OpenApiExample(
                "Offender",
                request_only=True,
                value={
                    "given_names": "Jason",
                    "family_name": "Smith",
                    "aliases": ["Jay Smith"],
                    "date_of_birth": "1991-04-02",
                    "pnc_id": "2009/0012345X",
                },
            )
        ],
    )
    def post(self, request):
        serializer = self.OffenderCreateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        offender = services.offender_create(actor=request.user, force=request.user.force, **serializer.validated_data)
        return Response(OffenderDetailOutputSerializer(offender).data, status=status.HTTP_201_CREATED)


class OffenderDetailApi(PoliceReadAdminWrite, APIView):
    """One offender with photos and history (GET), or change their details (PATCH, admin; audited)."""

    class OffenderUpdateInputSerializer(serializers.Serializer):
        given_names = serializers.CharField(max_length=120, required=False)
        family_name = serializers.CharField(max_length=120, required=False)
        aliases = serializers.ListField(child=serializers.CharField(max_length=120), required=False)
        date_of_birth = serializers.DateField(required=False, allow_null=True)
        pnc_id = serializers.CharField(required=False, allow_blank=True, max_length=20)
        notes = serializers.CharField(required=False, allow_blank=True)
        reason = serializers.CharField(required=False, allow_blank=True, default="")

    @extend_schema(responses=OffenderDetailOutputSerializer, parameters=[_id_param("offender_id")])
    def get(self, request, offender_id: int):
        return Response(OffenderDetailOutputSerializer(_offender_or_404(request, offender_id)).data)

    @extend_schema(
        request=OffenderUpdateInputSerializer,
        responses=OffenderDetailOutputSerializer,
        parameters=[_id_param("offender_id")],
    )
    def patch(self, request, offender_id: int):
        offender = _offender_or_404(request, offender_id)
        serializer = self.OffenderUpdateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        offender = services.offender_update(offender=offender, actor=request.user, **serializer.validated_data)
        return Response(OffenderDetailOutputSerializer(offender).data)


class ReferencePhotoCollectionApi(PoliceReadAdminWrite, APIView):
    """An offender's reference photos (GET), or add one (POST, admin, multipart). The photo must show exactly
    one face of adequate size: otherwise 400 ``no_face``, ``multiple_faces`` or ``face_too_small``. Other codes:
    ``empty_file``, ``file_too_large``, ``unsupported_image_type``, ``unreadable_image``, ``taken_on_future``,
    ``duplicate_photo`` (409). Nothing is kept when a photo is refused."""

    parser_classes = [MultiPartParser, FormParser]

    class ReferencePhotoCreateInputSerializer(serializers.Serializer):
        image = serializers.FileField(allow_empty_file=True, help_text="JPEG, PNG or WebP; one face.")
        source = serializers.CharField(max_length=200, help_text="e.g. 'Custody, Crewe suite'.")
        taken_on = serializers.DateField()

    @extend_schema(
        responses=_page_of(ReferencePhotoOutputSerializer, "ReferencePhotoPageOutputSerializer"),
        parameters=[_id_param("offender_id"), *PAGE_PARAMETERS],
        operation_id="offenders_photos_list",
    )
    def get(self, request, offender_id: int):
        offender = _offender_or_404(request, offender_id)
        return _paginated(self, request, offender.photos.all(), ReferencePhotoOutputSerializer)

    @extend_schema(
        request={"multipart/form-data": ReferencePhotoCreateInputSerializer},
        responses={
            201: ReferencePhotoOutputSerializer,
            503: OpenApiResponse(description="Face matching is not installed here (`face_engine_unavailable`)."),
        },
        parameters=[_id_param("offender_id")],
        operation_id="offenders_photos_create",
    )
    def post(self, request, offender_id: int):
        offender = _offender_or_404(request, offender_id)
        serializer = self.ReferencePhotoCreateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        photo = services.reference_photo_add(offender=offender, actor=request.user, **serializer.validated_data)
        return Response(ReferencePhotoOutputSerializer(photo).data, status=status.HTTP_201_CREATED)


def _photo_or_404(request, offender_id: int, photo_id: int) -> ReferencePhoto:
    offender = _offender_or_404(request, offender_id)
    photo = offender.photos.filter(pk=photo_id).first()
    if photo is None:
        raise Http404
    return photo


class ReferencePhotoDetailApi(PoliceReadAdminWrite, APIView):
    """One reference photo (GET), correct its source or date (PATCH, admin), or remove it and its face
    templates (DELETE, admin)."""

    class ReferencePhotoUpdateInputSerializer(serializers.Serializer):
        source = serializers.CharField(max_length=200, required=False)
        taken_on = serializers.DateField(required=False)

    @extend_schema(
        responses=ReferencePhotoOutputSerializer, parameters=[_id_param("offender_id"), _id_param("photo_id")]
    )
    def get(self, request, offender_id: int, photo_id: int):
        return Response(ReferencePhotoOutputSerializer(_photo_or_404(request, offender_id, photo_id)).data)

    @extend_schema(
        request=ReferencePhotoUpdateInputSerializer,
        responses=ReferencePhotoOutputSerializer,
        parameters=[_id_param("offender_id"), _id_param("photo_id")],
    )
    def patch(self, request, offender_id: int, photo_id: int):
        photo = _photo_or_404(request, offender_id, photo_id)
        serializer = self.ReferencePhotoUpdateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        photo = services.reference_photo_update(photo=photo, actor=request.user, **serializer.validated_data)
        return Response(ReferencePhotoOutputSerializer(photo).data)

    @extend_schema(responses={204: None}, parameters=[_id_param("offender_id"), _id_param("photo_id")])
    def delete(self, request, offender_id: int, photo_id: int):
        photo = _photo_or_404(request, offender_id, photo_id)
        services.reference_photo_remove(photo=photo, actor=request.user, reason=_reason_param(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class ReferencePhotoImageApi(APIView):
    """The photo's image file (police of the force only)."""

    permission_classes = [IsPolice]

    @extend_schema(
        responses={(200, "image/jpeg"): OpenApiTypes.BINARY},
        parameters=[_id_param("offender_id"), _id_param("photo_id")],
    )
    def get(self, request, offender_id: int, photo_id: int):
        photo = _photo_or_404(request, offender_id, photo_id)
        response = FileResponse(photo.image.open("rb"))
        response["Cache-Control"] = "private, no-store"
        return response


# Orders ---------------------------------------------------------------------------------------


class OrderCollectionApi(PoliceReadAdminWrite, APIView):
    """Orders of your force (GET, police), or record one with its prohibitions (POST, admin).

    Dates are UK local days, inclusive. Error codes (400 unless said): ``effective_before_made``,
    ``ends_before_start``, ``end_required``, ``end_and_indefinite``, ``made_in_future``, ``served_before_made``,
    ``served_in_future``, ``youth_order_adult``, ``supervisor_required``, ``replaces_not_interim``,
    ``replaces_other_person``, ``already_replaced`` (409), ``date_out_of_range`` (dates run 1900-2199); per
    prohibition (field ``prohibitions[i].name``):
    ``no_premises``, ``store_other_force``, ``beat_other_force``, ``polygon_not_closed``,
    ``polygon_self_intersection``, ``polygon_not_polygon``, ``polygon_too_few``, ``polygon_out_of_bounds``,
    ``incomplete_circle``, ``invalid_radius``, ``zone_ambiguous``, ``not_for_kind``, ``outside_order``."""

    class OrderFilterInputSerializer(serializers.Serializer):
        offender = serializers.IntegerField(required=False, max_value=MAX_ID)
        in_force = serializers.BooleanField(required=False, allow_null=True, default=None)

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

    @extend_schema(
        parameters=[OrderFilterInputSerializer, *PAGE_PARAMETERS],
        responses=_page_of(OrderOutputSerializer, "OrderPageOutputSerializer"),
        operation_id="orders_list",
    )
    def get(self, request):
        filters = self.OrderFilterInputSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        qs = selectors.orders_for(request.user).prefetch_related(
            "prohibitions__stores__retailer", "prohibitions__beats"
        )
        if "offender" in filters.validated_data:
            qs = qs.filter(offender_id=filters.validated_data["offender"])
        in_force = filters.validated_data.get("in_force")
        if in_force is not None:
            live = selectors.orders_in_force(at=timezone.now()).values("pk")
            qs = qs.filter(pk__in=live) if in_force else qs.exclude(pk__in=live)
        return _paginated(self, request, qs, OrderOutputSerializer)

    @extend_schema(
        request=OrderCreateInputSerializer,
        responses={201: OrderDetailOutputSerializer},
        operation_id="orders_create",
        examples=[
            OpenApiExample(
                "Full order with each kind of prohibition",
                request_only=True,
                value={
                    "offender": 7,
                    "kind": "full",
                    "court": "Crewe Magistrates' Court",
                    "case_reference": "CBO/2026/0042",
                    "made_on": "2026-01-05",
                    "effective_from": "2026-01-05",
                    "ends_on": "2028-01-04",
                    "served_on": "2026-01-05",
                    "positive_requirements": "Attend a drug rehabilitation course",
                    "supervisor": "Cheshire Probation Service",
                    "prohibitions": PROHIBITION_EXAMPLES,
                },
            )
        ],
    )
    def post(self, request):
        serializer = self.OrderCreateInputSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        offender = _offender_or_404_field(request, data.pop("offender"))
        replaces_id = data.pop("replaces")
        replaces = None
        if replaces_id is not None:
            replaces = selectors.orders_for(request.user).filter(pk=replaces_id).first()
            if replaces is None:
                raise serializers.ValidationError({"replaces": ["No such order in your force."]})
        prohibitions = [_to_input(p) for p in data.pop("prohibitions")]
        order = services.order_create(
            offender=offender, actor=request.user, replaces=replaces, prohibitions=prohibitions, **data
        )
        return Response(OrderDetailOutputSerializer(order).data, status=status.HTTP_201_CREATED)


def _offender_or_404_field(request, offender_id: int) -> Offender:
    offender = selectors.offenders_for(request.user).filter(pk=offender_id).first()
    if offender is None:
        raise serializers.ValidationError({"offender": ["No such offender in your force."]})
    return offender


class OrderDetailApi(PoliceReadAdminWrite, APIView):
    """One order with prohibitions and history (GET), or correct details recorded wrongly (PATCH, admin;
    old and new values kept). A court's change is a variation (``vary/``), not a correction."""

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

    @extend_schema(responses=OrderDetailOutputSerializer, parameters=[_id_param("order_id")])
    def get(self, request, order_id: int):
        return Response(OrderDetailOutputSerializer(_order_or_404(request, order_id)).data)

    @extend_schema(
        request=OrderCorrectInputSerializer, responses=OrderDetailOutputSerializer, parameters=[_id_param("order_id")]
    )
    def patch(self, request, order_id: int):
        order = _order_or_404(request, order_id)
        serializer = self.OrderCorrectInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        order = services.order_correct(order=order, actor=request.user, **serializer.validated_data)
        return Response(OrderDetailOutputSerializer(order).data)


class OrderServeApi(APIView):
    """Record the day the order was served on the person (admin)."""

    permission_classes = [IsForceAdmin]

    class OrderServeInputSerializer(serializers.Serializer):
        served_on = serializers.DateField()
        served_by = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")

    @extend_schema(
        request=OrderServeInputSerializer, responses=OrderDetailOutputSerializer, parameters=[_id_param("order_id")]
    )
    def post(self, request, order_id: int):
        order = _order_or_404(request, order_id)
        serializer = self.OrderServeInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        order = services.order_serve(order=order, actor=request.user, **serializer.validated_data)
        return Response(OrderDetailOutputSerializer(order).data)


class OrderDischargeApi(APIView):
    """The court discharged the order: no longer in force from ``discharged_on`` (admin)."""

    permission_classes = [IsForceAdmin]

    class OrderDischargeInputSerializer(serializers.Serializer):
        discharged_on = serializers.DateField()
        reason = serializers.CharField(max_length=2000)

    @extend_schema(
        request=OrderDischargeInputSerializer, responses=OrderDetailOutputSerializer, parameters=[_id_param("order_id")]
    )
    def post(self, request, order_id: int):
        order = _order_or_404(request, order_id)
        serializer = self.OrderDischargeInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        order = services.order_discharge(order=order, actor=request.user, **serializer.validated_data)
        return Response(OrderDetailOutputSerializer(order).data)


class OrderVaryApi(APIView):
    """The court varied the order from ``varied_on``: new end, requirements, prohibitions removed or added (admin).
    Earlier moments keep the earlier terms."""

    permission_classes = [IsForceAdmin]

    class OrderVaryInputSerializer(serializers.Serializer):
        varied_on = serializers.DateField()
        reason = serializers.CharField(max_length=2000)
        ends_on = serializers.DateField(required=False, allow_null=True)
        indefinite = serializers.BooleanField(required=False)
        positive_requirements = serializers.CharField(required=False, allow_blank=True)
        supervisor = serializers.CharField(required=False, allow_blank=True, max_length=200)
        remove_prohibitions = serializers.ListField(child=serializers.IntegerField(), required=False, default=list)
        add_prohibitions = ProhibitionInputSerializer(many=True, required=False, default=list)

    @extend_schema(
        request=OrderVaryInputSerializer, responses=OrderDetailOutputSerializer, parameters=[_id_param("order_id")]
    )
    def post(self, request, order_id: int):
        order = _order_or_404(request, order_id)
        serializer = self.OrderVaryInputSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        terms = {k: data.get(k, UNSET) for k in ("ends_on", "indefinite", "positive_requirements", "supervisor")}
        order = services.order_vary(
            order=order,
            actor=request.user,
            varied_on=data["varied_on"],
            reason=data["reason"],
            remove_prohibitions=data["remove_prohibitions"],
            add_prohibitions=[_to_input(p) for p in data["add_prohibitions"]],
            **terms,
        )
        return Response(OrderDetailOutputSerializer(order).data)


def _prohibition_or_404(order: Order, prohibition_id: int) -> Prohibition:
    prohibition = order.prohibitions.filter(pk=prohibition_id).first()
    if prohibition is None:
        raise Http404
    return prohibition


class ProhibitionCollectionApi(APIView):
    """Record a prohibition the order made (admin; data entry). One the court added later is a variation."""

    permission_classes = [IsForceAdmin]

    @extend_schema(
        request=ProhibitionInputSerializer,
        responses={201: ProhibitionOutputSerializer},
        parameters=[_id_param("order_id")],
        operation_id="orders_prohibitions_create",
        examples=[
            OpenApiExample(f"Example {i + 1}", value=v, request_only=True) for i, v in enumerate(PROHIBITION_EXAMPLES)
        ],
    )
    def post(self, request, order_id: int):
        order = _order_or_404(request, order_id)
        serializer = ProhibitionInputSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        p = services.prohibition_add(order=order, actor=request.user, data=_to_input(serializer.validated_data))
        return Response(ProhibitionOutputSerializer(p).data, status=status.HTTP_201_CREATED)


class ProhibitionDetailApi(APIView):
    """Correct a prohibition recorded wrongly (PUT, the whole prohibition), or delete one recorded in error
    (DELETE with ``?reason=``). Admin only; the history keeps the old values."""

    permission_classes = [IsForceAdmin]

    @extend_schema(
        request=ProhibitionInputSerializer,
        responses=ProhibitionOutputSerializer,
        parameters=[_id_param("order_id"), _id_param("prohibition_id")],
    )
    def put(self, request, order_id: int, prohibition_id: int):
        prohibition = _prohibition_or_404(_order_or_404(request, order_id), prohibition_id)
        serializer = ProhibitionInputSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        p = services.prohibition_correct(
            prohibition=prohibition, actor=request.user, data=_to_input(serializer.validated_data)
        )
        return Response(ProhibitionOutputSerializer(p).data)

    @extend_schema(
        responses={204: None},
        parameters=[
            _id_param("order_id"),
            _id_param("prohibition_id"),
            OpenApiParameter("reason", OpenApiTypes.STR, OpenApiParameter.QUERY, required=True),
        ],
    )
    def delete(self, request, order_id: int, prohibition_id: int):
        prohibition = _prohibition_or_404(_order_or_404(request, order_id), prohibition_id)
        services.prohibition_delete(prohibition=prohibition, actor=request.user, reason=_reason_param(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class PremisesImportRowOutputSerializer(serializers.Serializer):
    line = serializers.IntegerField()
    store_code = serializers.CharField()
    postcode = serializers.CharField()
    retailer = serializers.CharField()
    stores = StoreSummarySerializer(many=True)
    error = serializers.CharField()


class PremisesImportOutputSerializer(serializers.Serializer):
    dry_run = serializers.BooleanField()
    ok = serializers.BooleanField(help_text="Every row is right (a real run would import).")
    rows = PremisesImportRowOutputSerializer(many=True)
    store_count = serializers.IntegerField()
    prohibition = ProhibitionOutputSerializer(allow_null=True)


class PremisesImportApi(APIView):
    """Import prohibited premises from CSV (header ``store_code,postcode``, optional ``retailer``; UTF-8).
    ``dry_run=true`` previews every row (200, with each row's stores or error). A real run imports all rows
    as named premises (a new prohibition, or added to ``prohibition``) or, if any row is wrong, nothing: 400
    ``csv_rows_invalid`` with ``fields`` = ``{"line N": [error]}``. A file that is not a readable CSV is a 400
    ``csv_encoding``, ``csv_header``, ``csv_malformed``, ``csv_empty`` or ``csv_too_large``. Admin only."""

    permission_classes = [IsForceAdmin]
    parser_classes = [MultiPartParser, FormParser]

    class PremisesImportInputSerializer(serializers.Serializer):
        file = serializers.FileField(allow_empty_file=True)
        dry_run = serializers.BooleanField(default=True)
        description = serializers.CharField(required=False, allow_blank=True, max_length=255, default="")
        prohibition = serializers.IntegerField(required=False, allow_null=True, default=None)

    @extend_schema(
        request={"multipart/form-data": PremisesImportInputSerializer},
        responses={200: PremisesImportOutputSerializer, 201: PremisesImportOutputSerializer},
        parameters=[_id_param("order_id")],
    )
    def post(self, request, order_id: int):
        order = _order_or_404(request, order_id)
        serializer = self.PremisesImportInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        prohibition = _prohibition_or_404(order, data["prohibition"]) if data["prohibition"] else None
        report = imports.premises_import(
            order=order,
            actor=request.user,
            content=data["file"].read(),
            dry_run=data["dry_run"],
            description=data["description"],
            prohibition=prohibition,
        )
        code = status.HTTP_200_OK if report.dry_run else status.HTTP_201_CREATED
        return Response(PremisesImportOutputSerializer(report).data, status=code)


class ProhibitedAtApi(APIView):
    """The one question: which orders in force and served prohibited this person (or anyone) from this store
    at this moment? Police of the store's force."""

    permission_classes = [IsPolice]

    class ProhibitedAtInputSerializer(serializers.Serializer):
        store = serializers.IntegerField()
        at = serializers.DateTimeField(help_text="A moment, e.g. 2026-06-10T00:30:00+01:00 (UK local day counts).")
        offender = serializers.IntegerField(required=False)

    @extend_schema(parameters=[ProhibitedAtInputSerializer], responses=ProhibitionOutputSerializer(many=True))
    def get(self, request):
        serializer = self.ProhibitedAtInputSerializer(data=request.query_params)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        store = access.stores_for(request.user).filter(pk=data["store"]).first()
        if store is None:
            raise Http404
        offender = _offender_or_404(request, data["offender"]) if "offender" in data else None
        found = selectors.prohibitions_in_force(store=store, at=data["at"], offender=offender)
        return Response(ProhibitionOutputSerializer(found, many=True).data)
