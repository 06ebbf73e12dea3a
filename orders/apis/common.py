"""What the orders APIs share: who may call them, finding a row in the caller's force, path parameters."""

from django.http import Http404
from drf_spectacular.openapi import AutoSchema
from rest_framework import serializers

from accounts.permissions import IsForceAdmin, IsPolice
from orders import selectors
from orders.apis.serializers import ReasonQueryInputSerializer
from orders.models import Offender, Order, Prohibition, ReferencePhoto


class PoliceReadAdminWrite:
    """GET for police of the force; anything else for its force admins only."""

    def get_permissions(self):
        return [IsPolice()] if self.request.method in ("GET", "HEAD", "OPTIONS") else [IsForceAdmin()]


class PageNamedSchema(AutoSchema):
    """A list's page keeps the component name it had before the list became a ``ListAPIView``
    (``OffenderPageOutput``, not drf-spectacular's ``PaginatedOffenderOutputList``)."""

    def get_paginated_name(self, serializer_name: str) -> str:
        return f"{serializer_name.removesuffix('Output')}PageOutput"


def reason_param(request) -> str:
    """``?reason=`` of a DELETE, checked like any text field (a NUL character was a 500 on PostgreSQL)."""
    serializer = ReasonQueryInputSerializer(data=request.query_params)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data["reason"]


def offender_or_404(request, offender_id: int) -> Offender:
    offender = selectors.offenders_for(request.user).filter(pk=offender_id).first()
    if offender is None:
        raise Http404
    return offender


def offender_or_400(request, offender_id: int) -> Offender:
    """The offender a request body names: outside the caller's force, a 400 on the field (not a 404)."""
    offender = selectors.offenders_for(request.user).filter(pk=offender_id).first()
    if offender is None:
        raise serializers.ValidationError({"offender": ["No such offender in your force."]})
    return offender


def order_or_404(request, order_id: int) -> Order:
    order = selectors.orders_for(request.user).filter(pk=order_id).first()
    if order is None:
        raise Http404
    return order


def photo_or_404(request, offender_id: int, photo_id: int) -> ReferencePhoto:
    photo = offender_or_404(request, offender_id).photos.filter(pk=photo_id).first()
    if photo is None:
        raise Http404
    return photo


def prohibition_or_404(order: Order, prohibition_id: int) -> Prohibition:
    prohibition = order.prohibitions.filter(pk=prohibition_id).first()
    if prohibition is None:
        raise Http404
    return prohibition
