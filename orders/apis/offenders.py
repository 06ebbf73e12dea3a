"""Offenders API: the force's offenders (police read, force admins write; shop workers never)."""

from django.utils import timezone
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from core.filters import ScopedFilterBackend
from core.schema import path_id
from orders import selectors
from orders.apis.common import PageNamedSchema, PoliceReadAdminWrite, offender_or_404
from orders.apis.serializers import (
    OffenderCreateInputSerializer,
    OffenderDetailOutputSerializer,
    OffenderOutputSerializer,
    OffenderUpdateInputSerializer,
)
from orders.filters import OffenderFilterSet
from orders.services import offenders as offender_services

OFFENDER_EXAMPLE = OpenApiExample(
    "Offender",
    request_only=True,
    value={
        "given_names": "Jason",
        "family_name": "Smith",
        "aliases": ["Jay Smith"],
        "date_of_birth": "1991-04-02",
        "pnc_id": "2009/0012345E",
    },
)


class OffenderCollectionApi(PoliceReadAdminWrite, generics.ListAPIView):
    """Offenders of your force (GET, police; search by name, alias or PNC ID with ``q``), or add one (POST, admin).

    Error codes: ``invalid_pnc_id`` (format or check letter), ``duplicate_pnc_id`` (409), ``required``,
    ``date_of_birth_future``."""

    serializer_class = OffenderOutputSerializer
    filter_backends = [ScopedFilterBackend]
    filterset_class = OffenderFilterSet
    schema = PageNamedSchema()

    def get_queryset(self):
        return selectors.offenders_for(self.request.user).prefetch_related("photos")

    page_ids: list[int] | None = None

    def get_serializer(self, *args, **kwargs):
        if args and isinstance(args[0], list):  # a page of offenders: whether each is in the gallery, asked once
            self.page_ids = [offender.pk for offender in args[0]]
        return super().get_serializer(*args, **kwargs)

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if self.page_ids is not None:
            at, force_id = timezone.now(), self.request.user.force_id
            context["gallery"] = selectors.gallery_offender_ids(force_id=force_id, at=at, among=self.page_ids)
        return context

    @extend_schema(operation_id="offenders_list")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=OffenderCreateInputSerializer,
        responses={201: OffenderDetailOutputSerializer},
        operation_id="offenders_create",
        examples=[OFFENDER_EXAMPLE],
    )
    def post(self, request):
        serializer = OffenderCreateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        offender = offender_services.offender_create(
            actor=request.user, force=request.user.force, **serializer.validated_data
        )
        return Response(OffenderDetailOutputSerializer(offender).data, status=status.HTTP_201_CREATED)


class OffenderDetailApi(PoliceReadAdminWrite, APIView):
    """One offender with photos and history (GET), or change their details (PATCH, admin; audited)."""

    @extend_schema(responses=OffenderDetailOutputSerializer, parameters=[path_id("offender_id")])
    def get(self, request, offender_id: int):
        return Response(OffenderDetailOutputSerializer(offender_or_404(request, offender_id)).data)

    @extend_schema(
        request=OffenderUpdateInputSerializer,
        responses=OffenderDetailOutputSerializer,
        parameters=[path_id("offender_id")],
    )
    def patch(self, request, offender_id: int):
        offender = offender_or_404(request, offender_id)
        serializer = OffenderUpdateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        offender = offender_services.offender_update(offender=offender, actor=request.user, **serializer.validated_data)
        return Response(OffenderDetailOutputSerializer(offender).data)
