"""Prohibitions API: record, correct or delete an order's prohibitions (admin), import named premises
from CSV (admin), and the one question (police): who was prohibited from this store at this moment?"""

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import access
from accounts.permissions import IsForceAdmin, IsPolice
from core.schema import path_id
from orders import selectors
from orders.apis.common import offender_or_404, order_or_404, prohibition_or_404, reason_param
from orders.apis.serializers import (
    PROHIBITION_EXAMPLES,
    PremisesImportInputSerializer,
    PremisesImportOutputSerializer,
    ProhibitedAtInputSerializer,
    ProhibitionInputSerializer,
    ProhibitionOutputSerializer,
    prohibition_input,
)
from orders.services import prohibitions as prohibition_services
from workflows import orders as order_workflows


class ProhibitionCollectionApi(APIView):
    """Record a prohibition the order made (admin; data entry). One the court added later is a variation."""

    permission_classes = [IsForceAdmin]

    @extend_schema(
        request=ProhibitionInputSerializer,
        responses={201: ProhibitionOutputSerializer},
        parameters=[path_id("order_id")],
        operation_id="orders_prohibitions_create",
        examples=[
            OpenApiExample(f"Example {i + 1}", value=v, request_only=True) for i, v in enumerate(PROHIBITION_EXAMPLES)
        ],
    )
    def post(self, request, order_id: int):
        order = order_or_404(request, order_id)
        serializer = ProhibitionInputSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = prohibition_input(serializer.validated_data)
        prohibition = order_workflows.prohibition_add(order=order, actor=request.user, data=data)
        return Response(ProhibitionOutputSerializer(prohibition).data, status=status.HTTP_201_CREATED)


class ProhibitionDetailApi(APIView):
    """Correct a prohibition recorded wrongly (PUT, the whole prohibition), or delete one recorded in error
    (DELETE with ``?reason=``). Admin only; the history keeps the old values."""

    permission_classes = [IsForceAdmin]

    @extend_schema(
        request=ProhibitionInputSerializer,
        responses=ProhibitionOutputSerializer,
        parameters=[path_id("order_id"), path_id("prohibition_id")],
    )
    def put(self, request, order_id: int, prohibition_id: int):
        prohibition = prohibition_or_404(order_or_404(request, order_id), prohibition_id)
        serializer = ProhibitionInputSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        prohibition = order_workflows.prohibition_correct(
            prohibition=prohibition, actor=request.user, data=prohibition_input(serializer.validated_data)
        )
        return Response(ProhibitionOutputSerializer(prohibition).data)

    @extend_schema(
        responses={204: None},
        parameters=[
            path_id("order_id"),
            path_id("prohibition_id"),
            OpenApiParameter("reason", OpenApiTypes.STR, OpenApiParameter.QUERY, required=True),
        ],
    )
    def delete(self, request, order_id: int, prohibition_id: int):
        prohibition = prohibition_or_404(order_or_404(request, order_id), prohibition_id)
        reason = reason_param(request)
        prohibition_services.prohibition_delete(prohibition=prohibition, actor=request.user, reason=reason)
        return Response(status=status.HTTP_204_NO_CONTENT)


class PremisesImportApi(APIView):
    """Import prohibited premises from CSV (header ``store_code,postcode``, optional ``retailer``; UTF-8).
    ``dry_run=true`` previews every row (200, with each row's stores or error). A real run imports all rows
    as named premises (a new prohibition, or added to ``prohibition``) or, if any row is wrong, nothing: 400
    ``csv_rows_invalid`` with ``fields`` = ``{"line N": [error]}``. A file that is not a readable CSV is a 400
    ``csv_encoding``, ``csv_header``, ``csv_malformed``, ``csv_empty`` or ``csv_too_large``. Admin only."""

    permission_classes = [IsForceAdmin]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request={"multipart/form-data": PremisesImportInputSerializer},
        responses={200: PremisesImportOutputSerializer, 201: PremisesImportOutputSerializer},
        parameters=[path_id("order_id")],
    )
    def post(self, request, order_id: int):
        order = order_or_404(request, order_id)
        serializer = PremisesImportInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        prohibition = prohibition_or_404(order, data["prohibition"]) if data["prohibition"] else None
        report = order_workflows.premises_import(
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

    @extend_schema(parameters=[ProhibitedAtInputSerializer], responses=ProhibitionOutputSerializer(many=True))
    def get(self, request):
        serializer = ProhibitedAtInputSerializer(data=request.query_params)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        store = access.stores_for(request.user).filter(pk=data["store"]).first()
        if store is None:
            raise Http404
        offender = offender_or_404(request, data["offender"]) if "offender" in data else None
        found = selectors.prohibitions_in_force(store=store, at=data["at"], offender=offender)
        return Response(ProhibitionOutputSerializer(found, many=True).data)
