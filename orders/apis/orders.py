"""Orders API: the force's criminal behaviour orders (police read; force admins record, correct, serve,
vary, discharge). Writes that make old footage relevant go through ``workflows.orders``."""

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import IsForceAdmin
from core.filters import ScopedFilterBackend
from core.schema import path_id
from orders import selectors
from orders.apis.common import PageNamedSchema, PoliceReadAdminWrite, offender_or_400, order_or_404
from orders.apis.serializers import (
    PROHIBITION_EXAMPLES,
    OrderCorrectInputSerializer,
    OrderCreateInputSerializer,
    OrderDetailOutputSerializer,
    OrderDischargeInputSerializer,
    OrderOutputSerializer,
    OrderServeInputSerializer,
    OrderVaryInputSerializer,
    prohibition_input,
)
from orders.filters import OrderFilterSet
from orders.models import Order
from orders.services import orders as order_services
from orders.services.common import UNSET
from workflows import orders as order_workflows

ORDER_EXAMPLE = OpenApiExample(
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


class OrderCollectionApi(PoliceReadAdminWrite, generics.ListAPIView):
    """Orders of your force (GET, police), or record one with its prohibitions (POST, admin).

    Dates are UK local days, inclusive. Error codes (400 unless said): ``effective_before_made``,
    ``ends_before_start``, ``end_required``, ``end_and_indefinite``, ``made_in_future``, ``served_before_made``,
    ``served_in_future``, ``youth_order_adult``, ``supervisor_required``, ``replaces_not_interim``,
    ``replaces_other_person``, ``already_replaced`` (409), ``date_out_of_range`` (dates run 1900-2199); per
    prohibition (field ``prohibitions[i].name``):
    ``no_premises``, ``store_other_force``, ``beat_other_force``, ``polygon_not_closed``,
    ``polygon_self_intersection``, ``polygon_not_polygon``, ``polygon_too_few``, ``polygon_out_of_bounds``,
    ``incomplete_circle``, ``invalid_radius``, ``zone_ambiguous``, ``not_for_kind``, ``outside_order``."""

    serializer_class = OrderOutputSerializer
    filter_backends = [ScopedFilterBackend]
    filterset_class = OrderFilterSet
    schema = PageNamedSchema()

    def get_queryset(self):
        qs = selectors.orders_for(self.request.user).select_related("replaced_by")
        return qs.prefetch_related("prohibitions__stores__retailer", "prohibitions__beats", "prohibitions__retailer")

    @extend_schema(operation_id="orders_list")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=OrderCreateInputSerializer,
        responses={201: OrderDetailOutputSerializer},
        operation_id="orders_create",
        examples=[ORDER_EXAMPLE],
    )
    def post(self, request):
        serializer = OrderCreateInputSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        offender = offender_or_400(request, data.pop("offender"))
        replaces = _replaced_or_400(request, data.pop("replaces"))
        prohibitions = [prohibition_input(p) for p in data.pop("prohibitions")]
        order = order_workflows.order_create(
            offender=offender, actor=request.user, replaces=replaces, prohibitions=prohibitions, **data
        )
        return Response(OrderDetailOutputSerializer(order).data, status=status.HTTP_201_CREATED)


def _replaced_or_400(request, order_id: int | None) -> Order | None:
    if order_id is None:
        return None
    replaces = selectors.orders_for(request.user).filter(pk=order_id).first()
    if replaces is None:
        raise serializers.ValidationError({"replaces": ["No such order in your force."]})
    return replaces


class OrderDetailApi(PoliceReadAdminWrite, APIView):
    """One order with prohibitions and history (GET), or correct details recorded wrongly (PATCH, admin;
    old and new values kept). A court's change is a variation (``vary/``), not a correction."""

    @extend_schema(responses=OrderDetailOutputSerializer, parameters=[path_id("order_id")])
    def get(self, request, order_id: int):
        return Response(OrderDetailOutputSerializer(order_or_404(request, order_id)).data)

    @extend_schema(
        request=OrderCorrectInputSerializer, responses=OrderDetailOutputSerializer, parameters=[path_id("order_id")]
    )
    def patch(self, request, order_id: int):
        order = order_or_404(request, order_id)
        serializer = OrderCorrectInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        order = order_workflows.order_correct(order=order, actor=request.user, **serializer.validated_data)
        return Response(OrderDetailOutputSerializer(order).data)


class OrderServeApi(APIView):
    """Record the day the order was served on the person (admin)."""

    permission_classes = [IsForceAdmin]

    @extend_schema(
        request=OrderServeInputSerializer, responses=OrderDetailOutputSerializer, parameters=[path_id("order_id")]
    )
    def post(self, request, order_id: int):
        order = order_or_404(request, order_id)
        serializer = OrderServeInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        order = order_workflows.order_serve(order=order, actor=request.user, **serializer.validated_data)
        return Response(OrderDetailOutputSerializer(order).data)


class OrderDischargeApi(APIView):
    """The court discharged the order: no longer in force from ``discharged_on`` (admin)."""

    permission_classes = [IsForceAdmin]

    @extend_schema(
        request=OrderDischargeInputSerializer, responses=OrderDetailOutputSerializer, parameters=[path_id("order_id")]
    )
    def post(self, request, order_id: int):
        order = order_or_404(request, order_id)
        serializer = OrderDischargeInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        order = order_services.order_discharge(order=order, actor=request.user, **serializer.validated_data)
        return Response(OrderDetailOutputSerializer(order).data)


class OrderVaryApi(APIView):
    """The court varied the order from ``varied_on``: new end, requirements, prohibitions removed or added (admin).
    Earlier moments keep the earlier terms."""

    permission_classes = [IsForceAdmin]

    @extend_schema(
        request=OrderVaryInputSerializer, responses=OrderDetailOutputSerializer, parameters=[path_id("order_id")]
    )
    def post(self, request, order_id: int):
        order = order_or_404(request, order_id)
        serializer = OrderVaryInputSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        terms = {k: data.get(k, UNSET) for k in ("ends_on", "indefinite", "positive_requirements", "supervisor")}
        order = order_workflows.order_vary(
            order=order,
            actor=request.user,
            varied_on=data["varied_on"],
            reason=data["reason"],
            remove_prohibitions=data["remove_prohibitions"],
            add_prohibitions=[prohibition_input(p) for p in data["add_prohibitions"]],
            **terms,
        )
        return Response(OrderDetailOutputSerializer(order).data)
